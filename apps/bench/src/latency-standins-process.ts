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
import dc from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startShopifyStandIn, type ShopifyStandIn, type StandInProduct } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';

export const latencyStandInsConfigSchema = z.object({
  stores: z.number().int().min(1),
  skusPerStore: z.number().int().min(1),
  skusPerProduct: z.number().int().min(1),
  latencyMs: z.object({ min: z.number(), max: z.number() }),
  tiktokQps: z.number().positive(),
  shopifyBucket: z.object({ maximumAvailable: z.number(), restoreRate: z.number() }),
  seed: z.number().int(),
  linksFile: z.string(),
});
export type LatencyStandInsConfig = z.infer<typeof latencyStandInsConfigSchema>;

export interface LatencyStandInsReady {
  tiktokUrl: string;
  tiktokAuthUrl: string;
  appKey: string;
  appSecret: string;
  stores: {
    id: string;
    shopifyUrl: string;
    shopifyDomain: string;
    shopifyToken: string;
    shopifySecret: string;
    cipher: string;
    accessToken: string;
    refreshToken: string;
  }[];
  controlUrl: string;
}

/** One measured change: when Shopify changed, when TikTok showed it (null: not yet). */
export interface ChangeResult {
  store: string;
  sale: boolean;
  changedAt: number;
  onTikTokAt: number | null;
}

const config = latencyStandInsConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const appKey = 'bench-latency-app';
const appSecret = 'bench-latency-secret-0123456789';

let seed = config.seed >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

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
const links: { store: string; links: Record<string, string>[] }[] = [];
let nextId = 20_000_000;
const now = new Date().toISOString();
for (let s = 0; s < config.stores; s++) {
  const shop = tiktok.shops[s]!;
  const products: StandInProduct[] = [];
  const stock = new Map<number, Map<number, number>>();
  const storeLinks: Record<string, string>[] = [];
  for (let p = 0; p * config.skusPerProduct < config.skusPerStore; p++) {
    const count = Math.min(config.skusPerProduct, config.skusPerStore - p * config.skusPerProduct);
    const product: StandInProduct = {
      id: nextId++,
      title: `Latency product ${s}-${p}`,
      handle: `latency-${s}-${p}`,
      status: 'ACTIVE',
      vendor: 'Bench',
      productType: 'T-Shirts',
      tags: [],
      descriptionHtml: '<p>Bench</p>',
      createdAt: now,
      updatedAt: now,
      options: [{ name: 'Size', values: Array.from({ length: count }, (_, v) => `S${v}`) }],
      media: [],
      variants: [],
    };
    const quantities: number[] = [];
    for (let v = 0; v < count; v++) {
      const itemId = nextId++;
      product.variants.push({
        id: nextId++,
        title: `S${v}`,
        sku: `LAT-${s}-${p}-${v}`,
        price: '19.00',
        compareAtPrice: null,
        barcode: null,
        position: v + 1,
        selectedOptions: [{ name: 'Size', value: `S${v}` }],
        inventoryItemId: itemId,
        tracked: true,
        weight: { unit: 'GRAMS', value: 200 },
      });
      const q = 20 + Math.floor(random() * 40);
      quantities.push(q);
      stock.set(itemId, new Map([[location.id, q]]));
    }
    products.push(product);
    // Listed and in step, as after a full sync: only the changes below are left to push.
    let skuId = BigInt(1_732_000_000_000_000_000) + BigInt(nextId);
    const ttSkus = product.variants.map((v, i) => ({
      id: String(skuId++),
      seller_sku: v.sku!,
      price: { amount: v.price, currency: 'GBP' },
      inventory: [{ warehouse_id: warehouseId, quantity: quantities[i]! }],
      sales_attributes: [{ name: 'Size', value_name: v.title }],
    }));
    const seeded = tiktok.admin.seedProduct(shop.shopId, {
      title: `${product.title} on TikTok Shop`,
      category_id: '601226',
      status: 'ACTIVATE',
      skus: ttSkus,
    });
    product.variants.forEach((v, i) => {
      skus.push({
        store: s,
        sellerSku: v.sku!,
        itemId: v.inventoryItemId,
        tiktokProductId: seeded.id,
        tiktokSkuId: ttSkus[i]!.id,
      });
      storeLinks.push({
        sellerSku: v.sku!,
        shopifyProductId: `gid://shopify/Product/${product.id}`,
        shopifyVariantId: `gid://shopify/ProductVariant/${v.id}`,
        shopifyInventoryItemId: `gid://shopify/InventoryItem/${v.inventoryItemId}`,
        tiktokProductId: seeded.id,
        tiktokSkuId: ttSkus[i]!.id,
      });
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

// Changes waiting to show on TikTok, by TikTok product id.
const results: ChangeResult[] = [];
const pending = new Map<string, { sku: Sku; quantity: number; result: ChangeResult }[]>();
const pendingSkus = new Set<string>();

function tiktokQuantity(sku: Sku): number | undefined {
  const product = tiktok.admin.getProduct(tiktok.shops[sku.store]!.shopId, sku.tiktokProductId);
  return product?.skus.find((x) => x.id === sku.tiktokSkuId)?.inventory.find((i) => i.warehouse_id === warehouseId)?.quantity;
}

// Every answered inventory update: settle the changes of that product TikTok now shows.
const UPDATE = /\/product\/202309\/products\/(\d+)\/inventory\/update/;
dc.subscribe('http.server.response.finish', (message) => {
  const { request } = message as { request: IncomingMessage };
  const m = UPDATE.exec(request.url ?? '');
  const waiting = m ? pending.get(m[1]!) : undefined;
  if (!waiting) return;
  const at = Date.now();
  for (const entry of [...waiting]) {
    if (tiktokQuantity(entry.sku) !== entry.quantity) continue;
    entry.result.onTikTokAt = at;
    waiting.splice(waiting.indexOf(entry), 1);
    pendingSkus.delete(entry.sku.sellerSku);
  }
  if (waiting.length === 0) pending.delete(m![1]!);
});

function changeOne(): void {
  // A SKU with no change in flight, so each measured change has one quantity to look for.
  let sku: Sku | undefined;
  for (let tries = 0; tries < 20 && (!sku || pendingSkus.has(sku.sellerSku)); tries++)
    sku = skus[Math.floor(random() * skus.length)];
  if (!sku || pendingSkus.has(sku.sellerSku)) return;
  const shopify = shopifies[sku.store]!;
  const current = shopify.state.stock.get(sku.itemId)?.get(location.id) ?? 0;
  // Mostly sales (stock down: the oversell case), some restocks.
  const sale = current > 0 && random() < 0.8;
  const quantity = sale ? current - 1 : current + 1 + Math.floor(random() * 5);
  const result: ChangeResult = { store: `lat-${sku.store + 1}`, sale, changedAt: Date.now(), onTikTokAt: null };
  results.push(result);
  pendingSkus.add(sku.sellerSku);
  const list = pending.get(sku.tiktokProductId) ?? [];
  list.push({ sku, quantity, result });
  pending.set(sku.tiktokProductId, list);
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

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

const control = createServer((req: IncomingMessage, res: ServerResponse) => {
  const reply = (value: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  void (async () => {
    if (req.url === '/target' && req.method === 'POST') {
      const { url } = z.object({ url: z.string() }).parse(await body(req));
      for (const s of shopifies) s.setWebhookTarget(url);
      return reply({ ok: true });
    }
    if (req.url === '/drive' && req.method === 'POST') {
      const { perMinute, seconds } = z
        .object({ perMinute: z.number().positive(), seconds: z.number().positive() })
        .parse(await body(req));
      drive(perMinute, seconds);
      return reply({ ok: true });
    }
    if (req.url === '/results') return reply({ driving: driving !== undefined, results });
    res.writeHead(404);
    res.end();
  })().catch((err: Error) => {
    res.writeHead(400);
    res.end(err.message);
  });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

const ready: LatencyStandInsReady = {
  tiktokUrl: tiktok.url,
  tiktokAuthUrl: tiktok.authUrl,
  appKey,
  appSecret,
  stores: shopifies.map((s, i) => ({
    id: `lat-${i + 1}`,
    shopifyUrl: s.url,
    shopifyDomain: s.shopDomain,
    shopifyToken: s.accessToken,
    shopifySecret: s.apiSecret,
    cipher: tiktok.shops[i]!.cipher,
    accessToken: tiktok.shops[i]!.tokens.accessToken,
    refreshToken: tiktok.shops[i]!.tokens.refreshToken,
  })),
  controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
};
console.log(JSON.stringify(ready));
const stop = () => {
  if (driving) clearTimeout(driving);
  control.close();
  void Promise.all([tiktok.close(), ...shopifies.map((s) => s.close())]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
