// Test-only wiring (excluded from the build): a stand-in, a Redis and clients on one shop.
import { type TestRedis, useTestRedis } from '@shoptok/testkit';
import { type SeededShop, startTikTokStandIn, type TikTokStandIn, type TikTokStandInOptions } from '@shoptok/testkit/tiktok';
import { TikTokShopClient, type TikTokShopClientOptions } from './index.js';

export interface Harness {
  tts: TikTokStandIn;
  redis: TestRedis;
  shop: SeededShop;
  appKey: string;
  appSecret: string;
  /** A client on the seeded shop; each call builds a new one (as another process would). */
  client(overrides?: Partial<TikTokShopClientOptions>): TikTokShopClient;
  close(): Promise<void>;
}

let n = 0;

export async function startHarness(
  label: string,
  options: TikTokStandInOptions & { shopSeed?: Record<string, unknown> } = {},
): Promise<Harness> {
  n += 1;
  const appKey = `app${n}${label.replace(/\W/g, '').slice(0, 8)}`;
  const appSecret = `secret-${label}-${n}-0123456789`;
  const redis = await useTestRedis(label);
  const tts = await startTikTokStandIn({ auditDelayMs: 20, ...options, shops: [{ appKey, appSecret, ...options.shopSeed }] });
  const shop = tts.shops[0]!;
  return {
    tts,
    redis,
    shop,
    appKey,
    appSecret,
    client: (overrides = {}) =>
      new TikTokShopClient({
        appKey,
        appSecret,
        apiBase: tts.url,
        authBase: tts.authUrl,
        shopCipher: shop.cipher,
        storeId: 'store-1',
        redis: redis.client,
        keyPrefix: redis.prefix,
        tokens: shop.tokens,
        backoffBaseMs: 20,
        timeouts: { requestMs: 2_000 },
        ...overrides,
      }),
    async close() {
      await tts.close();
      await redis.cleanup();
    },
  };
}

/** A tiny valid PNG of the given size (header only is enough for the stand-in's size check). */
export function pngBytes(width: number, height: number, salt = 0): Buffer {
  const b = Buffer.alloc(33 + 4);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(salt, 33);
  return b;
}
