// Scale out: the fleet's workers on a Redis Cluster of three local redis-server masters, with
// nothing changed but REDIS_URL (redis+cluster://...). The workers are startWorkerProcess, what
// every worker app runs, in this process (no app processes: keeps the test light on CPU); jobs
// go in through the QueueFactory the CLI and the scheduler use.
import { stateKeys, storeQueueName } from '@shoptok/keys';
import { MappingCache } from '@shoptok/ai-mapper';
import { loadConfig, type ShoptokConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import {
  createRedisConnection,
  isRedisCluster,
  parseQueueName,
  QueueFactory,
  ShutdownRegistry,
  waitForRedis,
  type QueueKey,
  type RedisConnection,
} from '@shoptok/queues';
import { startRedisCluster, waitUntil, type LocalRedisCluster } from '@shoptok/testkit';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { startWorkerProcess } from '../worker-process.js';
import { shopifyAvailable, startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';

const SLOW = 45_000;
const logger = createLogger({ level: 'silent', console: false });

/** Every tracked TikTok SKU of the store whose seller SKU names exactly one Shopify variant, with both quantities. */
function stockPairs(fleet: Fleet, store: FleetStore): { sku: string; tiktok: number; shopify: number }[] {
  const variantsBySku = new Map<string, { inventoryItemId: number; tracked: boolean }[]>();
  for (const p of store.shopify.state.products)
    for (const v of p.variants) if (v.sku) variantsBySku.set(v.sku, [...(variantsBySku.get(v.sku) ?? []), v]);
  const pairs: { sku: string; tiktok: number; shopify: number }[] = [];
  for (const product of fleet.tiktok.admin.shop(store.tiktokShopId).products.values()) {
    for (const sku of product.skus) {
      const [variant, ...others] = variantsBySku.get(sku.seller_sku) ?? [];
      if (!variant || others.length > 0 || !variant.tracked) continue;
      const tiktok = sku.inventory.find((i) => i.warehouse_id === store.warehouseId)?.quantity ?? -1;
      pairs.push({ sku: sku.seller_sku, tiktok, shopify: shopifyAvailable(store, variant.inventoryItemId) });
    }
  }
  return pairs;
}

describe('the fleet on a three-node Redis Cluster (REDIS_URL=redis+cluster://...)', () => {
  let cluster: LocalRedisCluster | undefined;
  let fleet: Fleet | undefined;
  let config: ShoptokConfig;
  let shutdown: ShutdownRegistry | undefined;
  let producer: RedisConnection | undefined;
  let queues: QueueFactory;

  const finished = async (job: Job, what: string) => {
    const { queue, store } = parseQueueName(job.queueName) as { queue: QueueKey; store: string };
    const fresh = async () => (await queues.queue(queue, store).getJob(job.id as string)) as Job;
    await waitUntil(
      async () =>
        (await job.isCompleted()) ||
        ((await job.isFailed()) && Promise.reject(new Error(`${what} failed: ${(await fresh()).failedReason}`))),
      { timeoutMs: 30_000, what },
    );
    return fresh();
  };

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    fleet = await startFleet({ productsPerStore: 20, redisUrl: cluster.url });
    config = loadConfig({ env: fleet.env, cwd: fleet.dir });
    shutdown = new ShutdownRegistry({ logger });
    const workers = await startWorkerProcess({
      app: 'cluster-test',
      config,
      logger,
      shutdown,
      queues: ['inventory', 'orders', 'maintenance'],
    });
    await waitUntil(() => workers.running().length === 2, {
      timeoutMs: 20_000,
      what: `both stores' workers running (waiting: ${[...workers.waiting().values()].join('; ')})`,
    });
    producer = createRedisConnection({ url: config.redisUrl, role: 'producer', name: 'cluster-test' });
    await waitForRedis(producer);
    queues = new QueueFactory({ connection: producer, prefix: config.queuePrefix, retry: config.retry });
  }, SLOW);

  afterAll(async () => {
    try {
      await queues?.close();
      producer?.disconnect();
      await shutdown?.shutdown('test over');
      await fleet?.close();
    } finally {
      await cluster?.stop();
    }
  }, SLOW);

  it("the config takes the cluster URL and the connection factory opens a Cluster with each role's options", async () => {
    expect(config.redisUrl).toBe(cluster?.url);
    const worker = createRedisConnection({ url: config.redisUrl, role: 'worker' });
    try {
      await waitForRedis(worker);
      expect(isRedisCluster(worker) && isRedisCluster(producer as RedisConnection)).toBe(true);
      if (!isRedisCluster(worker) || !isRedisCluster(producer as RedisConnection)) return;
      // BullMQ refuses a worker connection whose nodes may give up on a command.
      expect(worker.options.redisOptions?.maxRetriesPerRequest).toBeNull();
      expect((producer as RedisConnection).options).toMatchObject({ enableOfflineQueue: false });
      expect(worker.nodes('master')).toHaveLength(3);
    } finally {
      worker.disconnect();
    }
  });

  it(
    'a full inventory sync makes TikTok stock equal Shopify stock for both stores, each store on its own master',
    async () => {
      const f = fleet as Fleet;
      for (const store of f.stores) expect(stockPairs(f, store).filter((p) => p.tiktok !== p.shopify).length).toBeGreaterThan(0);
      const jobs = await Promise.all(
        f.stores.map((store) => queues.add('inventory', 'inventory-sync', { store: store.id, trigger: 'cli' })),
      );
      for (const job of jobs)
        expect((await finished(job, `inventory sync of ${job.data.store}`)).returnvalue).toMatchObject({ failed: 0 });
      for (const store of f.stores) {
        const pairs = stockPairs(f, store);
        expect(pairs.length).toBeGreaterThan(20);
        expect(pairs.filter((p) => p.tiktok !== p.shopify)).toEqual([]);
      }

      // A store's queue and state keys share its {store} hash tag, so one master holds them all;
      // fleet-a and fleet-b hash to slots 4397 and 8526: the first and the second of three masters.
      const masters = (cluster as LocalRedisCluster).nodes.map(
        (n) => new Redis({ ...n, lazyConnect: true, maxRetriesPerRequest: 1 }),
      );
      try {
        // A master answers MOVED for a key of a slot it does not hold.
        const existsOn = (node: Redis, key: string) =>
          node.exists(key).catch((err: Error) => (err.message.startsWith('MOVED') ? 0 : Promise.reject(err)));
        const holders = async (key: string) =>
          (await Promise.all(masters.map((node) => existsOn(node, key)))).flatMap((n, i) => (n ? [i] : []));
        for (const [i, store] of f.stores.entries()) {
          expect(await holders(stateKeys(config.queuePrefix, store.id).pushed)).toEqual([i]);
          expect(await holders(`${config.queuePrefix}:${storeQueueName('inventory', store.id)}:meta`)).toEqual([i]);
          // Every key of the store, BullMQ's and ours, whichever master a SCAN finds it on: one slot.
          const keys = (await Promise.all(masters.map((node) => node.keys(`${config.queuePrefix}:*{${store.id}}*`)))).flat();
          expect(keys.length).toBeGreaterThan(10);
          const [anyMaster] = masters as [Redis, ...Redis[]];
          const slots = new Set(await Promise.all(keys.map((key) => anyMaster.call('CLUSTER', 'KEYSLOT', key))));
          expect([...slots]).toHaveLength(1);
        }
      } finally {
        for (const node of masters) node.disconnect();
      }
    },
    SLOW,
  );

  it(
    'TikTok orders become exactly one Shopify order each: polled twice, and one import replayed after its record is lost',
    async () => {
      const f = fleet as Fleet;
      const placed = f.stores.map((store) => ({
        store,
        orders: f.tiktok.admin.generateOrders(store.tiktokShopId, { count: 2, status: 'AWAITING_SHIPMENT' }),
      }));
      const importsOf = (store: FleetStore, tiktokOrderId: string) =>
        store.shopify.state.orders.filter((s) => s.sourceIdentifier?.includes(tiktokOrderId)).length;
      const counts = () => placed.flatMap(({ store, orders }) => orders.map((o) => importsOf(store, o.id)));

      const poll = (round: number) =>
        Promise.all(
          f.stores.map((store) =>
            queues.add('orders', 'order-poll', { store: store.id, trigger: 'cli' }, { id: { run: `test-${round}` } }),
          ),
        );
      for (const job of await poll(1)) await finished(job, `order poll of ${job.data.store}`);
      await waitUntil(() => counts().every((n) => n === 1), {
        timeoutMs: 30_000,
        what: 'every TikTok order imported into Shopify',
      });

      for (const job of await poll(2)) await finished(job, `second order poll of ${job.data.store}`);
      // A worker that died between orderCreate and writing its state: the import runs again under a
      // new job id, and the claim (a Lua script on the store's slot) plus the lookup keep it single.
      const { store, orders } = placed[1] as (typeof placed)[number];
      const replayed = (orders[0] as { id: string }).id;
      await f.redis.client.hdel(stateKeys(config.queuePrefix, store.id).order, replayed);
      await finished(
        await queues.add(
          'orders',
          'order-import',
          { store: store.id, tiktokOrderId: replayed, trigger: 'replay' },
          { id: { run: 'replay-test' } },
        ),
        'the replayed import',
      );
      expect(counts()).toEqual([1, 1, 1, 1]);
    },
    SLOW,
  );

  it("clearing one store's mapper cache finds its keys on whichever master holds them, and only them", async () => {
    const cache = new MappingCache({ redis: producer as RedisConnection, keyPrefix: config.queuePrefix });
    const draft = {
      categoryId: '601226',
      categoryPath: ['Home'],
      title: 'A throw',
      descriptionHtml: '<p>Warm.</p>',
      attributes: [],
      missingRequiredAttributes: [],
      keywords: [],
      hashtags: [],
    };
    const entry = { draft, model: 'gpt-4o-mini', reason: 'ai answered' };
    for (const store of ['fleet-a', 'fleet-b'])
      for (const fingerprint of ['f1', 'f2', 'f3']) await cache.set(store, fingerprint, entry);
    expect(await cache.clearStore('fleet-b')).toBe(3);
    expect(await (producer as RedisConnection).exists(cache.key('fleet-b', 'f1'), cache.key('fleet-b', 'f2'))).toBe(0);
    expect(await cache.get('fleet-a', 'f1')).toMatchObject({ draft });
  });
});
