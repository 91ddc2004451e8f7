import { ApiFail } from '../context.js';
import { TOPICS } from '../webhooks.js';
import { route } from './route.js';

/** Event API: the shop's webhook subscriptions. */
export const eventRoutes = [
  route('GET', '/event/202309/webhooks', true, 'none', (ctx) => ({
    webhooks: [...ctx.shop.webhooks].map(([event_type, address]) => ({ event_type, address })),
  })),
  route('PUT', '/event/202309/webhooks', true, 'json', (ctx) => {
    const body = ctx.body as Record<string, unknown> | undefined;
    const address = typeof body?.address === 'string' ? body.address : '';
    const eventType = typeof body?.event_type === 'string' ? body.event_type : '';
    if (!address || address.length > 255 || !Object.values(TOPICS).includes(eventType))
      throw new ApiFail(36009004, 'Invalid webhook address or event_type.');
    ctx.shop.webhooks.set(eventType, address);
    return {};
  }),
  route('DELETE', '/event/202309/webhooks', true, 'json', (ctx) => {
    const body = ctx.body as Record<string, unknown> | undefined;
    ctx.shop.webhooks.delete(typeof body?.event_type === 'string' ? body.event_type : '');
    return {};
  }),
];
