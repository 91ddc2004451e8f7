import { parseArgs } from 'node:util';
import type { ShoptokConfig } from '@shoptok/config';
import { createRedisConnection, waitForRedis } from '@shoptok/queues';
import { TIKTOK_CONNECT_TTL_MS, tiktokAuthorizeLink, TikTokConnections } from '@shoptok/sync';
import { commandConfig } from '../env.js';
import type { CommandIO } from './enqueue.js';
import { runConnectShopify } from './connect-shopify.js';

const USAGE = `shoptok connect tiktok --store S [--region GB] [--wait-seconds N]
shoptok connect shopify --store S

connect tiktok: prints the link the seller opens to authorize shoptok for the store's TikTok
shop, then waits (up to 30 minutes, the life of the link) until TikTok sends the seller back to
the webhook service's /auth/tiktok/callback. The tokens are kept in Redis and renewed by
shoptok; run it again to renew an authorization that is about to end.

connect shopify: checks the custom app's token and scopes, reads the shop's currency and
locations and the TikTok shop's warehouses, and prints a rules.inventory.warehouses block.
`;

/** `shoptok connect tiktok|shopify --store S`: bringing a brand's shops on board. */
export async function runConnectCommand(argv: string[], io: CommandIO, signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { store: { type: 'string' }, region: { type: 'string' }, 'wait-seconds': { type: 'string' } },
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
  const platform = positionals[0];
  if ((platform !== 'tiktok' && platform !== 'shopify') || !values.store) {
    io.stderr.write(USAGE);
    return 64;
  }
  const config = commandConfig(io, 'warn');
  if (!config) return 78;
  const store = config.stores.find((s) => s.id === values.store);
  if (!store) {
    io.stderr.write(`no store "${values.store}" in the configuration (stores: ${config.stores.map((s) => s.id).join(', ')})\n`);
    return 64;
  }
  if (platform === 'shopify') return runConnectShopify(config, store.id, io);
  const region = (values.region ?? store.tiktok.region)?.toUpperCase();
  if (region !== undefined && !/^[A-Z]{2}$/.test(region)) {
    io.stderr.write(`--region must be a two-letter market code such as GB or US, not "${values.region}"\n`);
    return 64;
  }
  const waitMs = values['wait-seconds'] !== undefined ? Number(values['wait-seconds']) * 1000 : TIKTOK_CONNECT_TTL_MS;
  if (!Number.isFinite(waitMs) || waitMs <= 0 || waitMs > TIKTOK_CONNECT_TTL_MS) {
    io.stderr.write('--wait-seconds must be a number of seconds between 1 and 1800 (the link lives 30 minutes)\n');
    return 64;
  }
  return connectTikTok(config, store.id, region, waitMs, io, signal);
}

async function connectTikTok(
  config: ShoptokConfig,
  storeId: string,
  region: string | undefined,
  waitMs: number,
  io: CommandIO,
  signal: AbortSignal | undefined,
): Promise<number> {
  const store = config.stores.find((s) => s.id === storeId)!;
  const redis = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:connect' });
  redis.on('error', () => undefined); // waitForRedis reports it
  try {
    await waitForRedis(redis, 10_000);
    const connections = new TikTokConnections(redis, config.queuePrefix);
    const startedAt = Date.now();
    const state = await connections.begin(storeId, region, startedAt);
    const link = tiktokAuthorizeLink(config.tiktok.authBase, store.tiktok.appKey, state);
    io.stdout.write(
      `Open this link as the seller of the TikTok shop${region ? ` (${region})` : ''} for store ${storeId} and authorize shoptok:\n\n  ${link}\n\n` +
        `TikTok then sends the seller to the redirect URL of the app in Partner Center, which must be the webhook service's\n` +
        `https://<your webhooks host>/auth/tiktok/callback. The link works for 30 minutes. Waiting for the authorization...\n`,
    );
    const deadline = startedAt + waitMs;
    let straysSeen = 0;
    while (Date.now() < deadline) {
      if (signal?.aborted) {
        io.stderr.write('stopped before the seller authorized the shop; nothing was stored\n');
        return 130;
      }
      const result = await connections.result(state);
      if (result?.ok) {
        io.stdout.write(`${result.message}.\n`);
        if (!store.tiktok.shopCipher)
          io.stdout.write(`Its shop cipher is ${result.shop.cipher} (optional in the stores file: tiktok.shopCipher).\n`);
        return 0;
      }
      if (result) {
        io.stderr.write(`${result.message}\n`);
        return result.reason === 'error' ? 1 : 65;
      }
      const strays = await connections.straysSince(startedAt);
      if (strays > straysSeen) {
        straysSeen = strays;
        io.stderr.write(
          "a callback arrived with a state that is not this link's (an old or reused link, or not from shoptok): refused, nothing stored; still waiting for this link\n",
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    io.stderr.write(
      `no authorization came back within ${Math.round(waitMs / 1000)} s; nothing was stored. Check that the app's redirect URL is <webhooks host>/auth/tiktok/callback and run the command again.\n`,
    );
    return 75;
  } finally {
    redis.disconnect();
  }
}
