// The listing path at the APIs' own limits:
// - product-listing: one product-batch over a catalogue of 5 SKUs and 4 images a product (offline
//   mapper), against the lower bound of the calls each TikTok API received at 50 QPS (and the
//   Shopify cost at the bucket's rate); at two sizes, with the ratio between them;
// - product-edit: one product edited in Shopify on a 10,000-product store -> products/update
//   webhook -> apps/webhooks -> product-sync-one -> price update or edit on TikTok.
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { stateKeys } from '@shoptok/keys';
import type { Redis } from 'ioredis';
import { processUsage, runApp, waitForHealth } from '../fleet.js';
import type { EditResult, ListingStandInsReady, ListingStats } from '../listing-standins-process.js';
import type { BenchContext, BenchScenarioResult } from '../scenario.js';
import { appEnv, startProductWorker, startScratch, startStandIns, writeSingleStore } from './scenario-fleet.js';
import { quantile } from './webhook-latency.js';

const LATENCY = { min: 50, max: 150 };
const TIKTOK_QPS = 50;
const BUCKET = { maximumAvailable: 2000, restoreRate: 100 };
const STORE = 'bench-listing';
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

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

interface ListingFleet {
  ready: ListingStandInsReady;
  worker: ReturnType<typeof runApp>;
  prefix: string;
  redis: Redis;
  stats(): Promise<ListingStats>;
  control(path: string, body: unknown): Promise<unknown>;
  /** Adds a products job and waits for it; throws at once when the worker dies. */
  run(
    name: 'product-batch' | 'product-sync-one' | 'listing-status',
    data: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<unknown>;
  close(failed: boolean): Promise<void>;
}

async function startListingFleet(
  ctx: BenchContext,
  label: string,
  products: number,
  options: { webhooks: boolean },
): Promise<ListingFleet & { webhooksPort?: number }> {
  const scratch = startScratch(ctx, label);
  const { dir, prefix, redis } = scratch;
  try {
    const ready = await startStandIns<ListingStandInsReady>(
      scratch,
      'apps/bench/src/listing-standins-process.ts',
      { products, latencyMs: LATENCY, tiktokQps: TIKTOK_QPS, shopifyBucket: BUCKET, seed: 23 },
      'the listing stand-ins',
      300_000,
    );
    const env = { ...appEnv(ctx, prefix, dir, ready, join(dir, 'fleet.log')), HEALTH_PORT: '0' };
    writeSingleStore(env, STORE, ready, {
      // Furniture needs package dimensions Shopify does not have: the store states them once.
      rules: { listing: { defaultPackageDimensions: { length: 30, width: 20, height: 10, unit: 'CENTIMETER' } } },
    });
    let webhooksPort: number | undefined;
    if (options.webhooks) {
      webhooksPort = await freePort();
      const webhooks = runApp(
        'apps/webhooks/src/main.ts',
        [],
        { ...env, WEBHOOKS_PORT: String(webhooksPort) },
        join(dir, 'webhooks.log'),
      );
      scratch.children.push(webhooks);
      webhooks.stdout?.resume();
      await waitForHealth(`http://127.0.0.1:${webhooksPort}/healthz`, 120_000);
    }
    const { worker, queues, events } = await startProductWorker(scratch, env, STORE);
    let runs = 0;
    const fleet: ListingFleet & { webhooksPort?: number } = {
      ready,
      worker,
      prefix,
      redis,
      ...(webhooksPort ? { webhooksPort } : {}),
      stats: async () => (await (await fetch(`${ready.controlUrl}/stats`)).json()) as ListingStats,
      control: async (path, body) =>
        (
          await fetch(`${ready.controlUrl}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).json(),
      async run(name, data, timeoutMs) {
        const job = await queues.add(
          'products',
          name as 'product-batch',
          { store: STORE, dryRun: false, ...data } as never,
          {
            id: { run: `bench-${++runs}-${Date.now()}` },
          } as never,
        );
        let onExit: (() => void) | undefined;
        const died = new Promise<never>((_, reject) => {
          onExit = () =>
            reject(new Error(`the product worker exited (code ${worker.exitCode}, signal ${worker.signalCode}) during ${name}`));
          if (worker.exitCode !== null || worker.signalCode !== null) onExit();
          else worker.once('exit', onExit);
        });
        try {
          return await Promise.race([job.waitUntilFinished(events, timeoutMs), died]);
        } finally {
          if (onExit) worker.off('exit', onExit);
        }
      },
      async close(failed) {
        await events.close();
        await scratch.close(failed);
      },
    };
    return fleet;
  } catch (err) {
    await scratch.close(true);
    throw err;
  }
}

const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );

async function listingAt(ctx: BenchContext, products: number): Promise<BenchScenarioResult> {
  const fleet = await startListingFleet(ctx, `listing-${products}`, products, { webhooks: false });
  let failed = true;
  try {
    // Warm-up: the worker process builds the shop context (profile, category index) once, as a
    // long-running worker has; a listing-status job of an unknown listing does only that.
    await fleet.run('listing-status', { tiktokProductId: '1' }, 120_000);
    const load1 = loadavg()[0]!;
    const before = await fleet.stats();
    const started = performance.now();
    const summary = (await fleet.run('product-batch', {}, 60 * 60_000)) as { seen: number; pushed: number; failed: number };
    const wallS = (performance.now() - started) / 1000;
    const after = await fleet.stats();
    const usage = processUsage(fleet.worker.pid!);
    const calls = diff(after.tiktok.byApi, before.tiktok.byApi);
    const costSpent = after.shopify.costSpent - before.shopify.costSpent;
    const [busiestApi, busiest] = Object.entries(calls).sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
    const tiktokBound = busiest / TIKTOK_QPS;
    const shopifyBound = Math.max(0, (costSpent - BUCKET.maximumAvailable) / BUCKET.restoreRate);
    const lowerBoundS = Math.max(tiktokBound, shopifyBound);
    const ratio = wallS / lowerBoundS;
    const listings = Object.values(await fleet.redis.hgetall(stateKeys(fleet.prefix, STORE).listing)).length;
    const created = calls['POST /product/202309/products'] ?? 0;
    // Not right afterwards: a product without a listing record, or a listing created twice.
    const wrongAfter = Math.max(0, products - listings) + Math.max(0, created - listings);
    ctx.log(
      `  ${products} products: ${round(wallS, 1)} s, lower bound ${round(lowerBoundS, 1)} s (${busiestApi}), ratio ${round(ratio)}, worker peak RSS ${Math.round(usage.peakRssMiB)} MiB`,
    );
    failed = false;
    return {
      name: `product-listing-${products}`,
      params: {
        products,
        skusPerProduct: 5,
        imagesPerProduct: 4,
        mapper: 'offline',
        latencyMs: `${LATENCY.min}-${LATENCY.max}`,
        loadavg1mAtStart: round(load1),
      },
      figures: {
        scenario: 'product-listing',
        size: products,
        wallS: round(wallS, 1),
        lowerBoundS: round(lowerBoundS, 1),
        ratio: round(ratio),
        lowerBoundFrom: shopifyBound > tiktokBound ? 'Shopify cost bucket' : busiestApi,
        productsPerMinute: round((products / wallS) * 60, 1),
        peakRssMiB: Math.round(usage.peakRssMiB),
        workerCpuS: round(usage.cpuSeconds, 1),
        calls: JSON.stringify(calls),
        shopifyCostSpent: costSpent,
        shopifyThrottled: after.shopify.throttled - before.shopify.throttled,
        answered429: after.tiktok.rateLimited - before.tiktok.rateLimited,
        listed: listings,
        heldBackOrFailed: summary.failed,
        wrongAfter,
        loadavg1mAtEnd: round(loadavg()[0]!),
      },
      goals: {
        ratio: { target: 'ratio <= 2', met: ratio <= 2 },
        memory: { target: 'worker peak RSS <= 256 MiB', met: usage.peakRssMiB <= 256 },
        correct: { target: 'every product listed once', met: wrongAfter === 0 },
      },
      notes: [
        "one product-batch job through the real product worker (catalogue read, offline mapper, pre-flight, 4 image uploads, create, SKU links); time = job added to job completed, after a warm-up job that built the worker's shop context",
        `lower bound = max(calls the busiest TikTok API answered / ${TIKTOK_QPS} QPS, (Shopify cost spent - ${BUCKET.maximumAvailable}) / ${BUCKET.restoreRate} points a second); calls = answered calls per TikTok API during the job`,
      ],
    };
  } finally {
    await fleet.close(failed);
  }
}

/** Goal 2: the listing path against its rate-limit lower bound, at two sizes. */
export async function productListingScenario(ctx: BenchContext): Promise<BenchScenarioResult[]> {
  const sizes = ctx.quick ? [100] : [100, 1000]; // 100: the bulk read (pages of a smaller store are bucket-bound)
  ctx.log(`product listing: ${sizes.join(' and ')} products, 5 SKUs and 4 images each, offline mapper`);
  const results: BenchScenarioResult[] = [];
  for (const size of sizes) results.push(await listingAt(ctx, size));
  const [small, large] = results;
  if (small && large) {
    const f = (r: BenchScenarioResult, k: string) => Number(r.figures[k]);
    large.figures.sizeRatio = round(f(large, 'size') / f(small, 'size'), 1);
    large.figures.wallRatioToSmaller = round(f(large, 'wallS') / f(small, 'wallS'));
    large.figures.rssRatioToSmaller = round(f(large, 'peakRssMiB') / f(small, 'peakRssMiB'));
    large.notes.push(
      `beside ${f(small, 'size')} products: time x${large.figures.wallRatioToSmaller}, peak RSS x${large.figures.rssRatioToSmaller} for x${large.figures.sizeRatio} the catalogue`,
    );
  }
  return results;
}

/** Goal 3: one product edited in Shopify reaches TikTok (webhook -> product-sync-one), p50/p95 over edits. */
export async function productEditScenario(ctx: BenchContext): Promise<BenchScenarioResult> {
  const products = ctx.quick ? 1000 : 10_000;
  const editCount = ctx.quick ? 6 : 20;
  ctx.log(`product edit: ${editCount} edits on a ${products}-product store, webhook -> product-sync-one -> TikTok`);
  const fleet = await startListingFleet(ctx, 'edit', products, { webhooks: true });
  let failed = true;
  try {
    await fleet.control('/target', { url: `http://127.0.0.1:${fleet.webhooksPort}/webhooks/shopify` });
    // The edited products are listed first (one product-sync-one each, as a products/create webhook would).
    const step = Math.floor(products / editCount);
    const chosen = Array.from({ length: editCount }, (_, i) => fleet.ready.productIds[i * step]!);
    for (const productId of chosen) await fleet.run('product-sync-one', { productId, trigger: 'cli' }, 120_000);
    const records = await fleet.redis.hgetall(stateKeys(fleet.prefix, STORE).listing);
    const before = await fleet.stats();
    const load1 = loadavg()[0]!;
    let edits: EditResult[] = [];
    for (const [i, productId] of chosen.entries()) {
      const record = records[productId];
      if (!record) throw new Error(`product ${productId} was not listed in the set-up`);
      const { tiktokProductId } = JSON.parse(record) as { tiktokProductId: string };
      await fleet.control('/edit', { productId, tiktokProductId, kind: i % 2 === 0 ? 'price' : 'title' });
      const deadline = Date.now() + 60_000;
      for (;;) {
        edits = (await (await fetch(`${fleet.ready.controlUrl}/edits`)).json()) as EditResult[];
        if (edits[i]?.onTikTokAt) break;
        if (fleet.worker.exitCode !== null) throw new Error('the product worker exited during the edits');
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const after = await fleet.stats();
    const usage = processUsage(fleet.worker.pid!);
    const ms = edits.filter((e) => e.onTikTokAt !== null).map((e) => e.onTikTokAt! - e.changedAt);
    const sorted = [...ms].sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const p95 = quantile(sorted, 0.95);
    const ops = diff(after.shopify.byOperation, before.shopify.byOperation);
    const catalogueReads = (ops.BulkRunQuery ?? 0) + (ops.ProductsPage ?? 0);
    ctx.log(
      `  ${ms.length}/${edits.length} edits on TikTok: p50 ${Math.round(p50)} ms, p95 ${Math.round(p95)} ms; Shopify catalogue reads ${catalogueReads}`,
    );
    failed = false;
    return {
      name: `product-edit-${products}`,
      params: {
        products,
        edits: editCount,
        kinds: 'price and title, alternating',
        latencyMs: `${LATENCY.min}-${LATENCY.max}`,
        loadavg1mAtStart: round(load1),
      },
      figures: {
        scenario: 'product-edit',
        size: products,
        p50Ms: Math.round(p50),
        p95Ms: Math.round(p95),
        maxMs: Math.round(sorted.at(-1) ?? Number.NaN),
        onTikTok: ms.length,
        wrongAfter: edits.length - ms.length,
        shopifyOperations: JSON.stringify(ops),
        shopifyCatalogueReads: catalogueReads,
        calls: JSON.stringify(diff(after.tiktok.byApi, before.tiktok.byApi)),
        answered429: after.tiktok.rateLimited - before.tiktok.rateLimited,
        peakRssMiB: Math.round(usage.peakRssMiB),
        loadavg1mAtEnd: round(loadavg()[0]!),
      },
      goals: {
        p95: { target: 'Shopify edit -> TikTok p95 < 5 s', met: ms.length === edits.length && p95 < 5000 },
        oneProduct: { target: 'no catalogue read (bulk export or product pages)', met: catalogueReads === 0 },
      },
      notes: [
        'each edit: the stand-in changes the product in Shopify and sends products/update to the real apps/webhooks, which queues product-sync-one for the real product worker; latency = from the change to TikTok answering the price update (price edits) or the product edit (title edits) that holds the new value',
        'edits one after another (the next once the previous is on TikTok); the edited products were listed by product-sync-one jobs first',
      ],
    };
  } finally {
    await fleet.close(failed);
  }
}
