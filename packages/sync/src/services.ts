import type { ShoptokConfig, StoreConfig } from '@shoptok/config';
import { childLogger, type Logger } from '@shoptok/logger';
import type { MetricsRecorder, QueueFactory, RedisConnection } from '@shoptok/queues';
import { requestTimingsForClaim, ShopifyClient } from '@shoptok/shopify';
import { StateStore } from '@shoptok/state';
import type { StoreRules } from '@shoptok/sync-core';
import { TikTokShopClient, type TikTokTokens } from '@shoptok/tiktok';
import type { StoreMode } from '@shoptok/state';
import type { AlertNotifier } from './alerts/notifier.js';
import type { PreviewTally } from './preview-tally.js';

/** Everything a handler needs for one store: its clients, state, rules and queues. */
export interface StoreServices {
  storeId: string;
  rules: StoreRules;
  /**
   * Whether this job writes nothing: DRY_RUN or the store's `dryRun` on the store's services;
   * on a job's services (see `withWriteDecision`) the whole decision, preview included.
   */
  dryRun: boolean;
  /** The mode the store starts in (config); `shoptok go-live` overrides it in Redis, read per job. */
  mode: StoreMode;
  /** Set on a job's services while the store is in preview: what the job would write is tallied here. */
  preview?: PreviewTally;
  batchSize: number;
  shopify: ShopifyClient;
  tiktok: TikTokShopClient;
  state: StateStore;
  queues: QueueFactory;
  logger: Logger;
  /** Operator alerts (ship-by, authorization); absent where nobody listens (inline runs, tests). */
  alerts?: AlertNotifier;
  /** The fleet's metrics writer (API calls are counted by the clients; the AI mapper reports here). */
  metrics?: MetricsRecorder;
  /** Closes what the services opened (not the shared Redis). */
  close(): void;
}

export interface CreateStoreServicesOptions {
  config: Pick<ShoptokConfig, 'queuePrefix' | 'tiktok' | 'shopify'>;
  store: StoreConfig;
  /** A `client` connection shared by the clients and the state store. */
  redis: RedisConnection;
  queues: QueueFactory;
  logger: Logger;
  now?: () => number;
  /** Counts every TikTok and Shopify call of the store (fire-and-forget). */
  metrics?: MetricsRecorder;
  alerts?: AlertNotifier;
}

/**
 * Tokens from the config fill an empty token store, and replace the stored ones when TikTok
 * issued them after anything the store has held (a re-authorization): a restart with unchanged
 * tokens never overwrites tokens another process refreshed. The access token is marked as
 * already due, so the first call refreshes it and learns its real expiry. Without a refresh
 * token the access token is used until TikTok refuses it (then: set a new one, or a refresh token).
 */
export function tokensFromConfig(store: StoreConfig, now = Date.now()): TikTokTokens | undefined {
  const { accessToken, refreshToken } = store.tiktok;
  if (!accessToken && !refreshToken) return undefined;
  if (!refreshToken)
    return {
      accessToken: accessToken ?? '',
      accessTokenExpiresAt: now + 7 * 86_400_000,
      refreshToken: '',
      refreshTokenExpiresAt: 0,
    };
  return { accessToken: accessToken ?? '', accessTokenExpiresAt: 0, refreshToken, refreshTokenExpiresAt: now + 365 * 86_400_000 };
}

/** A store whose TikTok shop cannot be identified: the operator must name its cipher. */
export class ShopCipherError extends Error {
  readonly retryable = false;
  constructor(storeId: string, shops: { name: string; cipher: string }[]) {
    super(
      shops.length === 0
        ? `store ${storeId}: the TikTok token is authorized for no shop; authorize the app for the shop again`
        : `store ${storeId}: the TikTok token is authorized for ${shops.length} shops (${shops.map((s) => `${s.name}: ${s.cipher}`).join(', ')}); set tiktok.shopCipher (or TIKTOK_SHOP_CIPHER) to the right one`,
    );
    this.name = 'ShopCipherError';
  }
}

/**
 * Builds one store's clients and state from the config (apps call this once per store). When
 * the config names no shop cipher, it is looked up (Get Authorized Shops) and must be unique.
 */
export async function createStoreServices(options: CreateStoreServicesOptions): Promise<StoreServices> {
  const { store } = options;
  if (store.tiktok.shopCipher) return buildServices(options, store.tiktok.shopCipher);
  const probe = buildServices(options, undefined);
  try {
    const shops = await probe.tiktok.getAuthorizedShops();
    if (shops.length !== 1) throw new ShopCipherError(store.id, shops);
    return buildServices(options, (shops[0] as { cipher: string }).cipher);
  } finally {
    probe.close();
  }
}

function buildServices(options: CreateStoreServicesOptions, shopCipher: string | undefined): StoreServices {
  const { config, store, redis, queues, metrics } = options;
  const logger = childLogger(options.logger, { store: store.id });
  const shopify = new ShopifyClient({
    storeDomain: store.shopify.domain,
    accessToken: store.shopify.accessToken,
    // The library wants the app secret even when this process verifies no webhook.
    apiSecretKey: store.shopify.apiSecret ?? 'no-webhook-secret-configured',
    redis,
    keyPrefix: config.queuePrefix,
    storeId: store.id,
    logger,
    endpoint: store.shopify.apiBase ?? config.shopify.apiBase,
    // A short claim (fast recovery after a crash mid-create) shortens each call to fit inside it.
    orderClaimTtlMs: config.shopify.orderClaimTtlMs,
    ...requestTimingsForClaim(config.shopify.orderClaimTtlMs),
    onApiCall: metrics ? (call) => metrics.apiCall(store.id, call) : undefined,
  });
  const tiktok = new TikTokShopClient({
    appKey: store.tiktok.appKey,
    appSecret: store.tiktok.appSecret,
    apiBase: config.tiktok.apiBase,
    authBase: config.tiktok.authBase,
    shopCipher,
    storeId: store.id,
    redis,
    keyPrefix: config.queuePrefix,
    tokens: tokensFromConfig(store, options.now?.()),
    logger,
    now: options.now,
    onApiCall: metrics ? (call) => metrics.apiCall(store.id, call) : undefined,
  });
  return {
    storeId: store.id,
    rules: store.rules,
    dryRun: store.dryRun,
    mode: store.mode,
    batchSize: store.batchSize,
    shopify,
    tiktok,
    state: new StateStore(redis, config.queuePrefix, store.id),
    queues,
    logger,
    alerts: options.alerts,
    metrics,
    close: () => shopify.close(),
  };
}
