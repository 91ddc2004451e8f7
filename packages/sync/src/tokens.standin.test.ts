// TikTok tokens from the configuration against those in Redis: a restart with unchanged tokens
// keeps the refreshed ones, newly issued tokens (a re-authorization) replace them, and so do
// tokens a connect flow stores. Real Redis, the TikTok stand-in's auth host over HTTP.
import { exchangeAuthCode } from '@shoptok/tiktok';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { configuredStore, singleStoreEnv, type ConfiguredStore } from './settings.test-helpers.js';

const APP = { appKey: 'token-settings-app', appSecret: 'token-settings-secret-0123456789' };

describe('TikTok tokens from the configuration (real Redis, stand-in auth host)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  const running: ConfiguredStore[] = [];

  /** One process of the fleet starting with these configured tokens (a restart is another call). */
  async function start(prefix: string, shop: { cipher: string }, tokens: { accessToken: string; refreshToken: string }) {
    const env = singleStoreEnv(tts, { ...APP, cipher: shop.cipher, tokens }, shopify, prefix);
    const store = await configuredStore(env, redis.url);
    running.push(store);
    return store;
  }

  beforeAll(async () => {
    redis = await useTestRedis('token-settings');
    tts = await startTikTokStandIn({ auditDelayMs: 10, shops: [] });
    shopify = await startShopifyStandIn({ catalogue: { products: 1, seed: 3, locations: 1 } });
  });

  afterAll(async () => {
    for (const s of running) await s.close();
    await tts?.close();
    await shopify?.close();
    await redis?.cleanup();
  });

  it('after a revocation, the newly issued tokens set in the configuration work on the next start', async () => {
    const shop = tts.admin.addShop({ ...APP, region: 'GB' });
    const prefix = `${redis.prefix}-revoked`;
    const first = await start(prefix, shop, shop.tokens);
    expect(await first.svc.tiktok.getWarehouses()).toHaveLength(1);
    expect(tts.admin.refreshCount(shop.shopId)).toBe(1); // the configured access token has no known expiry

    // A restart with the same configuration keeps the refreshed tokens (no second refresh).
    const restarted = await start(prefix, shop, shop.tokens);
    expect(await restarted.svc.tiktok.getWarehouses()).toHaveLength(1);
    expect(tts.admin.refreshCount(shop.shopId)).toBe(1);

    tts.admin.revokeAuthorization(shop.shopId);
    await expect(restarted.svc.tiktok.getWarehouses()).rejects.toMatchObject({ name: 'TikTokAuthError' });

    // The seller authorizes again; the operator puts the new tokens in the configuration and restarts.
    const auth = { appKey: APP.appKey, appSecret: APP.appSecret, authBase: tts.authUrl };
    const issued = await exchangeAuthCode(auth, tts.admin.authorizeAgain(shop.shopId));
    const afterReauthorization = await start(prefix, shop, issued);
    expect(await afterReauthorization.svc.tiktok.getWarehouses()).toHaveLength(1);
    expect((await afterReauthorization.svc.tiktok.tokens.read())?.refreshToken).not.toBe(shop.tokens.refreshToken);
  });

  it('tokens a connect flow stores work at once, and a restart with the old configured tokens keeps them', async () => {
    const shop = tts.admin.addShop({ ...APP, region: 'GB' });
    const prefix = `${redis.prefix}-connect`;
    const running = await start(prefix, shop, shop.tokens);
    expect(await running.svc.tiktok.getWarehouses()).toHaveLength(1);

    tts.admin.revokeAuthorization(shop.shopId);
    const auth = { appKey: APP.appKey, appSecret: APP.appSecret, authBase: tts.authUrl };
    const issued = await exchangeAuthCode(auth, tts.admin.authorizeAgain(shop.shopId));
    await running.svc.tiktok.tokens.storeIssuedTokens(issued);
    expect(await running.svc.tiktok.getWarehouses()).toHaveLength(1);

    // The .env still holds the tokens of the revoked authorization: seen before, so they replace nothing.
    const restarted = await start(prefix, shop, shop.tokens);
    expect(await restarted.svc.tiktok.getWarehouses()).toHaveLength(1);
    expect((await restarted.svc.tiktok.tokens.read())?.accessToken).toBe(issued.accessToken);
  });
});
