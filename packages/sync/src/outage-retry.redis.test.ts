import { createLogger } from '@shoptok/logger';
import { createRedisConnection, createStoreWorker, QueueFactory, waitForRedis, type RedisConnection } from '@shoptok/queues';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import type { Worker } from 'bullmq';
import { retryJobsFailedByOutage } from './outage-retry.js';

const logger = createLogger({ level: 'silent', console: false });
const STORE = 'outage-store';
const OUTAGE = '576461413038785001';
const NOT_IMPORTABLE = '576461413038785002';
const DONE_MEANWHILE = '576461413038785003';

describe('retryJobsFailedByOutage (real Redis, a real store worker)', () => {
  let redis: TestRedis;
  let producer: RedisConnection;
  let workerConnection: RedisConnection;
  let queues: QueueFactory;
  let worker: Worker;
  let down = true;
  const runs = new Map<string, number>();

  beforeAll(async () => {
    redis = await useTestRedis('outage-retry');
    producer = createRedisConnection({ url: redis.url, role: 'producer' });
    workerConnection = createRedisConnection({ url: redis.url, role: 'worker' });
    await waitForRedis(producer);
    queues = new QueueFactory({ connection: producer, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 0.05 } });
    worker = createStoreWorker({
      queue: 'orders',
      store: STORE,
      connection: workerConnection,
      prefix: redis.prefix,
      logger,
      handlers: {
        'order-poll': async () => undefined,
        'order-cancel': async () => undefined,
        'order-import': async ({ tiktokOrderId }) => {
          runs.set(tiktokOrderId, (runs.get(tiktokOrderId) ?? 0) + 1);
          if (tiktokOrderId === NOT_IMPORTABLE) throw Object.assign(new Error('unknown SKU'), { retryable: false });
          if (down) throw new Error('TikTok answered HTTP 503');
          return 'imported';
        },
      },
    });
  });

  afterAll(async () => {
    await worker?.close();
    await queues?.close();
    producer?.disconnect();
    workerConnection?.disconnect();
    await redis?.cleanup();
  });

  it('queues again only the jobs an outage failed after every attempt, whose work is still needed', async () => {
    const jobs = await Promise.all([OUTAGE, NOT_IMPORTABLE, DONE_MEANWHILE].map((id) => queues.add('orders', 'order-import', { store: STORE, tiktokOrderId: id }, { jobId: `${STORE}-order-${id}` })));
    await waitUntil(async () => (await Promise.all(jobs.map((j) => j.isFailed()))).every(Boolean), { timeoutMs: 10_000, what: 'all three to fail' });
    expect(Object.fromEntries(runs)).toEqual({ [OUTAGE]: 2, [NOT_IMPORTABLE]: 1, [DONE_MEANWHILE]: 2 });

    // The same domain id added again is a no-op while the failed job exists: why the sweep is needed.
    await queues.add('orders', 'order-import', { store: STORE, tiktokOrderId: OUTAGE }, { jobId: `${STORE}-order-${OUTAGE}` });
    expect(await jobs[0]?.isFailed()).toBe(true);

    down = false;
    const retried = await retryJobsFailedByOutage(queues, 'orders', STORE, 'order-import', (data) => data.tiktokOrderId !== DONE_MEANWHILE);
    expect(retried).toEqual([`${STORE}-order-${OUTAGE}`]);
    await waitUntil(() => jobs[0]?.isCompleted(), { timeoutMs: 10_000, what: 'the retried import to complete' });
    expect(Object.fromEntries(runs)).toEqual({ [OUTAGE]: 3, [NOT_IMPORTABLE]: 1, [DONE_MEANWHILE]: 2 });
    expect(await jobs[1]?.isFailed()).toBe(true);
    expect(await jobs[2]?.isFailed()).toBe(true);
    // A second sweep finds nothing more to do.
    expect(await retryJobsFailedByOutage(queues, 'orders', STORE, 'order-import', (data) => data.tiktokOrderId !== DONE_MEANWHILE)).toEqual([]);
  });
});
