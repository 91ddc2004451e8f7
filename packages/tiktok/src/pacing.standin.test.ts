import { type Harness, startHarness } from './standin.test-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('tt-pacing');
});
afterAll(async () => {
  await h.close();
});

const API = 'GET /logistics/202309/warehouses';

describe('fleet-wide pacing', () => {
  it('keeps five concurrent clients on one shop at full speed under the 50 QPS limit: 0 x 429', async () => {
    const clients = Array.from({ length: 5 }, () => h.client());
    const results = await Promise.allSettled(clients.flatMap((c) => Array.from({ length: 40 }, () => c.getWarehouses())));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(h.tts.counters.total({ api: API })).toMatchObject({ requests: 200, ok: 200, rateLimited: 0 });
  });

  it('control: without shared pacing the same burst does earn 429s', async () => {
    h.tts.counters.reset();
    // A qps far above TikTok's limit turns the pacer into a no-op: the stand-in must throttle.
    const clients = Array.from({ length: 5 }, () => h.client({ qps: 100_000, storeId: 'unpaced' }));
    const results = await Promise.allSettled(clients.flatMap((c) => Array.from({ length: 20 }, () => c.getBrands({ pageSize: 1 }))));
    expect(h.tts.counters.total({ api: 'GET /product/202309/brands' }).rateLimited).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'rejected' && (r.reason as Error).name === 'TikTokRateLimitError')).toBe(true);
  });
});
