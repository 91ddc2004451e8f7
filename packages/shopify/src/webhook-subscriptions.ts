import type { z } from 'zod';
import type { ClientContext } from './context.js';
import { ShopifyUserError } from './errors.js';
import * as ops from './operations.js';
import * as s from './schemas.js';

/**
 * Webhook topics shoptok subscribes to (each handled by apps/webhooks). `ORDERS_FULFILLED`
 * names the order, so its tracking goes to TikTok in one targeted job; the fulfilment topics
 * catch partial fulfilments and tracking edits through the fulfilment poll.
 */
export const SHOPTOK_WEBHOOK_TOPICS = [
  'PRODUCTS_CREATE',
  'PRODUCTS_UPDATE',
  'PRODUCTS_DELETE',
  'INVENTORY_LEVELS_UPDATE',
  'ORDERS_CANCELLED',
  'ORDERS_FULFILLED',
  'FULFILLMENTS_CREATE',
  'FULFILLMENTS_UPDATE',
] as const;
export type ShopifyWebhookTopic = (typeof SHOPTOK_WEBHOOK_TOPICS)[number];

/** The webhook subscriptions of this app on one store. */
export class WebhookSubscriptions {
  constructor(private readonly ctx: ClientContext) {}

  /** Every webhook subscription of this app on this store. */
  async list(): Promise<{ id: string; topic: string; uri: string }[]> {
    const out: { id: string; topic: string; uri: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const { data }: { data: z.infer<typeof s.webhookSubscriptionsData> } = await this.ctx.transport.request(
        'WebhookSubscriptions',
        ops.WEBHOOK_SUBSCRIPTIONS,
        { after },
        s.webhookSubscriptionsData,
      );
      out.push(...data.webhookSubscriptions.nodes);
      if (!data.webhookSubscriptions.pageInfo.hasNextPage) return out;
      after = data.webhookSubscriptions.pageInfo.endCursor;
    }
  }

  /**
   * Makes each topic deliver to `uri`: creates what is missing and removes subscriptions of
   * those topics that point elsewhere (left over from an old URL). Other topics are untouched.
   */
  async ensure(params: {
    uri: string;
    topics?: readonly ShopifyWebhookTopic[];
  }): Promise<{ created: string[]; deleted: string[] }> {
    const topics = params.topics ?? SHOPTOK_WEBHOOK_TOPICS;
    const existing = await this.list();
    const created: string[] = [];
    const deleted: string[] = [];
    for (const topic of topics) {
      const mine = existing.filter((w) => w.topic === topic);
      if (!mine.some((w) => w.uri === params.uri)) {
        const { data, requestId } = await this.ctx.transport.request(
          'WebhookSubscriptionCreate',
          ops.WEBHOOK_SUBSCRIPTION_CREATE,
          { topic, uri: params.uri },
          s.webhookCreateData,
        );
        const p = data.webhookSubscriptionCreate;
        if (!p || p.userErrors.length > 0 || !p.webhookSubscription)
          throw new ShopifyUserError('webhookSubscriptionCreate', p?.userErrors ?? [], { requestId });
        created.push(topic);
      }
      for (const stale of mine.filter((w) => w.uri !== params.uri)) {
        const { data, requestId } = await this.ctx.transport.request(
          'WebhookSubscriptionDelete',
          ops.WEBHOOK_SUBSCRIPTION_DELETE,
          { id: stale.id },
          s.webhookDeleteData,
        );
        const p = data.webhookSubscriptionDelete;
        if (p && p.userErrors.length > 0) throw new ShopifyUserError('webhookSubscriptionDelete', p.userErrors, { requestId });
        deleted.push(stale.id);
      }
    }
    return { created, deleted };
  }
}
