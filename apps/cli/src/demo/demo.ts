import type { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { loadConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, ShutdownRegistry, waitForRedis, type QueueKey } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';
import { startWorkerProcess } from '@shoptok/sync';
import { deleteByPattern } from '@shoptok/testkit';
import { startShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn } from '@shoptok/testkit/tiktok';
import { enqueueKind, followJobs, type CommandIO, type EnqueueKind } from '../commands/enqueue.js';
import { drainQueues } from '../drain.js';

const STORE = 'demo';

/** A real 800 x 800 PNG, its colour taken from the URL: the demo's stand-in for Shopify's image CDN. */
function demoImage(url: string): Buffer {
  const size = 800;
  const [r, g, b] = createHash('sha256').update(url).digest();
  const row = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x++) row.set([r ?? 0, g ?? 0, b ?? 0], 1 + x * 3);
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * `npm start`: shoptok's whole job on the built-in stand-ins, with no credentials: a Shopify
 * store and a TikTok shop (both local HTTP servers that check what the real ones check), the
 * real workers in this process, and Redis. It lists the catalogue on TikTok, syncs stock,
 * imports TikTok orders into Shopify, and sends tracking back.
 */
export async function runDemoCommand(io: CommandIO): Promise<number> {
  // Its own key prefix, wiped at start: the demo never touches a real deployment's keys.
  const PREFIX = `${io.env.QUEUE_PREFIX ?? 'shoptok'}-demo`;
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const tiktok = await startTikTokStandIn({ auditDelayMs: 200, shops: [{ appKey: 'demo-app-key', appSecret: 'demo-app-secret-0123456789', name: 'Glow Beauty (demo)', warehouses: [{ id: '7300000000000000001', name: 'Main warehouse', isDefault: true }], deliveryOptions: [{ id: '7000000000000000001', name: 'Standard', providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] }] }] });
  const shopify = await startShopifyStandIn({ shopDomain: 'glow-beauty-demo.myshopify.com', accessToken: 'shpat_demo0123456789abcdef', catalogue: { products: 24, seed: 7, locations: 2 }, bucket: { maximumAvailable: 20_000, restoreRate: 1_000 } });
  const shop = tiktok.shops[0] as (typeof tiktok.shops)[number];
  const config = loadConfig({
    env: {
      REDIS_URL: io.env.REDIS_URL,
      QUEUE_PREFIX: PREFIX,
      SHOPIFY_STORE: shopify.shopDomain,
      SHOPIFY_TOKEN: shopify.accessToken,
      SHOPIFY_API_BASE: shopify.url,
      TIKTOK_APP_KEY: shop.appKey,
      TIKTOK_SECRET: 'demo-app-secret-0123456789',
      TIKTOK_ACCESS_TOKEN: shop.tokens.accessToken,
      TIKTOK_REFRESH_TOKEN: shop.tokens.refreshToken,
      TIKTOK_SHOP_CIPHER: shop.cipher,
      TIKTOK_API_BASE: tiktok.url,
      TIKTOK_AUTH_BASE: tiktok.authUrl,
      LOG_LEVEL: io.env.LOG_LEVEL ?? 'warn',
      LOG_FILE: io.env.LOG_FILE ?? 'sync_bot.log',
    },
  });
  const store = { ...(config.stores[0] as (typeof config.stores)[number]), id: STORE, name: 'Glow Beauty (demo)' };
  const demoConfig = { ...config, stores: [store] };
  const logger = createLogger({ level: config.log.level, file: config.log.file, console: io.stderr as Writable, base: { app: 'demo' } });
  const shutdown = new ShutdownRegistry({ logger });
  const redis = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:demo' });
  redis.on('error', () => undefined);
  const queues = new QueueFactory({ connection: redis, prefix: PREFIX, retry: config.retry });
  try {
    try {
      await waitForRedis(redis, 5_000);
    } catch {
      io.stderr.write(`no Redis answers at ${config.redisUrl}: start one (apt-get install redis-server, or docker run -p 6379:6379 redis:7), or set REDIS_URL\n`);
      return 69;
    }
    await deleteByPattern(redis, `${PREFIX}:*`); // a fresh demo every time
    say(`shoptok demo: Shopify stand-in ${shopify.url} (${shopify.state.products.length} products), TikTok Shop stand-in ${tiktok.url}, Redis ${config.redisUrl}\n`);
    await startWorkerProcess({ app: 'demo', config: { ...demoConfig, healthPort: 0 }, logger, shutdown, queues: ['products', 'inventory', 'orders', 'fulfilment', 'maintenance'], fetchImage: async (url) => demoImage(url) });

    const step = async (title: string, kind: EnqueueKind, keys: QueueKey[]) => {
      say(`== ${title}`);
      const code = await followJobs(await enqueueKind(queues, kind, [STORE], { dryRun: false }), queues, io, 600_000);
      await drainQueues(queues, [STORE], keys);
      return code;
    };
    await step('1. list the Shopify catalogue on TikTok Shop (map, pre-flight, images, create)', 'products', ['products']);
    tiktok.admin.completeAudits();
    const state = new StateStore(redis, PREFIX, STORE);
    const listings = await state.allListings();
    const attention = await state.needsAttention();
    say(`   ${listings.size} listings created on TikTok; ${attention.size} product(s) held back for the merchant to fix (see the dashboard or pnpm shoptok status)\n`);

    await step('2. push stock from Shopify to TikTok (only what changed)', 'inventory', ['inventory']);
    const link = (await state.allSkuLinks())[0];
    const restocked = link && shopify.state.products.flatMap((p) => p.variants).find((v) => v.sku === link.sellerSku);
    if (restocked) {
      const location = shopify.state.locations[0]?.id ?? 0;
      const before = shopify.state.stock.get(restocked.inventoryItemId)?.get(location) ?? 0;
      shopify.setStock(restocked.inventoryItemId, location, before + 40);
      say(`   the merchant receives 40 units of ${link.sellerSku} in Shopify`);
      await step('2b. push stock again: only that SKU goes to TikTok', 'inventory', ['inventory']);
    }
    const orders = tiktok.admin.generateOrders(shop.shopId, { count: 5, status: 'AWAITING_SHIPMENT' });
    say(`   ${orders.length} TikTok orders arrive\n`);
    await step('3. import TikTok orders into Shopify, exactly once', 'orders', ['orders', 'fulfilment']);
    const imported = await state.allOrders();
    say(`   ${imported.size} order(s) now in Shopify: ${[...imported.values()].map((o) => o.shopifyOrderId.split('/').pop()).join(', ')}\n`);

    for (const o of shopify.state.orders.slice(0, 3)) shopify.fulfilOrder(o.id, { number: `RM${o.id}GB`, company: 'Royal Mail' });
    say('   the merchant ships 3 of them in Shopify');
    await step('4. send tracking back to TikTok', 'orders', ['orders', 'fulfilment']);
    const shipped = [...(await state.allOrders()).values()].filter((o) => o.shippedAt).length;
    say(`   ${shipped} order(s) marked shipped on TikTok with their tracking numbers\n`);
    say('Done. Next: configure your own stores (.env or a stores file), then run the fleet: docker compose up (dashboard on http://127.0.0.1:3000).');
    return 0;
  } finally {
    await shutdown.shutdown('demo finished');
    await queues.close().catch(() => undefined);
    redis.disconnect();
    await Promise.all([tiktok.close(), shopify.close()]);
  }
}
