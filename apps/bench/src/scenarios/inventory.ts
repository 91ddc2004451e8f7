// Scenarios 1, 2 and 5 on one fleet per size: a full inventory reconciliation (every SKU
// differs), then 1 % of SKUs changed (incremental), then the original bot's way on a sample.
import { TikTokShopClient } from '@shoptok/tiktok';
import { Redis } from 'ioredis';
import { processUsage, startBenchFleet, type BenchFleet } from '../fleet.js';
import type { BenchContext, BenchScenarioResult } from '../scenario.js';

const TIKTOK_QPS = 50;
const SHOPIFY_BUCKET = { maximumAvailable: 2000, restoreRate: 100 }; // Standard plan
const LATENCY = { min: 50, max: 150 };
const SKUS_PER_PRODUCT = 5;

interface Stats {
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

async function fullSync(ctx: BenchContext, fleet: BenchFleet, skus: number, warehouses: number): Promise<BenchScenarioResult> {
  const before = await fleet.control<Stats>('/stats');
  const usageBefore = processUsage(fleet.worker.pid!);
  const loadBefore = (await import('node:os')).loadavg()[0]!;
  const run = await fleet.inventorySync(60 * 60_000);
  const usageAfter = processUsage(fleet.worker.pid!);
  const after = await fleet.control<Stats>('/stats');
  const check = await fleet.control<{ skus: number; mismatched: number }>('/check');
  const bound = lowerBound(before, after);
  const ratio = run.wallSeconds / bound.seconds;
  const tiktok429 = after.tiktok.total.rateLimited - before.tiktok.total.rateLimited;
  const throttled = after.shopify.throttled - before.shopify.throttled;
  const peak = usageAfter.peakRssMiB;
  ctx.log(
    `  full sync of ${skus} SKUs: ${round(run.wallSeconds, 1)} s, lower bound ${round(bound.seconds, 1)} s, ratio ${round(ratio)}, ${tiktok429} 429s, ${throttled} THROTTLED, mismatched ${check.mismatched}`,
  );
  return {
    name: `inventory-full-${skus}`,
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
    },
    goals: {
      ratio: { target: '<= 1.15', met: ratio <= 1.15 },
      rateLimits: { target: '0 429s and 0 THROTTLED', met: tiktok429 === 0 && throttled === 0 },
      correct: { target: 'every SKU on TikTok equals Shopify', met: check.mismatched === 0 },
      ...(skus >= 100_000 ? { memory: { target: 'worker peak RSS < 256 MiB', met: peak < 256 } } : {}),
    },
    notes: [
      'lowerBound = max over TikTok APIs (answered calls to that API / 50 QPS); Shopify adds nothing when stock is read with bulk exports (about 30 points, inside the 2,000-point bucket); had reads cost more, the bound would be max(that, (Shopify points - 2,000) / 100 points/s), reads and pushes overlapping; ratio = wall / lowerBound; shopifyCostPoints = requested cost of the answered Shopify queries (before refunds)',
      'wall = from adding the inventory-sync job to its completion, the worker already running; every SKU starts at 0 on TikTok, so every SKU is pushed (one call per TikTok product)',
      'SKU links are written to Redis before the run (as after shoptok listed the catalogue); the worker reads the whole catalogue and its stock from Shopify',
      'worker CPU = utime+stime of the worker process during the job (/proc/<pid>/stat); peak RSS = VmHWM of the worker process since it started',
    ],
  };
}

async function incremental(ctx: BenchContext, fleet: BenchFleet, skus: number): Promise<BenchScenarioResult> {
  const { changed } = await fleet.control<{ changed: number }>('/change-stock', { share: 0.01, seed: 7 });
  const before = await fleet.control<Stats>('/stats');
  const run = await fleet.inventorySync(30 * 60_000);
  const after = await fleet.control<Stats>('/stats');
  const check = await fleet.control<{ mismatched: number }>('/check');
  const calls = callsOf(after, INVENTORY_API) - callsOf(before, INVENTORY_API);
  const allTikTok = after.tiktok.total.requests - before.tiktok.total.requests;
  ctx.log(`  incremental: ${changed} SKUs changed, ${calls} inventory calls, ${round(run.wallSeconds, 1)} s`);
  return {
    name: `inventory-incremental-${skus}`,
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
      const full = await fullSync(ctx, fleet, size.skus, size.warehouses);
      if (wanted.includes('full')) results.push(full);
      if (wanted.includes('incremental')) results.push(await incremental(ctx, fleet, size.skus));
      if (wanted.includes('baseline'))
        results.push(await baseline(ctx, fleet, size.skus, size.sample, Number(full.figures.wallSeconds)));
    } finally {
      await fleet.close();
    }
  }
  return results;
}
