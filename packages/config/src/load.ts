import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { checkEnvCombinations, ENV_EXAMPLES, envIssuesToProblems, envSchema, type LogLevel, type ParsedEnv } from './env.js';
import { defaultStoreRules, storeRulesSchema, type StoreRules } from '@shoptok/sync-core';
import { ConfigError, type ConfigProblem } from './problems.js';
import { shopifyDomainSchema, storesFileSchema, storesIssuesToProblems, type StoreFileEntry } from './stores.js';

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Everything one Shopify-store/TikTok-shop pair needs at run time, secrets resolved. */
export interface StoreConfig {
  id: string;
  name: string;
  enabled: boolean;
  /** `apiBase`: only for a proxy or a stand-in; unset means https://<domain>. */
  shopify: { domain: string; accessToken: string; apiSecret: string | undefined; apiBase: string | undefined };
  tiktok: {
    appKey: string;
    appSecret: string;
    accessToken: string | undefined;
    refreshToken: string | undefined;
    shopCipher: string | undefined;
    /** The shop's market (`GB`, `US`, ...): `shoptok connect tiktok` refuses a shop of another one. */
    region?: string;
  };
  syncIntervalSeconds: number;
  batchSize: number;
  /** DRY_RUN or the store's own `dryRun`: dry when either says so. */
  dryRun: boolean;
  /**
   * The mode the store starts in: `preview` (the default) writes nothing to either shop and
   * records what it would send; `live` writes. `shoptok go-live` switches it at run time.
   */
  mode: 'preview' | 'live';
  /** Inventory, order, shipping and listing rules, every default filled in. */
  rules: StoreRules;
  /** This store's own alert webhook (stores file `alertWebhookUrlEnv`); unset: ALERT_WEBHOOK_URL. */
  alertWebhookUrl?: string;
}

export interface ShoptokConfig {
  redisUrl: string;
  queuePrefix: string;
  /** `file` undefined: console only (LOG_FILE=off); `maxBytes`/`maxFiles`: its rotation (LOG_FILE_MAX_MB, LOG_FILE_MAX_FILES). */
  log: { level: LogLevel; file: string | undefined; maxBytes: number; maxFiles: number };
  dryRun: boolean;
  dashboard: {
    host: string;
    port: number;
    username: string | undefined;
    password: string | undefined;
    publicUrl: string | undefined;
  };
  /** Slack-compatible alerts: where they go (a store may name its own) and when they fire. */
  alerts: { webhookUrl: string | undefined; shipByHours: number; authExpiryDays: number; burstMinutes: number };
  /** Port of the app's `/healthz`; 0 when off. */
  healthPort: number;
  /** The webhooks app's intake port (WEBHOOKS_PORT). */
  webhooksPort: number;
  /**
   * `standard` job kinds: `maxRetries` retries from `backoffSeconds`, doubling. `eventual` kinds:
   * from `backoffSeconds` doubling up to `maxDelaySeconds`, for `outageWindowSeconds`.
   */
  retry: { maxRetries: number; backoffSeconds: number; maxDelaySeconds: number; outageWindowSeconds: number };
  /** BullMQ job locks: when a dead worker's job goes to another worker, and how often that may happen to one job. */
  jobLocks: { lockSeconds: number; maxStalled: number };
  tiktok: { apiBase: string; authBase: string };
  /** Set only for a proxy or a stand-in; unset: each store's own https://<store>.myshopify.com. */
  shopify: { apiBase: string | undefined; orderClaimTtlMs: number };
  openai: { apiKey: string | undefined; model: string; baseUrl: string | undefined };
  /** Stores in the order the stores file lists them; `default` in single-store mode. */
  stores: StoreConfig[];
}

export interface LoadConfigOptions {
  /** The environment, usually `process.env` merged over `.env` (see {@link readDotEnv}). */
  env: EnvSource;
  /** Where a relative STORES_FILE is looked up. */
  cwd?: string;
  /** Commands that talk to no store (the mapper preview, the queue catalog) pass false. */
  requireStores?: boolean;
}

/** The env with every setting that fails its own check left at its default. */
function validSettingsOf(env: EnvSource): ParsedEnv {
  const valid: Record<string, string | undefined> = {};
  for (const [setting, schema] of Object.entries(envSchema.shape)) {
    if ((schema as { safeParse(value: unknown): { success: boolean } }).safeParse(env[setting]).success)
      valid[setting] = env[setting];
  }
  const parsed = envSchema.safeParse(valid);
  return parsed.success ? parsed.data : envSchema.parse({});
}

/**
 * Parses and checks the whole configuration. Throws a {@link ConfigError} that lists every
 * problem at once; never returns a half-valid config.
 */
export function loadConfig(options: LoadConfigOptions): ShoptokConfig {
  const { env, cwd = process.cwd(), requireStores = true } = options;
  const parsed = envSchema.safeParse(env);
  // Cross-field and store checks run even when some settings are malformed (on the settings
  // that did parse), so one run lists every problem instead of one typo hiding the rest.
  const effective = parsed.success ? parsed.data : validSettingsOf(env);
  const fieldProblems = parsed.success ? [] : envIssuesToProblems(parsed.error.issues);
  const badSettings = new Set(fieldProblems.map((p) => p.setting));
  const problems = [...fieldProblems, ...checkEnvCombinations(effective).filter((p) => !badSettings.has(p.setting))];
  const { stores, problems: storeProblems } = requireStores ? collectStores(effective, env, cwd) : { stores: [], problems: [] };
  problems.push(...storeProblems);
  if (problems.length > 0) throw new ConfigError(problems);

  const e = effective;
  return {
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    log: {
      level: e.LOG_LEVEL,
      file: e.LOG_FILE,
      maxBytes: e.LOG_FILE_MAX_MB * 1024 * 1024,
      maxFiles: e.LOG_FILE_MAX_FILES,
    },
    dryRun: e.DRY_RUN,
    healthPort: e.HEALTH_PORT,
    webhooksPort: e.WEBHOOKS_PORT,
    dashboard: {
      host: e.DASHBOARD_HOST,
      port: e.DASHBOARD_PORT,
      username: e.DASHBOARD_USERNAME,
      password: e.DASHBOARD_PASSWORD,
      publicUrl: e.DASHBOARD_PUBLIC_URL ? stripSlash(e.DASHBOARD_PUBLIC_URL) : undefined,
    },
    alerts: {
      webhookUrl: e.ALERT_WEBHOOK_URL,
      shipByHours: e.ALERT_SHIP_BY_HOURS,
      authExpiryDays: e.ALERT_AUTH_EXPIRY_DAYS,
      burstMinutes: e.ALERT_BURST_MINUTES,
    },
    retry: {
      maxRetries: e.MAX_RETRIES,
      backoffSeconds: e.RETRY_BACKOFF,
      maxDelaySeconds: e.RETRY_MAX_DELAY,
      outageWindowSeconds: e.RETRY_OUTAGE_WINDOW,
    },
    jobLocks: { lockSeconds: e.JOB_LOCK_SECONDS, maxStalled: e.JOB_MAX_STALLED },
    tiktok: { apiBase: stripSlash(e.TIKTOK_API_BASE), authBase: stripSlash(e.TIKTOK_AUTH_BASE) },
    shopify: {
      apiBase: e.SHOPIFY_API_BASE ? stripSlash(e.SHOPIFY_API_BASE) : undefined,
      orderClaimTtlMs: e.SHOPIFY_ORDER_CLAIM_TTL * 1000,
    },
    openai: {
      apiKey: e.OPENAI_API_KEY,
      model: e.OPENAI_MODEL,
      baseUrl: e.OPENAI_BASE_URL ? stripSlash(e.OPENAI_BASE_URL) : undefined,
    },
    stores,
  };
}

/**
 * Reads a `.env` file (KEY=value lines) when it exists. Apps merge it under the real
 * environment: `{ ...readDotEnv(cwd), ...process.env }`.
 */
export function readDotEnv(cwd: string, fileName = '.env'): Record<string, string> {
  const path = resolve(cwd, fileName);
  if (!existsSync(path)) return {};
  const parsed = parseEnv(readFileSync(path, 'utf8'));
  return Object.fromEntries(Object.entries(parsed).filter((kv): kv is [string, string] => kv[1] !== undefined));
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function collectStores(e: ParsedEnv, raw: EnvSource, cwd: string): { stores: StoreConfig[]; problems: ConfigProblem[] } {
  const storesFile = e.STORES_FILE ?? nonEmpty(raw.STORES_FILE);
  if (storesFile) {
    const found = storesFromFile(resolve(cwd, storesFile), storesFile, e, raw);
    for (const setting of ['RULES_FILE', 'STORE_RULES'] as const)
      if (e[setting])
        found.problems.push({
          setting,
          problem: `is for the single store of the .env; with STORES_FILE each store takes its rules from its own "rules:" in ${storesFile}`,
        });
    return found;
  }
  return singleStoreFromEnv(e, raw, cwd);
}

/** Problems of a rules object, each named by where it is (`rules.orders.importStatuses`). */
function rulesProblems(at: string, issues: readonly { path: PropertyKey[]; code: string; message: string; keys?: string[] }[]) {
  return issues.map((issue) => {
    const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
    return {
      setting: `${at}${path}`,
      problem: issue.code === 'unrecognized_keys' ? `has unknown setting(s) ${(issue.keys ?? []).join(', ')}` : issue.message,
    };
  });
}

/** The single store's rules: RULES_FILE (YAML or JSON) or STORE_RULES (JSON), else every default. */
function singleStoreRules(e: ParsedEnv, cwd: string): { rules: StoreRules; problems: ConfigProblem[] } {
  if (e.RULES_FILE && e.STORE_RULES)
    return {
      rules: defaultStoreRules(),
      problems: [{ setting: 'STORE_RULES', problem: 'and RULES_FILE are both set; keep one', example: ENV_EXAMPLES.RULES_FILE }],
    };
  let document: unknown = {};
  let at = 'STORE_RULES';
  try {
    if (e.RULES_FILE) {
      at = `RULES_FILE (${e.RULES_FILE})`;
      const path = resolve(cwd, e.RULES_FILE);
      if (!existsSync(path))
        return {
          rules: defaultStoreRules(),
          problems: [{ setting: 'RULES_FILE', problem: `names ${e.RULES_FILE}, which does not exist (looked at ${path})` }],
        };
      const text = readFileSync(path, 'utf8');
      document = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
    } else if (e.STORE_RULES) document = JSON.parse(e.STORE_RULES);
  } catch (err) {
    return {
      rules: defaultStoreRules(),
      problems: [
        {
          setting: at,
          problem: `could not be read: ${(err as Error).message.split('\n')[0]}`,
          example: ENV_EXAMPLES.STORE_RULES,
        },
      ],
    };
  }
  // A file holding a store's whole `rules:` key is taken as it is written in a stores file too.
  const rulesObject =
    document &&
    typeof document === 'object' &&
    !Array.isArray(document) &&
    Object.keys(document).length === 1 &&
    'rules' in document
      ? (document as { rules: unknown }).rules
      : document;
  const parsed = storeRulesSchema.safeParse(rulesObject ?? {});
  return parsed.success
    ? { rules: parsed.data, problems: [] }
    : { rules: defaultStoreRules(), problems: rulesProblems(`${at}: rules`, parsed.error.issues) };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/** The original bot's single-store `.env`, kept working as store `default`. */
function singleStoreFromEnv(e: ParsedEnv, raw: EnvSource, cwd: string): { stores: StoreConfig[]; problems: ConfigProblem[] } {
  const { rules, problems } = singleStoreRules(e, cwd);
  const missing = (setting: string, why = 'is missing') =>
    problems.push({ setting, problem: why, example: ENV_EXAMPLES[setting] });

  const storeRaw = nonEmpty(raw.SHOPIFY_STORE);
  let domain = '';
  if (!storeRaw) missing('SHOPIFY_STORE', 'is missing (or set STORES_FILE to list several stores)');
  else {
    const d = shopifyDomainSchema.safeParse(storeRaw);
    if (d.success) domain = d.data;
    else
      problems.push({
        setting: 'SHOPIFY_STORE',
        problem: `"${storeRaw}" ${d.error.issues[0]?.message ?? 'is not valid'}`,
        example: ENV_EXAMPLES.SHOPIFY_STORE,
      });
  }
  const shopifyToken = nonEmpty(raw.SHOPIFY_TOKEN) ?? nonEmpty(raw.SHOPIFY_ACCESS_TOKEN);
  if (!shopifyToken) missing('SHOPIFY_TOKEN', 'is missing (SHOPIFY_ACCESS_TOKEN is accepted as an alias)');
  const appKey = nonEmpty(raw.TIKTOK_APP_KEY);
  if (!appKey) missing('TIKTOK_APP_KEY');
  const appSecret = nonEmpty(raw.TIKTOK_SECRET);
  if (!appSecret) missing('TIKTOK_SECRET');
  const accessToken = nonEmpty(raw.TIKTOK_ACCESS_TOKEN);
  const refreshToken = nonEmpty(raw.TIKTOK_REFRESH_TOKEN);
  if (!accessToken && !refreshToken)
    missing('TIKTOK_ACCESS_TOKEN', 'is missing: set TIKTOK_ACCESS_TOKEN, TIKTOK_REFRESH_TOKEN, or both');

  return {
    problems,
    stores: [
      {
        id: 'default',
        name: domain || 'default',
        enabled: true,
        shopify: {
          domain,
          accessToken: shopifyToken ?? '',
          apiSecret: nonEmpty(raw.SHOPIFY_API_SECRET),
          apiBase: e.SHOPIFY_API_BASE?.replace(/\/+$/, ''),
        },
        tiktok: {
          appKey: appKey ?? '',
          appSecret: appSecret ?? '',
          accessToken,
          refreshToken,
          shopCipher: nonEmpty(raw.TIKTOK_SHOP_CIPHER),
        },
        syncIntervalSeconds: e.SYNC_INTERVAL ?? 300,
        batchSize: e.BATCH_SIZE ?? 100,
        dryRun: e.DRY_RUN ?? false,
        mode: e.STORE_MODE ?? 'preview',
        rules,
      },
    ],
  };
}

function storesFromFile(
  path: string,
  shownAs: string,
  e: ParsedEnv,
  raw: EnvSource,
): { stores: StoreConfig[]; problems: ConfigProblem[] } {
  if (!existsSync(path)) {
    return {
      stores: [],
      problems: [
        {
          setting: 'STORES_FILE',
          problem: `names ${shownAs}, which does not exist (looked at ${path})`,
          example: ENV_EXAMPLES.STORES_FILE,
        },
      ],
    };
  }
  let document: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    document = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    return {
      stores: [],
      problems: [
        {
          setting: 'STORES_FILE',
          problem: `${shownAs} could not be read as ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
        },
      ],
    };
  }
  const parsed = storesFileSchema.safeParse(document);
  if (!parsed.success) return { stores: [], problems: storesIssuesToProblems(shownAs, parsed.error.issues) };

  const entries: StoreFileEntry[] = parsed.data.stores;
  const problems: ConfigProblem[] = [];
  const seenIds = new Set<string>();
  const seenPairs = new Set<string>();
  const stores = entries.map((entry, i) => {
    const at = `${shownAs}: stores[${i}] (${entry.id})`;
    if (seenIds.has(entry.id))
      problems.push({ setting: `${at}.id`, problem: `"${entry.id}" is used by another store; ids must be unique` });
    seenIds.add(entry.id);
    const pair = `${entry.shopify.store}|${entry.tiktok.shopCipher ?? ''}`;
    if (seenPairs.has(pair))
      problems.push({ setting: at, problem: `pairs ${entry.shopify.store} with the same TikTok shop as another store` });
    seenPairs.add(pair);

    const secret = (field: string, name: string | undefined, required: boolean): string | undefined => {
      if (!name) return undefined;
      const value = nonEmpty(raw[name]);
      if (!value && required)
        problems.push({
          setting: `${at}.${field}`,
          problem: `names the environment variable ${name}, which is not set`,
          example: `${name}=<value>`,
        });
      return value;
    };
    const accessToken = secret('tiktok.accessTokenEnv', entry.tiktok.accessTokenEnv, false);
    const refreshToken = secret('tiktok.refreshTokenEnv', entry.tiktok.refreshTokenEnv, false);
    // A store that names no token variable gets its tokens from `shoptok connect tiktok` (kept in Redis).
    const named = [entry.tiktok.accessTokenEnv, entry.tiktok.refreshTokenEnv].filter(Boolean).join(' / ');
    if (!accessToken && !refreshToken && named) {
      problems.push({
        setting: `${at}.tiktok`,
        problem: `neither ${named} is set in the environment (or leave both out and run: shoptok connect tiktok --store ${entry.id})`,
        example: 'accessTokenEnv: GLOW_TIKTOK_ACCESS_TOKEN',
      });
    }
    // A Slack webhook URL carries its own secret, so the file names the variable that holds it.
    const alertWebhookUrl = (setting: string, name: string): string | undefined => {
      const value = secret(setting, name, true);
      if (value !== undefined && !/^https?:\/\/\S+$/.test(value))
        problems.push({
          setting,
          problem: `names ${name}, whose value is not an http(s) URL`,
          example: `${name}=https://hooks.slack.com/services/T000/B000/XXXX`,
        });
      return value;
    };
    const rules = storeRulesSchema.safeParse(entry.rules ?? {});
    if (!rules.success) problems.push(...rulesProblems(`${at}.rules`, rules.error.issues));
    return {
      id: entry.id,
      name: entry.name ?? entry.shopify.store,
      enabled: entry.enabled,
      shopify: {
        domain: entry.shopify.store,
        accessToken: secret('shopify.tokenEnv', entry.shopify.tokenEnv, true) ?? '',
        apiSecret: secret('shopify.apiSecretEnv', entry.shopify.apiSecretEnv, true),
        apiBase: (entry.shopify.apiBase ?? e.SHOPIFY_API_BASE)?.replace(/\/+$/, ''),
      },
      tiktok: {
        appKey: secret('tiktok.appKeyEnv', entry.tiktok.appKeyEnv, true) ?? '',
        appSecret: secret('tiktok.appSecretEnv', entry.tiktok.appSecretEnv, true) ?? '',
        accessToken,
        refreshToken,
        shopCipher: entry.tiktok.shopCipher,
        ...(entry.tiktok.region ? { region: entry.tiktok.region } : {}),
      },
      syncIntervalSeconds: entry.syncInterval ?? e.SYNC_INTERVAL ?? 300,
      batchSize: entry.batchSize ?? e.BATCH_SIZE ?? 100,
      // Dry when either says so: a store's `dryRun: false` never overrides DRY_RUN=true.
      dryRun: (entry.dryRun ?? false) || (e.DRY_RUN ?? false),
      mode: entry.mode ?? 'preview',
      rules: rules.success ? rules.data : defaultStoreRules(),
      ...(entry.alertWebhookUrlEnv
        ? { alertWebhookUrl: alertWebhookUrl(`${at}.alertWebhookUrlEnv`, entry.alertWebhookUrlEnv) }
        : {}),
    } satisfies StoreConfig;
  });
  return { stores, problems };
}
