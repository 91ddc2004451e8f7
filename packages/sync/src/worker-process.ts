import type { ShoptokConfig, StoreConfig } from '@shoptok/config';
import { childLogger, type Logger } from '@shoptok/logger';
import {
  createRedisConnection,
  createStoreWorker,
  jobContract,
  MetricsRecorder,
  QueueFactory,
  redisHealthCheck,
  startHealthServer,
  waitForRedis,
  type JobHandlers,
  type JobOutcome,
  type QueueKey,
  type RedisConnection,
  type ShutdownRegistry,
} from '@shoptok/queues';
import type { Worker } from 'bullmq';
import { ProductMapper } from '@shoptok/ai-mapper';
import { fulfilmentHandlers, inventoryHandlers, maintenanceHandlers, orderHandlers } from './handlers.js';
import { productHandlers, type FetchImage } from './products/index.js';
import { ProductContextCache } from './products/shop-context.js';
import { createStoreServices, type StoreServices } from './services.js';
import { messageOf } from './summary.js';
import { alertNotifierFromConfig } from './alerts/notifier.js';
import { flushShipByAlerts } from './fulfilment.js';
import { withWriteDecision } from './write-mode.js';

type HandlerFactory<Q extends QueueKey> = (
  svc: StoreServices,
  deps: { config: ShoptokConfig; redis: RedisConnection; fetchImage?: FetchImage; productContexts: ProductContextCache },
) => JobHandlers<Q>;

/** The store's mapper over the shop's live category index, with the fleet's AI settings. */
function productContextCache(config: ShoptokConfig, redis: RedisConnection): ProductContextCache {
  return new ProductContextCache({
    makeMapper: (svc, index, profile) =>
      new ProductMapper({
        index,
        region: profile.region,
        ai: { apiKey: config.openai.apiKey, model: config.openai.model, baseURL: config.openai.baseUrl },
        cache: { redis, keyPrefix: config.queuePrefix },
        logger: svc.logger,
        onUsage: (usage) => svc.metrics?.aiUsage(svc.storeId, usage),
      }),
  });
}

/**
 * The product handlers over the store's shop context (profile, category tree, mapper and its
 * index), which this process builds once and keeps until the tree changes, not per job.
 */
const productHandlersPerJob: HandlerFactory<'products'> = (svc, { fetchImage, productContexts }) => {
  const handlersForThisJob = async () => {
    const shop = await productContexts.get(svc);
    return productHandlers(svc, {
      mapper: shop.mapper,
      fetchImage,
      shop: {
        profile: () => Promise.resolve(shop.profile),
        categories: () => Promise.resolve(shop.categories),
        warehouse: () => productContexts.warehouse(svc),
      },
    });
  };
  return {
    'product-batch': async (data, ctx) => (await handlersForThisJob())['product-batch'](data, ctx),
    'product-sync-one': async (data, ctx) => (await handlersForThisJob())['product-sync-one'](data, ctx),
    'listing-status': async (data, ctx) => (await handlersForThisJob())['listing-status'](data, ctx),
  };
};

/** The queues a worker process can consume, with the handlers of each. */
const HANDLERS: { [Q in QueueKey]: HandlerFactory<Q> } = {
  inventory: inventoryHandlers,
  orders: orderHandlers,
  fulfilment: fulfilmentHandlers,
  maintenance: maintenanceHandlers,
  products: productHandlersPerJob,
};
export type WorkerQueue = QueueKey;

export interface WorkerProcessOptions {
  app: string;
  config: ShoptokConfig;
  logger: Logger;
  queues: readonly WorkerQueue[];
  shutdown: ShutdownRegistry;
  /** How long to wait before trying again to start a store whose start failed. */
  storeRetryMs?: number;
  /** Told every job outcome, after the fleet's own metrics and alerts. */
  onOutcome?: (outcome: JobOutcome) => void;
  /** How product images are downloaded (default: HTTP with a timeout and a size cap). */
  fetchImage?: FetchImage;
}

export interface WorkerProcess {
  /** Store ids whose workers run. */
  running(): string[];
  /** Store ids that could not start yet, with why. */
  waiting(): Map<string, string>;
}

/**
 * Runs the workers of the given queues for every enabled store. A store that cannot start
 * (bad token, no shop cipher, API down) is retried on its own timer and never holds up the
 * others; each store's queue is paused on its own when its API rate-limits.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const { config, logger, shutdown } = options;
  const workerConnection = createRedisConnection({ url: config.redisUrl, role: 'worker', name: `shoptok:${options.app}` });
  const clientConnection = createRedisConnection({ url: config.redisUrl, role: 'client', name: `shoptok:${options.app}:state` });
  for (const connection of [workerConnection, clientConnection])
    connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  await Promise.all([waitForRedis(workerConnection, 30_000), waitForRedis(clientConnection, 30_000)]);
  const queues = new QueueFactory({ connection: clientConnection, prefix: config.queuePrefix, retry: config.retry });
  const metrics = new MetricsRecorder({ redis: clientConnection, prefix: config.queuePrefix, logger });
  const alerts = alertNotifierFromConfig(config, clientConnection, logger);
  const onOutcome = (outcome: JobOutcome): void => {
    metrics.jobOutcome(outcome.store, outcome.queue, outcome.status);
    if (outcome.status === 'completed' && jobContract(outcome.queue, outcome.name)?.countsTowardLag)
      metrics.syncLag(outcome.store, outcome.queue, (Date.now() - outcome.dueAt) / 1000);
    alerts.jobOutcome(outcome);
    options.onOutcome?.(outcome);
  };

  const productContexts = productContextCache(config, clientConnection);
  const workers: Worker[] = [];
  const services: StoreServices[] = [];
  const running = new Set<string>();
  const waiting = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const startStore = async (store: StoreConfig): Promise<void> => {
    if (stopping) return;
    const storeLogger = childLogger(logger, { store: store.id });
    try {
      const svc = await createStoreServices({ config, store, redis: clientConnection, queues, logger, metrics, alerts });
      services.push(svc);
      for (const queue of options.queues) {
        const deps = { config, redis: clientConnection, fetchImage: options.fetchImage, productContexts };
        // Each job decides for itself whether it may write (DRY_RUN, dryRun, --dry, preview).
        const handlers = withWriteDecision(queue, svc, (jobSvc) =>
          (HANDLERS[queue] as HandlerFactory<typeof queue>)(jobSvc, deps),
        );
        workers.push(
          createStoreWorker({
            queue,
            store: store.id,
            handlers,
            connection: workerConnection,
            prefix: config.queuePrefix,
            logger,
            onOutcome,
            locks: { lockDurationMs: config.jobLocks.lockSeconds * 1000, maxStalledCount: config.jobLocks.maxStalled },
          }),
        );
      }
      running.add(store.id);
      waiting.delete(store.id);
      storeLogger.info({ queues: options.queues }, 'store workers running');
    } catch (err) {
      const reason = messageOf(err);
      waiting.set(store.id, reason);
      const retryMs = options.storeRetryMs ?? 60_000;
      storeLogger.error({ reason, retryInMs: retryMs }, 'store could not start; the other stores go on');
      const timer = setTimeout(() => {
        timers.delete(timer);
        void startStore(store);
      }, retryMs);
      timers.add(timer);
    }
  };
  await Promise.all(config.stores.filter((s) => s.enabled).map(startStore));

  let health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  if (config.healthPort > 0) {
    health = await startHealthServer({
      port: config.healthPort,
      checks: {
        redis: redisHealthCheck(clientConnection),
        workers: async () => ({
          ok: workers.every((w) => w.isRunning()),
          detail: `${workers.length} worker(s); stores running: ${[...running].join(', ') || 'none'}${waiting.size ? `; waiting: ${[...waiting.keys()].join(', ')}` : ''}`,
        }),
      },
    });
    logger.info({ port: health.port }, 'health endpoint at /healthz');
  }

  shutdown.add('intake', 'store start timers', () => {
    stopping = true;
    for (const t of timers) clearTimeout(t);
  });
  if (health) shutdown.add('intake', 'health server', () => health?.close());
  // Long jobs see their abort signal, save how far they got and go back to wait (they resume on the
  // next start); the rest finish within the deadline. Whatever is still running comes back as stalled.
  shutdown.add('workers', 'workers', () =>
    Promise.all(
      workers.map((w) => {
        w.cancelAllJobs('the worker is shutting down');
        return w.close();
      }),
    ),
  );
  shutdown.add('flush', 'store services', () => services.forEach((s) => s.close()));
  // Bursts this process leads are sent now rather than lost with it.
  shutdown.add('flush', 'alerts', async () => {
    await flushShipByAlerts(alerts); // sent in the background by the fulfilment poll
    await alerts.close();
  });
  shutdown.add('connections', 'redis', async () => {
    await queues.close();
    await Promise.all([workerConnection.quit(), clientConnection.quit()]);
  });
  return { running: () => [...running], waiting: () => new Map(waiting) };
}
