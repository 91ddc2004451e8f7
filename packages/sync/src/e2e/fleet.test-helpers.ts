// A whole fleet for end-to-end tests: real Redis, the TikTok and Shopify stand-ins (in this
// process, over HTTP), a stores file for two stores, and the apps as their own processes.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { startAppProcess, useTestRedis, type AppProcess, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface FleetStore {
  id: string;
  shopify: ShopifyStandIn;
  tiktokShopId: string;
  warehouseId: string;
}

export interface Fleet {
  redis: TestRedis;
  tiktok: TikTokStandIn;
  stores: FleetStore[];
  dir: string;
  env: Record<string, string>;
  apps: AppProcess[];
  /** `extraEnv` adds to (or overrides) the fleet's env for this process only, e.g. HEALTH_PORT. */
  startApp(
    name: 'scheduler' | 'inventory-worker' | 'order-worker' | 'product-worker' | 'webhooks',
    extraEnv?: Record<string, string>,
  ): AppProcess;
  /** Runs `shoptok <args>` as its own process; resolves with its exit code and output. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/**
 * Lists every Shopify variant with a unique SKU (of active products) on TikTok, as a merchant
 * whose catalogue is already live would have it, with stock 0 so the first sync has work.
 */
let nextSkuId = 1_730_000_000_000_000_000n;

function listCatalogueOnTikTok(tiktok: TikTokStandIn, store: FleetStore): number {
  const skuCount = new Map<string, number>();
  for (const p of store.shopify.state.products)
    for (const v of p.variants) if (v.sku) skuCount.set(v.sku, (skuCount.get(v.sku) ?? 0) + 1);
  let listed = 0;
  for (const product of store.shopify.state.products.filter((p) => p.status === 'ACTIVE')) {
    const variants = product.variants.filter((v) => v.sku && skuCount.get(v.sku) === 1);
    if (variants.length === 0) continue;
    tiktok.admin.seedProduct(store.tiktokShopId, {
      title: product.title.padEnd(25, '.'),
      category_id: '601226',
      status: 'ACTIVATE',
      skus: variants.map((v, i) => ({
        id: String(nextSkuId++),
        seller_sku: v.sku as string,
        price: { amount: v.price, currency: 'GBP' },
        inventory: [{ warehouse_id: store.warehouseId, quantity: 0 }],
        sales_attributes: [{ name: 'Variant', value_name: `${v.title} ${i}` }],
      })),
    });
    listed += variants.length;
  }
  return listed;
}

/**
 * `redisUrl`: a Redis of the test's own (e.g. a private redis-server the test restarts) instead of the shared one.
 * `rotateRefreshToken`: whether the TikTok stand-in replaces the refresh token on each refresh (default true).
 * `modes`: a store's mode in the stores file (`unset`: none written, so it starts in preview).
 */
export async function startFleet(
  options: {
    productsPerStore?: number;
    redisUrl?: string;
    rotateRefreshToken?: boolean;
    /** Each store's `mode` in the stores file; unnamed stores are live (these tests are about live behaviour). */
    modes?: Record<string, 'preview' | 'live' | 'unset'>;
    /** Every store's `rules.listing.concurrency` (products a batch lists side by side); the default when unset. */
    listingConcurrency?: number;
  } = {},
): Promise<Fleet> {
  const redis = await useTestRedis('fleet', { url: options.redisUrl });
  const storeIds = ['fleet-a', 'fleet-b'];
  const tiktok = await startTikTokStandIn({
    auditDelayMs: 10,
    rotateRefreshToken: options.rotateRefreshToken,
    shops: storeIds.map((id, i) => ({
      appKey: 'fleet-app-key',
      appSecret: 'fleet-app-secret-0123456789',
      name: id,
      warehouses: [{ id: `77000000000000000${i}`, name: 'Main', isDefault: true }],
      deliveryOptions: [
        {
          id: `6900000000000000${i}`,
          name: 'Standard',
          providers: [
            { id: '6617675021119438849', name: 'Royal Mail' },
            { id: '6617675021119438850', name: 'DPD' },
          ],
        },
      ],
    })),
  });
  const stores: FleetStore[] = [];
  for (const [i, id] of storeIds.entries()) {
    const shopify = await startShopifyStandIn({
      shopDomain: `${id}.myshopify.com`,
      accessToken: `shpat_${id.replace('-', '')}0123456789abcdef`,
      apiSecret: `${id}-webhook-secret`,
      catalogue: { products: options.productsPerStore ?? 40, seed: 100 + i, locations: 2 },
      cancelDelayMs: 5,
      // Shopify Plus: 1,000 points/s (the stores agencies run at volume); Standard is 100/s.
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const shop = tiktok.shops[i] as (typeof tiktok.shops)[number];
    const store: FleetStore = { id, shopify, tiktokShopId: shop.shopId, warehouseId: `77000000000000000${i}` };
    listCatalogueOnTikTok(tiktok, store);
    stores.push(store);
  }

  const dir = mkdtempSync(join(tmpdir(), 'shoptok-fleet-'));
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    STORES_FILE: join(dir, 'stores.yaml'),
    TIKTOK_APP_KEY: 'fleet-app-key',
    TIKTOK_SECRET: 'fleet-app-secret-0123456789',
    TIKTOK_API_BASE: tiktok.url,
    TIKTOK_AUTH_BASE: tiktok.authUrl,
    MAX_RETRIES: '1',
    RETRY_BACKOFF: '0.2',
    // Work that must happen outlasts a 5-second outage here (8 hours in production).
    RETRY_MAX_DELAY: '0.5',
    RETRY_OUTAGE_WINDOW: '5',
    LOG_LEVEL: 'info',
    LOG_FILE: join(dir, 'fleet.log'),
  };
  const lines = ['stores:'];
  for (const [i, store] of stores.entries()) {
    const shop = tiktok.shops[i] as (typeof tiktok.shops)[number];
    const envName = store.id.toUpperCase().replace('-', '_');
    env[`${envName}_SHOPIFY_TOKEN`] = store.shopify.accessToken;
    env[`${envName}_SHOPIFY_SECRET`] = store.shopify.apiSecret; // verifies its webhooks
    env[`${envName}_TT_ACCESS`] = shop.tokens.accessToken;
    env[`${envName}_TT_REFRESH`] = shop.tokens.refreshToken;
    lines.push(
      `  - id: ${store.id}`,
      `    shopify: { store: ${store.shopify.shopDomain}, tokenEnv: ${envName}_SHOPIFY_TOKEN, apiSecretEnv: ${envName}_SHOPIFY_SECRET, apiBase: "${store.shopify.url}" }`,
      `    tiktok: { accessTokenEnv: ${envName}_TT_ACCESS, refreshTokenEnv: ${envName}_TT_REFRESH, shopCipher: ${shop.cipher} }`,
      `    rules: { shipping: { carrierOverrides: {} }${options.listingConcurrency ? `, listing: { concurrency: ${options.listingConcurrency} }` : ''} }`,
    );
    const mode = options.modes?.[store.id] ?? 'live';
    if (mode !== 'unset') lines.push(`    mode: ${mode}`);
  }
  writeFileSync(env.STORES_FILE as string, `${lines.join('\n')}\n`);

  const apps: AppProcess[] = [];
  const tsxLoader = pathToFileURL(createRequire(join(repoRoot, 'apps/cli/src/main.ts')).resolve('tsx')).href;
  return {
    redis,
    tiktok,
    stores,
    dir,
    env,
    apps,
    startApp(name, extraEnv) {
      const app = startAppProcess(join(repoRoot, `apps/${name}/src/main.ts`), { cwd: dir, env: { ...env, ...extraEnv } });
      apps.push(app);
      return app;
    },
    cli(args) {
      return new Promise((resolveRun) => {
        execFile(
          process.execPath,
          ['--conditions=shoptok-source', '--import', tsxLoader, join(repoRoot, 'apps/cli/src/main.ts'), ...args],
          { cwd: dir, env: { PATH: process.env.PATH, ...env }, timeout: 110_000 },
          (error, stdout, stderr) =>
            resolveRun({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    },
    async close() {
      await Promise.all(apps.map((a) => a.stop()));
      await tiktok.close();
      await Promise.all(stores.map((s) => s.shopify.close()));
      await redis.cleanup();
    },
  };
}

/**
 * What TikTok should show for an inventory item under the default rules: Shopify's available
 * stock summed over every location (a location oversold below 0 counts against the others),
 * never below 0.
 */
export function shopifyAvailable(store: FleetStore, inventoryItemId: number): number {
  let total = 0;
  for (const qty of store.shopify.state.stock.get(inventoryItemId)?.values() ?? []) total += qty;
  return Math.max(0, total);
}
