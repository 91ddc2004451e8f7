// Scenarios 1, 2 and 5 on one fleet per size: a full inventory reconciliation (every SKU
// differs), then 1 % of SKUs changed (incremental), then the original bot's way on a sample.
import { loadavg } from 'node:os';
import { TikTokShopClient } from '@shoptok/tiktok';
import { Redis } from 'ioredis';
import { processUsage, startBenchFleet, unlessDead, type BenchFleet } from '../fleet.js';
import { quantile } from './webhook-latency.js';
import type { BenchContext, BenchScenarioResult } from '../scenario.js';

const TIKTOK_QPS = 50;
const SHOPIFY_BUCKET = { maximumAvailable: 2000, restoreRate: 100 }; // Standard plan
const LATENCY = { min: 50, max: 150 };
const SKUS_PER_PRODUCT = 5;

interface Stats {
  /** The TikTok stand-in's thread: its handlers count calls against the limit, so its stalls can cause 429s. */
  eventLoopDelay?: { p99Ms: number; maxMs: number; over100Ms: number };
  /** The stand-ins process's main thread (the Shopify stand-in, its GCs and bulk exports). */
  mainEventLoopDelay?: { p99Ms: number; maxMs: number; over100Ms: number };
  /** Each 429 of an inventory update: updates that reached the stand-in's HTTP layer in the second before, and its longest stall then. */
  rateLimitedCalls?: { at: string; updatesArrivedInSecondBefore: number; stallInSecondBeforeMs: number }[];
  tiktok: { total: { requests: number; rateLimited: number }; byApi: { api: string; requests: number; rateLimited: number }[] };
  shopify: { requests: number; throttled: number; byOperation: Record<string, number>; requestedCostOfAnswered: number };
}

const INVENTORY_API = 'POST /product/202309/products/{product_id}/inventory/update';
const callsOf = (s: Stats, api: string) => s.tiktok.byApi.filter((r) => r.api === api).reduce((n, r) => n + r.requests, 0);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Seconds the limits allow at best for the calls needed: each TikTok API at 50 QPS, the APIs in
 * parallel. Shopify's part is left out: the least a full read needs is two bulk exports (about
 * 30 points), which the 2,000-point bucket holds at once.
 */
function lowerBound(before: Stats, after: Stats): { seconds: number; tiktokCalls: number; shopifyCost: number } {
  let tiktokSeconds = 0;
  let tiktokCalls = 0;
  for (const row of after.tiktok.byApi) {
    const prior = before.tiktok.byApi.find((r) => r.api === row.api);
    const calls = row.requests - row.rateLimited - ((prior?.requests ?? 0) - (prior?.rateLimited ?? 0));
    tiktokCalls += calls;
    tiktokSeconds = Math.max(tiktokSeconds, calls / TIKTOK_QPS);
  }
  return {
    seconds: tiktokSeconds,
    tiktokCalls,
    shopifyCost: after.shopify.requestedCostOfAnswered - before.shopify.requestedCostOfAnswered,
  };
}

/** Stock changes a minute on the store while its full sync runs (each one's webhook job added at once). */
const CHANGES_PER_MINUTE_DURING_SYNC = 60;

/** Answered calls per API between two stats readings. */
function callsBetween(before: Stats, after: Stats): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const row of after.tiktok.byApi) {
    const prior = before.tiktok.byApi.find((r) => r.api === row.api);
    const n = row.requests - row.rateLimited - ((prior?.requests ?? 0) - (prior?.rateLimited ?? 0));
    if (n > 0) calls[`TikTok: ${row.api}`] = n;
  }
  for (const [op, n] of Object.entries(after.shopify.byOperation)) {
    const d = n - (before.shopify.byOperation[op] ?? 0);
    if (d > 0) calls[`Shopify: ${op}`] = d;
  }
  return calls;
}

interface Change {
  sale: boolean;
  changedAt: number;
  onTikTokAt: number | null;
}

async function fullSync(ctx: BenchContext, fleet: BenchFleet, skus: number, warehouses: number): Promise<BenchScenarioResult[]> {
  const before = await fleet.control<Stats>('/stats');
  const usageBefore = processUsage(fleet.worker.pid!);
  const loadBefore = loadavg()[0]!;
  // While the sync runs, stock changes arrive as webhooks do: each one's inventory-item job is
  // added at once (what apps/webhooks does on the leading edge of its burst window).
  let syncing = true;
  const driving = (async () => {
    const gapMs = 60_000 / CHANGES_PER_MINUTE_DURING_SYNC;
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the sync is under way
    while (syncing) {
      const { inventoryItemId } = await fleet.control<{ inventoryItemId?: string }>('/change-one', {});
      if (inventoryItemId) await fleet.itemJob(inventoryItemId);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })();
  let run: Awaited<ReturnType<BenchFleet['inventorySync']>>;
  try {
    run = await fleet.inventorySync(60 * 60_000);
  } finally {
    syncing = false;
    await driving.catch(() => undefined);
  }
  const usageAfter = processUsage(fleet.worker.pid!);
  // Every change made during the sync reaches TikTok (30 s at most after the sync).
  let changes: Change[];
  for (const deadline = Date.now() + 30_000; ;) {
    changes = await unlessDead(fleet.control<Change[]>('/changes'), [fleet.died]);
    if (changes.every((c) => c.onTikTokAt !== null) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const after = await fleet.control<Stats>('/stats');
  const check = await fleet.control<{ skus: number; mismatched: number }>('/check');
  const bound = lowerBound(before, after);
  const ratio = run.wallSeconds / bound.seconds;
  const tiktok429 = after.tiktok.total.rateLimited - before.tiktok.total.rateLimited;
  const throttled = after.shopify.throttled - before.shopify.throttled;
  const peak = usageAfter.peakRssMiB;
  const loadAfter = loadavg()[0]!;
  const landed = changes.filter((c) => c.onTikTokAt !== null);
  const latencies = landed.map((c) => c.onTikTokAt! - c.changedAt).sort((a, b) => a - b);
  const p99 = quantile(latencies, 0.99);
  ctx.log(
    `  full sync of ${skus} SKUs: ${round(run.wallSeconds, 1)} s, lower bound ${round(bound.seconds, 1)} s, ratio ${round(ratio)}, ${tiktok429} 429s, ${throttled} THROTTLED, mismatched ${check.mismatched}, peak RSS ${round(peak, 0)} MiB; ${landed.length}/${changes.length} changes during it on TikTok, p99 ${p99} ms; TikTok stand-in loop delay max ${round(after.eventLoopDelay?.maxMs ?? Number.NaN, 0)} ms (Shopify side ${round(after.mainEventLoopDelay?.maxMs ?? Number.NaN, 0)} ms)`,
  );
  const duringSync: BenchScenarioResult = {
    name: `inventory-webhook-during-full-${skus}`,
    scenario: 'inventory-webhook-during-full',
    size: skus,
    wallS: round(run.wallSeconds, 1),
    lowerBoundS: null,
    ratio: null,
    peakRssMiB: round(peak, 0),
    calls: {},
    answered429: tiktok429,
    wrongAfter: check.mismatched,
    load: { atStart: round(loadBefore), atEnd: round(loadAfter) },
    params: { skus, changesPerMinute: CHANGES_PER_MINUTE_DURING_SYNC, latencyMs: `${LATENCY.min}-${LATENCY.max}` },
    figures: {
      changes: changes.length,
      onTikTok: landed.length,
      p50Ms: quantile(latencies, 0.5),
      p95Ms: quantile(latencies, 0.95),
      p99Ms: p99,
      maxMs: latencies.at(-1) ?? Number.NaN,
    },
    goals: {
      p99: { target: 'stock change -> TikTok p99 < 1 s while the full sync runs', met: p99 < 1000 },
      complete: { target: 'every change on TikTok', met: landed.length === changes.length },
    },
    notes: [
      `stock changes at random SKUs (80 % sales) at ${CHANGES_PER_MINUTE_DURING_SYNC} a minute from 2 s into the full sync to its end; each change's inventory-item job is added at once, as apps/webhooks does on the leading edge of its burst window (the webhook delivery and apps/webhooks hop are measured in webhook-latency, not here)`,
      'latency = from the Shopify stand-in changing the stock to the TikTok stand-in answering an inventory update that shows the new quantity',
      "the full sync's wall time and calls include these jobs' calls",
    ],
  };
  const full: BenchScenarioResult = {
    name: `inventory-full-${skus}`,
    scenario: 'inventory-full',
    size: skus,
    wallS: round(run.wallSeconds, 1),
    lowerBoundS: round(bound.seconds, 1),
    ratio: round(ratio),
    peakRssMiB: round(peak, 0),
    calls: callsBetween(before, after),
    answered429: tiktok429 + throttled,
    wrongAfter: check.mismatched,
    load: { atStart: round(loadBefore), atEnd: round(loadAfter) },
    params: {
      skus,
      skusPerProduct: SKUS_PER_PRODUCT,
      tiktokWarehouses: warehouses,
      shopifyLocations: 2,
      tiktokQps: TIKTOK_QPS,
      shopifyBucket: `${SHOPIFY_BUCKET.maximumAvailable} max, ${SHOPIFY_BUCKET.restoreRate}/s`,
      latencyMs: `${LATENCY.min}-${LATENCY.max}`,
      loadavg1mAtStart: round(loadBefore),
    },
    figures: {
      wallSeconds: round(run.wallSeconds, 1),
      lowerBoundSeconds: round(bound.seconds, 1),
      ratio: round(ratio),
      tiktokCalls: bound.tiktokCalls,
      tiktokInventoryCalls: callsOf(after, INVENTORY_API) - callsOf(before, INVENTORY_API),
      shopifyRequests: after.shopify.requests - before.shopify.requests,
      shopifyCostPoints: bound.shopifyCost,
      tiktok429: tiktok429,
      shopifyThrottled: throttled,
      skusPushed: Number(run.summary.pushed ?? 0),
      skusMismatchedAfter: check.mismatched,
      workerCpuSeconds: round(usageAfter.cpuSeconds - usageBefore.cpuSeconds, 1),
      workerPeakRssMiB: round(peak, 0),
      standInStallsOver100Ms: (after.eventLoopDelay?.over100Ms ?? 0) - (before.eventLoopDelay?.over100Ms ?? 0),
      standInLoopDelayMaxMs: round(after.eventLoopDelay?.maxMs ?? Number.NaN, 0),
      shopifyStandInLoopDelayMaxMs: round(after.mainEventLoopDelay?.maxMs ?? Number.NaN, 0),
    },
    goals: {
      ratio: { target: '<= 1.15', met: ratio <= 1.15 },
      rateLimits: { target: '0 429s and 0 THROTTLED', met: tiktok429 === 0 && throttled === 0 },
      correct: { target: 'every SKU on TikTok equals Shopify', met: check.mismatched === 0 },
      ...(skus >= 100_000 ? { memory: { target: 'worker peak RSS <= 256 MiB', met: peak <= 256 } } : {}),
    },
    notes: [
      'lowerBound = max over TikTok APIs (answered calls to that API / 50 QPS); Shopify adds nothing when stock is read with bulk exports (about 30 points, inside the 2,000-point bucket); had reads cost more, the bound would be max(that, (Shopify points - 2,000) / 100 points/s), reads and pushes overlapping; ratio = wall / lowerBound; shopifyCostPoints = requested cost of the answered Shopify queries (before refunds)',
      'wall = from adding the inventory-sync job to its completion, the worker already running; every SKU starts at 0 on TikTok, so every SKU is pushed (one call per TikTok product)',
      'SKU links are written to Redis before the run (as after shoptok listed the catalogue); the worker reads the whole catalogue and its stock from Shopify',
      'worker CPU = utime+stime of the worker process during the job (/proc/<pid>/stat); peak RSS = VmHWM of the worker process since it started',
      `stock changes arrive during the sync (${CHANGES_PER_MINUTE_DURING_SYNC} a minute, see inventory-webhook-during-full): their one-item calls are part of the calls and the lower bound`,
      "standInLoopDelayMaxMs, standInStallsOver100Ms: the TikTok stand-in's event loop during the sync (its handlers, which count calls against the limit, ran that much late); it runs in its own worker thread (own heap and GC), so the Shopify stand-in's GCs and bulk exports, measured apart as shopifyStandInLoopDelayMaxMs, do not delay it",
      ...(after.rateLimitedCalls ?? [])
        .slice(before.rateLimitedCalls?.length ?? 0)
        .map(
          (c) =>
            `429 at ${c.at}: ${c.updatesArrivedInSecondBefore} inventory updates reached the stand-in's HTTP layer in the second before it (the limit is ${TIKTOK_QPS}); its thread's longest event-loop stall in that second: ${c.stallInSecondBeforeMs} ms`,
        ),
    ],
  };
  return [full, duringSync];
}

/** Goal 5: how wall time, CPU and memory grow from the smallest to the largest size measured. */
function scaling(fulls: BenchScenarioResult[]): BenchScenarioResult | undefined {
  if (fulls.length < 2) return undefined;
  const [small, big] = [fulls[0]!, fulls.at(-1)!];
  const sizeRatio = big.size! / small.size!;
  const grow = (key: string) => round(Number(big.figures[key]) / Number(small.figures[key]), 2);
  const wall = grow('wallSeconds');
  const rss = grow('workerPeakRssMiB');
  return {
    name: `inventory-full-scaling-${small.size}-${big.size}`,
    scenario: 'inventory-full-scaling',
    size: big.size!,
    params: { smallSkus: small.size!, bigSkus: big.size!, sizeRatio },
    figures: {
      wallSecondsSmall: small.figures.wallSeconds!,
      wallSecondsBig: big.figures.wallSeconds!,
      wallRatio: wall,
      workerCpuSecondsRatio: grow('workerCpuSeconds'),
      peakRssMiBSmall: small.figures.workerPeakRssMiB!,
      peakRssMiBBig: big.figures.workerPeakRssMiB!,
      peakRssRatio: rss,
      lowerBoundRatio: grow('lowerBoundSeconds'),
    },
    goals: {
      time: { target: `wall time grows no faster than the catalogue (ratio <= ${sizeRatio})`, met: wall <= sizeRatio },
      memory: { target: `peak RSS grows no faster than the catalogue (ratio <= ${sizeRatio})`, met: rss <= sizeRatio },
    },
    notes: ['each ratio = figure at the big size / figure at the small size, from the two inventory-full results of this run'],
  };
}

async function incremental(ctx: BenchContext, fleet: BenchFleet, skus: number): Promise<BenchScenarioResult> {
  const { changed } = await fleet.control<{ changed: number }>('/change-stock', { share: 0.01, seed: 7 });
  const before = await fleet.control<Stats>('/stats');
  const loadBefore = loadavg()[0]!;
  const run = await fleet.inventorySync(30 * 60_000);
  const after = await fleet.control<Stats>('/stats');
  const bound = lowerBound(before, after);
  const check = await fleet.control<{ mismatched: number }>('/check');
  const calls = callsOf(after, INVENTORY_API) - callsOf(before, INVENTORY_API);
  const allTikTok = after.tiktok.total.requests - before.tiktok.total.requests;
  ctx.log(`  incremental: ${changed} SKUs changed, ${calls} inventory calls, ${round(run.wallSeconds, 1)} s`);
  return {
    name: `inventory-incremental-${skus}`,
    scenario: 'inventory-incremental',
    size: skus,
    wallS: round(run.wallSeconds, 1),
    lowerBoundS: round(bound.seconds, 1),
    ratio: bound.seconds > 0 ? round(run.wallSeconds / bound.seconds) : null,
    peakRssMiB: round(processUsage(fleet.worker.pid!).peakRssMiB, 0),
    calls: callsBetween(before, after),
    answered429:
      after.tiktok.total.rateLimited - before.tiktok.total.rateLimited + after.shopify.throttled - before.shopify.throttled,
    wrongAfter: check.mismatched,
    load: { atStart: round(loadBefore), atEnd: round(loadavg()[0]!) },
    params: { skus, changedShare: '1 %', latencyMs: `${LATENCY.min}-${LATENCY.max}` },
    figures: {
      changedSkus: changed,
      tiktokInventoryCalls: calls,
      tiktokCallsPerChangedSku: round(allTikTok / Math.max(1, changed), 3),
      shopifyRequests: after.shopify.requests - before.shopify.requests,
      secondsUntilAllOnTikTok: round(run.wallSeconds, 1),
      skusMismatchedAfter: check.mismatched,
    },
    goals: { correct: { target: 'every SKU on TikTok equals Shopify', met: check.mismatched === 0 } },
    notes: [
      'a scheduled inventory-sync after 1 % of SKUs changed in Shopify (stock of their first location raised); time = job added to job completed (it re-reads the whole Shopify stock, then pushes only the changed SKUs, one call per TikTok product)',
      'tiktokCallsPerChangedSku counts every TikTok request of the run (several changed SKUs of one product share one call)',
    ],
  };
}

async function baseline(
  ctx: BenchContext,
  fleet: BenchFleet,
  skus: number,
  sample: number,
  shoptokSeconds: number,
): Promise<BenchScenarioResult> {
  // The original bot: one inventory call per SKU, one after another, no diff (every SKU sent).
  const entries = await fleet.control<{ tiktokProductId: string; tiktokSkuId: string; warehouses: Record<string, number> }[]>(
    `/expected?skus=${sample}`,
  );
  const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: 3 });
  const s = fleet.standIns;
  const client = new TikTokShopClient({
    appKey: s.appKey,
    appSecret: s.appSecret,
    apiBase: s.tiktokUrl,
    authBase: s.tiktokAuthUrl,
    shopCipher: s.cipher,
    storeId: 'bench-baseline',
    redis,
    keyPrefix: `${fleet.env.QUEUE_PREFIX}-baseline`,
    tokens: {
      accessToken: s.accessToken,
      accessTokenExpiresAt: Date.now() + 86_400_000,
      refreshToken: s.refreshToken,
      refreshTokenExpiresAt: Date.now() + 365 * 86_400_000,
    },
  });
  const started = performance.now();
  try {
    for (const e of entries) {
      await client.updateInventory(e.tiktokProductId, [
        {
          id: e.tiktokSkuId,
          inventory: Object.entries(e.warehouses).map(([warehouse_id, quantity]) => ({ warehouse_id, quantity })),
        },
      ]);
    }
  } finally {
    const keys = await redis.keys(`${fleet.env.QUEUE_PREFIX}-baseline:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  const sampleSeconds = (performance.now() - started) / 1000;
  const extrapolated = (sampleSeconds * skus) / entries.length;
  ctx.log(
    `  baseline: ${entries.length} SKUs one by one in ${round(sampleSeconds, 1)} s -> ${round(extrapolated, 0)} s for ${skus}`,
  );
  return {
    name: `inventory-baseline-${skus}`,
    params: { skus, sampleSkus: entries.length, latencyMs: `${LATENCY.min}-${LATENCY.max}` },
    figures: {
      sampleSeconds: round(sampleSeconds, 1),
      secondsPerSku: round(sampleSeconds / entries.length, 4),
      extrapolatedSeconds: round(extrapolated, 0),
      shoptokSeconds: round(shoptokSeconds, 1),
      speedUp: round(extrapolated / shoptokSeconds, 1),
    },
    notes: [
      "the original bot's way: one TikTok inventory call per SKU, sequential, every SKU sent (no diff), through the same TikTok client and stand-in; run on a sample and extrapolated linearly (sequential per-SKU work is linear): extrapolated = sampleSeconds x skus / sampleSkus",
      'the baseline is not charged for reading Shopify (its quantities come from the stand-in directly), which favours it',
      'speedUp = extrapolated baseline / shoptok full sync wall time of the same size',
    ],
  };
}

/** Scenarios 1, 2 and 5 at each size: full reconciliation, incremental 1 %, and the baseline. */
export async function inventoryScenarios(ctx: BenchContext, only: (name: string) => boolean): Promise<BenchScenarioResult[]> {
  const defaults = ctx.quick
    ? [{ skus: 1_000, warehouses: 2, sample: 100 }]
    : [
        { skus: 10_000, warehouses: 1, sample: 300 },
        { skus: 100_000, warehouses: 2, sample: 300 },
      ];
  // The baseline is sequential (~0.11 s a SKU): a 300-SKU sample extrapolates linearly as well as
  // 1,000 and costs 80 s less a size. --skus: 2 warehouses from 100,000 SKUs, as the defaults.
  const sizes = ctx.skus
    ? ctx.skus.map((skus) => ({
        skus,
        warehouses: skus >= 100_000 ? 2 : 1,
        sample: Math.min(300, Math.max(10, Math.round(skus / 10))),
      }))
    : defaults;
  const results: BenchScenarioResult[] = [];
  for (const size of sizes) {
    const wanted = ['full', 'incremental', 'baseline'].filter((kind) => only(`inventory-${kind}`));
    if (wanted.length === 0) continue;
    ctx.log(`inventory, ${size.skus} SKUs: starting the stand-ins and the worker`);
    const fleet = await startBenchFleet({
      redisUrl: ctx.redisUrl,
      prefix: `bench-${process.pid}-${size.skus}`,
      standIns: {
        skus: size.skus,
        skusPerProduct: SKUS_PER_PRODUCT,
        locations: 2,
        warehouses: size.warehouses,
        latencyMs: LATENCY,
        tiktokQps: TIKTOK_QPS,
        shopifyBucket: SHOPIFY_BUCKET,
        seed: 42,
      },
    });
    try {
      // The full sync runs first in every case: the incremental run needs TikTok in step.
      const [full, duringSync] = await fullSync(ctx, fleet, size.skus, size.warehouses);
      if (wanted.includes('full')) results.push(full!, duringSync!);
      if (wanted.includes('incremental')) results.push(await incremental(ctx, fleet, size.skus));
      if (wanted.includes('baseline'))
        results.push(await baseline(ctx, fleet, size.skus, size.sample, Number(full!.figures.wallSeconds)));
    } finally {
      await fleet.close();
    }
  }
  const growth = scaling(results.filter((r) => r.scenario === 'inventory-full'));
  if (growth) results.push(growth);
  return results;
}
