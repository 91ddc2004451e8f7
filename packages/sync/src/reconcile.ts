import { stopIfAborted, type JobContext, type JobSummary } from '@shoptok/queues';
import { ShopifyAuthError, type ShopifyProduct } from '@shoptok/shopify';
import type { SkuLink } from '@shoptok/state';
import type { StoreServices } from './services.js';
import { messageOf, RunReport } from './summary.js';

/**
 * Rebuilds the SKU links from both APIs: every TikTok SKU whose `seller_sku` names exactly one
 * Shopify variant is linked to it. What TikTok shows now becomes "last pushed", so the next
 * inventory sync sends only real differences. SKUs found twice on either side are reported,
 * never guessed.
 */
export async function rebuildSkuLinks(
  svc: StoreServices,
  products: readonly ShopifyProduct[],
  report: RunReport,
): Promise<SkuLink[]> {
  const variantsBySku = new Map<string, { product: ShopifyProduct; variantId: string; inventoryItemId: string }[]>();
  for (const product of products) {
    for (const variant of product.variants) {
      const sku = variant.sku?.trim();
      if (!sku) continue;
      const list = variantsBySku.get(sku) ?? [];
      list.push({ product, variantId: variant.id, inventoryItemId: variant.inventoryItemId });
      variantsBySku.set(sku, list);
    }
  }

  const links: SkuLink[] = [];
  const observed: { tiktokSkuId: string; warehouses: Record<string, number> }[] = [];
  const tiktokSkusSeen = new Map<string, string>();
  let scanned = 0;
  // The whole catalogue, past Search Products' 10,000-result window, each product once. A shop
  // that cannot be read whole fails here, before the links are replaced.
  for await (const page of svc.tiktok.searchAllProducts({ status: 'ALL' })) {
    for (const product of page) {
      if (product.status === 'DELETED') continue;
      for (const sku of product.skus) {
        const sellerSku = sku.seller_sku.trim();
        if (!sellerSku) {
          report.skip('tiktok-sku-without-seller-sku');
          continue;
        }
        if (tiktokSkusSeen.has(sellerSku)) {
          report.fail(
            `seller SKU ${sellerSku}`,
            `listed twice on TikTok (products ${tiktokSkusSeen.get(sellerSku)} and ${product.id}); keep one listing per SKU`,
            'duplicate-tiktok-sku',
          );
          continue;
        }
        tiktokSkusSeen.set(sellerSku, product.id);
        const matches = variantsBySku.get(sellerSku) ?? [];
        if (matches.length === 0) {
          report.skip('no-shopify-variant');
          continue;
        }
        if (matches.length > 1) {
          report.fail(
            `seller SKU ${sellerSku}`,
            `used by ${matches.length} Shopify variants (${matches.map((m) => m.product.title).join(', ')}); give each variant its own SKU`,
            'duplicate-shopify-sku',
          );
          continue;
        }
        const match = matches[0] as (typeof matches)[number];
        links.push({
          sellerSku,
          shopifyProductId: match.product.id,
          shopifyVariantId: match.variantId,
          shopifyInventoryItemId: match.inventoryItemId,
          tiktokProductId: product.id,
          tiktokSkuId: sku.id,
        });
        const warehouses = Object.fromEntries(
          (sku.inventory ?? []).filter((i) => i.warehouse_id).map((i) => [String(i.warehouse_id), i.quantity ?? 0]),
        );
        if (Object.keys(warehouses).length > 0) observed.push({ tiktokSkuId: sku.id, warehouses });
      }
      scanned++;
    }
  }

  // Replace the links as a whole: links of SKUs no longer listed anywhere are dropped.
  const previous = await svc.state.allSkuLinks();
  const current = new Set(links.map((l) => l.sellerSku));
  await svc.state.removeSkuLinks(previous.filter((l) => !current.has(l.sellerSku)).map((l) => l.sellerSku));
  await svc.state.saveSkuLinks(links);
  const known = await svc.state.lastPushed(observed.map((o) => o.tiktokSkuId));
  await svc.state.recordPushed(observed.filter((o) => !known.has(o.tiktokSkuId)));
  svc.logger.info({ tiktokProducts: scanned, links: links.length }, 'sku links rebuilt from both APIs');
  return links;
}

/**
 * `reconcile`: rebuilds the store's state from the two APIs (after a Redis loss, or daily as a
 * check): SKU links by seller SKU, and which TikTok orders already exist in Shopify (found by
 * the source identifier we set), so nothing is listed or imported twice.
 */
export async function runReconcile(
  svc: StoreServices,
  data: { dryRun: boolean },
  ctx?: Pick<JobContext, 'progress'> & Partial<Pick<JobContext, 'signal'>>,
  options: { orderLookbackDays?: number; now?: () => number } = {},
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  await report.progress('reading the Shopify catalogue', 0, 3);
  const { products } = await svc.shopify.fetchCatalogue({ variantMetafields: false }); // SKUs only
  await report.progress('matching TikTok listings by seller SKU', 1, 3);
  const links = await rebuildSkuLinks(svc, products, report);
  report.summary.seen += links.length;

  // On shutdown it stops between steps or orders; what it saved (links, each order found) is kept,
  // and the run again skips orders already in the state.
  stopIfAborted(ctx?.signal, 'after rebuilding the SKU links');
  await report.progress('finding imported orders', 2, 3);
  const now = (options.now ?? Date.now)();
  const since = Math.floor(now / 1000) - (options.orderLookbackDays ?? 30) * 86_400;
  for await (const order of svc.tiktok.iterateOrders({ updateTimeGe: since, updateTimeLt: Math.floor(now / 1000) + 1 })) {
    stopIfAborted(ctx?.signal, `after ${report.summary.seen - links.length} orders`);
    report.summary.seen++;
    if (await svc.state.order(order.id)) continue;
    try {
      const existing = await svc.shopify.findOrderForTikTok(order.id);
      if (!existing) continue;
      const tracking = existing.fulfillments?.flatMap((f) => f.trackingInfo ?? []).find((t) => t.number);
      await svc.state.saveOrder(order.id, {
        shopifyOrderId: existing.id,
        tiktokStatus: order.status,
        importedAt: Date.parse(existing.createdAt ?? '') || now,
        ...(order.rts_sla_time ? { shipByAt: order.rts_sla_time * 1000 } : {}),
        ...(existing.cancelledAt ? { cancelledAt: Date.parse(existing.cancelledAt) || now } : {}),
        ...(tracking?.number && ['IN_TRANSIT', 'DELIVERED', 'COMPLETED', 'AWAITING_COLLECTION'].includes(order.status)
          ? { shippedAt: now, trackingNumber: tracking.number }
          : {}),
      });
      report.summary.changed++;
    } catch (err) {
      // A refused Shopify token fails every order alike: stop the job with the fix, not one failure per order.
      if ((err as { retryable?: boolean }).retryable !== false || err instanceof ShopifyAuthError) throw err;
      report.fail(`TikTok order ${order.id}`, messageOf(err));
    }
  }
  await report.progress('done', 3, 3);
  if (data.dryRun) report.note("reconcile only rebuilds shoptok's own state; it writes nothing to TikTok or Shopify");
  return report.summary;
}
