// Issue 19 item 2: webhook jobs follow the one write rule (DRY_RUN, a store's dryRun, preview),
// with the config loaded as the apps load it and deliveries signed by the Shopify stand-in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, queueKeys, type RedisConnection } from '@shoptok/queues';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startWebhookServer, type WebhookServer } from './app.js';
import { StoreDirectory } from './directory.js';

const logger = createLogger({ level: 'silent', console: false });

/** The webhook service of a config with one store, its `dryRun` and `mode` as given, and DRY_RUN as given. */
async function webhookServiceFor(
  tr: TestRedis,
  redis: RedisConnection,
  queues: QueueFactory,
  shopify: ShopifyStandIn,
  settings: { DRY_RUN?: string; storeLines: string[] },
): Promise<WebhookServer> {
  const dir = mkdtempSync(join(tmpdir(), 'shoptok-webhooks-mode-'));
  writeFileSync(
    join(dir, 'stores.yaml'),
    [
      'stores:',
      '  - id: brand-w',
      `    shopify: { store: ${shopify.shopDomain}, tokenEnv: W_SHOPIFY_TOKEN, apiSecretEnv: W_SHOPIFY_SECRET, apiBase: "${shopify.url}" }`,
      '    tiktok: { accessTokenEnv: W_TT_ACCESS, shopCipher: ROW_cipher }',
      ...settings.storeLines.map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
  const config = loadConfig({
    env: {
      STORES_FILE: join(dir, 'stores.yaml'),
      REDIS_URL: tr.url,
      QUEUE_PREFIX: tr.prefix,
      TIKTOK_APP_KEY: 'app-key-w',
      TIKTOK_SECRET: 'app-secret-w-0123456789',
      W_SHOPIFY_TOKEN: shopify.accessToken,
      W_SHOPIFY_SECRET: shopify.apiSecret,
      W_TT_ACCESS: 'ROW_access',
      ...(settings.DRY_RUN ? { DRY_RUN: settings.DRY_RUN } : {}),
    },
  });
  return startWebhookServer({
    directory: new StoreDirectory(config.stores),
    redis,
    queues,
    prefix: tr.prefix,
    logger,
    host: '127.0.0.1',
    port: 0,
  });
}

describe('webhook jobs and the write rule', () => {
  let tr: TestRedis;
  let redis: RedisConnection;
  let queues: QueueFactory;
  let shopify: ShopifyStandIn;

  beforeAll(async () => {
    tr = await useTestRedis('webhooks-mode');
    redis = createRedisConnection({ url: tr.url, role: 'producer', name: 'webhooks-mode-test' });
    queues = new QueueFactory({ connection: redis, prefix: tr.prefix, retry: { maxRetries: 1, backoffSeconds: 1 } });
    shopify = await startShopifyStandIn({ catalogue: { products: 2, seed: 11 } });
  });

  afterAll(async () => {
    await shopify?.close();
    if (queues) {
      for (const q of queueKeys) await queues.queue(q, 'brand-w').obliterate({ force: true });
      await queues.close();
    }
    redis?.disconnect();
    await tr?.cleanup();
  });

  /** Makes one stock change in Shopify and returns the job its webhook queued. */
  async function stockChangeJob(server: WebhookServer, quantity: number): Promise<{ id: string; data: unknown }> {
    for (const q of queueKeys) await queues.queue(q, 'brand-w').obliterate({ force: true });
    shopify.setWebhookTarget(`${server.url}/webhooks/shopify`);
    try {
      const variant = shopify.state.products[0]!.variants[0]!;
      const before = shopify.deliveries.length;
      shopify.setStock(variant.inventoryItemId, shopify.state.locations[0]!.id, quantity);
      await waitUntil(() => shopify.deliveries.slice(before).find((d) => d.topic === 'inventory_levels/update' && d.delivered), {
        timeoutMs: 5_000,
        what: 'the stock webhook is delivered',
      });
      const jobs = await queues.queue('inventory', 'brand-w').getJobs(['waiting', 'delayed', 'prioritized']);
      expect(jobs).toHaveLength(1);
      return { id: jobs[0]!.id ?? '', data: jobs[0]!.data };
    } finally {
      shopify.setWebhookTarget(null);
    }
  }

  it('DRY_RUN=true with a store dryRun: false queues dry webhook jobs, under their own ids', async () => {
    const server = await webhookServiceFor(tr, redis, queues, shopify, {
      DRY_RUN: 'true',
      storeLines: ['dryRun: false', 'mode: live'],
    });
    try {
      const job = await stockChangeJob(server, 21);
      expect(job.data).toMatchObject({ store: 'brand-w', trigger: 'webhook', dryRun: true });
      expect(job.id).toMatch(/^dry-brand-w-item-/);
    } finally {
      await server.close();
    }
  });

  it('a store in preview (no mode) queues dry webhook jobs; once live (shoptok go-live record) the same service queues real ones', async () => {
    const server = await webhookServiceFor(tr, redis, queues, shopify, { storeLines: [] });
    try {
      const previewJob = await stockChangeJob(server, 22);
      expect(previewJob.data).toMatchObject({ dryRun: true });
      expect(previewJob.id).toMatch(/^dry-brand-w-item-/);
      // What `shoptok go-live` writes: read per delivery, so no restart.
      await redis.set(`${tr.prefix}:{brand-w}:mode`, JSON.stringify({ mode: 'live', liveSince: Date.now() }));
      const liveJob = await stockChangeJob(server, 23);
      expect(liveJob.data).toMatchObject({ dryRun: false });
      expect(liveJob.id).toMatch(/^brand-w-item-/);
    } finally {
      await server.close();
    }
  });
});
