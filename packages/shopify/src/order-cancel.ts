import { shopifyKeys } from '@shoptok/keys';
import { z } from 'zod';
import { type ClientContext, sleep } from './context.js';
import { ShopifyClientError, ShopifyTransientError, ShopifyUserError, type ShopifyUserErrorItem } from './errors.js';
import * as ops from './operations.js';
import * as s from './schemas.js';
import type { OrderCancelReason, ShopifyOrder } from './types.js';

/** Options of `cancelOrder`. */
export interface CancelOrderOptions {
  reason: OrderCancelReason;
  /** Email the customer about the cancellation. Default false (TikTok tells its own buyer). */
  notifyCustomer?: boolean;
  /** Refund to the original payment methods. Default false (TikTok refunds its own buyer). */
  refund?: boolean;
  /** Put the units back in stock where the order took them. Default true. */
  restock?: boolean;
  /** Staff-only note on the cancellation (at most 255 characters). */
  staffNote?: string;
}

/** What `cancelOrder` did. */
export interface CancelOrderResult {
  order: ShopifyOrder;
  /** False when the order was already cancelled (by us earlier, or by the merchant). */
  cancelled: boolean;
}

const cancelOrderOptions = z
  .object({
    reason: z.enum(['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF']),
    notifyCustomer: z.boolean().default(false),
    refund: z.boolean().default(false),
    restock: z.boolean().default(true),
    staffNote: z.string().max(255).optional(),
  })
  .strict();

const ORDER_GID = /^gid:\/\/shopify\/Order\/\d+$/;

/**
 * Cancels Shopify orders: `orderCancel` runs as a Shopify job, which we wait for; the job id
 * is kept in Redis while it runs so a retry waits for it instead of sending a second one.
 */
export class OrderCanceller {
  constructor(
    private readonly ctx: ClientContext,
    private readonly getOrder: (orderId: string) => Promise<ShopifyOrder | null>,
  ) {}

  private get options() {
    return this.ctx.options;
  }

  /**
   * Cancels a Shopify order (`orderCancel`, which Shopify runs as a job) and waits for the job.
   * Idempotent: an order that is already cancelled is a success with `cancelled: false`.
   */
  async cancel(orderId: string, options: CancelOrderOptions): Promise<CancelOrderResult> {
    if (!ORDER_GID.test(orderId))
      throw new ShopifyClientError(`"${orderId}" is not a Shopify order id (gid://shopify/Order/<n>).`, false, {
        operation: 'OrderCancel',
      });
    const parsed = cancelOrderOptions.safeParse(options);
    if (!parsed.success)
      throw new ShopifyClientError(`Cancel options for ${orderId} are invalid: ${parsed.error.message}`, false, {
        operation: 'OrderCancel',
      });
    const o = parsed.data;

    const current = await this.getOrder(orderId);
    if (!current)
      throw new ShopifyClientError(`Shopify order ${orderId} does not exist (deleted?); nothing to cancel.`, false, {
        code: 'NOT_FOUND',
        operation: 'OrderCancel',
      });
    if (current.cancelledAt) return { order: current, cancelled: false };

    // A job an earlier attempt started and left running: wait for it rather than sending a
    // second orderCancel, which Shopify would refuse while the first one runs.
    const pendingKey = shopifyKeys(this.options.keyPrefix, this.options.storeId).cancel(
      orderId.slice(orderId.lastIndexOf('/') + 1),
    );
    const pendingJob = await this.options.redis.get(pendingKey);
    if (pendingJob) return this.awaitCancellation(orderId, { id: pendingJob, done: false, errors: [] }, undefined, pendingKey);

    const { data, requestId } = await this.ctx.transport.request(
      'OrderCancel',
      ops.ORDER_CANCEL,
      {
        orderId,
        reason: o.reason,
        notifyCustomer: o.notifyCustomer,
        restock: o.restock,
        // 2026-10: `refund` is deprecated; no refundMethod means no refund (authorisations are voided regardless).
        refundMethod: o.refund ? { originalPaymentMethodsRefund: true } : null,
        staffNote: o.staffNote ?? null,
      },
      s.orderCancelData,
      // Not re-sent by the transport: after a lost answer the job may be running, and a second
      // orderCancel would be refused. The caller's retry re-reads the order first instead.
      { notIdempotent: true },
    );
    const payload = data.orderCancel;
    const errors = payload?.orderCancelUserErrors ?? [];
    if (errors.length > 0 || !payload?.jobResult) {
      // The merchant (or a lost earlier attempt of ours) cancelled it meanwhile: the goal is met.
      const after = await this.getOrder(orderId);
      if (after?.cancelledAt) return { order: after, cancelled: false };
      throw new ShopifyUserError(
        'orderCancel',
        errors.length > 0 ? errors : [{ field: null, message: 'no cancellation job returned' }],
        { requestId },
      );
    }
    const job = payload.jobResult;
    if (job.status === 'FAILED') this.cancelFailed(orderId, job.errors, requestId);
    if (job.done && job.order?.cancelledAt) return { order: job.order, cancelled: true };
    await this.options.redis.set(pendingKey, job.id, 'PX', Math.max(10 * 60_000, (this.options.cancelWaitMs ?? 20_000) * 3));
    return this.awaitCancellation(orderId, job, requestId, pendingKey);
  }

  private async awaitCancellation(
    orderId: string,
    job: { id: string; done: boolean; errors: ShopifyUserErrorItem[] },
    requestId: string | undefined,
    pendingKey: string,
  ): Promise<CancelOrderResult> {
    const deadline = Date.now() + (this.options.cancelWaitMs ?? 20_000);
    for (;;) {
      const { data } = await this.ctx.transport.request('JobStatus', ops.JOB_STATUS, { id: job.id }, s.jobStatusData);
      const order = await this.getOrder(orderId);
      if (order?.cancelledAt) {
        await this.options.redis.del(pendingKey);
        return { order, cancelled: true };
      }
      // Done (or gone) without a cancellation: the job failed; its errors were only in the mutation's answer.
      if (!data.job || data.job.done) {
        await this.options.redis.del(pendingKey);
        this.cancelFailed(orderId, job.errors, requestId);
      }
      if (Date.now() > deadline) {
        throw new ShopifyTransientError(
          `Shopify is still cancelling order ${orderId} (job ${job.id}); check again later.`,
          undefined,
          { code: 'CANCEL_PENDING', operation: 'OrderCancel', requestId },
        );
      }
      await sleep(this.options.cancelPollIntervalMs ?? 500);
    }
  }

  private cancelFailed(orderId: string, errors: readonly ShopifyUserErrorItem[], requestId: string | undefined): never {
    throw new ShopifyUserError(
      'orderCancel',
      errors.length > 0
        ? errors
        : [
            {
              field: null,
              message: `Shopify's cancellation job for ${orderId} ended without cancelling it; check the order in the Shopify admin.`,
            },
          ],
      { requestId },
    );
  }
}
