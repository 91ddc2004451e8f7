// The dashboard's fleet-wide reads on a Redis Cluster, where two stores' keys sit on different
// masters: one pipeline across stores, or one CLIENT LIST, would see (or reach) only one node.
import { createRedisConnection, queueNameFor, recordMetric, waitForRedis, type RedisConnection } from '@shoptok/queues';
import { startRedisCluster, uniquePrefix, waitUntil, type LocalRedisCluster } from '@shoptok/testkit';
import { Worker } from 'bullmq';
import { countWorkers } from './fleet.js';
import { readPublishedMetrics } from './metrics.js';

// fleet-a and fleet-b hash to slots 4397 and 8526: the first and the second of three masters.
const STORES = ['fleet-a', 'fleet-b'];

describe('dashboard reads on a three-node Redis Cluster', () => {
  let cluster: LocalRedisCluster | undefined;
  let producer: RedisConnection | undefined;
  let workerConnection: RedisConnection | undefined;
  let worker: Worker | undefined;
  const prefix = uniquePrefix('dash-cluster');

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    producer = createRedisConnection({ url: cluster.url, role: 'producer' });
    workerConnection = createRedisConnection({ url: cluster.url, role: 'worker' });
    await Promise.all([waitForRedis(producer), waitForRedis(workerConnection)]);
  }, 30_000);

  afterAll(async () => {
    try {
      await worker?.close();
      producer?.disconnect();
      workerConnection?.disconnect();
    } finally {
      await cluster?.stop();
    }
  });

  it("reads every store's published metrics, wherever its master is", async () => {
    const redis = producer as RedisConnection;
    await recordMetric(redis, prefix, 'fleet-a', 'api_calls:tiktok', 3);
    await recordMetric(redis, prefix, 'fleet-b', 'api_calls:tiktok', 5);
    const published = await readPublishedMetrics(redis, prefix, STORES);
    expect(published).toEqual([
      { store: 'fleet-a', fields: [{ kind: 'api_calls', api: 'tiktok', value: 3 }] },
      { store: 'fleet-b', fields: [{ kind: 'api_calls', api: 'tiktok', value: 5 }] },
    ]);
  });

  it("counts a worker of a store's queue from the clients of every master", async () => {
    const redis = producer as RedisConnection;
    const names = STORES.map((store) => queueNameFor('inventory', store));
    worker = new Worker(names[1] as string, async () => undefined, { connection: workerConnection as RedisConnection, prefix });
    await worker.waitUntilReady();
    const counts = await waitUntil(
      async () => {
        const seen = await countWorkers(redis, prefix, names);
        return seen?.get(names[1] as string) === 1 ? seen : undefined;
      },
      { timeoutMs: 10_000, what: 'the worker of inventory-{fleet-b} to be counted' },
    );
    expect(counts.get(names[0] as string)).toBe(0);
  });
});
