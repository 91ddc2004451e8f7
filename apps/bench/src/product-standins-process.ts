/**
 * The stand-ins of the product-throughput scenario, in their own process: a Shopify store with a
 * generated catalogue (its images served here, as a CDN would), a TikTok shop with the real
 * limits, and a fake OpenAI server answering in 400-1200 ms. Prints one JSON line when ready and
 * serves GET /stats: AI requests, TikTok products created and edited.
 */
import { startFakeOpenAI } from '@shoptok/testkit/openai';
import { startShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';
import * as plumbing from './standins-plumbing.js';

export const productStandInsConfigSchema = z.object({
  products: z.number().int().positive(),
  latencyMs: plumbing.latencySchema,
  aiLatencyMs: plumbing.latencySchema,
  tiktokQps: z.number().positive(),
  seed: z.number().int(),
});

export interface ProductStandInsReady extends plumbing.TikTokAppReady, plumbing.StoreReady {
  openaiBaseUrl: string;
  openaiApiKey: string;
  controlUrl: string;
}

const config = plumbing.readConfig(productStandInsConfigSchema);
const appKey = 'bench-products-app';
const appSecret = 'bench-products-secret-0123456789';

const images = await plumbing.serveImages();

// Clean products: throughput, not the catalogue's mistakes.
const catalogue = plumbing.cleanCatalogue(config.products, config.seed);
for (const p of catalogue.products) for (const m of p.media) m.url = `${images.base}/img/${m.id}.png`;

const tiktok = await startTikTokStandIn({
  qps: config.tiktokQps,
  latencyMs: config.latencyMs,
  auditDelayMs: 60_000,
  shops: [{ appKey, appSecret, name: 'Bench Products Shop' }],
});
const shopify = await startShopifyStandIn({
  shopDomain: 'bench-products.myshopify.com',
  accessToken: 'shpat_benchproducts0123456789abcdef01',
  apiSecret: 'bench-products-webhook-secret',
  catalogue,
  latencyMs: config.latencyMs,
});
const openai = await startFakeOpenAI({ latencyMs: config.aiLatencyMs });
const shop = tiktok.shops[0]!;

const control = await plumbing.serveControl(({ url }) => {
  if (url.pathname !== '/stats') return undefined;
  const rows = tiktok.counters.rows();
  const calls = (api: string) => rows.filter((r) => r.api === api).reduce((n, r) => n + r.ok, 0);
  return {
    aiRequests: openai.requests.length,
    created: calls('POST /product/202309/products'),
    edited: calls('PUT /product/202309/products/{product_id}'),
    tiktok: tiktok.counters.total(),
  };
});

const ready: ProductStandInsReady = {
  ...plumbing.tiktokAppReady(tiktok, appKey, appSecret),
  ...plumbing.storeReady(shopify, shop),
  openaiBaseUrl: openai.baseURL,
  openaiApiKey: openai.apiKey,
  controlUrl: control.url,
};
plumbing.announceReady(ready, { servers: [control.server, images.server], standIns: [tiktok, shopify, openai] });
