import { stopIfAborted, type JobContext, type JobSummary } from '@shoptok/queues';
import { buildOrderCreateInput, buildSkuIndex, shouldImportOrder, type ShopifyVariantRef } from '@shoptok/sync-core';
import { toCoreTikTokOrder } from './order-adapt.js';
import { orderBuildOptions } from './order-context.js';
import { cancelOnTikTok, followSellerCancellation } from './seller-cancellation.js';
import type { StoreServices } from './services.js';
import { RunReport } from './summary.js';
import { queueTargetedJob } from './write-mode.js';

/** Orders are polled by `update_time` with this overlap, so nothing falls between two polls. */
export const ORDER_POLL_OVERLAP_SECONDS = 600;
/** How far back the very first poll of a store looks. */
export const FIRST_POLL_LOOKBACK_SECONDS = 3 * 86_400;
const CURSOR = 'orders-update-time';

/** An order that cannot be imported as it is: recorded for the operator, and the job fails without retrying. */
export class OrderNotImportableError extends Error {
  readonly retryable = false;
  constructor(
    readonly tiktokOrderId: string,
    readonly reasons: { code: string; message: string }[],
  ) {
    super(`TikTok order ${tiktokOrderId} cannot be imported: ${reasons.map((r) => r.message).join('; ')}`);
    this.name = 'OrderNotImportableError';
  }
}

/**
 * `order-poll`: TikTok orders updated since the cursor (minus an overlap). New orders that the
 * store's policy imports get one `order-import` job each (job id from the order id: queued once);
 * imported orders that TikTok cancelled get an `order-cancel` job.
 */
export async function runOrderPoll(
  svc: StoreServices,
  data: { dryRun: boolean; limit?: number },
  ctx?: Pick<JobContext, 'progress'> & Partial<Pick<JobContext, 'signal'>>,
  now: () => number = Date.now,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const until = Math.floor(now() / 1000);
  const cursor = Number((await svc.state.cursor(CURSOR)) ?? 0);
  const since = cursor > 0 ? cursor - ORDER_POLL_OVERLAP_SECONDS : until - FIRST_POLL_LOOKBACK_SECONDS;
  const dryRun = data.dryRun || svc.dryRun;
  for await (const order of svc.tiktok.iterateOrders({
    updateTimeGe: since,
    updateTimeLt: until + 1,
    sortField: 'update_time',
    sortOrder: 'ASC',
  })) {
    if (data.limit && report.summary.seen >= data.limit) break;
    // On shutdown: the cursor stays where it was and the run again sees these orders, whose jobs
    // (queued by their domain id) are not queued twice.
    stopIfAborted(ctx?.signal, `after ${report.summary.seen} orders`);
    report.summary.seen++;
    const imported = await svc.state.order(order.id);
    if (imported) {
      if (imported.tiktokCancellation?.status === 'requested' && !dryRun) {
        // A seller cancellation shoptok sent whose outcome is not known yet: read it (cancellations search).
        await followSellerCancellation(svc, order.id, imported, report, now);
        report.summary.changed++;
      } else if ((order.status === 'CANCELLED' || order.status === 'CANCEL') && !imported.cancelledAt) {
        await queueTargetedJob(svc.queues, 'orders', 'order-cancel', {
          store: svc.storeId,
          tiktokOrderId: order.id,
          origin: 'tiktok',
          dryRun,
        });
        report.summary.changed++;
      } else report.skip('already-imported');
      continue;
    }
    const decision = shouldImportOrder(toCoreTikTokOrder(order), svc.rules);
    if (!decision.import) {
      report.skip(decision.reason);
      continue;
    }
    // Same job id for the same order: however often polls and webhooks see it, it is queued once
    // (a dry poll's jobs have their own ids, so they never hold back the real import).
    await queueTargetedJob(svc.queues, 'orders', 'order-import', {
      store: svc.storeId,
      tiktokOrderId: order.id,
      dryRun,
      trigger: 'schedule',
    });
    report.summary.changed++;
  }
  if (!dryRun) {
    await svc.state.setCursor(CURSOR, String(until));
  }
  return report.summary;
}

/**
 * The Shopify variants behind the SKUs of an order, read fresh from Shopify (so a deleted,
 * archived or duplicated SKU is seen as it is now). A SKU we had linked that Shopify no
 * longer has is reported as deleted rather than unknown.
 */
async function skuIndexFor(svc: StoreServices, skus: string[]) {
  const variants = skus.length > 0 ? await svc.shopify.getVariantsBySku(skus) : [];
  const refs: ShopifyVariantRef[] = variants.map((v) => ({
    variantId: v.id,
    productId: v.productId,
    productStatus: v.productStatus,
    sku: v.sku,
    productTitle: v.productTitle,
    variantTitle: v.title,
  }));
  const found = new Set(variants.map((v) => v.sku));
  const linked = await svc.state.skuLinks(skus);
  const deleted = [...linked.keys()].filter((sku) => !found.has(sku));
  return buildSkuIndex(refs, deleted, new Map([...linked].map(([sku, link]) => [sku, link.shopifyVariantId])));
}

/**
 * `order-import`: creates one TikTok order in Shopify exactly once. Guarded three times: the
 * job id (queued once), our state (already imported), and the Shopify client's claim plus
 * lookup by source identifier (a crash after `orderCreate`, or two workers at once). An order
 * that cannot be imported is recorded with its reasons for the operator, and fails its job.
 */
export async function runOrderImport(
  svc: StoreServices,
  data: { dryRun: boolean; tiktokOrderId: string },
  ctx?: Pick<JobContext, 'progress'>,
  now: () => number = Date.now,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const id = data.tiktokOrderId;
  report.summary.seen = 1;
  if (await svc.state.order(id)) {
    report.skip('already-imported');
    return report.summary;
  }
  const [found] = await svc.tiktok.getOrders([id]);
  if (!found)
    throw new OrderNotImportableError(id, [{ code: 'not-found', message: 'TikTok does not return this order for this shop' }]);
  const order = toCoreTikTokOrder(found);
  const decision = shouldImportOrder(order, svc.rules);
  if (!decision.import) {
    report.skip(decision.reason);
    report.note(decision.message);
    return report.summary;
  }
  const skus = [...new Set(order.line_items.map((l) => l.seller_sku ?? '').filter(Boolean))];
  const index = await skuIndexFor(svc, skus);
  const built = buildOrderCreateInput(order, index, svc.rules, await orderBuildOptions(svc, now));
  if (!built.ok) {
    const reasons = built.reasons.map((r) => ({ code: r.code, message: r.message }));
    if (!(data.dryRun || svc.dryRun)) await svc.state.recordOrderFailure(id, reasons);
    throw new OrderNotImportableError(id, reasons);
  }
  for (const warning of built.warnings) report.note(`order ${id}: ${warning}`);
  if (data.dryRun || svc.dryRun) {
    svc.preview?.add('order', id);
    report.wouldSend('orderCreate', `TikTok order ${id}`, built.variables);
    return report.summary;
  }
  const { order: created, created: isNew } = await svc.shopify.createOrderOnce(
    id,
    built.variables.order,
    built.variables.options,
  );
  await svc.state.saveOrder(id, {
    shopifyOrderId: created.id,
    tiktokStatus: order.status,
    importedAt: now(),
    ...(found.rts_sla_time ? { shipByAt: found.rts_sla_time * 1000 } : {}),
  });
  report.summary.changed = 1;
  report.summary.pushed = isNew ? 1 : 0;
  if (!isNew) report.note(`order ${id} already existed in Shopify as ${created.name}; linked, not created again`);
  svc.logger.info({ tiktokOrderId: id, shopifyOrderId: created.id, created: isNew }, 'tiktok order imported');
  return report.summary;
}

/**
 * `order-cancel`: a cancellation on one side reaches the other. TikTok cancelled: the Shopify
 * order is cancelled (stock restocked); an event about shoptok's own seller cancellation reads
 * its outcome. Shopify cancelled: the TikTok order is cancelled as the seller or flagged for the
 * operator, per `rules.orders.tiktokCancellation` (see `cancelOnTikTok`).
 */
export async function runOrderCancel(
  svc: StoreServices,
  data: { dryRun: boolean; tiktokOrderId: string; origin: 'tiktok' | 'shopify'; trigger?: string },
  ctx?: Pick<JobContext, 'progress'>,
  now: () => number = Date.now,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  report.summary.seen = 1;
  const record = await svc.state.order(data.tiktokOrderId);
  if (!record) {
    report.skip('not-imported');
    return report.summary;
  }
  if (data.origin === 'shopify') return cancelOnTikTok(svc, data, record, report, now);
  // TikTok's cancellation webhook or the poll, about the cancellation shoptok asked for.
  if (record.tiktokCancellation?.status === 'requested')
    return followSellerCancellation(svc, data.tiktokOrderId, record, report, now);
  if (record.cancelledAt) {
    report.skip('already-cancelled');
    return report.summary;
  }
  if (data.dryRun || svc.dryRun) {
    svc.preview?.add('cancel', data.tiktokOrderId);
    report.wouldSend('orderCancel', record.shopifyOrderId, { reason: 'CUSTOMER', restock: true });
    return report.summary;
  }
  await svc.shopify.cancelOrder(record.shopifyOrderId, {
    reason: 'CUSTOMER',
    restock: true,
    notifyCustomer: false,
    staffNote: `Cancelled on TikTok Shop (order ${data.tiktokOrderId})`,
  });
  await svc.state.saveOrder(data.tiktokOrderId, { ...record, tiktokStatus: 'CANCELLED', cancelledAt: now() });
  report.summary.changed = 1;
  report.summary.pushed = 1;
  return report.summary;
}
