import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '@shoptok/config';
import { rotatedLogFiles } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, queueKeys, waitForRedis } from '@shoptok/queues';
import type { Job } from 'bullmq';
import { StateStore } from '@shoptok/state';
import { describePreviewTotals } from '@shoptok/sync';
import { deleteByPattern } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { sellerDecides, startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runConnectCommand } from '../commands/connect.js';
import { ENQUEUE_KINDS, enqueueKind, followJobs, type CommandIO } from '../commands/enqueue.js';
import { drainQueues } from '../drain.js';
import { demoCatalogue, startImageServer } from './catalogue.js';
import { simulateDay, type DayReport } from './day.js';
import { DemoFleet, type DemoApp } from './fleet.js';
import { fillMissingAttributes } from './merchant.js';
import { listingCounts, liveSkus, stockMismatches } from './observe.js';
import { freePort, NO_REDIS_MESSAGE, provideDemoRedis } from './redis.js';

const STORE = 'demo';
const STORE_NAME = 'Glow Beauty (demo)';
// Stand-in credentials: they open nothing but the stand-ins of this process.
const SHOPIFY = {
  shopDomain: 'glow-beauty-demo.myshopify.com',
  accessToken: 'shpat_demo0123456789abcdef',
  apiSecret: 'demo-shopify-app-secret-0123456789',
};
const TIKTOK_APP = { appKey: 'demo-app-key', appSecret: 'demo-app-secret-0123456789' };
const WORKERS: DemoApp[] = ['inventory-worker', 'product-worker', 'order-worker'];

/** What a test may look at once the day is over, while the fleet still runs. */
export interface DemoView {
  shopify: ShopifyStandIn;
  tiktok: TikTokStandIn;
  shopId: string;
  dashboard: { url: string; username: string; password: string };
  day: DayReport;
  /** Process ids of the fleet's apps. */
  pids: number[];
}

export interface DemoOptions {
  /** After the day, keep the fleet up (dashboard browsable) until Ctrl-C. */
  keepRunning: boolean;
  /** Runs after the day with the fleet still up; an error it throws fails the demo. */
  afterDay?: (view: DemoView) => Promise<void>;
}

/** The jobs of the full-sync kinds that the scheduler queued as it started (its first cycle). */
async function firstCycleJobs(queues: QueueFactory): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const [queue, name] of ENQUEUE_KINDS['full-sync']) {
    // Not 'delayed': that is the next cycle, queued once the first one is done.
    const found = await queues.queue(queue, STORE).getJobs(['active', 'waiting', 'prioritized', 'completed', 'failed']);
    jobs.push(
      ...found
        .filter((job) => job.name === name && (job.data as { trigger?: string } | undefined)?.trigger === 'schedule')
        .slice(0, 1),
    );
  }
  return jobs;
}

/**
 * `shoptok connect tiktok --store demo` as an operator runs it, with the seller's part played
 * on the stand-in's authorization page: the shop gets its tokens through the real flow.
 */
async function connectDemoShop(env: Record<string, string>, signal: AbortSignal): Promise<string> {
  const startedAt = Date.now();
  let out = '';
  let err = '';
  const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
  const stderr = new PassThrough().on('data', (c: Buffer) => (err += c.toString()));
  const done = runConnectCommand(['tiktok', '--store', STORE, '--wait-seconds', '60'], { stdout, stderr, env }, signal);
  let link: string | undefined;
  while (!link) {
    signal.throwIfAborted();
    link = /https?:\/\/\S+\/oauth\/authorize\S+/.exec(out)?.[0];
    if (!link && (await Promise.race([done.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))])))
      throw new Error(`shoptok connect tiktok stopped before printing the link: ${err}`);
  }
  const redirect = await sellerDecides(link, { decision: 'authorize' });
  const page = await fetch(redirect);
  await page.arrayBuffer();
  const code = await done;
  if (code !== 0) throw new Error(`shoptok connect tiktok failed (exit ${code}): ${err}`);
  const said =
    out
      .trim()
      .split('\n')
      .find((line) => line.includes('is connected to store')) ?? out.trim();
  return `\`shoptok connect tiktok --store ${STORE}\` printed the seller's link; the seller authorized on TikTok: ${said.replace(/\.$/, '')} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`;
}

/** Error-level lines the apps logged (pino JSON lines), over every file of the rotated log. */
function errorLines(logFile: string): number {
  const files = [logFile, ...rotatedLogFiles(logFile)].filter((f) => existsSync(f));
  return files
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter((line) => /"level":("(error|fatal)"|5\d|60)\b/.test(line)).length;
}

/** Why the demo stopped early: a signal (a clean stop) or an app that died. */
class DemoStopped extends Error {
  constructor(
    readonly kind: 'signal' | 'failure',
    message: string,
  ) {
    super(message);
  }
}

/**
 * `pnpm demo [--exit]`: shoptok's whole job with no credentials. Starts a Shopify store and a
 * TikTok shop (stand-ins, in this process), Redis, and the fleet as its own processes; runs a
 * full sync; then a day of the shop through webhooks. Keeps running on a terminal until Ctrl-C,
 * or stops after the day with `--exit` or without a terminal.
 */
export async function runDemoCommand(argv: string[], io: CommandIO): Promise<number> {
  let exit: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { exit: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      io.stdout.write(
        'pnpm demo [--exit]   shoptok on built-in stand-ins; --exit stops after the day (also the default without a terminal)\n',
      );
      return 0;
    }
    exit = values.exit;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\npnpm demo [--exit]\n`);
    return 64;
  }
  // The apps parse TikTok's 19-digit ids exactly only on Node 22+ (JSON.parse source text).
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    io.stderr.write(
      `shoptok needs Node.js 22 or newer; this is ${process.versions.node}. Run npm start (it sets up Node 24 in .tools/), or: source .ci/toolchain.sh && pnpm demo\n`,
    );
    return 69;
  }
  return runDemo(io, { keepRunning: !exit && Boolean((io.stdout as NodeJS.WriteStream).isTTY) });
}

/** The demo itself (see runDemoCommand); exit code 0 when every effect was seen, or on Ctrl-C. */
export async function runDemo(io: CommandIO, options: DemoOptions): Promise<number> {
  const began = Date.now();
  const say = (line = '') => io.stdout.write(`${line}\n`);
  const elapsed = (since = began) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  const prefix = `${io.env.QUEUE_PREFIX ?? 'shoptok'}-demo`;
  const abort = new AbortController();
  let rejectStopped: (err: DemoStopped) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => (rejectStopped = reject));
  stopped.catch(() => undefined);
  const stop = (err: DemoStopped) => {
    if (abort.signal.aborted) return;
    abort.abort(err);
    rejectStopped(err);
  };
  // Whatever `work` is doing, the demo moves on to cleaning up as soon as it is stopped; the
  // work sees the abort and ends before the connections it uses are closed.
  const inFlight = new Set<Promise<unknown>>();
  const race = <T>(work: Promise<T>): Promise<T> => {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return Promise.race([work, stopped]);
  };

  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  let fleet: DemoFleet | undefined;
  let killRedis: () => void = () => undefined;
  let redisOrigin = '';
  let cleaning = false;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (cleaning) {
      // The terminal went away (its wrapper exited first), or a wrapper (pnpm, npm) passed the
      // same Ctrl-C on a moment later: finish stopping the fleet in order.
      if (signal === 'SIGHUP' || Date.now() - firstSignalAt < 1_000) return;
      // A second Ctrl-C: no more waiting.
      io.stderr.write(`\n${signal} again: killing the fleet now\n`);
      fleet?.kill();
      killRedis();
      process.exit(130);
    }
    firstSignalAt ||= Date.now();
    stop(new DemoStopped('signal', signal));
  };
  // Output to a terminal that is gone must not stop the cleanup half way.
  for (const stream of [io.stdout, io.stderr]) stream.on('error', () => undefined);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);

  let code = 0;
  let keepDir = false;
  const dir = mkdtempSync(join(tmpdir(), 'shoptok-demo-'));
  try {
    // Redis: the configured one, else 127.0.0.1:6379, else a private redis-server.
    const redis = await provideDemoRedis(io.env.REDIS_URL);
    if (!redis) {
      io.stderr.write(`${NO_REDIS_MESSAGE}\n`);
      return 69;
    }
    killRedis = redis.kill;
    redisOrigin = redis.origin;
    cleanups.push({ what: 'redis', run: () => redis.stop() });
    const connection = createRedisConnection({ url: redis.url, role: 'client', name: 'shoptok:demo' });
    connection.on('error', () => undefined); // waitForRedis reports it
    cleanups.push({ what: 'redis connection', run: async () => connection.disconnect() });
    try {
      await race(waitForRedis(connection, 5_000));
    } catch (err) {
      if (err instanceof DemoStopped) throw err;
      io.stderr.write(`no Redis answers at ${redis.url}.\n${NO_REDIS_MESSAGE}\n`);
      return 69;
    }
    // Its own key prefix, wiped before and after: the demo never touches a deployment's keys.
    await deleteByPattern(connection, `${prefix}:*`);
    cleanups.push({ what: 'demo keys', run: () => deleteByPattern(connection, `${prefix}:*`) });

    // The stand-ins, in this process; their webhooks go to the webhook service.
    const [webhooksPort, dashboardPort, schedulerPort, ...workerPorts] = await Promise.all([
      freePort(),
      freePort(3000),
      freePort(),
      ...WORKERS.map(() => freePort()),
    ]);
    const webhooksUrl = `http://127.0.0.1:${webhooksPort}/webhooks`;
    const images = await startImageServer();
    cleanups.push({ what: 'image server', run: () => images.close() });
    const tiktok = await startTikTokStandIn({
      auditDelayMs: 300,
      webhookUrl: `${webhooksUrl}/tiktok`,
      webhookRetryDelaysMs: [1_000, 2_000, 5_000],
      shops: [
        {
          ...TIKTOK_APP,
          name: STORE_NAME,
          warehouses: [{ id: '7300000000000000001', name: 'Main warehouse', isDefault: true }],
          deliveryOptions: [
            { id: '7000000000000000001', name: 'Standard', providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] },
          ],
        },
      ],
    });
    cleanups.push({ what: 'TikTok stand-in', run: () => tiktok.close() });
    const shopify = await startShopifyStandIn({
      ...SHOPIFY,
      catalogue: demoCatalogue(images),
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
      webhookRetryDelaysMs: [200, 500, 1_000, 2_000, 5_000],
    });
    cleanups.push({ what: 'Shopify stand-in', run: () => shopify.close() });
    shopify.setWebhookTarget(`${webhooksUrl}/shopify`);
    const shop = tiktok.shops[0] as (typeof tiktok.shops)[number];
    const platforms = { shopify, tiktok, shopId: shop.shopId };

    // The fleet's environment: a stores file naming secrets by variable, as in production.
    const dashboard = {
      url: `http://127.0.0.1:${dashboardPort}/`,
      username: 'demo',
      password: randomBytes(12).toString('base64url'),
    };
    const storesFile = join(dir, 'stores.json');
    writeFileSync(
      storesFile,
      JSON.stringify({
        stores: [
          {
            id: STORE,
            name: STORE_NAME,
            shopify: {
              store: shopify.shopDomain,
              tokenEnv: 'DEMO_SHOPIFY_TOKEN',
              apiSecretEnv: 'DEMO_SHOPIFY_SECRET',
              apiBase: shopify.url,
            },
            // No token and no cipher: the shop is connected below, as an operator does it.
            tiktok: { region: 'GB' },
          },
        ],
      }),
    );
    const env: Record<string, string> = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      STORES_FILE: storesFile,
      TIKTOK_APP_KEY: TIKTOK_APP.appKey,
      TIKTOK_SECRET: TIKTOK_APP.appSecret,
      TIKTOK_API_BASE: tiktok.url,
      TIKTOK_AUTH_BASE: tiktok.authUrl,
      DEMO_SHOPIFY_TOKEN: shopify.accessToken,
      DEMO_SHOPIFY_SECRET: shopify.apiSecret,
      RETRY_BACKOFF: '0.5',
      LOG_LEVEL: io.env.LOG_LEVEL ?? 'warn',
      LOG_FILE: join(dir, 'fleet.log'),
    };
    const config = loadConfig({ env }); // the same checks the apps make, before starting them
    const queues = new QueueFactory({ connection, prefix, retry: config.retry });
    cleanups.push({
      what: 'queues',
      run: async () => {
        await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 5_000))]);
        await queues.close();
      },
    });

    say(
      `shoptok demo: ${shopify.state.products.length} products in a Shopify store and an empty TikTok shop (local stand-ins, no credentials); Redis: ${redis.origin} (keys under ${prefix}:)`,
    );
    const startedFleet = Date.now();
    fleet = new DemoFleet({ dir, env, onUnexpectedExit: (_app, why) => stop(new DemoStopped('failure', why)) });
    const running = fleet;
    cleanups.push({ what: 'fleet', run: () => running.stop() });
    // The webhook service first: it serves the TikTok app's redirect URL, /auth/tiktok/callback.
    running.start('webhooks', webhooksPort as number, { WEBHOOKS_PORT: String(webhooksPort) });
    await race(running.ready(90_000, abort.signal));
    tiktok.admin.setRedirectUrl(TIKTOK_APP.appKey, `http://127.0.0.1:${webhooksPort}/auth/tiktok/callback`);
    const connected = await race(connectDemoShop(env, abort.signal));
    say(`connect  ${connected}`);
    WORKERS.forEach((app, i) => running.start(app, workerPorts[i] as number, { HEALTH_PORT: String(workerPorts[i]) }));
    running.start('dashboard', dashboardPort as number, {
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_PORT: String(dashboardPort),
      DASHBOARD_USERNAME: dashboard.username,
      DASHBOARD_PASSWORD: dashboard.password,
    });
    running.start('scheduler', schedulerPort as number, { HEALTH_PORT: String(schedulerPort) });
    await race(running.ready(90_000, abort.signal));
    say(`fleet up in ${elapsed(startedFleet)}: ${WORKERS.join(', ')}, webhooks, dashboard, scheduler (each its own process)\n`);

    // A store added without a mode starts in preview, as in production: the scheduler's first
    // cycle (catalogue, stock, orders, tracking; reconcile and token upkeep besides) runs and
    // records what it would send, and writes nothing to either shop.
    say("== preview: a new store starts in preview; the scheduler's first cycle works out what it would send and writes nothing");
    const firstCycle = await firstCycleJobs(queues);
    const previewRun =
      firstCycle.length === ENQUEUE_KINDS['full-sync'].length
        ? firstCycle
        : await enqueueKind(queues, 'full-sync', [STORE], { dryRun: false });
    await race(followJobs(previewRun, queues, io, 600_000, abort.signal, { quiet: true }));
    await race(drainQueues(queues, [STORE], queueKeys, 60_000, abort.signal));
    const state = new StateStore(connection, prefix, STORE);
    const totals = await state.previewTotals();
    say(
      `preview: shoptok ${describePreviewTotals(totals)}; TikTok Shop has ${listingCounts(platforms).tiktokProducts} products, Shopify ${platforms.shopify.state.orders.length} orders (nothing written)`,
    );
    const { record } = await state.goLive();
    say(
      `go live: pnpm shoptok go-live --store ${STORE} (done: live from ${new Date(record.liveSince ?? Date.now()).toISOString()}, no restart; orders created on TikTok before it are not imported)\n`,
    );

    // Live now: the full sync, followed as `pnpm enqueue full-sync --wait` does.
    say('== 1. full sync: the store is live; it lists the Shopify catalogue on TikTok Shop and syncs stock, orders and tracking');
    const fullSync = await enqueueKind(queues, 'full-sync', [STORE], { dryRun: false });
    await race(followJobs(fullSync, queues, io, 600_000, abort.signal));
    // TikTok reviews new listings (a few hundred ms here); their webhooks update the state.
    const reviewEnd = Date.now() + 20_000;
    while (listingCounts(platforms).pendingReview > 0 && Date.now() < reviewEnd)
      await race(new Promise((r) => setTimeout(r, 100)));
    await race(drainQueues(queues, [STORE], queueKeys, 60_000, abort.signal));
    const counts = listingCounts(platforms);
    const live = liveSkus(platforms).length;
    const off = stockMismatches(platforms).length;
    say(
      `TikTok Shop now has ${counts.tiktokProducts} products with ${counts.tiktokSkus} SKUs; stock equal to Shopify's on ${live - off} of ${live} SKUs.`,
    );
    say(
      `${counts.active - counts.listed} of ${counts.active} active Shopify products held back: the catalogue's deliberate mistakes, each with its reason above.\n`,
    );
    say(
      '== 1b. the merchant fills the missing attributes from their own data: a Shopify product metafield, variant metafields, a store default',
    );
    const filled = await race(
      fillMissingAttributes({ ...platforms, queues, connection, prefix, storeId: STORE, say, signal: abort.signal }),
    );
    say(
      `held back for any reason: ${filled.before} of ${filled.active} active products before, ${filled.after} after (the rest are the other mistakes: SKUs, untracked stock)\n`,
    );

    say('Where to look:');
    say(`  dashboard  ${dashboard.url}  (user ${dashboard.username}, password ${dashboard.password})`);
    say(`  webhooks   ${webhooksUrl}/shopify and /tiktok: the stand-ins deliver every change there`);
    say(
      `  scheduler  polls stock, orders and tracking every ${config.stores[0]?.syncIntervalSeconds ?? 300} s from now on, as the webhooks' safety net`,
    );
    say(`  logs       ${join(dir, 'fleet.1.log')} (the log rotates: fleet.2.log, ... per LOG_FILE_MAX_MB)\n`);

    say('== 2. a day of the shop: each change made in Shopify or on TikTok, its effect read back from the other side');
    const dayStart = Date.now();
    const day = await race(simulateDay({ ...platforms, queues, storeId: STORE, say, signal: abort.signal }));
    if (day.missed.length > 0) {
      code = 1;
      keepDir = true;
      say(`\n${day.missed.length} effect(s) not seen: see ${join(dir, 'fleet.*.log')}`);
    } else say(`the day took ${elapsed(dayStart)}; the whole demo ${elapsed()}.`);
    const errors = errorLines(join(dir, 'fleet.log'));
    if (errors > 0) {
      keepDir = true;
      say(`${errors} error line(s) in the fleet's log: ${join(dir, 'fleet.*.log')}`);
    }

    if (options.afterDay) await race(options.afterDay({ ...platforms, dashboard, day, pids: fleet.pids() }));
    if (options.keepRunning) {
      say(
        `\nThe fleet keeps running: browse ${dashboard.url} (user ${dashboard.username}, password ${dashboard.password}). Ctrl-C stops everything.`,
      );
      await stopped;
    } else say('\nNext: your own stores in .env or a stores file (README, Configuration), then docker compose up.');
  } catch (err) {
    if (err instanceof DemoStopped && err.kind === 'signal') {
      say(`\n${err.message}: stopping the demo`);
    } else {
      code = 1;
      keepDir = true;
      io.stderr.write(`\ndemo failed: ${(err as Error).message}\n`);
    }
  } finally {
    cleaning = true;
    const stopping = Date.now();
    // Reverse order of start: the fleet first (while Redis and the stand-ins still answer), Redis last.
    for (const { what, run } of cleanups.reverse()) {
      await run().catch((err: unknown) => io.stderr.write(`stopping ${what}: ${(err as Error).message}\n`));
    }
    for (const s of signals) process.removeListener(s, onSignal);
    if (keepDir) io.stderr.write(`the fleet's logs are kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
    if (fleet)
      say(`stopped the fleet, the stand-ins${redisOrigin.startsWith('a private') ? ' and Redis' : ''} in ${elapsed(stopping)}.`);
  }
  return code;
}
