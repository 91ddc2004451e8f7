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
import type { IncomingMessage } from 'node:http';
import { startShopifyStandIn, type StandInProduct } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';
import * as plumbing from './standins-plumbing.js';

export const listingStandInsConfigSchema = plumbing.standInLimitsSchema.extend({
  products: z.number().int().positive(),
});

export interface ListingStandInsReady extends plumbing.TikTokAppReady, plumbing.StoreReady {
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

const config = plumbing.readConfig(listingStandInsConfigSchema);
const appKey = 'bench-listing-app';
const appSecret = 'bench-listing-secret-0123456789';
const SKUS_PER_PRODUCT = 5;
const IMAGES_PER_PRODUCT = 4;
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];

const images = await plumbing.serveImages();

// Realistic titles and categories from the generator, reshaped to 5 SKUs and 4 images each; every
// product is listable (its material stated, stock tracked), so each costs the calls of a listing.
const generated = plumbing.cleanCatalogue(config.products, config.seed);
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
      return { id, url: `${images.base}/img/${id}.png`, alt: k === 0 ? p.title : null };
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

const control = await plumbing.serveControl(async ({ method, url, body }) => {
  if (url.pathname === '/stats') {
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
    return stats;
  }
  if (url.pathname === '/target' && method === 'POST') {
    const { url: target } = z.object({ url: z.string() }).parse(await body());
    shopify.setWebhookTarget(target);
    return { ok: true };
  }
  if (url.pathname === '/edit' && method === 'POST') {
    const e = z
      .object({ productId: z.string(), tiktokProductId: z.string(), kind: z.enum(['price', 'title']) })
      .parse(await body());
    edit(e.productId, e.tiktokProductId, e.kind);
    return { ok: true };
  }
  if (url.pathname === '/edits') return edits;
  return undefined;
});

const ready: ListingStandInsReady = {
  ...plumbing.tiktokAppReady(tiktok, appKey, appSecret),
  ...plumbing.storeReady(shopify, shop),
  controlUrl: control.url,
  productIds: products.map((p) => `gid://shopify/Product/${p.id}`),
};
plumbing.announceReady(ready, { servers: [control.server, images.server], standIns: [tiktok, shopify] });
