import type { JobSummary } from '@shoptok/queues';
import type { OrderRecord } from '@shoptok/state';
import { planTikTokCancellation } from '@shoptok/sync-core';
import { TikTokInvalidInputError } from '@shoptok/tiktok';
import { toCoreTikTokOrder } from './order-adapt.js';
import type { StoreServices } from './services.js';
import type { RunReport } from './summary.js';

/** TikTok refused the seller cancellation: recorded with TikTok's message for the operator; no retry can change it. */
export class TikTokCancellationRefusedError extends Error {
  readonly retryable = false;
  constructor(tiktokOrderId: string, detail: string) {
    super(`TikTok refused to cancel order ${tiktokOrderId}: ${detail}`);
    this.name = 'TikTokCancellationRefusedError';
  }
}

type SellerCancellation = NonNullable<OrderRecord['tiktokCancellation']>;

// Cancellation statuses of the cancellations search (API-FACTS §5.10): done, or the request withdrawn/rejected.
const DONE_STATUSES = new Set(['CANCELLATION_REQUEST_SUCCESS', 'CANCELLATION_REQUEST_COMPLETE']);
const ENDED_STATUSES = new Set(['CANCELLATION_REQUEST_CANCEL', 'CANCELLATION_REQUEST_CANCELLED']);

async function saveCancellation(
  svc: StoreServices,
  tiktokOrderId: string,
  record: OrderRecord,
  cancellation: SellerCancellation,
  extra: Partial<OrderRecord> = {},
  flagCode = 'cancelled-in-shopify',
): Promise<void> {
  await svc.state.saveOrder(tiktokOrderId, { ...record, ...extra, tiktokCancellation: cancellation });
  // Saving clears the order's failure record: a refusal or a flag is written after it.
  if (cancellation.status === 'refused' || cancellation.status === 'flagged') {
    const code = cancellation.status === 'refused' ? 'tiktok-cancel-refused' : flagCode;
    await svc.state.recordOrderFailure(tiktokOrderId, [{ code, message: cancellation.message ?? '' }]);
  }
}

/**
 * The merchant cancelled the Shopify order of TikTok order `tiktokOrderId`: per the store's
 * `rules.orders.tiktokCancellation`, the TikTok order is cancelled as the seller (with the mapped
 * reason) while nothing has shipped, or flagged for the operator. TikTok's answer is recorded;
 * a refusal with its message (dashboard orders table) and a failed job.
 */
export async function cancelOnTikTok(
  svc: StoreServices,
  data: { dryRun: boolean; tiktokOrderId: string; trigger?: string },
  record: OrderRecord,
  report: RunReport,
  now: () => number,
): Promise<JobSummary> {
  const id = data.tiktokOrderId;
  const previous = record.tiktokCancellation;
  // Done or flagged stays so; a refusal is tried again only when the operator replays it.
  if (previous && (previous.status !== 'refused' || data.trigger !== 'replay')) {
    if (previous.status === 'requested') return followSellerCancellation(svc, id, record, report, now);
    report.skip(`tiktok-cancellation-${previous.status}`);
    return report.summary;
  }
  if (record.cancelledAt && !previous) {
    // Flagged before seller cancellations existed: left to the operator as it was.
    report.skip('already-cancelled');
    return report.summary;
  }
  const shopifyOrder = await svc.shopify.getOrder(record.shopifyOrderId);
  if (!shopifyOrder?.cancelledAt) {
    report.skip('not-cancelled-in-shopify');
    return report.summary;
  }
  const [tiktokOrder] = await svc.tiktok.getOrders([id]);
  if (!tiktokOrder) throw new TikTokCancellationRefusedError(id, 'TikTok does not return this order for this shop');
  const plan = planTikTokCancellation(toCoreTikTokOrder(tiktokOrder), shopifyOrder.cancelReason, svc.rules, {
    trackingSent: Boolean(record.shippedAt),
  });
  const dryRun = data.dryRun || svc.dryRun;
  const refusals = previous?.refusals ?? 0;
  if (plan.action === 'none') {
    if (!dryRun) await saveCancellation(svc, id, record, { status: 'cancelled', refusals, at: now() }, { cancelledAt: now() });
    report.skip('already-cancelled-on-tiktok');
    return report.summary;
  }
  if (plan.action === 'flag') {
    if (!dryRun)
      await saveCancellation(
        svc,
        id,
        record,
        { status: 'flagged', message: plan.message, refusals, at: now() },
        { cancelledAt: now() },
        plan.code,
      );
    report.summary.changed = 1;
    report.note(`order ${id}: ${plan.message}`);
    svc.logger.warn(
      { tiktokOrderId: id, code: plan.code, tiktokStatus: tiktokOrder.status },
      'seller cancellation flagged, not sent',
    );
    return report.summary;
  }
  if (dryRun) {
    report.wouldSend('POST /return_refund/202309/cancellations', id, { order_id: id, cancel_reason: plan.reasonKey });
    return report.summary;
  }
  // A new key after each refusal: TikTok must judge the new try, not answer the old one again.
  const idempotencyKey = `${svc.storeId}-cancel-${id}${refusals > 0 ? `-r${refusals}` : ''}`;
  let answer;
  try {
    answer = await svc.tiktok.cancelOrder(id, { cancelReason: plan.reasonKey, idempotencyKey });
  } catch (err) {
    if (!(err instanceof TikTokInvalidInputError)) throw err; // outages, auth: the job's retries
    const message = `TikTok refused the cancellation (code ${err.code ?? '?'}, reason ${plan.reasonKey}): ${err.tiktokMessage}`;
    await saveCancellation(
      svc,
      id,
      record,
      { status: 'refused', reasonKey: plan.reasonKey, message, refusals: refusals + 1, at: now() },
      { cancelledAt: now() },
    );
    svc.logger.warn({ tiktokOrderId: id, code: err.code, reasonKey: plan.reasonKey }, 'tiktok refused the seller cancellation');
    throw new TikTokCancellationRefusedError(id, message);
  }
  const requested: OrderRecord = {
    ...record,
    cancelledAt: now(),
    tiktokCancellation: {
      status: 'requested',
      reasonKey: plan.reasonKey,
      ...(answer.cancel_id ? { cancelId: answer.cancel_id } : {}),
      refusals,
      at: now(),
    },
  };
  await svc.state.saveOrder(id, requested);
  report.summary.changed = 1;
  report.summary.pushed = 1;
  svc.logger.info(
    { tiktokOrderId: id, reasonKey: plan.reasonKey, cancelId: answer.cancel_id },
    'seller cancellation sent to TikTok',
  );
  // A cancellation is a request: read its outcome now; the webhook and the poll read it again later.
  return followSellerCancellation(svc, id, requested, report, now);
}

/**
 * Reads TikTok's outcome of a requested seller cancellation (cancellations search): done, still
 * pending, or ended without cancelling (recorded as refused, for the operator).
 */
export async function followSellerCancellation(
  svc: StoreServices,
  tiktokOrderId: string,
  record: OrderRecord,
  report: RunReport,
  now: () => number,
): Promise<JobSummary> {
  const pending = record.tiktokCancellation;
  if (pending?.status !== 'requested') return report.summary;
  const { cancellations } = await svc.tiktok.searchCancellations({ orderIds: [tiktokOrderId] });
  const ours =
    cancellations.find((c) => pending.cancelId !== undefined && c.cancel_id === pending.cancelId) ??
    cancellations.find((c) => c.role === 'SELLER') ??
    cancellations[0];
  const status = ours?.cancel_status;
  if (status && DONE_STATUSES.has(status)) {
    await svc.state.saveOrder(tiktokOrderId, {
      ...record,
      tiktokStatus: 'CANCELLED',
      tiktokCancellation: {
        ...pending,
        status: 'cancelled',
        ...(ours?.cancel_id ? { cancelId: ours.cancel_id } : {}),
        at: now(),
      },
    });
    report.note(`order ${tiktokOrderId} cancelled on TikTok (${pending.reasonKey ?? 'reason unknown'})`);
    svc.logger.info({ tiktokOrderId, cancelId: ours?.cancel_id }, 'seller cancellation done on TikTok');
  } else if (status && ENDED_STATUSES.has(status)) {
    const message = `TikTok ended the cancellation request without cancelling (${status})${ours?.cancel_reason_text ? `: ${ours.cancel_reason_text}` : ''}`;
    await saveCancellation(svc, tiktokOrderId, record, {
      ...pending,
      status: 'refused',
      message,
      refusals: pending.refusals + 1,
      at: now(),
    });
    report.note(`order ${tiktokOrderId}: ${message}`);
  } else {
    report.note(`order ${tiktokOrderId}: cancellation on TikTok still ${status ?? 'not listed yet'}`);
  }
  return report.summary;
}
