import { randomBytes } from 'node:crypto';
import type { ShoptokConfig, StoreConfig } from '@shoptok/config';
import { tiktokConnectKeys, tiktokKeyBase, tiktokKeys } from '@shoptok/keys';
import type { Logger } from '@shoptok/logger';
import type { RedisConnection } from '@shoptok/queues';
import {
  exchangeAuthCode,
  getAuthorizedShopsWithToken,
  TikTokError,
  TikTokTokenStore,
  type TikTokShop,
  type TikTokTokens,
} from '@shoptok/tiktok';
import { z } from 'zod';

/** The authorization code and the `state` both live 30 minutes (API-FACTS §2). */
export const TIKTOK_CONNECT_TTL_MS = 30 * 60_000;

const pendingSchema = z.object({
  store: z.string(),
  region: z.string().optional(),
  startedAt: z.number(),
});
export type PendingTikTokConnection = z.infer<typeof pendingSchema>;

const connectedShopSchema = z.object({ id: z.string(), name: z.string(), region: z.string(), cipher: z.string() });
export type ConnectedTikTokShop = z.infer<typeof connectedShopSchema>;

const resultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), store: z.string(), shop: connectedShopSchema, message: z.string() }),
  z.object({
    ok: z.literal(false),
    store: z.string(),
    reason: z.enum(['denied', 'code-refused', 'wrong-region', 'no-shop', 'error']),
    message: z.string(),
  }),
]);
export type TikTokConnectResult = z.infer<typeof resultSchema>;

/**
 * Pending TikTok authorizations in Redis: a random `state` per link (30 minutes), its outcome
 * for the waiting CLI, and a count of callbacks whose state matched nothing (so the CLI can
 * say that someone used an old or foreign link instead of waiting silently).
 */
export class TikTokConnections {
  private readonly keys: ReturnType<typeof tiktokConnectKeys>;
  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly ttlMs = TIKTOK_CONNECT_TTL_MS,
  ) {
    this.keys = tiktokConnectKeys(prefix);
  }

  /** A fresh unguessable state for one authorization link of `store`. */
  async begin(store: string, region: string | undefined, now = Date.now()): Promise<string> {
    const state = randomBytes(24).toString('base64url');
    const pending: PendingTikTokConnection = { store, ...(region ? { region } : {}), startedAt: now };
    await this.redis.set(this.keys.state(state), JSON.stringify(pending), 'PX', this.ttlMs);
    return state;
  }

  /** Takes the state once (GETDEL): a second callback with the same state finds nothing. */
  async take(state: string): Promise<PendingTikTokConnection | undefined> {
    if (!/^[\w-]{16,64}$/.test(state)) return undefined;
    const raw = await this.redis.getdel(this.keys.state(state));
    if (raw === null) return undefined;
    const parsed = pendingSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async finish(state: string, result: TikTokConnectResult): Promise<void> {
    await this.redis.set(this.keys.result(state), JSON.stringify(result), 'PX', this.ttlMs);
  }

  async result(state: string): Promise<TikTokConnectResult | undefined> {
    const raw = await this.redis.get(this.keys.result(state));
    if (raw === null) return undefined;
    const parsed = resultSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  /** Notes a callback whose state was unknown, expired or already used. */
  async noteStray(now = Date.now()): Promise<void> {
    const key = this.keys.stray;
    await this.redis.lpush(key, String(now));
    await this.redis.ltrim(key, 0, 99);
    await this.redis.pexpire(key, this.ttlMs);
  }

  /** How many callbacks with an unknown state arrived at or after `since`. */
  async straysSince(since: number): Promise<number> {
    const times = await this.redis.lrange(this.keys.stray, 0, 99);
    return times.filter((t) => Number(t) >= since).length;
  }
}

/**
 * The seller authorization link (API-FACTS §2, the app-key form on the auth host:
 * `/oauth/authorize?app_key=&state=`). TikTok sends the seller back to the redirect URL
 * registered for the app in Partner Center: `<webhooks service>/auth/tiktok/callback`.
 */
export function tiktokAuthorizeLink(authBase: string, appKey: string, state: string): string {
  return `${authBase}/oauth/authorize?${new URLSearchParams({ app_key: appKey, state }).toString()}`;
}

/** Where the shop's identity (as last connected) is kept, next to its tokens. */
function connectedShopKey(prefix: string, storeId: string): string {
  return tiktokKeys(prefix, storeId).connectedShop;
}

/** The TikTok shop a store was last connected to through the authorization flow, if any. */
export async function readConnectedTikTokShop(
  redis: RedisConnection,
  prefix: string,
  storeId: string,
): Promise<(ConnectedTikTokShop & { connectedAt: number }) | undefined> {
  const raw = await redis.hgetall(connectedShopKey(prefix, storeId));
  const parsed = connectedShopSchema.extend({ connectedAt: z.coerce.number() }).safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** What the callback page says: an HTTP status, a title and one paragraph, plus the outcome. */
export interface TikTokCallbackOutcome {
  status: number;
  title: string;
  message: string;
  result?: TikTokConnectResult;
}

export interface TikTokCallbackOptions {
  config: Pick<ShoptokConfig, 'queuePrefix' | 'tiktok' | 'stores'>;
  connections: TikTokConnections;
  /** A `client` connection (tokens, pacing). */
  redis: RedisConnection;
  logger: Logger;
  now?: () => number;
}

/** The one shop of the authorization to connect, or why none fits. */
function chooseShop(
  store: StoreConfig,
  shops: TikTokShop[],
  region: string | undefined,
): { shop: TikTokShop } | { reason: 'wrong-region' | 'no-shop'; message: string } {
  const names = shops.map((s) => `${s.name} (${s.region})`).join(', ');
  if (store.tiktok.shopCipher) {
    const shop = shops.find((s) => s.cipher === store.tiktok.shopCipher);
    if (!shop)
      return {
        reason: 'no-shop',
        message: `The seller authorized ${names || 'no shop'}, not the shop whose cipher store ${store.id} names (tiktok.shopCipher).`,
      };
    if (region && shop.region.toUpperCase() !== region)
      return {
        reason: 'wrong-region',
        message: `${shop.name} is a ${shop.region} shop; store ${store.id} is configured for ${region}.`,
      };
    return { shop };
  }
  const inRegion = region ? shops.filter((s) => s.region.toUpperCase() === region) : shops;
  if (inRegion.length === 1) return { shop: inRegion[0] as TikTokShop };
  if (shops.length === 0) return { reason: 'no-shop', message: 'The authorization covers no shop.' };
  if (inRegion.length === 0)
    return {
      reason: 'wrong-region',
      message: `The seller authorized ${names}; store ${store.id} is configured for ${region}. Authorize with the ${region} shop's seller account.`,
    };
  return {
    reason: 'no-shop',
    message: `The authorization covers several shops (${inRegion.map((s) => `${s.name}: ${s.cipher}`).join(', ')}); set tiktok.shopCipher of store ${store.id} to the right one and connect again.`,
  };
}

/**
 * TikTok's redirect after the seller's decision (`/auth/tiktok/callback?code=&state=`, or
 * `code=null&error=auth_denied`). The state is taken once; the single-use code is exchanged
 * (`/api/v2/token/get`); the authorized shops say which shop and region the tokens are for;
 * only when that shop fits the store are the tokens stored where the token store keeps them.
 * Every refusal stores nothing and is both shown on the page and handed to the waiting CLI.
 */
export async function completeTikTokConnection(
  query: Record<string, string | undefined>,
  options: TikTokCallbackOptions,
): Promise<TikTokCallbackOutcome> {
  const { config, connections, logger } = options;
  const now = options.now ?? Date.now;
  const state = query.state ?? '';
  const pending = state ? await connections.take(state) : undefined;
  if (!pending) {
    await connections.noteStray(now());
    logger.warn(
      { denied: query.error === 'auth_denied' },
      'tiktok authorization callback with an unknown, expired or used state',
    );
    return {
      status: 400,
      title: 'This authorization link is not valid any more',
      message:
        'The link was already used, is older than 30 minutes, or was not made by shoptok. Nothing was stored. Run "shoptok connect tiktok --store <store>" again and open the new link.',
    };
  }
  const store = config.stores.find((s) => s.id === pending.store);
  const fail = async (
    status: number,
    title: string,
    reason: Exclude<TikTokConnectResult, { ok: true }>['reason'],
    message: string,
  ): Promise<TikTokCallbackOutcome> => {
    const result: TikTokConnectResult = { ok: false, store: pending.store, reason, message: `${title}. ${message}` };
    await connections.finish(state, result);
    logger.warn({ store: pending.store, reason }, 'tiktok authorization not completed');
    return { status, title, message, result };
  };
  if (!store) return fail(400, 'Unknown store', 'error', `Store ${pending.store} is not in the configuration any more.`);
  if (query.error) {
    return fail(
      400,
      'The seller did not authorize the app',
      'denied',
      `TikTok says "${query.error.slice(0, 100)}". Nothing was stored; run the connect command again when the seller is ready to authorize.`,
    );
  }
  const code = query.code ?? '';
  if (!code || code === 'null')
    return fail(400, 'TikTok sent no authorization code', 'error', 'Nothing was stored; run the connect command again.');

  const auth = { appKey: store.tiktok.appKey, appSecret: store.tiktok.appSecret, authBase: config.tiktok.authBase };
  let tokens: TikTokTokens;
  try {
    tokens = await exchangeAuthCode(auth, code);
  } catch (err) {
    if (err instanceof TikTokError && err.code === 36004005)
      return fail(
        400,
        'This authorization code was already used or has expired',
        'code-refused',
        'An authorization code works once and for 30 minutes. Nothing was stored; run the connect command again and open the new link.',
      );
    return fail(502, 'TikTok did not issue tokens', 'error', `${(err as Error).message} Nothing was stored.`);
  }
  let shops: TikTokShop[];
  try {
    shops = await getAuthorizedShopsWithToken(
      {
        appKey: store.tiktok.appKey,
        appSecret: store.tiktok.appSecret,
        apiBase: config.tiktok.apiBase,
        redis: options.redis,
        keyPrefix: config.queuePrefix,
        storeId: store.id,
        logger,
      },
      tokens.accessToken,
    );
  } catch (err) {
    return fail(502, 'TikTok did not list the authorized shops', 'error', `${(err as Error).message} Nothing was stored.`);
  }
  const chosen = chooseShop(store, shops, pending.region);
  if (!('shop' in chosen)) {
    const title = chosen.reason === 'wrong-region' ? 'This shop is in another market' : 'No shop to connect';
    return fail(400, title, chosen.reason, `${chosen.message} Nothing was stored.`);
  }
  const shop = { id: chosen.shop.id, name: chosen.shop.name, region: chosen.shop.region, cipher: chosen.shop.cipher };
  const tokenStore = new TikTokTokenStore({
    ...auth,
    redis: options.redis,
    keyBase: tiktokKeyBase(config.queuePrefix, store.id),
  });
  await tokenStore.storeIssuedTokens(tokens);
  await options.redis.hset(connectedShopKey(config.queuePrefix, store.id), { ...shop, connectedAt: String(now()) });
  const message = `${shop.name} (${shop.region}) is connected to store ${store.id}`;
  const result: TikTokConnectResult = { ok: true, store: store.id, shop, message };
  await connections.finish(state, result);
  logger.info({ store: store.id, shopId: shop.id, region: shop.region }, 'tiktok shop connected');
  return {
    status: 200,
    title: message,
    message: `You can close this page. shoptok keeps the shop's tokens and renews them itself.`,
    result,
  };
}
