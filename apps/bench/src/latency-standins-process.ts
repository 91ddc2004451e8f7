/**
 * The stand-ins of the webhook-latency scenario, in their own process: `stores` Shopify stores
 * (one stand-in each) and one TikTok app with a shop per store, every SKU listed and in step.
 * Prints one JSON line when ready, writes the SKU links to `linksFile`, and serves:
 *   POST /target  {url}                 Shopify webhooks of every store go to `url`
 *   POST /drive   {perMinute, seconds}  changes stock at that rate (random store and SKU, a
 *                                       sale or a restock); each change's Shopify webhook goes out
 *   GET  /results                       per change: ms from the change until TikTok showed it
 * A change is "on TikTok" when an inventory update of its product has been answered and the
 * TikTok stand-in holds the quantity Shopify now has (observed on the update's answer).
 */
import { writeFileSync } from 'node:fs';
import { prng, startShopifyStandIn, type ShopifyStandIn, type StandInProduct } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';
import * as plumbing from './standins-plumbing.js';
import { listOnTikTok, sizedProduct, StockChangesInFlight, type SkuLink } from './stock-standins.js';

export const latencyStandInsConfigSchema = plumbing.standInLimitsSchema.extend({
  stores: z.number().int().min(1),
  skusPerStore: z.number().int().min(1),
  skusPerProduct: z.number().int().min(1),
  linksFile: z.string(),
});
export type LatencyStandInsConfig = z.infer<typeof latencyStandInsConfigSchema>;

export interface LatencyStandInsReady extends plumbing.TikTokAppReady {
  stores: (plumbing.StoreReady & { id: string })[];
  controlUrl: string;
}

/** One measured change: when Shopify changed, when TikTok showed it (null: not yet). */
export interface ChangeResult {
  store: string;
  sale: boolean;
  changedAt: number;
  onTikTokAt: number | null;
}

const config = plumbing.readConfig(latencyStandInsConfigSchema);
const appKey = 'bench-latency-app';
const appSecret = 'bench-latency-secret-0123456789';

const random = prng(config.seed);

const location = { id: 9_100_000, name: 'Main' };
const warehouseId = '7400000000000000001';
const tiktok = await startTikTokStandIn({
  qps: config.tiktokQps,
  latencyMs: config.latencyMs,
  shops: Array.from({ length: config.stores }, (_, i) => ({
    appKey,
    appSecret,
    name: `Bench Shop ${i + 1}`,
    warehouses: [{ id: warehouseId, name: 'Warehouse', isDefault: true }],
  })),
});

interface Sku {
  store: number;
  sellerSku: string;
  itemId: number;
  tiktokProductId: string;
  tiktokSkuId: string;
}
const skus: Sku[] = [];
const shopifies: ShopifyStandIn[] = [];
const links: { store: string; links: SkuLink[] }[] = [];
let nextId = 20_000_000;
const now = new Date().toISOString();
for (let s = 0; s < config.stores; s++) {
  const shop = tiktok.shops[s]!;
  const products: StandInProduct[] = [];
  const stock = new Map<number, Map<number, number>>();
  const storeLinks: SkuLink[] = [];
  for (let p = 0; p * config.skusPerProduct < config.skusPerStore; p++) {
    const count = Math.min(config.skusPerProduct, config.skusPerStore - p * config.skusPerProduct);
    const product = sizedProduct(
      () => nextId++,
      {
        title: `Latency product ${s}-${p}`,
        handle: `latency-${s}-${p}`,
        descriptionHtml: '<p>Bench</p>',
        sku: (v) => `LAT-${s}-${p}-${v}`,
      },
      count,
      now,
    );
    const quantities = product.variants.map((v) => {
      const q = 20 + Math.floor(random() * 40);
      stock.set(v.inventoryItemId, new Map([[location.id, q]]));
      return q;
    });
    products.push(product);
    // Listed and in step, as after a full sync: only the changes below are left to push.
    let skuId = BigInt(1_732_000_000_000_000_000) + BigInt(nextId);
    const productLinks = listOnTikTok(
      tiktok,
      shop.shopId,
      product,
      () => String(skuId++),
      (i) => [{ warehouse_id: warehouseId, quantity: quantities[i]! }],
    );
    product.variants.forEach((v, i) => {
      const link = productLinks[i]!;
      skus.push({
        store: s,
        sellerSku: link.sellerSku,
        itemId: v.inventoryItemId,
        tiktokProductId: link.tiktokProductId,
        tiktokSkuId: link.tiktokSkuId,
      });
      storeLinks.push(link);
    });
  }
  const shopify = await startShopifyStandIn({
    shopDomain: `bench-latency-${s + 1}.myshopify.com`,
    accessToken: `shpat_benchlatency${s}0123456789abcdef0123`,
    apiSecret: `bench-latency-webhook-secret-${s}`,
    catalogue: { products, locations: [location], stock },
    bucket: config.shopifyBucket,
    latencyMs: config.latencyMs,
  });
  shopifies.push(shopify);
  links.push({ store: `lat-${s + 1}`, links: storeLinks });
}
writeFileSync(config.linksFile, JSON.stringify(links));

// Changes waiting to show on TikTok: settled on the answer of an inventory update of their product.
const results: ChangeResult[] = [];
const inFlight = new StockChangesInFlight();

function tiktokQuantity(sku: Sku): number | undefined {
  const product = tiktok.admin.getProduct(tiktok.shops[sku.store]!.shopId, sku.tiktokProductId);
  return product?.skus.find((x) => x.id === sku.tiktokSkuId)?.inventory.find((i) => i.warehouse_id === warehouseId)?.quantity;
}

function changeOne(): void {
  // A SKU with no change in flight, so each measured change has one quantity to look for.
  const sku = inFlight.pickIdle(skus, random);
  if (!sku) return;
  const shopify = shopifies[sku.store]!;
  const current = shopify.state.stock.get(sku.itemId)?.get(location.id) ?? 0;
  // Mostly sales (stock down: the oversell case), some restocks.
  const sale = current > 0 && random() < 0.8;
  const quantity = sale ? current - 1 : current + 1 + Math.floor(random() * 5);
  const result: ChangeResult = { store: `lat-${sku.store + 1}`, sale, changedAt: Date.now(), onTikTokAt: null };
  results.push(result);
  inFlight.add(sku.tiktokProductId, sku.sellerSku, result, () => tiktokQuantity(sku) === quantity);
  shopify.setStock(sku.itemId, location.id, quantity); // sends inventory_levels/update
}

let driving: NodeJS.Timeout | undefined;
function drive(perMinute: number, seconds: number): void {
  const gapMs = 60_000 / perMinute;
  const started = Date.now();
  let made = 0;
  const tick = () => {
    // Catch up with the schedule (a busy event loop fires late), then wait for the next slot.
    while (made < ((Date.now() - started) / 60_000) * perMinute && Date.now() - started < seconds * 1000) {
      changeOne();
      made++;
    }
    driving = Date.now() - started < seconds * 1000 ? setTimeout(tick, gapMs / 2) : undefined;
  };
  tick();
}

const control = await plumbing.serveControl(async ({ method, url, body }) => {
  if (url.pathname === '/target' && method === 'POST') {
    const { url: target } = z.object({ url: z.string() }).parse(await body());
    for (const s of shopifies) s.setWebhookTarget(target);
    return { ok: true };
  }
  if (url.pathname === '/drive' && method === 'POST') {
    const { perMinute, seconds } = z
      .object({ perMinute: z.number().positive(), seconds: z.number().positive() })
      .parse(await body());
    drive(perMinute, seconds);
    return { ok: true };
  }
  if (url.pathname === '/results') return { driving: driving !== undefined, results };
  return undefined;
});

const ready: LatencyStandInsReady = {
  ...plumbing.tiktokAppReady(tiktok, appKey, appSecret),
  stores: shopifies.map((s, i) => ({ id: `lat-${i + 1}`, ...plumbing.storeReady(s, tiktok.shops[i]!) })),
  controlUrl: control.url,
};
plumbing.announceReady(ready, {
  servers: [control.server],
  standIns: [tiktok, ...shopifies],
  beforeClose: () => {
    if (driving) clearTimeout(driving);
  },
});
