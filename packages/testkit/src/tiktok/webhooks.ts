import { request } from 'node:http';
import { bigId, nowSec } from './model.js';
import { webhookSignature } from './sign.js';
import type { ShopState, TikTokStandInState, WebhookDelivery } from './state.js';
import { Timers } from '../timers.js';

/** TikTok's retry schedule after a failed delivery: 2 min, 30 min, 3 h, 12 h (§7). */
export const REAL_RETRY_DELAYS_MS = [2 * 60_000, 30 * 60_000, 3 * 3_600_000, 12 * 3_600_000];

export interface WebhookSenderOptions {
  retryDelaysMs: number[];
  /** TikTok waits 3 s for the 200 (§7). */
  timeoutMs: number;
}

/** Delivers signed webhooks and retries non-200 answers on TikTok's schedule. */
export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly timers = new Timers();

  constructor(private readonly options: WebhookSenderOptions) {}

  send(url: string, appKey: string, appSecret: string, type: number, body: string): WebhookDelivery {
    const delivery: WebhookDelivery = {
      url,
      type,
      body,
      authorization: webhookSignature(appKey, appSecret, body),
      attempts: 0,
      status: 'pending',
    };
    this.deliveries.push(delivery);
    this.attempt(delivery);
    return delivery;
  }

  private attempt(delivery: WebhookDelivery): void {
    if (this.timers.stopped) return;
    delivery.attempts += 1;
    const target = new URL(delivery.url);
    let settled = false;
    const finish = (status: number | undefined) => {
      if (settled) return;
      settled = true;
      delivery.lastStatus = status;
      if (status === 200) delivery.status = 'delivered';
      // §7: answer 200, or 401 for an auth failure; anything else (or silence) is retried.
      else if (status === 401) delivery.status = 'failed';
      else this.retry(delivery);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: delivery.authorization,
          'content-length': Buffer.byteLength(delivery.body),
        },
        timeout: this.options.timeoutMs,
      },
      (res) => {
        res.resume();
        finish(res.statusCode);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => finish(undefined));
    req.end(delivery.body);
  }

  private retry(delivery: WebhookDelivery): void {
    const delay = this.options.retryDelaysMs[delivery.attempts - 1];
    if (delay === undefined || this.timers.stopped) {
      delivery.status = 'failed';
      return;
    }
    this.timers.later(delay, () => this.attempt(delivery));
  }

  close(): void {
    this.timers.stop();
  }
}

/** Event API names of the webhook types the stand-in sends (§7). */
export const TOPICS: Record<number, string> = {
  1: 'ORDER_STATUS_CHANGE',
  5: 'PRODUCT_STATUS_CHANGE',
  11: 'CANCELLATION_STATUS_CHANGE',
  16: 'PRODUCT_CREATION',
  37: 'PRODUCT_AUDIT_STATUS_CHANGE',
};

/**
 * Sends an event of the shop to its Event API subscription for the type and to `webhookUrl`
 * (every event of every shop), signed with the app's secret.
 */
export function emitWebhook(
  state: TikTokStandInState,
  sender: WebhookSender,
  webhookUrl: string | undefined,
  shop: ShopState,
  type: number,
  data: Record<string, unknown>,
): void {
  const secret = state.apps.get(shop.appKey)!;
  const id = bigId('7');
  // Product webhooks carry product_id as a bare JSON number in TikTok's samples (§7 gotchas).
  let body = JSON.stringify({ type, tts_notification_id: id, shop_id: shop.shopId, timestamp: nowSec(), data });
  if ((type === 5 || type === 37 || type === 16) && typeof data.product_id === 'string')
    body = body.replace(`"product_id":"${data.product_id}"`, `"product_id":${data.product_id}`);
  const targets = new Set<string>();
  if (webhookUrl) targets.add(webhookUrl);
  const topic = TOPICS[type];
  if (topic && shop.webhooks.has(topic)) targets.add(shop.webhooks.get(topic)!);
  for (const url of targets) sender.send(url, shop.appKey, secret, type, body);
}
