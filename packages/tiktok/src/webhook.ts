import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { tiktokKeys } from '@shoptok/keys';
import { z } from 'zod';
import { parseJsonSafe } from './json.js';

/**
 * True when `authorization` is TikTok's signature of this raw body (API-FACTS §7):
 * lowercase hex HMAC-SHA256 keyed by the app secret over `app_key + raw body`.
 * Pass the body bytes exactly as received, before any JSON parsing.
 */
export function verifyWebhookSignature(input: {
  appKey: string;
  appSecret: string;
  rawBody: string | Buffer;
  authorization: string | undefined;
}): boolean {
  if (!input.authorization) return false;
  const given = input.authorization.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const hmac = createHmac('sha256', input.appSecret);
  hmac.update(input.appKey, 'utf8');
  hmac.update(input.rawBody);
  const expected = hmac.digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

// Ids may arrive as bare JSON numbers (product webhooks); parseJsonSafe keeps big ones as strings.
const id = z.union([z.string(), z.number().int()]).transform(String);

/**
 * The webhook envelope (§7); `data` stays loose because each type has its own fields.
 * `tts_notification_id` is optional: a correctly signed delivery without it is still taken
 * (de-duplicated by a hash of its body instead), since refusing it would lose the event.
 */
export const webhookEnvelopeSchema = z.object({
  type: z.number().int(),
  tts_notification_id: id.optional(),
  shop_id: id,
  timestamp: z.number().int(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type TikTokWebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

/** Type 1: ORDER_STATUS_CHANGE (the webhook says `CANCEL` where the API says `CANCELLED`). */
export const orderStatusChangeSchema = z.object({
  order_id: id,
  order_status: z.string(),
  is_on_hold_order: z.boolean().optional(),
  update_time: z.number().int(),
});
/** Type 5: PRODUCT_STATUS_CHANGE. */
export const productStatusChangeSchema = z.object({
  product_id: id,
  status: z.string(),
  suspended_reason: z.string().optional(),
  update_time: z.number().int(),
});
/** Type 37: PRODUCT_AUDIT_STATUS_CHANGE. */
export const productAuditStatusChangeSchema = z.object({
  product_id: id,
  audit: z.object({ status: z.string(), pre_approved_reasons: z.array(z.string()).optional() }),
  update_time: z.number().int(),
});
/** Type 11: CANCELLATION_STATUS_CHANGE. */
export const cancellationStatusChangeSchema = z.object({
  order_id: id,
  cancellations_role: z.string().optional(),
  cancel_status: z.string(),
  cancel_id: id,
  create_time: z.number().int().optional(),
});

export const WEBHOOK_TYPES = {
  ORDER_STATUS_CHANGE: 1,
  RECIPIENT_ADDRESS_UPDATE: 3,
  PACKAGE_UPDATE: 4,
  PRODUCT_STATUS_CHANGE: 5,
  SELLER_DEAUTHORIZATION: 6,
  UPCOMING_AUTHORIZATION_EXPIRATION: 7,
  CANCELLATION_STATUS_CHANGE: 11,
  PRODUCT_AUDIT_STATUS_CHANGE: 37,
} as const;

export type WebhookVerdict =
  | {
      ok: true;
      event: TikTokWebhookEnvelope;
      /** What the delivery was de-duplicated by: its notification id, or `sha256:<hex of the signed body>` without one. */
      deliveryKey: string;
    }
  | { ok: false; reason: 'forged' | 'malformed' | 'stale' | 'replayed'; detail: string };

export interface TikTokWebhookVerifierOptions {
  appKey: string;
  appSecret: string;
  redis: Redis | Cluster;
  keyPrefix: string;
  storeId: string;
  /**
   * Oldest event `timestamp` accepted. TikTok retries a failed delivery for about 15.5 h
   * (2 min, 30 min, 3 h, 12 h) and whether a retry keeps the first timestamp is unconfirmed,
   * so the default (24 h) accepts every retry; replays inside it are caught by the seen-set.
   */
  maxAgeMs?: number;
  /** Allowed clock skew into the future. */
  maxFutureSkewMs?: number;
  now?: () => number;
}

/**
 * Verifies TikTok Shop webhooks for one store: signature over the raw body, freshness, and
 * one delivery per `tts_notification_id` (a Redis key under the store's hash tag), or per signed
 * body when the envelope has no notification id.
 */
export class TikTokWebhookVerifier {
  private readonly maxAgeMs: number;
  private readonly maxFutureSkewMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TikTokWebhookVerifierOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
    this.maxFutureSkewMs = options.maxFutureSkewMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  private seenKey(deliveryKey: string): string {
    return tiktokKeys(this.options.keyPrefix, this.options.storeId).webhookSeen(deliveryKey);
  }

  /**
   * Checks a delivery and claims its notification id. A caller that then fails to enqueue
   * should `release` the id so TikTok's retry is accepted.
   */
  async verify(rawBody: string | Buffer, authorization: string | undefined): Promise<WebhookVerdict> {
    const { appKey, appSecret } = this.options;
    if (!verifyWebhookSignature({ appKey, appSecret, rawBody, authorization })) {
      return { ok: false, reason: 'forged', detail: 'the Authorization header is not the signature of this body' };
    }
    let parsed: unknown;
    try {
      parsed = parseJsonSafe(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed', detail: 'the body is not JSON' };
    }
    const envelope = webhookEnvelopeSchema.safeParse(parsed);
    if (!envelope.success) return { ok: false, reason: 'malformed', detail: z.prettifyError(envelope.error) };
    const event = envelope.data;
    const ageMs = this.now() - event.timestamp * 1000;
    if (ageMs > this.maxAgeMs || ageMs < -this.maxFutureSkewMs) {
      return { ok: false, reason: 'stale', detail: `event timestamp ${event.timestamp} is outside the accepted window` };
    }
    // The seen-mark outlives the freshness window, so a replay is either stale or seen.
    const ttlMs = this.maxAgeMs + this.maxFutureSkewMs + 60_000;
    // Without a notification id a retry is recognised by its bytes (the signature covers them all).
    const deliveryKey = event.tts_notification_id ?? `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
    const claimed = await this.options.redis.set(this.seenKey(deliveryKey), String(this.now()), 'PX', ttlMs, 'NX');
    if (claimed !== 'OK') {
      const what = event.tts_notification_id ? `notification ${event.tts_notification_id}` : 'this signed body';
      return { ok: false, reason: 'replayed', detail: `${what} was already accepted` };
    }
    return { ok: true, event, deliveryKey };
  }

  /** Forgets a claimed delivery (its `deliveryKey`; call when the event could not be handed on). */
  async release(deliveryKey: string): Promise<void> {
    await this.options.redis.del(this.seenKey(deliveryKey));
  }
}
