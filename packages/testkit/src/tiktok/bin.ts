/**
 * Runs the TikTok Shop stand-in as its own process (for the demo), from the build:
 *   node packages/testkit/dist/tiktok/bin.js
 * Drive it over HTTP under `/__admin` (shops, products, orders, faults, counters).
 * Env: TIKTOK_STANDIN_PORT (default 0 = free port), TIKTOK_STANDIN_APP_KEY/_APP_SECRET (a shop is
 * seeded with them), TIKTOK_STANDIN_WEBHOOK_URL. Prints one JSON line with the urls, cipher and
 * tokens, then serves until SIGINT/SIGTERM.
 */
import { startTikTokStandIn } from './server.js';

const appKey = process.env.TIKTOK_STANDIN_APP_KEY ?? 'standin-app';
const appSecret = process.env.TIKTOK_STANDIN_APP_SECRET ?? 'standin-secret';
const standIn = await startTikTokStandIn({
  port: Number(process.env.TIKTOK_STANDIN_PORT ?? 0),
  webhookUrl: process.env.TIKTOK_STANDIN_WEBHOOK_URL || undefined,
  shops: [{ appKey, appSecret, name: 'Demo Shop' }],
});
const shop = standIn.shops[0]!;
console.log(
  JSON.stringify({
    url: standIn.url,
    authUrl: standIn.authUrl,
    appKey,
    shopId: shop.shopId,
    cipher: shop.cipher,
    tokens: shop.tokens,
  }),
);
const stop = () => {
  void standIn.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
