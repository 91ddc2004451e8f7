import { createLogger } from '@shoptok/logger';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { metricsKey, MetricsRecorder, readLagHistory } from './metrics.js';
import { QueueFactory } from './producer.js';
import { createStoreWorker, type JobOutcome } from './worker.js';

const logger = createLogger({ level: 'silent', console: false });

describe('MetricsRecorder and job outcomes (real Redis)', () => {
  let redis: TestRedis;
  let client: Redis;
  let factory: QueueFactory;
  const workers: Worker[] = [];
  const connections: Redis[] = [];

  beforeAll(async () => {
    redis = await useTestRedis('metrics');
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    connections.push(client);
    factory = new QueueFactory({
      connection: client,
      prefix: redis.prefix,
      retry: { maxRetries: 1, backoffSeconds: 0.05, outageWindowSeconds: 0.04 },
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await factory.close();
    connections.forEach((c) => c.disconnect());
    await redis.cleanup();
  });

  it('counts API calls, 429s, THROTTLED answers, job outcomes, AI usage and lag into the store hash', async () => {
    const recorder = new MetricsRecorder({ redis: client, prefix: redis.prefix, logger });
    recorder.apiCall('glow', { api: 'tiktok', status: 200 });
    recorder.apiCall('glow', { api: 'tiktok', status: 429 });
    recorder.apiCall('glow', { api: 'shopify', status: 200, throttled: true });
    recorder.apiCall('glow', { api: 'shopify', status: undefined });
    recorder.jobOutcome('glow', 'orders', 'completed');
    recorder.jobOutcome('glow', 'orders', 'failed');
    recorder.jobOutcome('glow', 'inventory', 'rate-limited');
    recorder.aiUsage('glow', { calls: 2, cacheHit: false, costUsd: 0.000123 });
    recorder.aiUsage('glow', { calls: 0, cacheHit: true, costUsd: 0 });
    recorder.syncLag('glow', 'inventory', 12.5, 1_000_000);
    recorder.syncLag('glow', 'inventory', 14, 1_030_000); // the gauge moves; the chart waits a minute
    recorder.syncLag('glow', 'inventory', 16, 1_060_000);
    const expected = {
      'api_calls:tiktok': '2',
      'api_429:tiktok': '1',
      'api_calls:shopify': '2',
      'throttled:shopify': '1',
      'jobs_completed:orders': '1',
      'jobs_failed:orders': '1',
      'jobs_rate_limited:inventory': '1',
      ai_calls: '2',
      ai_cache_hits: '1',
      ai_cost_micros: '123',
      'sync_lag_seconds:inventory': '16',
    };
    await waitUntil(
      async () =>
        (await client.hget(metricsKey(redis.prefix, 'glow'), 'sync_lag_seconds:inventory')) === '16' &&
        Object.keys(await client.hgetall(metricsKey(redis.prefix, 'glow'))).length === Object.keys(expected).length,
      { what: 'all writes landed' },
    );
    expect(await client.hgetall(metricsKey(redis.prefix, 'glow'))).toEqual(expected);
    expect(await readLagHistory(client, redis.prefix, 'glow', 0)).toEqual([
      { at: 1_000_000, lagSeconds: 12.5 },
      { at: 1_060_000, lagSeconds: 16 },
    ]);
  });

  it('never throws at its caller when Redis is gone', async () => {
    const dead = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    connections.push(dead);
    const recorder = new MetricsRecorder({ redis: dead, prefix: redis.prefix, logger });
    expect(() => {
      recorder.apiCall('glow', { api: 'tiktok', status: 200 });
      recorder.syncLag('glow', 'orders', 1);
      recorder.aiUsage('glow', { calls: 1, cacheHit: false, costUsd: 0.5 });
    }).not.toThrow();
  });

  it('tells the outcome observer the reason, whether an attempt is left, and when the job was due', async () => {
    const outcomes: JobOutcome[] = [];
    const worker = createStoreWorker({
      queue: 'orders',
      store: 'outcomes',
      connection: client,
      prefix: redis.prefix,
      logger,
      onOutcome: (o) => outcomes.push(o),
      handlers: {
        'order-poll': async () => 'ok',
        'order-import': async () => {
          throw new Error('Shopify refused: token shpat_0123456789abcdef0123 is wrong');
        },
        'order-cancel': async () => {
          throw Object.assign(new Error('not cancellable'), { retryable: false });
        },
      },
    });
    workers.push(worker);
    const before = Date.now();
    await factory.add('orders', 'order-poll', { store: 'outcomes' }, { delay: 50 });
    await factory.add('orders', 'order-import', { store: 'outcomes', tiktokOrderId: '576461413038785752' });
    await factory.add('orders', 'order-cancel', { store: 'outcomes', tiktokOrderId: '576461413038785753', origin: 'tiktok' });
    await waitUntil(() => outcomes.length >= 4, { what: 'four outcomes (the import fails twice)' });
    const poll = outcomes.find((o) => o.name === 'order-poll');
    expect(poll).toMatchObject({ status: 'completed', queue: 'orders', store: 'outcomes' });
    expect(poll!.dueAt).toBeGreaterThanOrEqual(before + 50);
    const imports = outcomes.filter((o) => o.name === 'order-import');
    expect(imports.map((o) => [o.status, o.final])).toEqual([
      ['failed', false],
      ['failed', true],
    ]);
    expect(imports[0]!.reason).toContain('Shopify refused');
    expect(imports[0]!.reason).not.toContain('shpat_0123456789abcdef0123');
    expect(outcomes.find((o) => o.name === 'order-cancel')).toMatchObject({
      status: 'failed',
      final: true,
      reason: 'not cancellable',
    });
  });
});
