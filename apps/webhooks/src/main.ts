import { createRedisConnection, QueueFactory, redisHealthCheck, startHealthServer, waitForRedis } from '@shoptok/queues';
import {
  alertNotifierFromConfig,
  bootApp,
  completeTikTokConnection,
  createStoreServices,
  TikTokConnections,
} from '@shoptok/sync';
import { startWebhookServer } from './app.js';
import { StoreDirectory, type ShopLookup } from './directory.js';

/**
 * The webhook intake: Shopify and TikTok Shop deliveries in, one targeted job out. Listens on
 * WEBHOOKS_PORT (default 8090) with /healthz there too; HEALTH_PORT, when set to another port,
 * also answers /healthz alone (a probe port that is not public).
 */
const { config, logger, shutdown } = bootApp('webhooks', process.env, process.cwd());
const port = config.webhooksPort;

// A producer connection fails fast while Redis is away, so a delivery is answered 503 in time
// (TikTok waits 3 s) and retried, instead of hanging on a queued command.
const redis = createRedisConnection({ url: config.redisUrl, role: 'producer', name: 'shoptok:webhooks' });
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
shutdown.add('connections', 'redis', () => redis.quit());
// The clients keep tokens and pacing in Redis; they get their own, patient connection.
const clientRedis = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:webhooks-clients' });
clientRedis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
shutdown.add('connections', 'client redis', () => clientRedis.quit());
await waitForRedis(redis, 30_000);
const queues = new QueueFactory({ connection: redis, prefix: config.queuePrefix, retry: config.retry });
shutdown.add('workers', 'queues', () => queues.close());

// shop_id -> store: each store's TikTok client lists its authorized shops once.
const lookup: ShopLookup = async (store) => {
  const svc = await createStoreServices({ config, store, redis: clientRedis, queues, logger });
  try {
    return (await svc.tiktok.getAuthorizedShops()).map((s) => ({ id: s.id, cipher: s.cipher }));
  } finally {
    svc.close();
  }
};
const directory = new StoreDirectory(config.stores);
// TikTok's authorization notices (types 7 and 6) reach the operator's alert webhook once.
const alerts = alertNotifierFromConfig(config, clientRedis, logger);
shutdown.add('flush', 'alerts', () => alerts.close());
// The redirect URL of the TikTok app (Partner Center): finishes `shoptok connect tiktok`.
const connections = new TikTokConnections(clientRedis, config.queuePrefix);
const tiktokCallback = (query: Record<string, string | undefined>) =>
  completeTikTokConnection(query, { config, connections, redis: clientRedis, logger });
const server = await startWebhookServer({
  directory,
  redis,
  queues,
  prefix: config.queuePrefix,
  logger,
  port,
  lookup,
  alerts,
  tiktokCallback,
});
shutdown.add('intake', 'http server', () => server.close());
if (config.healthPort > 0 && config.healthPort !== port) {
  const health = await startHealthServer({ port: config.healthPort, checks: { redis: redisHealthCheck(redis) } });
  shutdown.add('intake', 'health server', () => health.close());
}
logger.info(
  { port: server.port, stores: config.stores.filter((s) => s.enabled).map((s) => s.id) },
  'webhooks listening: POST /webhooks/shopify, POST /webhooks/tiktok, GET /auth/tiktok/callback, GET /healthz',
);

// Resolved after listening: a slow TikTok must not hold up Shopify deliveries. Until then an
// event is taken by app key (one store per app) or answered 503 so TikTok retries.
void directory.resolveTikTokShops(lookup).then((problems) => {
  for (const p of problems)
    logger.warn(p, 'TikTok shop of this store unknown: its TikTok webhooks are taken only if it is the only store of its app');
});
