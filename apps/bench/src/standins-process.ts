/**
 * The stand-ins of one bench run, in their own process so the worker's CPU and memory are
 * measured alone: a TikTok shop and a Shopify store seeded with `skus` SKUs (`skusPerProduct`
 * a product), the real limits and a simulated latency. Prints one JSON line (urls, tokens,
 * cipher) and serves a small control API for the bench on 127.0.0.1:
 *   GET  /stats            request counters of both stand-ins (429s, THROTTLED, cost spent)
 *   POST /change-stock     {share, seed}: changes the Shopify stock of that share of the SKUs
 *   GET  /check            SKUs whose TikTok quantity differs from what Shopify says it should be
 *   GET  /expected?skus=n  the first n SKUs with their TikTok ids and expected quantities
 *   POST /change-one       a sale (or a restock) on a random SKU: {inventoryItemId}; the time until
 *                          TikTok answers an inventory update showing the new quantity is recorded
 *   GET  /changes          those changes: changedAt, onTikTokAt (null while not yet on TikTok)
 */
import dc from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { prng, startShopifyStandIn, type Catalogue, type StandInProduct } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';
import * as plumbing from './standins-plumbing.js';
import { listOnTikTok, sizedProduct, StockChangesInFlight } from './stock-standins.js';

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
const tiktok = await startTikTokStandIn({
  qps: config.tiktokQps,
  latencyMs: config.latencyMs,
  shops: [
    {
      appKey,
      appSecret,
      name: 'Bench Shop',
      warehouses: warehouseIds.map((id, i) => ({ id, name: `Warehouse ${i + 1}`, isDefault: i === 0 })),
    },
  ],
});
const shopify = await startShopifyStandIn({
  shopDomain: 'bench-store.myshopify.com',
  accessToken: 'shpat_bench0123456789abcdef0123456789',
  apiSecret: 'bench-webhook-secret',
  catalogue,
  bucket: config.shopifyBucket,
  latencyMs: config.latencyMs,
});
const shop = tiktok.shops[0]!;

// Every variant listed on TikTok with stock 0: the first sync has every SKU to push.
interface Listed {
  sellerSku: string;
  itemId: number;
  tiktokProductId: string;
  tiktokSkuId: string;
}
const listed: Listed[] = [];
const links: Record<string, string>[] = [];
let skuId = 1_731_000_000_000_000_000n;
for (const product of products) {
  const productLinks = listOnTikTok(
    tiktok,
    shop.shopId,
    product,
    () => String(skuId++),
    () => warehouseIds.map((w) => ({ warehouse_id: w, quantity: 0 })),
  );
  product.variants.forEach((v, i) => {
    const link = productLinks[i]!;
    listed.push({
      sellerSku: link.sellerSku,
      itemId: v.inventoryItemId,
      tiktokProductId: link.tiktokProductId,
      tiktokSkuId: link.tiktokSkuId,
    });
    links.push(link);
  });
}
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

function tiktokQuantities(entry: Listed): Record<string, number> {
  const product = tiktok.admin.getProduct(shop.shopId, entry.tiktokProductId);
  const sku = product?.skus.find((s) => s.id === entry.tiktokSkuId);
  return Object.fromEntries((sku?.inventory ?? []).map((i) => [i.warehouse_id, i.quantity]));
}

// Changes made during a run (the webhook path beside a full sync): each is settled when TikTok
// answers an inventory update of its product that shows the new quantity.
interface Change {
  sale: boolean;
  changedAt: number;
  onTikTokAt: number | null;
}
const changes: Change[] = [];
const inFlight = new StockChangesInFlight();

/** A sale (80 %) or restock on a random SKU with no change in flight, at the first location (feeds warehouse 0). */
function changeOne(): { inventoryItemId: string } | undefined {
  const entry = inFlight.pickIdle(listed, Math.random);
  if (!entry) return undefined;
  const levels = shopify.state.stock.get(entry.itemId)!;
  const location = locations[0]!.id;
  const current = levels.get(location) ?? 0;
  const sale = current > 0 && Math.random() < 0.8;
  levels.set(location, sale ? current - 1 : current + 1 + Math.floor(Math.random() * 5));
  const change: Change = { sale, changedAt: Date.now(), onTikTokAt: null };
  changes.push(change);
  const quantity = expected(entry.itemId)[warehouseIds[0]!]!;
  inFlight.add(entry.tiktokProductId, entry.sellerSku, change, () => tiktokQuantities(entry)[warehouseIds[0]!] === quantity);
  return { inventoryItemId: `gid://shopify/InventoryItem/${entry.itemId}` };
}

// Stalls of the event loop over 100 ms, counted from a 20 ms timer (the histogram has no counts by bucket).
let stallCount = 0;
let lastTick = performance.now();
/** The latest stalls over 50 ms: when each ended and how long it was (performance.now() ms). */
const recentStalls: { endedAt: number; ms: number }[] = [];
setInterval(() => {
  const now = performance.now();
  if (now - lastTick > 120) stallCount += 1;
  if (now - lastTick > 70) {
    recentStalls.push({ endedAt: now, ms: now - lastTick - 20 });
    if (recentStalls.length > 100) recentStalls.shift();
  }
  lastTick = now;
}, 20).unref();
const stalls = () => stallCount;

// Why a 429 happened. The stand-in counts a call when its handler runs; here each inventory update
// is also timed when Node parsed its headers. For each 429: how many updates reached the HTTP layer
// in the second before it, and whether this process had just stalled (a stall delays the handlers
// of calls that arrived evenly) or the calls really came bunched (the client sent them so).
const INVENTORY_UPDATE = /\/inventory\/update/;
const arrivals: number[] = [];
const arrivedAt = new WeakMap<IncomingMessage, number>();
const rateLimitedCalls: { at: string; updatesArrivedInSecondBefore: number; stallInSecondBeforeMs: number }[] = [];
dc.subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  if (!INVENTORY_UPDATE.test(request.url ?? '')) return;
  const at = performance.now();
  arrivedAt.set(request, at);
  arrivals.push(at);
  if (arrivals.length > 400) arrivals.shift();
});
dc.subscribe('http.server.response.finish', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const at = arrivedAt.get(request);
  if (at === undefined || response.statusCode !== 429 || rateLimitedCalls.length >= 50) return;
  rateLimitedCalls.push({
    at: new Date(Date.now() - (performance.now() - at)).toISOString(),
    updatesArrivedInSecondBefore: arrivals.filter((t) => t > at - 1000 && t <= at).length,
    stallInSecondBeforeMs: Math.round(Math.max(0, ...recentStalls.filter((s) => s.endedAt > at - 1000 && s.endedAt <= at + 20).map((s) => s.ms))),
  });
});

// How late this process's event loop ran (a loaded machine descheduling it): the TikTok stand-in
// counts a call against the 1 s window when its handler runs, so a stall here bunches arrivals.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const control = await plumbing.serveControl(async ({ method, url, body }) => {
  if (url.pathname === '/stats') {
    const rows = tiktok.counters.rows();
    const costSpent = shopify.requestLog.reduce((n, e) => n + (e.outcome === 'ok' ? (e.requestedCost ?? 0) : 0), 0);
    const eventLoopDelay = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6, over100Ms: stalls() };
    loopDelay.reset(); // the next reading's max is since this one (the start-up's seeding is not a run's stall)
    return {
      eventLoopDelay,
      rateLimitedCalls,
      tiktok: {
        total: tiktok.counters.total(),
        byApi: rows.map((r) => ({ api: r.api, requests: r.requests, rateLimited: r.rateLimited })),
      },
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
  if (url.pathname === '/change-one' && method === 'POST') return changeOne() ?? {};
  if (url.pathname === '/changes') return changes;
  if (url.pathname === '/check') {
    let mismatched = 0;
    for (const entry of listed) {
      const want = expected(entry.itemId);
      const got = tiktokQuantities(entry);
      if (Object.entries(want).some(([w, q]) => got[w] !== q)) mismatched++;
    }
    return { skus: listed.length, mismatched };
  }
  if (url.pathname === '/expected') {
    const n = Number(url.searchParams.get('skus') ?? '0');
    return listed.slice(0, n).map((e) => ({ ...e, warehouses: expected(e.itemId) }));
  }
  return undefined;
});

const ready: StandInsReady = {
  ...plumbing.tiktokAppReady(tiktok, appKey, appSecret),
  ...plumbing.storeReady(shopify, shop),
  warehouseIds,
  locationIds: locations.map((l) => l.id),
  controlUrl: control.url,
};
plumbing.announceReady(ready, { servers: [control.server], standIns: [tiktok, shopify] });
