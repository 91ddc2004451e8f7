import type { ShoptokConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, waitForRedis } from '@shoptok/queues';
import { createStoreServices, missingShopifyScopes, readConnectedTikTokShop, SHOPTOK_SHOPIFY_SCOPES } from '@shoptok/sync';
import { renderWarehouseRulesYaml, suggestWarehouseMapping, type WarehouseForMapping } from '@shoptok/sync-core';
import type { CommandIO } from './enqueue.js';

/**
 * `shoptok connect shopify --store S`: proves the custom app's token works, names every scope
 * shoptok needs that it lacks (and what that breaks), and prints a suggested
 * `rules.inventory.warehouses` block from the shop's locations and the TikTok shop's warehouses.
 * Exit 0 when the token has every scope, 65 when scopes are missing or the token is refused.
 */
export async function runConnectShopify(config: ShoptokConfig, storeId: string, io: CommandIO): Promise<number> {
  const out = (line = '') => io.stdout.write(`${line}\n`);
  const store = config.stores.find((s) => s.id === storeId)!;
  const redis = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:connect-shopify' });
  redis.on('error', () => undefined); // waitForRedis reports it
  const queues = new QueueFactory({ connection: redis, prefix: config.queuePrefix, retry: config.retry });
  try {
    await waitForRedis(redis, 10_000);
    // The shop connected by `connect tiktok` names the cipher; without one, TikTok calls say what to do.
    const connected = await readConnectedTikTokShop(redis, config.queuePrefix, storeId);
    const shopCipher = store.tiktok.shopCipher ?? connected?.cipher ?? 'not-connected-yet';
    const svc = await createStoreServices({
      config,
      store: { ...store, tiktok: { ...store.tiktok, shopCipher } },
      redis,
      queues,
      logger: createLogger({ level: 'silent', console: false }),
    });
    try {
      let access;
      try {
        access = await svc.shopify.getShopAccess();
      } catch (err) {
        io.stderr.write(
          `Shopify refused the custom app's token of store ${storeId} (${store.shopify.domain}): ${(err as Error).message}\n`,
        );
        return 65;
      }
      out(`Shopify store ${store.shopify.domain} (${access.name}): the token works; currency ${access.currencyCode}.`);
      const missing = missingShopifyScopes(access.scopes);
      if (missing.length === 0) out(`Scopes: all ${SHOPTOK_SHOPIFY_SCOPES.length} that shoptok needs are granted.`);
      else {
        out(
          `Scopes: ${missing.length} of the ${SHOPTOK_SHOPIFY_SCOPES.length} that shoptok needs are missing (grant them in the custom app and reinstall it):`,
        );
        for (const m of missing) out(`  - ${m.scope}: ${m.breaks}`);
      }
      if (store.rules.listing.currency && store.rules.listing.currency !== access.currencyCode)
        out(`Note: rules.listing.currency is ${store.rules.listing.currency}, the shop sells in ${access.currencyCode}.`);

      const locations = missing.some((m) => m.scope === 'read_locations') ? undefined : await svc.shopify.listLocations();
      let warehouses: WarehouseForMapping[] | undefined;
      try {
        warehouses = (await svc.tiktok.getWarehouses())
          .filter((w) => (w.type ?? 'SALES_WAREHOUSE') === 'SALES_WAREHOUSE')
          .map((w) => ({ id: w.id, name: w.name, isDefault: w.is_default, address: w.address }));
      } catch (err) {
        out(
          `TikTok warehouses: not read (${(err as Error).message}). Connect the TikTok shop first: shoptok connect tiktok --store ${storeId}`,
        );
      }
      if (locations) {
        out(`Locations (${locations.length}): ${locations.map((l) => l.name).join(', ') || 'none'}`);
      } else out('Locations: not read (read_locations is missing).');
      if (warehouses) out(`TikTok warehouses (${warehouses.length}): ${warehouses.map((w) => w.name).join(', ') || 'none'}`);
      if (locations && warehouses) {
        const suggestion = suggestWarehouseMapping(locations, warehouses);
        out();
        out(`Suggested location-to-warehouse mapping: paste under store ${storeId} in the stores file (check each line):`);
        out();
        for (const line of renderWarehouseRulesYaml(suggestion).trimEnd().split('\n')) out(`  ${line}`);
      }
      return missing.length === 0 ? 0 : 65;
    } finally {
      svc.close();
    }
  } finally {
    await queues.close();
    redis.disconnect();
  }
}
