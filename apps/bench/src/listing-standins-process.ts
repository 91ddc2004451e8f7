/**
 * The stand-ins of the listing scenarios (product-listing, product-edit), in their own process:
 * a Shopify store of `products` products with exactly 5 SKUs and 4 images each (images served
 * here, as a CDN would), and a TikTok shop with the real limits. Prints one JSON line when ready
 * and serves on 127.0.0.1:
 *   GET  /stats   TikTok calls answered per API, 429s; Shopify requests, THROTTLED, cost spent
 *   POST /target  {url}: Shopify webhooks go to `url`
 *   POST /edit    {productId, tiktokProductId, kind: 'price' | 'title'}: the merchant edits the
 *                 product in Shopify (its products/update webhook goes out); answers at once
 *   GET  /edits   per edit: ms from the change until TikTok answered the call that shows it
 */
import dc from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCatalogue, startShopifyStandIn, type StandInProduct } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';

export const listingStandInsConfigSchema = z.object({
  products: z.number().int().positive(),
  latencyMs: z.object({ min: z.number(), max: z.number() }),
  tiktokQps: z.number().positive(),
  shopifyBucket: z.object({ maximumAvailable: z.number(), restoreRate: z.number() }),
  seed: z.number().int(),
});

export interface ListingStandInsReady {
  tiktokUrl: string;
  tiktokAuthUrl: string;
  appKey: string;
  appSecret: string;
  cipher: string;
  accessToken: string;
  refreshToken: string;
  shopifyUrl: string;
  shopifyDomain: string;
  shopifyToken: string;
  shopifySecret: string;
  controlUrl: string;
  /** Shopify product gids in catalogue order. */
  productIds: string[];
}

export interface ListingStats {
  tiktok: { byApi: Record<string, number>; rateLimited: number };
  shopify: { requests: number; throttled: number; costSpent: number; byOperation: Record<string, number> };
}

/** One measured edit: when Shopify changed, when TikTok answered the call carrying it (null: not yet). */
export interface EditResult {
  productId: string;
  kind: 'price' | 'title';
  changedAt: number;
  onTikTokAt: number | null;
}

const config = listingStandInsConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const appKey = 'bench-listing-app';
const appSecret = 'bench-listing-secret-0123456789';
const SKUS_PER_PRODUCT = 5;
const IMAGES_PER_PRODUCT = 4;
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];

// A PNG header of 800 x 800 is all the TikTok stand-in measures.
function png(salt: number): Buffer {
  const b = Buffer.alloc(37);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(800, 16);
  b.writeUInt32BE(800, 20);
  b.writeUInt8(8, 24);
  b.writeUInt8(2, 25);
  b.writeUInt32BE(salt >>> 0, 33);
  return b;
}
const images = createServer((req, res) => {
  const n = Number(/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
  res.writeHead(200, { 'content-type': 'image/png' });
  res.end(png(n));
});
await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
const imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;

// Realistic titles and categories from the generator, reshaped to 5 SKUs and 4 images each; every
// product is listable (its material stated, stock tracked), so each costs the calls of a listing.
const generated = generateCatalogue({
  products: config.products,
  seed: config.seed,
  locations: 1,
  noSkuRate: 0,
  duplicateSkuRate: 0,
});
const location = generated.locations[0]!;
const stock = new Map<number, Map<number, number>>();
let variantId = 60_000_000;
let itemId = 70_000_000;
let mediaId = 80_000_000;
const products: StandInProduct[] = generated.products.map((p, n) => {
  const base = Number(p.variants[0]?.price ?? '20');
  const variants = SIZES.slice(0, SKUS_PER_PRODUCT).map((size, i) => {
    const inventoryItemId = ++itemId;
    stock.set(inventoryItemId, new Map([[location.id, 5 + ((n * 7 + i * 3) % 40)]]));
    return {
      id: ++variantId,
      title: size,
      sku: `LST-${p.id}-${size}`,
      price: base.toFixed(2),
      compareAtPrice: null,
      barcode: null,
      position: i + 1,
      selectedOptions: [{ name: 'Size', value: size }],
      inventoryItemId,
      tracked: true,
      weight: { unit: 'GRAMS' as const, value: 300 },
    };
  });
  return {
    ...p,
    status: 'ACTIVE' as const,
    tags: [...p.tags, 'material:Cotton'],
    options: [{ name: 'Size', values: SIZES.slice(0, SKUS_PER_PRODUCT) }],
    media: Array.from({ length: IMAGES_PER_PRODUCT }, (_, k) => {
      const id = ++mediaId;
      return { id, url: `${imageBase}/img/${id}.png`, alt: k === 0 ? p.title : null };
    }),
    variants,
  };
});

const tiktok = await startTikTokStandIn({
  qps: config.tiktokQps,
  latencyMs: config.latencyMs,
  auditDelayMs: 2_000,
  shops: [{ appKey, appSecret, name: 'Bench Listing Shop' }],
});
const shopify = await startShopifyStandIn({
  shopDomain: 'bench-listing.myshopify.com',
  accessToken: 'shpat_benchlisting0123456789abcdef0',
  apiSecret: 'bench-listing-webhook-secret',
  catalogue: { products, locations: [location], stock },
  bucket: config.shopifyBucket,
  latencyMs: config.latencyMs,
});
const shop = tiktok.shops[0]!;

// Edits waiting to show on TikTok, by TikTok product id: settled by the answer of the price
// update or edit of that product once TikTok holds the new price or title.
const edits: EditResult[] = [];
const pending = new Map<string, { expect: (tiktokProductId: string) => boolean; result: EditResult }>();
const CARRIES = /^\/product\/202309\/products\/(\d+)(\/prices\/update)?$/;
dc.subscribe('http.server.response.finish', (message) => {
  const { request } = message as { request: IncomingMessage };
  const m = CARRIES.exec((request.url ?? '').split('?')[0] ?? '');
  if (!m || (request.method !== 'PUT' && request.method !== 'POST')) return;
  const waiting = pending.get(m[1]!);
  if (!waiting || !waiting.expect(m[1]!)) return;
  waiting.result.onTikTokAt = Date.now();
  pending.delete(m[1]!);
});

function edit(productId: string, tiktokProductId: string, kind: 'price' | 'title'): void {
  const id = Number(productId.split('/').pop());
  const product = shopify.state.products.find((p) => p.id === id);
  if (!product) throw new Error(`no product ${productId}`);
  const result: EditResult = { productId, kind, changedAt: Date.now(), onTikTokAt: null };
  edits.push(result);
  if (kind === 'price') {
    const price = (Number(product.variants[0]!.price) + 1).toFixed(2);
    pending.set(tiktokProductId, {
      result,
      expect: (tt) => tiktok.admin.getProduct(shop.shopId, tt)?.skus.every((s) => s.price.amount === price) ?? false,
    });
    shopify.editProduct(id, { variants: product.variants.map((v) => ({ ...v, price })) });
  } else {
    const title = `${product.title.replace(/ \(\d+\)$/, '')} (${edits.length})`;
    pending.set(tiktokProductId, {
      result,
      expect: (tt) => tiktok.admin.getProduct(shop.shopId, tt)?.title.includes(`(${edits.length})`) ?? false,
    });
    shopify.editProduct(id, { title });
  }
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
    if (req.url === '/stats') {
      const rows = tiktok.counters.rows();
      const byApi: Record<string, number> = {};
      for (const r of rows) byApi[r.api] = (byApi[r.api] ?? 0) + r.ok;
      const stats: ListingStats = {
        tiktok: { byApi, rateLimited: tiktok.counters.total().rateLimited },
        shopify: {
          requests: shopify.counters.requests,
          throttled: shopify.counters.throttled,
          // What the bucket was charged: Shopify refunds the requested cost down to the actual one.
          costSpent: shopify.requestLog.reduce((n, e) => n + (e.actualCost ?? 0), 0),
          byOperation: shopify.counters.byOperation,
        },
      };
      return reply(stats);
    }
    if (req.url === '/target' && req.method === 'POST') {
      const { url } = z.object({ url: z.string() }).parse(await body(req));
      shopify.setWebhookTarget(url);
      return reply({ ok: true });
    }
    if (req.url === '/edit' && req.method === 'POST') {
      const e = z
        .object({ productId: z.string(), tiktokProductId: z.string(), kind: z.enum(['price', 'title']) })
        .parse(await body(req));
      edit(e.productId, e.tiktokProductId, e.kind);
      return reply({ ok: true });
    }
    if (req.url === '/edits') return reply(edits);
    res.writeHead(404);
    res.end();
  })().catch((err: Error) => {
    res.writeHead(400);
    res.end(err.message);
  });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

const ready: ListingStandInsReady = {
  tiktokUrl: tiktok.url,
  tiktokAuthUrl: tiktok.authUrl,
  appKey,
  appSecret,
  cipher: shop.cipher,
  accessToken: shop.tokens.accessToken,
  refreshToken: shop.tokens.refreshToken,
  shopifyUrl: shopify.url,
  shopifyDomain: shopify.shopDomain,
  shopifyToken: shopify.accessToken,
  shopifySecret: shopify.apiSecret,
  controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
  productIds: products.map((p) => `gid://shopify/Product/${p.id}`),
};
console.log(JSON.stringify(ready));
const stop = () => {
  control.close();
  images.close();
  void Promise.all([tiktok.close(), shopify.close()]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
