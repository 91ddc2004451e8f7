import { createLogger } from '@shoptok/logger';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { Queue, type Worker } from 'bullmq';
import { queueNameFor } from './catalog.js';
import { createRedisConnection, waitForRedis, type RedisConnection } from './connection.js';
import { eventualAttempts } from './job-options.js';
import { InvalidJobPayloadError, QueueFactory } from './producer.js';
import { createStoreWorker, type JobOutcome } from './worker.js';

const logger = createLogger({ level: 'silent', console: false });
/** Scaled down: `eventual` kinds retry for one second, waits doubling from 0.1 s up to 0.2 s. */
const RETRY = { maxRetries: 2, backoffSeconds: 0.1, maxDelaySeconds: 0.2, outageWindowSeconds: 1 };

describe('QueueFactory and createStoreWorker (real Redis)', () => {
  let redis: TestRedis;
  let producerConnection: RedisConnection;
  let workerConnection: RedisConnection;
  let factory: QueueFactory;
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = await useTestRedis('queues');
    producerConnection = createRedisConnection({ url: redis.url, role: 'producer' });
    workerConnection = createRedisConnection({ url: redis.url, role: 'worker' });
    await waitForRedis(producerConnection);
    factory = new QueueFactory({
      connection: producerConnection,
      prefix: redis.prefix,
      retry: RETRY,
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await factory.close();
    producerConnection.disconnect();
    workerConnection.disconnect();
    await redis.cleanup();
  });

  function startWorker(
    store: string,
    handlers: Parameters<typeof createStoreWorker<'orders'>>[0]['handlers'],
    outcomes: JobOutcome[] = [],
  ): Worker {
    const worker = createStoreWorker({
      queue: 'orders',
      store,
      handlers,
      connection: workerConnection,
      prefix: redis.prefix,
      logger,
      onOutcome: (o) => outcomes.push(o),
    });
    workers.push(worker);
    return worker;
  }

  it('refuses an invalid payload before it reaches Redis', async () => {
    await expect(factory.add('orders', 'order-import', { store: 'glow', tiktokOrderId: 'not-an-id' })).rejects.toBeInstanceOf(
      InvalidJobPayloadError,
    );
    await expect(factory.queue('orders', 'glow').getJobCounts('wait')).resolves.toEqual({ wait: 0 });
  });

  it('runs a valid job through its typed handler with the parsed payload', async () => {
    const seen: unknown[] = [];
    startWorker('store-ok', {
      'order-poll': async () => 'polled',
      'order-import': async (data) => {
        seen.push(data);
        return { imported: data.tiktokOrderId };
      },
      'order-cancel': async () => undefined,
    });
    const job = await factory.add('orders', 'order-import', { store: 'store-ok', tiktokOrderId: '576461413038785752' });
    await waitUntil(() => job.isCompleted(), { what: 'job completed' });
    const done = await factory.queue('orders', 'store-ok').getJob(job.id ?? '');
    expect(done?.returnvalue).toEqual({ imported: '576461413038785752' });
    expect(seen).toEqual([{ store: 'store-ok', tiktokOrderId: '576461413038785752', dryRun: false, trigger: 'schedule' }]);
  });

  it('fails unknown job kinds and invalid payloads at once, without retrying, and keeps them', async () => {
    let calls = 0;
    startWorker('store-bad', {
      'order-poll': async () => calls++,
      'order-import': async () => calls++,
      'order-cancel': async () => calls++,
    });
    // Written by something that bypassed the catalog (an old deploy, a hand-made job).
    const raw = new Queue(queueNameFor('orders', 'store-bad'), { connection: producerConnection, prefix: redis.prefix });
    try {
      const unknown = await raw.add('order-teleport', { store: 'store-bad' }, { attempts: 3 });
      const invalid = await raw.add('order-import', { store: 'store-bad', tiktokOrderId: 42 }, { attempts: 3 });
      await waitUntil(async () => (await unknown.isFailed()) && (await invalid.isFailed()), { what: 'both jobs failed' });
      const [u, i] = await Promise.all([raw.getJob(unknown.id ?? ''), raw.getJob(invalid.id ?? '')]);
      expect(u?.attemptsMade).toBe(1);
      expect(u?.failedReason).toMatch(/has no job kind "order-teleport"/);
      expect(i?.attemptsMade).toBe(1);
      expect(i?.failedReason).toMatch(/invalid payload for "order-import"/);
      expect(calls).toBe(0);
      expect(await raw.getFailedCount()).toBe(2);
    } finally {
      await raw.close();
    }
  });

  it('retries a standard kind MAX_RETRIES times, fails permanent errors at once, and scrubs secrets', async () => {
    let polls = 0;
    const attempts: Record<string, number> = {};
    startWorker('store-err', {
      'order-poll': async () => {
        polls++;
        throw new Error('socket hang up calling https://x.test/?access_token=ROW_secret_value_1');
      },
      'order-import': async (data) => {
        attempts[data.tiktokOrderId] = (attempts[data.tiktokOrderId] ?? 0) + 1;
        throw Object.assign(new Error('TikTok says: invalid SKU'), { retryable: false, code: 12052910 });
      },
      'order-cancel': async () => undefined,
    });
    const transient = await factory.add('orders', 'order-poll', { store: 'store-err' });
    const permanent = await factory.add('orders', 'order-import', { store: 'store-err', tiktokOrderId: '2' });
    await waitUntil(async () => (await transient.isFailed()) && (await permanent.isFailed()), {
      what: 'both failed',
      timeoutMs: 15_000,
    });
    const queue = factory.queue('orders', 'store-err');
    const [t, p] = await Promise.all([queue.getJob(transient.id ?? ''), queue.getJob(permanent.id ?? '')]);
    expect(polls).toBe(3);
    expect(attempts).toEqual({ '2': 1 });
    expect(t?.attemptsMade).toBe(3);
    expect(t?.failedReason).toContain('access_token=[REDACTED]');
    expect(JSON.stringify(t?.stacktrace)).not.toContain('ROW_secret_value_1');
    expect(p?.failedReason).toMatch(/invalid SKU/);
    // An `eventual` kind fails at once too when no retry can fix it.
    expect(p?.attemptsMade).toBe(1);
  });

  it('retries an eventual kind through the outage window with capped waits, then lands once', async () => {
    const startedAt: number[] = [];
    const expectedAttempts = eventualAttempts(RETRY);
    startWorker('store-outage', {
      'order-poll': async () => undefined,
      'order-import': async () => {
        startedAt.push(Date.now());
        // Down for all but the last attempt: the window is what carries the job through.
        if (startedAt.length < expectedAttempts) throw new Error('503 from Shopify');
        return 'imported';
      },
      'order-cancel': async () => undefined,
    });
    const job = await factory.add('orders', 'order-import', { store: 'store-outage', tiktokOrderId: '3' });
    expect(job.id).toBe('store-outage-order-3');
    expect(job.opts.attempts).toBe(expectedAttempts);
    await waitUntil(() => job.isCompleted(), { what: 'the import to land after the outage', timeoutMs: 15_000 });
    expect(startedAt).toHaveLength(expectedAttempts);
    const waits = startedAt.slice(1).map((t, i) => t - (startedAt[i] as number));
    // Capped: no wait is much longer than RETRY_MAX_DELAY (0.2 s), and together they cover the window (1 s, less jitter).
    expect(Math.max(...waits)).toBeLessThan(1_000);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(800);
  });

  it('on a rate limit pauses only that store, spends no attempt, and the job completes later', async () => {
    const outcomes: JobOutcome[] = [];
    let limited = 0;
    startWorker(
      'store-slow',
      {
        'order-poll': async () => undefined,
        'order-import': async () => {
          if (limited++ === 0) throw Object.assign(new Error('429 from TikTok'), { retryAfterMs: 300 });
          return 'ok';
        },
        'order-cancel': async () => undefined,
      },
      outcomes,
    );
    startWorker(
      'store-fast',
      { 'order-poll': async () => undefined, 'order-import': async () => 'fast', 'order-cancel': async () => undefined },
      outcomes,
    );

    const slow = await factory.add('orders', 'order-import', { store: 'store-slow', tiktokOrderId: '10' });
    const fast = await factory.add('orders', 'order-import', { store: 'store-fast', tiktokOrderId: '11' });
    await waitUntil(() => fast.isCompleted(), { what: 'other store unaffected' });
    await waitUntil(() => slow.isCompleted(), { what: 'rate-limited job completes', timeoutMs: 10_000 });
    const slowJob = await factory.queue('orders', 'store-slow').getJob(slow.id ?? '');
    expect(slowJob?.attemptsMade).toBe(1);
    expect(outcomes.filter((o) => o.store === 'store-slow').map((o) => o.status)).toEqual(['rate-limited', 'completed']);
  });

  it('puts a job back to wait when what it needs is busy (retryInMs), spending no attempt', async () => {
    let calls = 0;
    startWorker('store-busy', {
      'order-poll': async () => {
        if (calls++ === 0) throw Object.assign(new Error('another worker holds this order'), { retryInMs: 200 });
        return 'created once';
      },
      'order-import': async () => undefined,
      'order-cancel': async () => undefined,
    });
    // MAX_RETRIES=0: one attempt allowed.
    const single = new QueueFactory({ connection: producerConnection, prefix: redis.prefix, retry: { ...RETRY, maxRetries: 0 } });
    const job = await single.add('orders', 'order-poll', { store: 'store-busy' });
    await single.close();
    await waitUntil(() => job.isCompleted(), { what: 'the job to run again and complete', timeoutMs: 10_000 });
    const done = await factory.queue('orders', 'store-busy').getJob(job.id ?? '');
    expect(calls).toBe(2);
    // One attempt allowed, and still completed: the wait cost none.
    expect(done?.returnvalue).toBe('created once');
  });
});
