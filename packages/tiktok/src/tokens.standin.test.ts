import { waitUntil } from '@shoptok/testkit';
import { type Harness, startHarness } from './standin.test-helpers.js';
import { TikTokTokenStore } from './index.js';

let h: Harness;
beforeAll(async () => {
  // Access tokens live 2 s so a test can cross a real expiry.
  h = await startHarness('tt-tokens', { shopSeed: { accessTokenTtlSec: 2 } });
});
afterAll(async () => {
  await h.close();
});

const tokensKey = () => `${h.redis.prefix}:{store-1}:tiktok:tokens`;

describe('tokens', () => {
  it('refreshes once across an expiry when two processes call at the same time', async () => {
    const a = h.client({ refreshAheadMs: 500 });
    const b = h.client({ refreshAheadMs: 500 });
    await a.getWarehouses();
    const seeded = await h.redis.client.hget(tokensKey(), 'accessToken');
    expect(seeded).toBe(h.shop.tokens.accessToken);
    // Cross into the refresh window (expiry in 2 s, refresh 0.5 s ahead).
    await waitUntil(() => Date.now() > h.shop.tokens.accessTokenExpiresAt - 400, {
      timeoutMs: 5_000,
      what: 'the refresh window',
    });
    await Promise.all([a.getWarehouses(), b.getWarehouses(), a.getBrands({ pageSize: 1 }), b.getBrands({ pageSize: 1 })]);
    expect(h.tts.admin.refreshCount(h.shop.shopId)).toBe(1);
    expect(a.tokens.refreshCount + b.tokens.refreshCount).toBe(1);
    const current = await h.redis.client.hget(tokensKey(), 'accessToken');
    expect(current).not.toBe(seeded);
  });

  it('refreshes once and retries once when TikTok says the token expired (105002)', async () => {
    const before = h.tts.admin.refreshCount(h.shop.shopId);
    const a = h.client({ refreshAheadMs: 0 });
    const b = h.client({ refreshAheadMs: 0 });
    await a.getWarehouses(); // make sure the stored token is valid first
    h.tts.admin.expireAccessTokens(h.shop.shopId); // the server's view changes, our stored expiry does not
    const results = await Promise.all([a.getWarehouses(), b.getWarehouses()]);
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(h.tts.admin.refreshCount(h.shop.shopId) - before).toBe(1);
  });

  it('keeps the stored tokens when seeded again with ones it has seen, and refuses a dead refresh token in plain words', async () => {
    const store = new TikTokTokenStore({
      appKey: h.appKey,
      appSecret: h.appSecret,
      authBase: h.tts.authUrl,
      redis: h.redis.client,
      keyBase: `${h.redis.prefix}:{store-2}:tiktok`,
    });
    const now = Date.now();
    const configured = {
      accessToken: 'a1',
      accessTokenExpiresAt: now + 60_000,
      refreshToken: 'r',
      refreshTokenExpiresAt: now - 1,
    };
    expect(await store.seed(configured)).toBe(true);
    // Another process stored newer tokens; a restart with the configured ones (seen before) keeps them.
    await store.storeIssuedTokens({ ...configured, accessToken: 'a2', accessTokenExpiresAt: now + 30_000 });
    expect(await store.seed({ ...configured, accessTokenExpiresAt: now + 120_000 })).toBe(false);
    expect((await store.read())?.accessToken).toBe('a2');
    // Tokens never seen (a new authorization) replace them, whatever their expiry says.
    expect(await store.seed({ ...configured, accessToken: 'a3', accessTokenExpiresAt: 0 })).toBe(true);
    expect((await store.read())?.accessToken).toBe('a3');
    await expect(store.refresh('a3')).rejects.toMatchObject({
      name: 'TikTokAuthError',
      retryable: false,
      message: expect.stringContaining('authorize'),
    });
  });

  it('seeds the configured tokens again when Redis lost them; a refresh token TikTok rotated since fails naming re-authorization', async () => {
    const shop = h.tts.admin.addShop({ appKey: h.appKey, appSecret: h.appSecret });
    const client = h.client({ storeId: 'store-3', shopCipher: shop.cipher, tokens: shop.tokens });
    const key = `${h.redis.prefix}:{store-3}:tiktok:tokens`;
    expect(await client.getWarehouses()).toHaveLength(1);
    await h.redis.client.del(key); // Redis restarted without persistence
    expect(await client.getWarehouses()).toHaveLength(1);
    expect(await h.redis.client.hget(key, 'accessToken')).toBe(shop.tokens.accessToken);

    // TikTok expires the token: one refresh, which rotates the refresh token away from the configured one.
    h.tts.admin.expireAccessTokens(shop.shopId);
    expect(await client.getWarehouses()).toHaveLength(1);
    expect(h.tts.admin.refreshCount(shop.shopId)).toBe(1);
    await h.redis.client.del(key);
    await expect(client.getWarehouses()).rejects.toMatchObject({
      name: 'TikTokAuthError',
      retryable: false,
      code: 36004005,
      message: expect.stringContaining('re-authorize the shop'),
    });
  });

  it('exchanges an authorization code once on the auth host', async () => {
    const { exchangeAuthCode } = await import('./index.js');
    const auth = { appKey: h.appKey, appSecret: h.appSecret, authBase: h.tts.authUrl };
    const tokens = await exchangeAuthCode(auth, h.shop.authCode);
    expect(tokens.accessTokenExpiresAt).toBeGreaterThan(Date.now());
    await expect(exchangeAuthCode(auth, h.shop.authCode)).rejects.toMatchObject({ name: 'TikTokAuthError', code: 36004005 });
  });
});
