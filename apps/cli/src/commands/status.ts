import { parseArgs } from 'node:util';
import type { ShoptokConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, waitForRedis } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';
import { createStoreServices, describePreviewTotals, storePreviewStatus } from '@shoptok/sync';
import { applyInventoryRules } from '@shoptok/sync-core';
import { commandConfig } from '../env.js';
import type { CommandIO } from './enqueue.js';

const USAGE = `shoptok status [--store S] [--sku SKU]

  without --sku: each store's sync state in numbers, its mode, and what its preview would send
  --sku SKU      where one SKU stands: Shopify quantity, the rule applied, what TikTok last got and
                 when, its listing's status, and the last error
`;

/** `shoptok status`: what an operator asks first ("why does TikTok show 3?"). */
export async function runStatusCommand(argv: string[], io: CommandIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { store: { type: 'string' }, sku: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const config = commandConfig(io);
  if (!config) return 78;
  const stores = config.stores.filter((s) => !values.store || s.id === values.store);
  if (stores.length === 0) {
    io.stderr.write(`no store "${values.store}"; the config has: ${config.stores.map((s) => s.id).join(', ')}\n`);
    return 64;
  }
  const redis = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:status' });
  redis.on('error', () => undefined);
  const out = (line: string) => io.stdout.write(`${line}\n`);
  try {
    await waitForRedis(redis, 5_000);
    for (const store of stores) {
      const state = new StateStore(redis, config.queuePrefix, store.id);
      if (!values.sku) {
        const [links, pushed, listings, attention, orders, failures, awaiting, storeFlags, decisions] = await Promise.all([
          state.allSkuLinks(),
          state.allPushed(),
          state.allListings(),
          state.needsAttention(),
          state.allOrders(),
          state.orderFailures(),
          state.ordersAwaitingTracking(),
          state.storeAttention(),
          state.categoryDecisions(),
        ]);
        const byStatus = new Map<string, number>();
        for (const l of listings.values()) byStatus.set(l.status, (byStatus.get(l.status) ?? 0) + 1);
        out(
          `${store.id}: ${links.length} SKUs linked, ${pushed.size} with stock pushed; listings ${[...byStatus].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}; ${attention.size} product(s) need attention; ${orders.size} order(s) imported, ${awaiting.length} awaiting tracking, ${failures.size} not imported`,
        );
        const { decision, totals } = await storePreviewStatus(redis, config.queuePrefix, store);
        if (decision.mode === 'preview')
          out(
            `  preview: nothing is written to TikTok or Shopify; so far shoptok ${describePreviewTotals(totals)}. To go live: pnpm shoptok go-live --store ${store.id}`,
          );
        else
          out(
            `  live${decision.liveSince !== undefined ? ` since ${new Date(decision.liveSince).toISOString()}` : ''}${decision.dry ? " (but DRY_RUN or the store's dryRun is set: nothing is written)" : ''}; before that its preview ${describePreviewTotals(totals)}`,
          );
        for (const [code, flag] of storeFlags) out(`  STORE NEEDS ATTENTION (${code}): ${flag.message}`);
        const bySource = new Map<string, number>();
        for (const d of decisions.values()) {
          const who = d.source === 'rule' ? `rule ${d.ruleIndex}` : d.source;
          bySource.set(who, (bySource.get(who) ?? 0) + 1);
        }
        if (bySource.size > 0)
          out(
            `  categories chosen by: ${[...bySource].map(([who, n]) => `${who} ${n}`).join(', ')} (shoptok map show --store ${store.id})`,
          );
        for (const [id, a] of attention) out(`  needs attention ${id}: ${a.reasons.map((r) => r.message).join('; ')}`);
        for (const [id, f] of failures)
          out(`  order ${id} not imported (${f.attempts} attempt(s)): ${f.reasons.map((r) => r.message).join('; ')}`);
        continue;
      }
      await explainSku(config, store.id, values.sku, redis, state, out);
    }
    return 0;
  } finally {
    redis.disconnect();
  }
}

async function explainSku(
  config: ShoptokConfig,
  storeId: string,
  sku: string,
  redis: ReturnType<typeof createRedisConnection>,
  state: StateStore,
  out: (line: string) => void,
): Promise<void> {
  const store = config.stores.find((s) => s.id === storeId);
  if (!store) return;
  const link = (await state.skuLinks([sku])).get(sku);
  out(`${storeId} / ${sku}`);
  if (!link) out('  not linked to a TikTok SKU (not listed yet, listed under another seller SKU, or reconcile has not run)');
  const queues = new QueueFactory({ connection: redis, prefix: config.queuePrefix, retry: config.retry });
  const svc = await createStoreServices({
    config,
    store,
    redis,
    queues,
    logger: createLogger({ level: 'silent', console: false }),
  });
  try {
    const variants = await svc.shopify.getVariantsBySku([sku]);
    if (variants.length === 0) out('  Shopify: no variant has this SKU (deleted, or a typo)');
    if (variants.length > 1)
      out(
        `  Shopify: ${variants.length} variants share this SKU (${variants.map((v) => v.productTitle).join(', ')}): give each its own`,
      );
    for (const v of variants) {
      const levels = await svc.shopify.getAvailableInventory([v.inventoryItemId]);
      const available = levels.reduce((n, l) => n + l.available, 0);
      const rules = store.rules.inventory;
      out(
        `  Shopify: ${v.productTitle} / ${v.title} (${v.productStatus}${v.tracked ? '' : ', stock not tracked'}): ${available} available over ${levels.length} location(s)`,
      );
      out(
        `  rule: buffer ${rules.bufferUnits} unit(s) + ${rules.bufferPercent}%, out of stock at or below ${rules.outOfStockThreshold}, at most ${rules.maxQuantity} => TikTok should show ${applyInventoryRules(available, rules)}${rules.warehouses.length ? ' (summed per mapped warehouse)' : ''}`,
      );
    }
    if (link) {
      const pushed = (await state.lastPushed([link.tiktokSkuId])).get(link.tiktokSkuId);
      out(
        `  TikTok: product ${link.tiktokProductId}, SKU ${link.tiktokSkuId}; last sent ${pushed ? `${JSON.stringify(pushed.warehouses)} at ${new Date(pushed.at).toISOString()}` : 'never'}`,
      );
      const listing = await state.listing(link.shopifyProductId);
      if (listing)
        out(
          `  listing: ${listing.status} (updated ${new Date(listing.updatedAt).toISOString()})${listing.auditFailedReasons.length ? `; audit: ${listing.auditFailedReasons.flatMap((r) => r.reasons).join('; ')}` : ''}`,
        );
      const decision = await state.categoryDecision(link.shopifyProductId);
      if (decision)
        out(
          `  category: ${decision.categoryId} ${decision.categoryPath.join(' > ')}, chosen by ${decision.source === 'rule' ? `rule ${decision.ruleIndex}` : decision.source}: ${decision.reason}`,
        );
      const attention = (await state.needsAttention()).get(link.shopifyProductId);
      if (attention) out(`  last error: ${attention.reasons.map((r) => r.message).join('; ')}`);
    }
  } finally {
    svc.close();
    await queues.close();
  }
}
