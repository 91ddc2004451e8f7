// Test-only wiring: both stand-ins, a real Redis, the integrator's services and the product handlers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProductMapper } from '@shoptok/ai-mapper';
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, type JobHandlers, type RedisConnection } from '@shoptok/queues';
import { parseStoreRules, type StoreRulesInput } from '@shoptok/sync-core';
import { type TestRedis, useTestRedis } from '@shoptok/testkit';
import { generateCatalogue, type ShopifyStandIn, startShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { createStoreServices, type StoreServices } from '../services.js';
import { productHandlers } from './handlers.js';
import { loadCategoryIndex } from './shop.js';

export const STORE = 'brand-a';

/** A PNG header of the given size: enough for the TikTok stand-in's size check. */
export function pngBytes(width: number, height: number): Buffer {
  const b = Buffer.alloc(40);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

export interface ListingHarness {
  redis: TestRedis;
  tts: TikTokStandIn;
  shopify: ShopifyStandIn;
  svc: StoreServices;
  queues: QueueFactory;
  handlers: JobHandlers<'products'>;
  /** Image URLs the injected fetcher was asked for, in order. */
  fetched: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  label: string;
  products: number;
  seed?: number;
  rules?: StoreRulesInput;
  /** Wraps the TikTok stand-in (e.g. a quota proxy in front of it); returns the base URL to use. */
  tiktokFront?: (standInUrl: string) => Promise<{ url: string; close(): Promise<void> }>;
  now?: () => number;
  /** The Shopify shop's currency (default GBP, the TikTok shop's). */
  shopifyCurrency?: string;
  /** The store's BATCH_SIZE (default 50). */
  batchSize?: number;
  /** Serves an image's bytes (default: an 800 x 800 PNG header at once). */
  imageBytes?: (url: string) => Promise<Buffer>;
}

export async function startListingHarness(options: HarnessOptions): Promise<ListingHarness> {
  const redis = await useTestRedis(options.label);
  const appKey = `app${options.label.replace(/\W/g, '').slice(0, 10)}`;
  const appSecret = `secret-${options.label}-0123456789abcdef`;
  // Audits finish only when a test says so (admin.completeAudits): no timing in assertions.
  const tts = await startTikTokStandIn({ auditDelayMs: 3_600_000, shops: [{ appKey, appSecret, region: 'GB' }] });
  const shopify = await startShopifyStandIn({
    catalogue: generateCatalogue({ products: options.products, seed: options.seed ?? 8 }),
    bulkDelayMs: 5,
    bucket: { maximumAvailable: 20_000, restoreRate: 10_000 },
    ...(options.shopifyCurrency ? { currency: options.shopifyCurrency } : {}),
  });
  const front = options.tiktokFront ? await options.tiktokFront(tts.url) : undefined;
  const shop = tts.shops[0]!;
  const connection: RedisConnection = createRedisConnection({ url: redis.url, role: 'client', name: `test-${options.label}` });
  const queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 1 } });
  const logger = createLogger({ console: false });
  const store: StoreConfig = {
    id: STORE,
    name: 'Brand A',
    enabled: true,
    shopify: { domain: shopify.shopDomain, accessToken: shopify.accessToken, apiSecret: shopify.apiSecret, apiBase: shopify.url },
    tiktok: { appKey, appSecret, accessToken: shop.tokens.accessToken, refreshToken: undefined, shopCipher: shop.cipher },
    syncIntervalSeconds: 300,
    batchSize: options.batchSize ?? 50,
    dryRun: false,
    mode: 'live',
    rules: parseStoreRules(options.rules ?? {}),
  };
  const svc = await createStoreServices({
    config: {
      queuePrefix: redis.prefix,
      tiktok: { apiBase: front?.url ?? tts.url, authBase: tts.authUrl },
      shopify: { apiBase: shopify.url, orderClaimTtlMs: 300_000 },
    },
    store,
    redis: connection,
    queues,
    logger,
  });
  const mapper = new ProductMapper({ index: await loadCategoryIndex(svc), region: 'GB' });
  const fetched: string[] = [];
  const handlers = productHandlers(svc, {
    mapper,
    // The catalogue's CDN host does not exist here; the bytes are what the uploads need.
    fetchImage: async (url) => {
      fetched.push(url);
      return options.imageBytes ? options.imageBytes(url) : pngBytes(800, 800);
    },
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    redis,
    tts,
    shopify,
    svc,
    queues,
    handlers,
    fetched,
    async close() {
      svc.close();
      await queues.close();
      await front?.close();
      await tts.close();
      await shopify.close();
      connection.disconnect();
      await redis.cleanup();
    },
  };
}

/** A job context for calling a handler directly (no worker): progress goes nowhere. */
export function jobContext(id?: string): Parameters<JobHandlers<'products'>['product-batch']>[1] {
  return { job: { id } as never, logger: createLogger({ console: false }), signal: undefined, progress: async () => {} };
}

/** A tiny HTTP server for a test; closes every socket on close. */
export async function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
