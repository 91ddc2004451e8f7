import { z } from 'zod';
import type { ConfigProblem } from './problems.js';

/** The real TikTok Shop Open API host (API-FACTS §2). */
export const TIKTOK_OPEN_API_HOST = 'https://open-api.tiktokglobalshop.com';
/** Token endpoints live on this host, not on the Open API host (API-FACTS §2). */
export const TIKTOK_AUTH_HOST = 'https://auth.tiktok-shops.com';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A value that would work, shown next to each problem. */
export const ENV_EXAMPLES: Record<string, string> = {
  SHOPIFY_STORE: 'SHOPIFY_STORE=my-brand.myshopify.com',
  SHOPIFY_TOKEN: 'SHOPIFY_TOKEN=shpat_0123456789abcdef (Admin API access token of the custom app)',
  SHOPIFY_API_SECRET: 'SHOPIFY_API_SECRET=<the custom app API secret key, used to verify webhooks>',
  SHOPIFY_API_BASE: 'SHOPIFY_API_BASE=http://127.0.0.1:8081 (leave unset for the real Shopify)',
  TIKTOK_APP_KEY: 'TIKTOK_APP_KEY=6abc123def456 (Partner Center > App > App key)',
  TIKTOK_SECRET: 'TIKTOK_SECRET=<Partner Center > App > App secret>',
  TIKTOK_ACCESS_TOKEN: 'TIKTOK_ACCESS_TOKEN=ROW_xxxxxxxx',
  TIKTOK_REFRESH_TOKEN: 'TIKTOK_REFRESH_TOKEN=ROW_xxxxxxxx',
  TIKTOK_SHOP_CIPHER: 'TIKTOK_SHOP_CIPHER=ROW_xxxxxxxx (from Get Authorized Shops)',
  TIKTOK_API_BASE: `TIKTOK_API_BASE=${TIKTOK_OPEN_API_HOST}`,
  TIKTOK_AUTH_BASE: `TIKTOK_AUTH_BASE=${TIKTOK_AUTH_HOST}`,
  OPENAI_BASE_URL: 'OPENAI_BASE_URL=http://localhost:11434/v1',
  OPENAI_MODEL: 'OPENAI_MODEL=gpt-4o-mini',
  SYNC_INTERVAL: 'SYNC_INTERVAL=300 (seconds)',
  BATCH_SIZE: 'BATCH_SIZE=100',
  MAX_RETRIES: 'MAX_RETRIES=3',
  RETRY_BACKOFF: 'RETRY_BACKOFF=2.0 (seconds before the first retry)',
  RETRY_MAX_DELAY: 'RETRY_MAX_DELAY=900 (seconds: the longest wait between two tries of work that must happen)',
  RETRY_OUTAGE_WINDOW: 'RETRY_OUTAGE_WINDOW=28800 (seconds of partner outage that work which must happen outlasts)',
  JOB_LOCK_SECONDS: "JOB_LOCK_SECONDS=30 (seconds before a dead worker's job is handed to another)",
  JOB_MAX_STALLED: 'JOB_MAX_STALLED=2 (worker crashes a job survives before it fails)',
  SHOPIFY_ORDER_CLAIM_TTL: 'SHOPIFY_ORDER_CLAIM_TTL=300 (seconds; at least 10)',
  REDIS_URL:
    'REDIS_URL=redis://127.0.0.1:6379 (a Redis Cluster: REDIS_URL=redis+cluster://10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379)',
  QUEUE_PREFIX: 'QUEUE_PREFIX=shoptok',
  LOG_LEVEL: `LOG_LEVEL=info (one of ${LOG_LEVELS.join(', ')})`,
  LOG_FILE: 'LOG_FILE=sync_bot.log (LOG_FILE=off: console only)',
  LOG_FILE_MAX_MB: 'LOG_FILE_MAX_MB=10 (megabytes a log file reaches before the next one starts)',
  LOG_FILE_MAX_FILES: 'LOG_FILE_MAX_FILES=5 (log files kept, the one being written included)',
  DRY_RUN: 'DRY_RUN=false',
  STORE_MODE: 'STORE_MODE=preview (or live; go live without a restart: pnpm shoptok go-live --store default)',
  STORES_FILE: 'STORES_FILE=stores.yaml',
  RULES_FILE: 'RULES_FILE=rules.yaml (the rules: object of docs/stores.example.yaml, for the single store)',
  STORE_RULES: 'STORE_RULES={"orders":{"importSampleOrders":false}}',
  HEALTH_PORT: 'HEALTH_PORT=8080 (0 turns /healthz off)',
  WEBHOOKS_PORT: 'WEBHOOKS_PORT=8090 (where the webhooks app takes Shopify and TikTok deliveries)',
  DASHBOARD_HOST: 'DASHBOARD_HOST=0.0.0.0 (needs DASHBOARD_USERNAME and DASHBOARD_PASSWORD)',
  DASHBOARD_PORT: 'DASHBOARD_PORT=3000',
  DASHBOARD_USERNAME: 'DASHBOARD_USERNAME=ops',
  DASHBOARD_PASSWORD: 'DASHBOARD_PASSWORD=<a long random password>',
  DASHBOARD_PUBLIC_URL: 'DASHBOARD_PUBLIC_URL=https://shoptok.example.com',
  ALERT_WEBHOOK_URL: 'ALERT_WEBHOOK_URL=https://hooks.slack.com/services/T000/B000/XXXX',
  ALERT_SHIP_BY_HOURS: 'ALERT_SHIP_BY_HOURS=6 (alert this long before a TikTok order must ship)',
  ALERT_AUTH_EXPIRY_DAYS: 'ALERT_AUTH_EXPIRY_DAYS=14 (alert this long before the TikTok authorization ends)',
  ALERT_BURST_MINUTES: 'ALERT_BURST_MINUTES=15 (one failure message per store and queue in this window)',
};

// Empty strings count as unset: a `.env` line `OPENAI_API_KEY=` means "no key".
const unsetIfBlank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(unsetIfBlank, z.string().trim().optional());

const intSetting = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? fallback : v),
    z.coerce
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number' })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );

const booleanSetting = z.preprocess(
  (v) => (unsetIfBlank(v) === undefined ? 'false' : String(v).trim().toLowerCase()),
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => ['true', '1', 'yes'].includes(v)),
);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const urlWithDefault = (fallback: string) => z.preprocess((v) => unsetIfBlank(v) ?? fallback, httpUrl);
const optionalUrl = z.preprocess(unsetIfBlank, httpUrl.optional());

const CLUSTER_NODE = /^(\[[0-9a-f:.]+\]|[^:[\]]+):(\d{1,5})$/i;

/**
 * One server (`redis://`, `rediss://` for TLS) or a Redis Cluster named by some of its nodes
 * (`redis+cluster://host1:port,host2:port`, `rediss+cluster://` for TLS; the others are found).
 * Same grammar as `parseRedisClusterUrl` in packages/queues, which opens the connection.
 */
function checkRedisUrl(url: string, ctx: z.core.$RefinementCtx<string>): void {
  const cluster = /^rediss?\+cluster:\/\/(?:[^@/]*@)?([^/?#@]*)(.*)$/i.exec(url);
  if (!cluster) {
    if (!z.url({ protocol: /^rediss?$/ }).safeParse(url).success) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a redis:// or rediss:// URL (a Redis Cluster: redis+cluster://host1:port,host2:port)',
      });
    }
    return;
  }
  const [, hostList = '', rest = ''] = cluster;
  if (rest !== '' && rest !== '/') {
    ctx.addIssue({
      code: 'custom',
      message:
        'a Redis Cluster URL takes no database number, path or query (a cluster has only database 0); a password with "/", "@" or "," must be percent-encoded',
    });
  }
  const bad = hostList.split(',').filter((node) => {
    const match = CLUSTER_NODE.exec(node.trim());
    const port = Number(match?.[2]);
    return !match || port < 1 || port > 65_535;
  });
  if (hostList === '' || bad.length > 0) {
    // The nodes are quoted only when the URL holds no credentials, so a mistyped password is never echoed.
    const quoted = bad.length > 0 && !url.includes('@') ? `; not host:port: ${bad.map((b) => `"${b}"`).join(', ')}` : '';
    ctx.addIssue({ code: 'custom', message: `a Redis Cluster URL lists its nodes as host:port separated by commas${quoted}` });
  }
}

/** The environment of the original single-store bot, plus what a real deployment needs. */
export const envSchema = z.object({
  // Shopify (single-store mode; a stores file names its own variables per store)
  SHOPIFY_STORE: optionalText,
  SHOPIFY_TOKEN: optionalText,
  SHOPIFY_ACCESS_TOKEN: optionalText,
  SHOPIFY_API_SECRET: optionalText,
  /** Only for a proxy or a stand-in: where Admin API calls go instead of https://<store>. */
  SHOPIFY_API_BASE: optionalUrl,
  // TikTok Shop
  TIKTOK_APP_KEY: optionalText,
  TIKTOK_SECRET: optionalText,
  TIKTOK_ACCESS_TOKEN: optionalText,
  TIKTOK_REFRESH_TOKEN: optionalText,
  TIKTOK_SHOP_CIPHER: optionalText,
  TIKTOK_API_BASE: urlWithDefault(TIKTOK_OPEN_API_HOST),
  TIKTOK_AUTH_BASE: urlWithDefault(TIKTOK_AUTH_HOST),
  // AI mapper
  OPENAI_API_KEY: optionalText,
  OPENAI_MODEL: z.preprocess((v) => (unsetIfBlank(v) === undefined ? 'gpt-4o-mini' : v), z.string().trim().min(1)),
  OPENAI_BASE_URL: optionalUrl,
  // Sync behaviour (names and defaults of the original bot)
  SYNC_INTERVAL: intSetting(300, 10, 86_400),
  BATCH_SIZE: intSetting(100, 1, 1_000),
  MAX_RETRIES: intSetting(3, 0, 50),
  RETRY_BACKOFF: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? 2.0 : v),
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .min(0.1, { error: 'must be at least 0.1 seconds' })
      .max(3_600, { error: 'must be at most 3600 seconds' }),
  ),
  /** Longest wait between two tries of an `eventual` job kind (orders, cancellations, tracking, webhook stock). */
  RETRY_MAX_DELAY: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? 900 : v),
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .min(0.1, { error: 'must be at least 0.1 seconds' })
      .max(86_400, { error: 'must be at most 86400 seconds' }),
  ),
  /** How long a partner outage an `eventual` job kind outlasts before it fails for the operator (default 8 h). */
  RETRY_OUTAGE_WINDOW: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? 28_800 : v),
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .min(1, { error: 'must be at least 1 second' })
      .max(7 * 86_400, { error: 'must be at most 604800 seconds (7 days)' }),
  ),
  DRY_RUN: booleanSetting,
  /**
   * The single-store (`.env`) store's starting mode: `preview` (the default) writes nothing and
   * records what it would send; `live` writes. `shoptok go-live` switches at run time.
   */
  STORE_MODE: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? undefined : String(v).trim().toLowerCase()),
    z.enum(['preview', 'live'], { error: 'must be preview or live' }).optional(),
  ),
  /**
   * How long a running job's lock lasts without renewal: a killed worker's job goes back to
   * wait (for another worker) after about this long; it is also how often workers look for such jobs.
   */
  JOB_LOCK_SECONDS: intSetting(30, 2, 3_600),
  /**
   * How many times a job may lose its worker (crash, kill -9, a lock not renewed) and run
   * again; one more and it fails as "stalled more than allowable limit". 0 is refused: the
   * first crash would fail the job instead of handing it to another worker.
   */
  JOB_MAX_STALLED: intSetting(2, 1, 100),
  /**
   * Seconds a Shopify order-create claim holds. After a crash mid-create the order waits this
   * long before another attempt looks it up and creates it if missing. Shopify requests time
   * out within it (see `shopifyRequestTimings` in packages/sync), so a claim always outlasts one call.
   */
  SHOPIFY_ORDER_CLAIM_TTL: intSetting(300, 10, 86_400),
  // Infrastructure
  REDIS_URL: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? 'redis://127.0.0.1:6379' : v),
    z.string().trim().superRefine(checkRedisUrl),
  ),
  QUEUE_PREFIX: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? 'shoptok' : v),
    z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'may hold only letters, digits, "-" and "_"' }),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? 'info' : String(v).trim().toLowerCase()),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
  ),
  /** The JSON-lines log file; `off` (or `none`, `false`) logs to the console only. */
  LOG_FILE: z.preprocess(
    (v) => (unsetIfBlank(v) === undefined ? 'sync_bot.log' : String(v).trim()),
    z.string().transform((v) => (['off', 'none', 'false'].includes(v.toLowerCase()) ? undefined : v)),
  ),
  /** The log file rotates at this size (written as name.1.log, name.2.log, ...). */
  LOG_FILE_MAX_MB: intSetting(10, 1, 10_240),
  /** Log files kept (the one being written included); older ones are deleted. */
  LOG_FILE_MAX_FILES: intSetting(5, 1, 1_000),
  STORES_FILE: optionalText,
  /** Single-store mode: a YAML or JSON file holding the store's rules (a stores file gives each store its own `rules:`). */
  RULES_FILE: optionalText,
  /** Single-store mode: the store's rules as one line of JSON (instead of RULES_FILE). */
  STORE_RULES: optionalText,
  // Dashboard (Bull Board and the overview): basic auth is required unless bound to loopback.
  DASHBOARD_HOST: z.preprocess((v) => unsetIfBlank(v) ?? '127.0.0.1', z.string().min(1)),
  DASHBOARD_PORT: intSetting(3000, 1, 65_535),
  DASHBOARD_USERNAME: optionalText,
  DASHBOARD_PASSWORD: optionalText,
  /** Where operators reach the dashboard; alert messages link to it. */
  DASHBOARD_PUBLIC_URL: optionalUrl,
  /** Slack-compatible incoming webhook for failure alerts. */
  ALERT_WEBHOOK_URL: optionalUrl,
  /** Alert about an imported TikTok order without tracking this many hours before its ship-by time. */
  ALERT_SHIP_BY_HOURS: intSetting(6, 1, 240),
  /** Alert this many days before a shop's TikTok authorization (refresh token) ends. */
  ALERT_AUTH_EXPIRY_DAYS: intSetting(14, 1, 365),
  /** Failures of one store's queue within this window make one message. */
  ALERT_BURST_MINUTES: intSetting(15, 1, 1_440),
  /** Port of the app's `/healthz` endpoint; 0 turns it off (several apps on one host). */
  HEALTH_PORT: intSetting(0, 0, 65_535),
  /** The webhooks app's public intake port (its /healthz answers there too). */
  WEBHOOKS_PORT: intSetting(8090, 1, 65_535),
});

export type ParsedEnv = z.infer<typeof envSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Turns zod issues on the env into plain-worded problems. */
export function envIssuesToProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => {
    const setting = issue.path.map(String).join('.') || 'environment';
    return { setting, problem: issue.message, example: ENV_EXAMPLES[setting] };
  });
}

/** Cross-field checks of the env that zod's per-field parsing cannot see. */
export function checkEnvCombinations(env: ParsedEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (env.SHOPIFY_TOKEN && env.SHOPIFY_ACCESS_TOKEN && env.SHOPIFY_TOKEN !== env.SHOPIFY_ACCESS_TOKEN) {
    problems.push({
      setting: 'SHOPIFY_TOKEN',
      problem: 'SHOPIFY_TOKEN and its alias SHOPIFY_ACCESS_TOKEN are both set, to different values; keep one',
      example: ENV_EXAMPLES.SHOPIFY_TOKEN,
    });
  }
  const apiBase = new URL(env.TIKTOK_API_BASE);
  if (apiBase.hostname === 'partner.tiktokshop.com' || apiBase.hostname.endsWith('.partner.tiktokshop.com')) {
    problems.push({
      setting: 'TIKTOK_API_BASE',
      problem: `${env.TIKTOK_API_BASE} is the Partner Center website, not an API host; the Open API is at ${TIKTOK_OPEN_API_HOST} (or leave TIKTOK_API_BASE unset)`,
      example: ENV_EXAMPLES.TIKTOK_API_BASE,
    });
  }
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(env.DASHBOARD_HOST);
  if (!loopback && (!env.DASHBOARD_USERNAME || !env.DASHBOARD_PASSWORD)) {
    problems.push({
      setting: 'DASHBOARD_PASSWORD',
      problem: `the dashboard listens on ${env.DASHBOARD_HOST}, beyond this machine, so it needs DASHBOARD_USERNAME and DASHBOARD_PASSWORD (or bind it to 127.0.0.1)`,
      example: ENV_EXAMPLES.DASHBOARD_PASSWORD,
    });
  }
  if (env.DASHBOARD_PASSWORD && env.DASHBOARD_PASSWORD.length < 12) {
    problems.push({
      setting: 'DASHBOARD_PASSWORD',
      problem: 'is shorter than 12 characters',
      example: ENV_EXAMPLES.DASHBOARD_PASSWORD,
    });
  }
  return problems;
}
