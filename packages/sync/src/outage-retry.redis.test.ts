import { createLogger } from '@shoptok/logger';
import { createRedisConnection, createStoreWorker, QueueFactory, waitForRedis, type RedisConnection } from '@shoptok/queues';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import type { Worker } from 'bullmq';
import { ShopifyTransientError } from '@shoptok/shopify';
import { TikTokTransientError } from '@shoptok/tiktok';
import { MAX_OUTAGE_REQUEUES, recordingOutageFailures, retryJobsFailedByOutage } from './outage-retry.js';

const logger = createLogger({ level: 'silent', console: false });
const STORE = 'outage-store';
const OUTAGE = '576461413038785001';
const NOT_IMPORTABLE = '576461413038785002';
const DONE_MEANWHILE = '576461413038785003';
const SHOPIFY_ALWAYS_500 = '576461413038785004';
const CODE_BUG = '576461413038785005';

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
        'order-import': async ({ tiktokOrderId }, ctx) =>
          recordingOutageFailures(ctx, async () => {
            runs.set(tiktokOrderId, (runs.get(tiktokOrderId) ?? 0) + 1);
            if (tiktokOrderId === NOT_IMPORTABLE) throw Object.assign(new Error('unknown SKU'), { retryable: false });
            if (tiktokOrderId === SHOPIFY_ALWAYS_500)
              throw new ShopifyTransientError('Shopify returned HTTP 500 for orderCreate.', 500);
            if (tiktokOrderId === CODE_BUG) throw new TypeError("Cannot read properties of undefined (reading 'line_items')");
            if (down)
              throw new TikTokTransientError('TikTok answered GET /order/202309/orders with HTTP 503.', { httpStatus: 503 });
            return 'imported';
          }),
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
    const jobs = await Promise.all(
      [OUTAGE, NOT_IMPORTABLE, DONE_MEANWHILE].map((id) =>
        queues.add('orders', 'order-import', { store: STORE, tiktokOrderId: id }, { jobId: `${STORE}-order-${id}` }),
      ),
    );
    await waitUntil(async () => (await Promise.all(jobs.map((j) => j.isFailed()))).every(Boolean), {
      timeoutMs: 10_000,
      what: 'all three to fail',
    });
    expect(Object.fromEntries(runs)).toEqual({ [OUTAGE]: 2, [NOT_IMPORTABLE]: 1, [DONE_MEANWHILE]: 2 });

    // The same domain id added again is a no-op while the failed job exists: why the sweep is needed.
    await queues.add('orders', 'order-import', { store: STORE, tiktokOrderId: OUTAGE }, { jobId: `${STORE}-order-${OUTAGE}` });
    expect(await jobs[0]?.isFailed()).toBe(true);

    down = false;
    const retried = await retryJobsFailedByOutage(
      queues,
      'orders',
      STORE,
      'order-import',
      (data) => data.tiktokOrderId !== DONE_MEANWHILE,
    );
    expect(retried).toEqual({ retried: [`${STORE}-order-${OUTAGE}`], gaveUp: [] });
    await waitUntil(() => jobs[0]?.isCompleted(), { timeoutMs: 10_000, what: 'the retried import to complete' });
    expect(Object.fromEntries(runs)).toEqual({ [OUTAGE]: 3, [NOT_IMPORTABLE]: 1, [DONE_MEANWHILE]: 2 });
    expect(await jobs[1]?.isFailed()).toBe(true);
    expect(await jobs[2]?.isFailed()).toBe(true);
    // A second sweep finds nothing more to do.
    expect(
      await retryJobsFailedByOutage(queues, 'orders', STORE, 'order-import', (data) => data.tiktokOrderId !== DONE_MEANWHILE),
    ).toEqual({ retried: [], gaveUp: [] });
  });

  it('a job that fails the same way forever is queued again at most MAX_OUTAGE_REQUEUES times; a bug is never', async () => {
    const [always500, bug] = await Promise.all(
      [SHOPIFY_ALWAYS_500, CODE_BUG].map((id) =>
        queues.add('orders', 'order-import', { store: STORE, tiktokOrderId: id }, { jobId: `${STORE}-order-${id}` }),
      ),
    );
    const bothFailed = () => Promise.all([always500!.isFailed(), bug!.isFailed()]).then((f) => f.every(Boolean));
    await waitUntil(bothFailed, { timeoutMs: 10_000, what: 'both to use up their attempts' });
    expect([runs.get(SHOPIFY_ALWAYS_500), runs.get(CODE_BUG)]).toEqual([2, 2]);

    const sweeps = [];
    for (let poll = 0; poll < MAX_OUTAGE_REQUEUES + 2; poll++) {
      const sweep = await retryJobsFailedByOutage(
        queues,
        'orders',
        STORE,
        'order-import',
        (data) => data.tiktokOrderId === SHOPIFY_ALWAYS_500 || data.tiktokOrderId === CODE_BUG,
      );
      sweeps.push(sweep);
      if (sweep.retried.length > 0)
        await waitUntil(async () => (runs.get(SHOPIFY_ALWAYS_500) ?? 0) === 2 * (poll + 2) && (await bothFailed()), {
          timeoutMs: 10_000,
          what: `requeue ${poll + 1} to fail again`,
        });
    }
    const id500 = `${STORE}-order-${SHOPIFY_ALWAYS_500}`;
    expect(sweeps).toEqual([
      ...Array.from({ length: MAX_OUTAGE_REQUEUES }, () => ({ retried: [id500], gaveUp: [] })),
      { retried: [], gaveUp: [id500] },
      { retried: [], gaveUp: [] },
    ]);
    expect([runs.get(SHOPIFY_ALWAYS_500), runs.get(CODE_BUG)]).toEqual([2 * (MAX_OUTAGE_REQUEUES + 1), 2]);
    expect(await always500!.isFailed()).toBe(true);
    const { logs } = await queues.queue('orders', STORE).getJobLogs(id500);
    expect(logs.at(-1)).toMatch(/left failed after 3 requeues/);
  });
});
