/**
 * The stand-ins of the product-throughput scenario, in their own process: a Shopify store with a
 * generated catalogue (its images served here, as a CDN would), a TikTok shop with the real
 * limits, and a fake OpenAI server answering in 400-1200 ms. Prints one JSON line when ready and
 * serves GET /stats: AI requests, TikTok products created and edited.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeOpenAI } from '@shoptok/testkit/openai';
import { generateCatalogue, startShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { z } from 'zod';

export const productStandInsConfigSchema = z.object({
  products: z.number().int().positive(),
  latencyMs: z.object({ min: z.number(), max: z.number() }),
  aiLatencyMs: z.object({ min: z.number(), max: z.number() }),
  tiktokQps: z.number().positive(),
  seed: z.number().int(),
});

export interface ProductStandInsReady {
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
  openaiBaseUrl: string;
  openaiApiKey: string;
  controlUrl: string;
}

const config = productStandInsConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const appKey = 'bench-products-app';
const appSecret = 'bench-products-secret-0123456789';

// A PNG header of 800 x 800 is all the TikTok stand-in measures.
function png(width: number, height: number, salt: number): Buffer {
  const b = Buffer.alloc(37);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt8(8, 24);
  b.writeUInt8(2, 25);
  b.writeUInt32BE(salt, 33);
  return b;
}
const images = createServer((req, res) => {
  const n = Number(/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
  res.writeHead(200, { 'content-type': 'image/png' });
  res.end(png(800, 800, n));
});
await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
const imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;

// Clean products (no missing or repeated SKUs): throughput, not the catalogue's mistakes.
const catalogue = generateCatalogue({
  products: config.products,
  seed: config.seed,
  locations: 1,
  noSkuRate: 0,
  duplicateSkuRate: 0,
});
for (const p of catalogue.products) for (const m of p.media) m.url = `${imageBase}/img/${m.id}.png`;

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

const control = createServer((req, res) => {
  if (req.url === '/stats') {
    const rows = tiktok.counters.rows();
    const calls = (api: string) => rows.filter((r) => r.api === api).reduce((n, r) => n + r.ok, 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(
      JSON.stringify({
        aiRequests: openai.requests.length,
        created: calls('POST /product/202309/products'),
        edited: calls('PUT /product/202309/products/{product_id}'),
        tiktok: tiktok.counters.total(),
      }),
    );
  }
  res.writeHead(404);
  res.end();
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

const ready: ProductStandInsReady = {
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
  openaiBaseUrl: openai.baseURL,
  openaiApiKey: openai.apiKey,
  controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
};
console.log(JSON.stringify(ready));
const stop = () => {
  control.close();
  images.close();
  void Promise.all([tiktok.close(), shopify.close(), openai.close()]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
