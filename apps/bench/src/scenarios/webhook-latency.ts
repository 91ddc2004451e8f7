// Scenario 3: a Shopify stock change -> webhook -> apps/webhooks -> inventory-item job ->
// inventory worker -> TikTok, for 50 stores under 2,000 changes a minute (quick: 20, 400); and the
// oversell window beside 5-minute polling alone.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stateKeys } from '@shoptok/keys';
import { QueueFactory } from '@shoptok/queues';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { deathOf, firstLine, runApp, stopChild, unlessDead, waitForHealth } from '../fleet.js';
import type { ChangeResult, LatencyStandInsReady } from '../latency-standins-process.js';
import type { BenchContext, BenchScenarioResult } from '../scenario.js';
import { appEnv } from './scenario-fleet.js';

const LATENCY = { min: 50, max: 150 };
const POLL_INTERVAL_SECONDS = 300;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The q-quantile (0..1) of sorted numbers, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Scenario 3: webhook-to-TikTok latency across 50 stores (quick: 20), and the oversell window. */
export async function webhookLatencyScenario(ctx: BenchContext): Promise<BenchScenarioResult> {
  // Issue 20: 50 stores and 2,000 changes a minute (the quick run keeps the earlier 20 and 400).
  const stores = ctx.quick ? 20 : 50;
  const perMinute = ctx.quick ? 400 : 2000;
  const seconds = ctx.quick ? 20 : 90;
  const skusPerStore = 100;
  const dir = mkdtempSync(join(tmpdir(), 'shoptok-bench-latency-'));
  const prefix = `bench-${process.pid}-latency`;
  const linksFile = join(dir, 'links.json');
  ctx.log(`webhook latency: ${stores} stores, ${perMinute} changes a minute for ${seconds} s`);
  const standIns = runApp(
    'apps/bench/src/latency-standins-process.ts',
    [
      JSON.stringify({
        stores,
        skusPerStore,
        skusPerProduct: 5,
        latencyMs: LATENCY,
        tiktokQps: 50,
        shopifyBucket: { maximumAvailable: 2000, restoreRate: 100 },
        seed: 11,
        linksFile,
      }),
    ],
    {},
    join(dir, 'standins.log'),
  );
  const children = [standIns];
  const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: 3 });
  const queueRedis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  let failed = true;
  let stopWatching = () => {};
  try {
    const ready = JSON.parse(await firstLine(standIns, 'the latency stand-ins', 120_000)) as LatencyStandInsReady;
    const control = async <T>(path: string, body?: unknown): Promise<T> =>
      (await (
        await fetch(
          `${ready.controlUrl}${path}`,
          body === undefined
            ? {}
            : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        )
      ).json()) as T;
    const port = await freePort();
    const env = appEnv(ctx, prefix, dir, ready, join(dir, 'fleet.log'));
    const storeEntries = ready.stores.map((s, i) => {
      env[`LAT${i}_SHOPIFY_TOKEN`] = s.shopifyToken;
      env[`LAT${i}_SHOPIFY_SECRET`] = s.shopifySecret;
      env[`LAT${i}_TT_ACCESS`] = s.accessToken;
      env[`LAT${i}_TT_REFRESH`] = s.refreshToken;
      return {
        id: s.id,
        shopify: {
          store: s.shopifyDomain,
          tokenEnv: `LAT${i}_SHOPIFY_TOKEN`,
          apiSecretEnv: `LAT${i}_SHOPIFY_SECRET`,
          apiBase: s.shopifyUrl,
        },
        tiktok: { accessTokenEnv: `LAT${i}_TT_ACCESS`, refreshTokenEnv: `LAT${i}_TT_REFRESH`, shopCipher: s.cipher },
        mode: 'live', // the bench measures what a live store sends
      };
    });
    writeFileSync(env.STORES_FILE!, JSON.stringify({ stores: storeEntries }, null, 2));
    const links = JSON.parse(readFileSync(linksFile, 'utf8')) as { store: string; links: Record<string, string>[] }[];
    const multi = redis.multi();
    for (const { store, links: storeLinks } of links) {
      const keys = stateKeys(prefix, store);
      for (const link of storeLinks) {
        multi.hset(keys.sku, link.sellerSku!, JSON.stringify(link));
        multi.hset(keys.item, link.shopifyInventoryItemId!, link.sellerSku!);
      }
    }
    await multi.exec();

    const webhooks = runApp('apps/webhooks/src/main.ts', [], { ...env, WEBHOOKS_PORT: String(port) }, join(dir, 'webhooks.log'));
    children.push(webhooks);
    webhooks.stdout?.resume();
    const worker = runApp('apps/inventory-worker/src/main.ts', [], { ...env, HEALTH_PORT: '0' }, join(dir, 'worker.log'));
    children.push(worker);
    worker.stdout?.resume();
    // Either app dying fails the scenario at once.
    const watches = [
      deathOf(webhooks, 'apps/webhooks', join(dir, 'webhooks.log')),
      deathOf(worker, 'the inventory worker', join(dir, 'worker.log')),
      deathOf(standIns, 'the latency stand-ins', join(dir, 'standins.log')),
    ];
    const deaths = watches.map((w) => w.died);
    stopWatching = () => watches.forEach((w) => w.stopping());
    await unlessDead(waitForHealth(`http://127.0.0.1:${port}/healthz`, 120_000), deaths);
    // The worker is ready once it has picked up a first job: a sync of one store, which is also
    // the polling cycle measured for the oversell window below.
    const queues = new QueueFactory({ connection: redis, prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    const timeSync = async (store: string) => {
      const queue = queues.queue('inventory', store);
      const ev = new QueueEvents(queue.name, { connection: queueRedis, prefix });
      await ev.waitUntilReady();
      try {
        const started = performance.now();
        const job = await queues.add(
          'inventory',
          'inventory-sync',
          { store, dryRun: false },
          { id: { run: `bench-cycle-${Date.now()}` } },
        );
        await unlessDead(job.waitUntilFinished(ev, 300_000), deaths);
        return (performance.now() - started) / 1000;
      } finally {
        await ev.close();
      }
    };
    await timeSync(ready.stores[1]!.id); // warm-up: connections, code paths

    await control('/target', { url: `http://127.0.0.1:${port}/webhooks/shopify` });
    const load1 = loadavg()[0]!;
    await control('/drive', { perMinute, seconds });
    // Wait for the drive to end and every change to reach TikTok (or 60 s more at most).
    const deadline = Date.now() + seconds * 1000 + 60_000;
    let results: ChangeResult[] = [];
    for (;;) {
      const state = await unlessDead(control<{ driving: boolean; results: ChangeResult[] }>('/results'), deaths);
      results = state.results;
      if ((!state.driving && results.every((r) => r.onTikTokAt !== null)) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const cycleSeconds = await timeSync(ready.stores[0]!.id);
    const done = results.filter((r) => r.onTikTokAt !== null);
    const latencies = done.map((r) => r.onTikTokAt! - r.changedAt).sort((a, b) => a - b);
    // The burst window holds each change until the end of its 1 s window, on purpose.
    const sales = done
      .filter((r) => r.sale)
      .map((r) => r.onTikTokAt! - r.changedAt)
      .sort((a, b) => a - b);
    const p95 = quantile(latencies, 0.95);
    // Polling alone: a sale waits for the next cycle (uniform over the interval), then the cycle's own time.
    const pollP95 = 0.95 * POLL_INTERVAL_SECONDS + cycleSeconds;
    const pollMax = POLL_INTERVAL_SECONDS + cycleSeconds;
    ctx.log(
      `  ${done.length}/${results.length} changes on TikTok; p50 ${quantile(latencies, 0.5)} ms, p95 ${p95} ms, p99 ${quantile(latencies, 0.99)} ms`,
    );
    failed = false;
    const p99 = quantile(latencies, 0.99);
    return {
      name: 'webhook-latency',
      scenario: 'webhook-latency',
      size: stores,
      wallS: seconds,
      lowerBoundS: null,
      ratio: null,
      peakRssMiB: null,
      wrongAfter: results.length - done.length,
      load: { atStart: round(load1), atEnd: round(loadavg()[0]!) },
      params: {
        stores,
        skusPerStore,
        changesPerMinute: perMinute,
        seconds,
        latencyMs: `${LATENCY.min}-${LATENCY.max}`,
        burstWindowMs: 1000,
        loadavg1mAtStart: round(load1),
      },
      figures: {
        changes: results.length,
        onTikTok: done.length,
        p50Ms: quantile(latencies, 0.5),
        p95Ms: p95,
        p99Ms: p99,
        maxMs: latencies.at(-1) ?? Number.NaN,
        oversellWindowP95Seconds: round(quantile(sales, 0.95) / 1000, 2),
        oversellWindowMaxSeconds: round((sales.at(-1) ?? Number.NaN) / 1000, 2),
        pollingAloneCycleSeconds: round(cycleSeconds, 1),
        pollingAloneOversellP95Seconds: round(pollP95, 0),
        pollingAloneOversellMaxSeconds: round(pollMax, 0),
      },
      goals: {
        p99: { target: 'webhook -> TikTok p99 < 1 s', met: p99 < 1000 },
        complete: { target: 'every change on TikTok', met: done.length === results.length },
      },
      notes: [
        'latency = from the Shopify stand-in changing the stock (it sends inventory_levels/update at once) to the TikTok stand-in answering the inventory update that shows the new quantity; it includes the 50-150 ms simulated latency of every API call on the way (Shopify reads, TikTok warehouse and inventory calls)',
        'apps/webhooks runs the first stock change of an item in each 1 s burst window at once (leading edge); later changes in that window join one job held to the window end (BURST_WINDOW_MS)',
        'oversell window = latency of the sales (stock down) among the changes: how long TikTok showed one more unit than Shopify had',
        `polling alone (computed, not run for 5 min): a sale waits for the next ${POLL_INTERVAL_SECONDS} s cycle (uniform), then for the cycle itself: p95 = 0.95 x ${POLL_INTERVAL_SECONDS} + cycle, max = ${POLL_INTERVAL_SECONDS} + cycle, with cycle = measured inventory-sync of one ${skusPerStore}-SKU store in the same fleet`,
        `${stores} stores of ${skusPerStore} SKUs, one webhooks process and one inventory worker; changes at random SKUs (80 % sales, 20 % restocks), at most one change in flight per SKU`,
      ],
    };
  } finally {
    stopWatching();
    await Promise.all([...children].reverse().map(stopChild));
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
    queueRedis.disconnect();
    if (failed) ctx.log(`  logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
