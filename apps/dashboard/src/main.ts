import { EXIT_CONFIG, loadConfigOrExit, mergeDotEnv, secretValuesOf } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, ShutdownRegistry, waitForRedis } from '@shoptok/queues';
import { liveCategoryLeafCheck, merchantFixes } from '@shoptok/sync/merchant-fixes';
import { startDashboard } from './app.js';
import { credentialsProblem } from './startup.js';

/**
 * The dashboard: Bull Board, the per-store overview, /metrics and /healthz on
 * DASHBOARD_HOST:DASHBOARD_PORT. Reads the environment once, here.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit({ env: mergeDotEnv(process.env, process.cwd()) });
  const logger = createLogger({
    level: config.log.level,
    file: config.log.file,
    rotation: { maxBytes: config.log.maxBytes, maxFiles: config.log.maxFiles },
    secretValues: secretValuesOf(config),
    base: { app: 'dashboard' },
  });

  // The config refuses this already; checked again because an open Bull Board can retry, clean
  // and obliterate every queue of every store.
  const problem = credentialsProblem(config.dashboard);
  if (problem) {
    logger.fatal(problem);
    process.stderr.write(`${problem}\n`);
    process.exit(EXIT_CONFIG);
  }
  const { username, password } = config.dashboard;
  const credentials = username && password ? { username, password } : undefined;
  if (!credentials)
    logger.warn({ host: config.dashboard.host }, 'dashboard without authentication: reachable from this machine only');

  const shutdown = new ShutdownRegistry({ logger });
  shutdown.listen();
  const redis = createRedisConnection({ url: config.redisUrl, role: 'producer', name: 'shoptok:dashboard' });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  shutdown.add('connections', 'redis', () => redis.quit());
  await waitForRedis(redis, 30_000);
  const queues = new QueueFactory({ connection: redis, prefix: config.queuePrefix, retry: config.retry });
  shutdown.add('workers', 'queues', () => queues.close());

  const dashboard = await startDashboard({
    redis,
    queues,
    prefix: config.queuePrefix,
    stores: config.stores.map((s) => ({
      id: s.id,
      name: s.name,
      enabled: s.enabled,
      dryRun: s.dryRun,
      mode: s.mode,
      shopifyDomain: s.shopify.domain,
      ...(s.tiktok.region ? { region: s.tiktok.region } : {}),
    })),
    // A pin is checked against the shop's live TikTok tree, as `shoptok map pin` checks it.
    fixes: merchantFixes(redis, config.queuePrefix, {
      checkLeaf: liveCategoryLeafCheck({ config, stores: config.stores, redis, queues, logger }),
    }),
    credentials,
    publicUrl: config.dashboard.publicUrl,
    logger,
    host: config.dashboard.host,
    port: config.dashboard.port,
  });
  shutdown.add('intake', 'http server', () => dashboard.close());
  logger.info(
    {
      url: config.dashboard.publicUrl ?? dashboard.url,
      auth: credentials ? 'basic' : 'none (loopback)',
      stores: config.stores.length,
    },
    'dashboard listening: / overview, /queues Bull Board, /metrics, /healthz',
  );
}

void main().catch((err: unknown) => {
  process.stderr.write(`dashboard failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
