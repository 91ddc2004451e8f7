/**
 * The stand-ins of one bench run, in their own process so the worker's CPU and memory are
 * measured alone: a TikTok shop and a Shopify store seeded with `skus` SKUs (`skusPerProduct`
 * a product), the real limits and a simulated latency. Prints one JSON line (urls, tokens,
 * cipher) and serves a small control API for the bench on 127.0.0.1:
 *   GET  /stats            request counters of both stand-ins (429s, THROTTLED, cost spent), the
 *                          event loop delay of the TikTok thread and of the main thread
 *   POST /change-stock     {share, seed}: changes the Shopify stock of that share of the SKUs
 *   GET  /check            SKUs whose TikTok quantity differs from what Shopify says it should be
 *   GET  /expected?skus=n  the first n SKUs with their TikTok ids and expected quantities
 *   POST /change-one       a sale (or a restock) on a random SKU: {inventoryItemId}; the time until
 *                          TikTok answers an inventory update showing the new quantity is recorded
 *   GET  /changes          those changes: changedAt, onTikTokAt (null while not yet on TikTok)
 * The TikTok stand-in runs in a worker thread (tiktok-thread.ts), so this thread's GC and bulk
 * exports (the Shopify store of every SKU) cannot delay its handlers; real TikTok shares no heap
 * with a Shopify store.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { prng, startShopifyStandIn, type Catalogue, type StandInProduct } from '@shoptok/testkit/shopify';
import { z } from 'zod';
import { watchLoop } from './loop-watch.js';
import * as plumbing from './standins-plumbing.js';
import { pickIdle, sizedProduct } from './stock-standins.js';
import type { FromThread, Replies, TikTokThreadConfig, ToThread } from './tiktok-thread-protocol.js';

export const standInsConfigSchema = plumbing.standInLimitsSchema.extend({
  skus: z.number().int().positive(),
  skusPerProduct: z.number().int().positive(),
  locations: z.number().int().min(1),
  /** TikTok warehouses; with more than one, Shopify location i feeds warehouse i mod warehouses. */
  warehouses: z.number().int().min(1),
  linksFile: z.string(),
});
export type StandInsConfig = z.infer<typeof standInsConfigSchema>;

/** What the process prints once it is ready. */
export interface StandInsReady extends plumbing.TikTokAppReady, plumbing.StoreReady {
  warehouseIds: string[];
  locationIds: number[];
  controlUrl: string;
}

const config = plumbing.readConfig(standInsConfigSchema);

type Ask = { [K in ToThread['kind']]: Omit<Extract<ToThread, { kind: K }>, 'id'> }[ToThread['kind']];

/**
 * Starts the TikTok thread and waits for its stand-in. The thread inherits this process's
 * execArgv (tsx's --import, --conditions=shoptok-source), so its TypeScript entry loads as ours.
 */
async function startTikTokThread(threadConfig: TikTokThreadConfig) {
  const worker = new Worker(new URL('./tiktok-thread.ts', import.meta.url), { workerData: threadConfig });
  // A dead thread is a dead stand-in: exit so the bench sees it (stderr carries the error).
  worker.on('error', (err) => {
    console.error('TikTok thread failed:', err);
    process.exit(1);
  });
  const waiting = new Map<number, (value: unknown) => void>();
  let landed: (m: Extract<FromThread, { kind: 'landed' }>) => void = () => undefined;
  let nextId = 0;
  const ready = new Promise<Extract<FromThread, { kind: 'ready' }>>((resolve) =>
    worker.on('message', (message: FromThread) => {
      if (message.kind === 'ready') resolve(message);
      else if (message.kind === 'landed') landed(message);
      else {
        waiting.get(message.id)?.(message.value);
        waiting.delete(message.id);
      }
    }),
  );
  return {
    ready: await ready,
    ask<K extends ToThread['kind']>(request: Ask & { kind: K }): Promise<Replies[K]> {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve as (value: unknown) => void);
        worker.postMessage({ ...request, id });
      });
    },
    onLanded(listener: typeof landed) {
      landed = listener;
    },
    /** Closes the stand-in and waits for the thread to exit. */
    async close() {
      const exited = once(worker, 'exit');
      worker.postMessage({ kind: 'close', id: nextId++ } satisfies ToThread);
      await exited;
    },
  };
}
const appKey = 'bench-app';
const appSecret = 'bench-app-secret-0123456789';

// A deterministic PRNG so a seed always gives the same stock.
let random = prng(config.seed);

const locations = Array.from({ length: config.locations }, (_, i) => ({ id: 9_000_000 + i, name: `Location ${i + 1}` }));
const products: StandInProduct[] = [];
const stock = new Map<number, Map<number, number>>();
let nextId = 10_000_000;
const now = new Date().toISOString();
for (let p = 0; p * config.skusPerProduct < config.skus; p++) {
  const count = Math.min(config.skusPerProduct, config.skus - p * config.skusPerProduct);
  const product = sizedProduct(
    () => nextId++,
    {
      title: `Bench product ${p}`,
      handle: `bench-product-${p}`,
      descriptionHtml: '<p>Bench product</p>',
      sku: (v) => `BENCH-${p}-${v}`,
    },
    count,
    now,
  );
  for (const v of product.variants)
    stock.set(v.inventoryItemId, new Map(locations.map((l) => [l.id, Math.floor(random() * 40)])));
  products.push(product);
}
const catalogue: Catalogue = { products, locations, stock };

const warehouseIds = Array.from({ length: config.warehouses }, (_, i) => `7300000000000000${String(i).padStart(2, '0')}`);
const tiktok = await startTikTokThread({
  qps: config.tiktokQps,
  latencyMs: config.latencyMs,
  appKey,
  appSecret,
  warehouseIds,
});
const shopify = await startShopifyStandIn({
  shopDomain: 'bench-store.myshopify.com',
  accessToken: 'shpat_bench0123456789abcdef0123456789',
  apiSecret: 'bench-webhook-secret',
  catalogue,
  bucket: config.shopifyBucket,
  latencyMs: config.latencyMs,
});

// Every variant listed on TikTok with stock 0 (in the thread, from what listing reads of a product).
interface Listed {
  sellerSku: string;
  itemId: number;
  tiktokProductId: string;
  tiktokSkuId: string;
}
const links = await tiktok.ask({
  kind: 'seed',
  products: products.map((p) => ({
    id: p.id,
    title: p.title,
    variants: p.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      price: v.price,
      title: v.title,
      inventoryItemId: v.inventoryItemId,
    })),
  })),
});
const listed: Listed[] = products
  .flatMap((p) => p.variants)
  .map((v, i) => {
    const link = links[i]!;
    return {
      sellerSku: link.sellerSku,
      itemId: v.inventoryItemId,
      tiktokProductId: link.tiktokProductId,
      tiktokSkuId: link.tiktokSkuId,
    };
  });
writeFileSync(config.linksFile, JSON.stringify(links));

/** What TikTok should show per warehouse for an item (default rules: no buffer, never below 0). */
function expected(itemId: number): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(warehouseIds.map((w) => [w, 0]));
  locations.forEach((l, i) => {
    const w = warehouseIds[config.warehouses === 1 ? 0 : i % config.warehouses]!;
    out[w] = (out[w] ?? 0) + (shopify.state.stock.get(itemId)?.get(l.id) ?? 0);
  });
  for (const w of Object.keys(out)) out[w] = Math.max(0, out[w]!);
  return out;
}

// Changes made during a run (the webhook path beside a full sync): each is settled when TikTok
// answers an inventory update of its product that shows the new quantity. The thread watches the
// updates (diagnostics_channel is per thread) and tells when; the SKUs in flight are kept here,
// where the next change is picked.
interface Change {
  sale: boolean;
  changedAt: number;
  onTikTokAt: number | null;
}
const changes: Change[] = [];
const skusInFlight = new Set<string>();
tiktok.onLanded(({ change, sellerSku, at }) => {
  changes[change]!.onTikTokAt = at;
  skusInFlight.delete(sellerSku);
});

/** A sale (80 %) or restock on a random SKU with no change in flight, at the first location (feeds warehouse 0). */
async function changeOne(): Promise<{ inventoryItemId: string } | undefined> {
  const entry = pickIdle(listed, Math.random, skusInFlight);
  if (!entry) return undefined;
  const levels = shopify.state.stock.get(entry.itemId)!;
  const location = locations[0]!.id;
  const current = levels.get(location) ?? 0;
  const sale = current > 0 && Math.random() < 0.8;
  levels.set(location, sale ? current - 1 : current + 1 + Math.floor(Math.random() * 5));
  skusInFlight.add(entry.sellerSku);
  changes.push({ sale, changedAt: Date.now(), onTikTokAt: null });
  // Answered once the thread watches it: the bench adds the item's job only after this answer.
  await tiktok.ask({
    kind: 'watch',
    change: changes.length - 1,
    tiktokProductId: entry.tiktokProductId,
    tiktokSkuId: entry.tiktokSkuId,
    sellerSku: entry.sellerSku,
    warehouseId: warehouseIds[0]!,
    quantity: expected(entry.itemId)[warehouseIds[0]!]!,
  });
  return { inventoryItemId: `gid://shopify/InventoryItem/${entry.itemId}` };
}

// This thread's loop (the Shopify stand-in: its GCs and bulk exports); TikTok's is the thread's.
const mainLoop = watchLoop();

const control = await plumbing.serveControl(async ({ method, url, body }) => {
  if (url.pathname === '/stats') {
    const costSpent = shopify.requestLog.reduce((n, e) => n + (e.outcome === 'ok' ? (e.requestedCost ?? 0) : 0), 0);
    // Each loop delay reading is since the previous one (the start-up's seeding is not a run's stall).
    const { eventLoopDelay, rateLimitedCalls, total, byApi } = await tiktok.ask({ kind: 'stats' });
    return {
      eventLoopDelay,
      mainEventLoopDelay: mainLoop.reading(),
      rateLimitedCalls,
      tiktok: { total, byApi },
      shopify: {
        requests: shopify.counters.requests,
        throttled: shopify.counters.throttled,
        byOperation: shopify.counters.byOperation,
        requestedCostOfAnswered: costSpent,
      },
    };
  }
  if (url.pathname === '/change-stock' && method === 'POST') {
    const { share, seed } = z.object({ share: z.number().min(0).max(1), seed: z.number().int() }).parse(await body());
    random = prng(seed);
    const changed: string[] = [];
    for (const entry of listed) {
      if (random() >= share) continue;
      const levels = shopify.state.stock.get(entry.itemId)!;
      const location = locations[0]!.id;
      levels.set(location, (levels.get(location) ?? 0) + 1 + Math.floor(random() * 5));
      changed.push(entry.sellerSku);
    }
    return { changed: changed.length };
  }
  if (url.pathname === '/change-one' && method === 'POST') return (await changeOne()) ?? {};
  if (url.pathname === '/changes') return changes;
  if (url.pathname === '/check') {
    const skus = listed.map((e) => ({
      tiktokProductId: e.tiktokProductId,
      tiktokSkuId: e.tiktokSkuId,
      want: expected(e.itemId),
    }));
    const { mismatched } = await tiktok.ask({ kind: 'check', skus });
    return { skus: listed.length, mismatched };
  }
  if (url.pathname === '/expected') {
    const n = Number(url.searchParams.get('skus') ?? '0');
    return listed.slice(0, n).map((e) => ({ ...e, warehouses: expected(e.itemId) }));
  }
  return undefined;
});

const ready: StandInsReady = {
  ...tiktok.ready.app,
  ...plumbing.storeReady(shopify, tiktok.ready.shop),
  warehouseIds,
  locationIds: locations.map((l) => l.id),
  controlUrl: control.url,
};
plumbing.announceReady(ready, { servers: [control.server], standIns: [tiktok, shopify] });
