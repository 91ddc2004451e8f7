import { checkLatency, latencyOf } from './latency.js';
import { startShopifyStandIn } from './shopify/server.js';
import { expectedSign } from './tiktok/sign.js';
import { startTikTokStandIn } from './tiktok/server.js';

describe('latencyOf', () => {
  it('is 0 without latency, fixed for a number, uniform between min and max for a range', () => {
    expect(latencyOf(undefined)).toBe(0);
    expect(latencyOf(70)).toBe(70);
    expect(latencyOf({ min: 50, max: 150 }, () => 0)).toBe(50);
    expect(latencyOf({ min: 50, max: 150 }, () => 0.5)).toBe(100);
    expect(latencyOf({ min: 50, max: 150 }, () => 0.999)).toBeCloseTo(149.9, 5);
  });

  it('refuses a latency that cannot be meant', () => {
    expect(() => checkLatency(-1, 'x')).toThrow(/latencyMs/);
    expect(() => checkLatency({ min: 150, max: 50 }, 'x')).toThrow(/min <= max/);
    expect(() => checkLatency(Number.NaN, 'x')).toThrow(/latencyMs/);
    expect(() => checkLatency({ min: 0, max: 10 }, 'x')).not.toThrow();
  });
});

describe('stand-ins answer after their latency', () => {
  it('Shopify: every answer waits latencyMs, the bucket is charged on arrival', async () => {
    const shop = await startShopifyStandIn({ catalogue: { products: 2, seed: 1 }, latencyMs: 120 });
    try {
      const started = performance.now();
      const res = await fetch(`${shop.url}/admin/api/2026-10/graphql.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-access-token': shop.accessToken },
        body: JSON.stringify({ query: '{ products(first: 1) { nodes { id } } }' }),
      });
      expect(res.status).toBe(200);
      await res.json();
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    } finally {
      await shop.close();
    }
    await expect(startShopifyStandIn({ latencyMs: { min: 9, max: 1 } })).rejects.toThrow(/latencyMs/);
  });

  it('TikTok: an admitted request waits latencyMs; one over the QPS limit is refused at once', async () => {
    const appKey = 'latency-app';
    const appSecret = 'latency-secret';
    const tts = await startTikTokStandIn({ shops: [{ appKey, appSecret }], latencyMs: 120, qps: 1 });
    try {
      const shop = tts.shops[0]!;
      const call = async () => {
        const path = '/logistics/202309/warehouses';
        const query = new URLSearchParams({
          app_key: appKey,
          timestamp: String(Math.floor(Date.now() / 1000)),
          shop_cipher: shop.cipher,
        });
        query.set('sign', expectedSign(appSecret, path, query, Buffer.alloc(0), undefined));
        const started = performance.now();
        const res = await fetch(`${tts.url}${path}?${query}`, { headers: { 'x-tts-access-token': shop.tokens.accessToken } });
        await res.json();
        return { status: res.status, ms: performance.now() - started };
      };
      const first = await call();
      expect(first.status).toBe(200);
      expect(first.ms).toBeGreaterThanOrEqual(115);
      const second = await call(); // within the same second: over qps 1
      expect(second.status).toBe(429);
      expect(second.ms).toBeLessThan(110);
    } finally {
      await tts.close();
    }
  });
});
