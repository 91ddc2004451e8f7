import { type Harness, startHarness } from './standin.test-helpers.js';
import { TikTokAuthError, TikTokRateLimitError, TikTokTransientError } from './index.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('tt-errors');
});
afterAll(async () => {
  await h.close();
});
afterEach(() => h.tts.faults.clear());

const WAREHOUSES = 'GET /logistics/202309/warehouses';

describe('error handling against the stand-in', () => {
  it('turns a 429 into a rate-limit error with a wait and the request id, and holds the fleet off that API', async () => {
    const client = h.client();
    h.tts.faults.inject({ shop: h.shop.shopId, kind: 'rate-limit', api: WAREHOUSES });
    const error = await client.getWarehouses().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TikTokRateLimitError);
    expect(error).toMatchObject({
      name: 'TikTokRateLimitError',
      retryable: true,
      code: 36009002,
      httpStatus: 429,
      requestId: expect.any(String),
    });
    expect((error as TikTokRateLimitError).retryAfterMs).toBeGreaterThanOrEqual(1_000);
    // Another process calling the same API now waits out the block instead of earning another 429.
    const started = Date.now();
    await h.client().getWarehouses();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(h.tts.counters.total({ api: WAREHOUSES }).rateLimited).toBe(1);
  });

  it('retries 5xx and malformed JSON with backoff, then succeeds', async () => {
    const client = h.client();
    const api = 'GET /product/202309/brands';
    h.tts.faults.inject({ shop: h.shop.cipher, kind: 'server-error', api });
    h.tts.faults.inject({ shop: h.shop.cipher, kind: 'malformed-json', api });
    const page = await client.getBrands({ pageSize: 2 });
    expect(page.brands).toHaveLength(2);
    expect(h.tts.counters.total({ api })).toMatchObject({ requests: 3, ok: 1, errors: 2 });
  });

  it('retries a body without the envelope (a gateway in between) like a 5xx, then succeeds', async () => {
    const client = h.client();
    const api = 'GET /product/202309/brands';
    const before = h.tts.counters.total({ api });
    h.tts.faults.inject({ shop: h.shop.cipher, kind: 'wrong-envelope', api, times: 2 });
    const page = await client.getBrands({ pageSize: 2 });
    expect(page.brands).toHaveLength(2);
    const after = h.tts.counters.total({ api });
    expect({
      requests: after.requests - before.requests,
      ok: after.ok - before.ok,
      errors: after.errors - before.errors,
    }).toEqual({ requests: 3, ok: 1, errors: 2 });
    h.tts.faults.inject({ shop: h.shop.cipher, kind: 'wrong-envelope', api, times: 3 });
    await expect(client.getBrands({ pageSize: 2 })).rejects.toMatchObject({
      name: 'TikTokTransientError',
      retryable: true,
      message: expect.stringContaining('without the {code, message, request_id, data} envelope'),
    });
  });

  it('gives up on a timing-out idempotent call after its attempts, with a transient error', async () => {
    const client = h.client({ timeouts: { requestMs: 200 }, maxAttempts: 2 });
    const api = 'GET /event/202309/webhooks';
    h.tts.faults.inject({ kind: 'timeout', api, times: 2 });
    await expect(client.getWebhooks()).rejects.toMatchObject({ name: 'TikTokTransientError', retryable: true });
    expect(h.tts.counters.total({ api }).requests).toBe(2);
  });

  it('does not resend a non-idempotent call after a 5xx', async () => {
    const client = h.client();
    const api = 'POST /fulfillment/202309/orders/{order_id}/packages';
    h.tts.faults.inject({ kind: 'server-error', api, times: 3 });
    await expect(
      client.markPackageShipped('5700000000000000001', { trackingNumber: 'RM1', shippingProviderId: '1' }),
    ).rejects.toBeInstanceOf(TikTokTransientError);
    expect(h.tts.counters.total({ api }).requests).toBe(1);
  });

  it('names the setting to fix on auth and config errors, without leaking the secret', async () => {
    const wrongSecret = 'wrong-secret-value-123456';
    const badSign = await h
      .client({ appSecret: wrongSecret })
      .getAuthorizedShops()
      .catch((e: unknown) => e);
    expect(badSign).toBeInstanceOf(TikTokAuthError);
    expect(badSign).toMatchObject({
      code: 106001,
      retryable: false,
      httpStatus: 401,
      setting: expect.stringContaining('appSecret'),
    });
    expect((badSign as Error).message).not.toContain(wrongSecret);

    await expect(h.client({ shopCipher: 'ROW_not-this-shop' }).getWarehouses()).rejects.toMatchObject({
      name: 'TikTokAuthError',
      code: 101000,
    });
    await expect(h.client({ shopCipher: undefined }).getWarehouses()).rejects.toMatchObject({
      name: 'TikTokAuthError',
      setting: 'shopCipher',
    });
    await expect(h.client({ appKey: 'unknown-app' }).getWarehouses()).rejects.toMatchObject({
      name: 'TikTokAuthError',
      code: 36009004,
    });
  });
});
