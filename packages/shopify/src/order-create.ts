import { shopifyKeys } from '@shoptok/keys';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type ClientContext, safeJson, type ShopifyClientOptions } from './context.js';
import {
  ShopifyClientError,
  ShopifyConfigError,
  ShopifyOrderClaimBusyError,
  ShopifyResponseShapeError,
  ShopifyTransientError,
  ShopifyUserError,
} from './errors.js';
import * as ops from './operations.js';
import { type OrderCreateOptions, orderCreateOptionsInput, type TikTokOrderInput, tiktokOrderInput } from './order-input.js';
import * as s from './schemas.js';
import type { ShopifyOrder } from './types.js';

const claimRecord = z.discriminatedUnion('state', [
  z.object({ state: z.literal('claimed'), token: z.string(), at: z.number() }),
  z.object({ state: z.literal('created'), orderId: z.string(), at: z.number() }),
]);

// Deletes the claim only if it is still ours (another worker may hold it after ours expired).
const RELEASE_CLAIM = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0
`;

// Extends the claim to a full TTL only if it is still ours (it may have lapsed during the lookup).
const RENEW_CLAIM = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_THROTTLE_WAIT_MS = 20_000;

/**
 * Request timeout and longest throttle wait that fit inside an order-create claim of
 * `orderClaimTtlMs` (the constructor refuses a claim shorter than one call): the defaults
 * (30 s, 20 s) when they fit, else 60 % / 40 % of the claim, so a short claim (fast crash
 * recovery) still outlasts any orderCreate call.
 */
export function requestTimingsForClaim(orderClaimTtlMs: number): { timeoutMs: number; maxThrottleWaitMs: number } {
  if (orderClaimTtlMs >= DEFAULT_TIMEOUT_MS + DEFAULT_MAX_THROTTLE_WAIT_MS)
    return { timeoutMs: DEFAULT_TIMEOUT_MS, maxThrottleWaitMs: DEFAULT_MAX_THROTTLE_WAIT_MS };
  const timeoutMs = Math.floor(orderClaimTtlMs * 0.6);
  return { timeoutMs, maxThrottleWaitMs: orderClaimTtlMs - timeoutMs };
}

/** Refuses options whose order-create claim could lapse during one orderCreate call. */
export function assertClaimOutlastsOneCall(options: ShopifyClientOptions): void {
  const claimTtl = options.orderClaimTtlMs ?? 300_000;
  if (claimTtl < (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) + (options.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS)) {
    throw new ShopifyConfigError('orderClaimTtlMs must outlast one orderCreate call (timeoutMs + maxThrottleWaitMs).');
  }
}

/** The `sourceIdentifier` we give the Shopify order made for a TikTok order. */
export function sourceIdentifierFor(tiktokOrderId: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tiktokOrderId))
    throw new ShopifyClientError(`"${tiktokOrderId}" is not a TikTok order id.`, false);
  return `tiktok-${tiktokOrderId}`;
}

/**
 * Creates the Shopify order of a TikTok order exactly once: the claim protocol (a claim in
 * Redis, then a lookup by `sourceIdentifier`, then `orderCreate`) and the record of what was made.
 */
export class OrderCreator {
  constructor(
    private readonly ctx: ClientContext,
    private readonly getOrder: (orderId: string) => Promise<ShopifyOrder | null>,
  ) {}

  private get options() {
    return this.ctx.options;
  }

  /** The Shopify order made for a TikTok order, found by the `sourceIdentifier` we set. */
  async findOrderForTikTok(tiktokOrderId: string): Promise<ShopifyOrder | null> {
    const ident = sourceIdentifierFor(tiktokOrderId);
    const { data } = await this.ctx.transport.request(
      'OrdersSearch',
      ops.ORDERS_SEARCH,
      { query: `source_identifier:'${ident}'` },
      s.ordersSearchData,
    );
    // Search is fuzzy; only an exact match counts.
    return data.orders.nodes.find((o) => o.sourceIdentifier === ident) ?? null;
  }

  /**
   * Creates the Shopify order for a TikTok order at most once, across retries, crashes and
   * concurrent workers: a claim in Redis, then a lookup by `sourceIdentifier`, then `orderCreate`.
   */
  async createOrderOnce(
    tiktokOrderId: string,
    input: TikTokOrderInput,
    options: OrderCreateOptions = {},
  ): Promise<{ order: ShopifyOrder; created: boolean }> {
    const ident = sourceIdentifierFor(tiktokOrderId);
    const parsedInput = tiktokOrderInput.safeParse(input);
    if (!parsedInput.success)
      throw new ShopifyClientError(
        `Order input for TikTok order ${tiktokOrderId} is invalid: ${parsedInput.error.message}`,
        false,
        { operation: 'OrderCreate' },
      );
    const parsedOptions = orderCreateOptionsInput.safeParse(options);
    if (!parsedOptions.success)
      throw new ShopifyClientError(
        `orderCreate options for TikTok order ${tiktokOrderId} are invalid: ${parsedOptions.error.message}`,
        false,
        { operation: 'OrderCreate' },
      );
    const redis = this.options.redis;
    const key = shopifyKeys(this.options.keyPrefix, this.options.storeId).order(tiktokOrderId);

    const known = await this.readClaim(key);
    if (known?.state === 'created') return { order: await this.recordedOrder(tiktokOrderId, known.orderId), created: false };

    const token = randomUUID();
    const claimed = await redis.set(
      key,
      JSON.stringify({ state: 'claimed', token, at: Date.now() }),
      'PX',
      this.options.orderClaimTtlMs ?? 300_000,
      'NX',
    );
    if (claimed !== 'OK') {
      const now = await this.readClaim(key);
      if (now?.state === 'created') return { order: await this.recordedOrder(tiktokOrderId, now.orderId), created: false };
      // Try again when the claim lapses (then the lookup finds an order a crashed attempt made).
      const lapsesInMs = await redis.pttl(key);
      throw new ShopifyOrderClaimBusyError(
        `TikTok order ${tiktokOrderId} is being created by another worker (or its last attempt ended unsure); retry after the claim lapses.`,
        { operation: 'OrderCreate' },
        Math.max(lapsesInMs, 0) + 250,
      );
    }

    let sent = false;
    try {
      const existing = await this.findOrderForTikTok(tiktokOrderId);
      if (existing) {
        await this.remember(key, existing.id);
        return { order: existing, created: false };
      }
      const tags = [...new Set([...(parsedInput.data.tags ?? []), 'tiktok', `tiktok-order-${tiktokOrderId}`])];
      // A slow lookup eats into the claim: renew it so a whole TTL covers orderCreate, or stop
      // if it already lapsed (another attempt may be creating this order now).
      const renewed = await redis.eval(RENEW_CLAIM, 1, key, token, String(this.options.orderClaimTtlMs ?? 300_000));
      if (renewed !== 1) {
        throw new ShopifyOrderClaimBusyError(
          `TikTok order ${tiktokOrderId}: the claim lapsed before orderCreate was sent; another attempt may hold it now.`,
          { operation: 'OrderCreate' },
          Math.max(await redis.pttl(key), 0) + 250,
        );
      }
      sent = true;
      const { data, requestId } = await this.ctx.transport.request(
        'OrderCreate',
        ops.ORDER_CREATE,
        {
          order: { ...parsedInput.data, tags, sourceIdentifier: ident },
          // Default DECREMENT_IGNORING_POLICY: TikTok already sold these units, so Shopify's stock
          // must go down so the web store does not sell them again, and it must go down even if
          // Shopify thinks it is out (the sale happened; refusing it loses a paid order). BYPASS
          // (Shopify's default) would leave stock too high; DECREMENT_OBEYING_POLICY would reject
          // the order on a stock race. A store's rules may choose otherwise.
          options: parsedOptions.data,
        },
        s.orderCreateData,
        { notIdempotent: true },
      );
      const payload = data.orderCreate;
      if (!payload || payload.userErrors.length > 0 || !payload.order) {
        sent = false; // rejected: nothing was created
        throw new ShopifyUserError('orderCreate', payload?.userErrors ?? [{ field: null, message: 'no order returned' }], {
          requestId,
        });
      }
      await this.remember(key, payload.order.id);
      this.options.logger?.info(
        { store: this.options.storeId, tiktokOrderId, orderId: payload.order.id },
        'shopify: order created',
      );
      return { order: payload.order, created: true };
    } catch (err) {
      // Release the claim only when we know no order was made. After an unknown outcome
      // (timeout, 5xx, crash) the claim holds until it lapses, so the next attempt's lookup runs
      // once Shopify's search has indexed an order that may have been created.
      // Unknown: no answer (timeout, 5xx, reset), an answer we could not read, or anything unexpected.
      const unknownOutcome =
        sent &&
        (err instanceof ShopifyTransientError ||
          err instanceof ShopifyResponseShapeError ||
          !(err instanceof ShopifyClientError));
      if (!unknownOutcome) await redis.eval(RELEASE_CLAIM, 1, key, token);
      // Shopify may still run a request we gave up on (a timeout only ends our wait): hold the
      // claim a whole TTL from now, not just what is left of it, so the next attempt's lookup
      // comes after that late order and after Shopify's search has indexed it.
      else await redis.eval(RENEW_CLAIM, 1, key, token, String(this.options.orderClaimTtlMs ?? 300_000)).catch(() => undefined);
      throw err;
    }
  }

  private async readClaim(key: string) {
    const raw = await this.options.redis.get(key);
    if (raw === null) return null;
    const parsed = claimRecord.safeParse(safeJson(raw));
    return parsed.success ? parsed.data : null;
  }

  private async remember(key: string, orderId: string): Promise<void> {
    await this.options.redis.set(
      key,
      JSON.stringify({ state: 'created', orderId, at: Date.now() }),
      'PX',
      this.options.orderRecordTtlMs ?? 30 * 24 * 3600_000,
    );
  }

  private async recordedOrder(tiktokOrderId: string, orderId: string): Promise<ShopifyOrder> {
    const order = await this.getOrder(orderId);
    if (!order) {
      // Never recreate on our own: a merchant may have deleted it on purpose.
      throw new ShopifyClientError(
        `TikTok order ${tiktokOrderId} was created as ${orderId}, which no longer exists in Shopify; resolve it by hand.`,
        false,
        { operation: 'OrderById' },
      );
    }
    return order;
  }
}
