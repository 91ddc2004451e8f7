import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { readFleet, type QueueSnapshot } from './fleet.js';
import { metricsKey, parseMetricField, type ParsedMetricField, type QueueFactory, type RedisConnection } from '@shoptok/queues';

/** What one scrape reads: the queues from BullMQ, the published counters per store. */
export interface FleetMetrics {
  queues: QueueSnapshot[];
  published: { store: string; fields: ParsedMetricField[] }[];
}

/**
 * Reads every store's published metrics hash, all at once. Not one pipeline: on a Redis Cluster
 * the stores' hashes sit in different slots, and a pipeline must stay within one node.
 */
export async function readPublishedMetrics(
  redis: RedisConnection,
  prefix: string,
  stores: readonly string[],
): Promise<FleetMetrics['published']> {
  const hashes = await Promise.all(stores.map((store) => redis.hgetall(metricsKey(prefix, store))));
  return stores.map((store, i) => {
    const fields = Object.entries(hashes[i] ?? {})
      .map(([field, value]) => parseMetricField(field, value))
      .filter((f): f is ParsedMetricField => f !== undefined);
    return { store, fields };
  });
}

/**
 * The `/metrics` endpoint's registry. Every scrape builds its series from a fresh read into a
 * fresh registry (values are absolute, read from Redis), so two scrapes at once cannot mix
 * their numbers; the process metrics of the dashboard itself live in a long-lived registry.
 */
export class MetricsExporter {
  private readonly processRegistry = new Registry();

  constructor(
    private readonly options: { queues: QueueFactory; redis: RedisConnection; prefix: string; stores: () => readonly string[] },
  ) {
    collectDefaultMetrics({ register: this.processRegistry, prefix: 'shoptok_dashboard_' });
  }

  get contentType(): string {
    return this.processRegistry.contentType;
  }

  /** Reads the fleet now and returns the Prometheus text exposition. */
  async scrape(): Promise<string> {
    const { queues, redis, prefix } = this.options;
    const stores = this.options.stores();
    const [queueSnapshots, published] = await Promise.all([
      readFleet({ queues, redis, prefix, stores }),
      readPublishedMetrics(redis, prefix, stores),
    ]);
    const scrapeRegistry = renderFleetMetrics({ queues: queueSnapshots, published });
    return Registry.merge([scrapeRegistry, this.processRegistry]).metrics();
  }
}

/** Builds a registry holding one scrape's series (pure: no I/O). */
export function renderFleetMetrics(data: FleetMetrics): Registry {
  const registers = [new Registry()];
  const [registry] = registers as [Registry];
  const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers });
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });

  const jobs = gauge('shoptok_queue_jobs', 'Jobs in a store queue by BullMQ state, read at scrape time.', [
    'queue',
    'store',
    'state',
  ]);
  const workers = gauge(
    'shoptok_queue_workers',
    'Worker connections consuming a store queue (absent when Redis refuses CLIENT LIST).',
    ['queue', 'store'],
  );
  for (const q of data.queues) {
    for (const [state, n] of Object.entries(q.counts)) jobs.set({ queue: q.queue, store: q.store, state }, n);
    if (q.workers !== undefined) workers.set({ queue: q.queue, store: q.store }, q.workers);
  }

  const jobsCompleted = counter('shoptok_jobs_completed_total', 'Jobs completed, as published by the workers.', [
    'queue',
    'store',
  ]);
  const jobsFailed = counter('shoptok_jobs_failed_total', 'Job attempts that failed, as published by the workers.', [
    'queue',
    'store',
  ]);
  const jobsRateLimited = counter('shoptok_jobs_rate_limited_total', 'Jobs put back because an API rate-limited the store.', [
    'queue',
    'store',
  ]);
  const lag = gauge(
    'shoptok_sync_lag_seconds',
    'Latest sync lag: seconds between a change at the source and the other side having it.',
    ['queue', 'store'],
  );
  const apiCalls = counter('shoptok_api_calls_total', 'Calls made to an upstream API.', ['api', 'store']);
  const api429 = counter('shoptok_api_429_total', 'HTTP 429 answers from an upstream API.', ['api', 'store']);
  const throttled = counter(
    'shoptok_api_throttled_total',
    'Throttled answers that are not HTTP 429 (Shopify GraphQL THROTTLED).',
    ['api', 'store'],
  );
  const aiCalls = counter('shoptok_ai_calls_total', 'Calls to the AI category mapper.', ['store']);
  const aiCacheHits = counter('shoptok_ai_cache_hits_total', 'AI mappings answered from the cache.', ['store']);
  const aiCost = counter('shoptok_ai_cost_usd_total', 'AI spend in US dollars.', ['store']);

  for (const { store, fields } of data.published) {
    for (const f of fields) {
      switch (f.kind) {
        case 'jobs_completed':
          jobsCompleted.inc({ queue: f.queue, store }, f.value);
          break;
        case 'jobs_failed':
          jobsFailed.inc({ queue: f.queue, store }, f.value);
          break;
        case 'jobs_rate_limited':
          jobsRateLimited.inc({ queue: f.queue, store }, f.value);
          break;
        case 'sync_lag_seconds':
          lag.set({ queue: f.queue, store }, f.value);
          break;
        case 'api_calls':
          apiCalls.inc({ api: f.api, store }, f.value);
          break;
        case 'api_429':
          api429.inc({ api: f.api, store }, f.value);
          break;
        case 'throttled':
          throttled.inc({ api: f.api, store }, f.value);
          break;
        case 'ai_calls':
          aiCalls.inc({ store }, f.value);
          break;
        case 'ai_cache_hits':
          aiCacheHits.inc({ store }, f.value);
          break;
        case 'ai_cost_micros':
          aiCost.inc({ store }, f.value / 1_000_000);
          break;
      }
    }
  }
  return registry;
}
