import { createHmac, randomUUID } from 'node:crypto';
import type { ShopifyServerState, WebhookDelivery } from './state.js';

// Webhooks as Shopify sends them: signed with the app secret, to every subscription of the
// topic (and the test's target), retried with the same webhook id until a 2xx.

export const API_VERSION = '2026-10';

/** Converts a subscription topic enum (INVENTORY_LEVELS_UPDATE) to its header form (inventory_levels/update). */
export function topicHeader(topic: string): string {
  const i = topic.lastIndexOf('_');
  return `${topic.slice(0, i)}/${topic.slice(i + 1)}`.toLowerCase();
}

/** A signed webhook: its body and Shopify's headers. */
export function signedWebhook(
  s: ShopifyServerState,
  topic: string,
  payload: unknown,
  o: { webhookId?: string; triggeredAt?: Date; secret?: string } = {},
): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic.includes('/') ? topic : topicHeader(topic),
      'x-shopify-hmac-sha256': createHmac('sha256', o.secret ?? s.config.apiSecret)
        .update(body)
        .digest('base64'),
      'x-shopify-shop-domain': s.config.shopDomain,
      'x-shopify-api-version': API_VERSION,
      'x-shopify-webhook-id': o.webhookId ?? randomUUID(),
      'x-shopify-event-id': randomUUID(),
      'x-shopify-triggered-at': (o.triggeredAt ?? new Date()).toISOString(),
    },
  };
}

function deliver(s: ShopifyServerState, delivery: WebhookDelivery, msg: { headers: Record<string, string>; body: string }) {
  delivery.attempts += 1;
  void fetch(delivery.url, { method: 'POST', headers: msg.headers, body: msg.body, signal: AbortSignal.timeout(5000) })
    .then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    })
    .catch(() => 0)
    .then((status) => {
      delivery.lastStatus = status || null;
      if (status >= 200 && status < 300) delivery.delivered = true;
      else {
        const wait = s.config.webhookRetryDelaysMs[delivery.attempts - 1];
        // Same webhook id on every retry, as Shopify does.
        if (wait !== undefined) s.later(wait, () => deliver(s, delivery, msg));
      }
    });
}

/** Sends a webhook of the topic (enum form) to its subscriptions and the test's target. */
export function emit(s: ShopifyServerState, topicEnum: string, payload: unknown): void {
  const urls = new Set(s.store.webhooks.filter((w) => w.topic === topicEnum).map((w) => w.uri));
  if (s.webhookTarget) urls.add(s.webhookTarget);
  for (const url of urls) {
    const msg = signedWebhook(s, topicEnum, payload);
    const delivery: WebhookDelivery = {
      webhookId: msg.headers['x-shopify-webhook-id']!,
      topic: topicHeader(topicEnum),
      url,
      attempts: 0,
      delivered: false,
      lastStatus: null,
    };
    s.deliveries.push(delivery);
    deliver(s, delivery, msg);
  }
}
