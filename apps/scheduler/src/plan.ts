import type { StoreConfig } from '@shoptok/config';
import type { JobName, QueueKey } from '@shoptok/queues';

/** One recurring job of one store. */
export type RecurringJob = { [Q in QueueKey]: { queue: Q; jobName: JobName<Q>; everySeconds: number } }[QueueKey];

const DAY = 86_400;
const HOUR = 3_600;

/**
 * The recurring jobs of a store. Stock, orders and tracking follow the store's sync interval
 * (webhooks make them near real time; these polls are the safety net). Listings change less
 * often and are cheap to re-check (content hashes), reconcile rebuilds state once a day, and
 * tokens are checked hourly so a refresh always happens well before expiry.
 */
export function recurringJobsFor(store: StoreConfig): RecurringJob[] {
  const every = store.syncIntervalSeconds;
  return [
    { queue: 'inventory', jobName: 'inventory-sync', everySeconds: every },
    { queue: 'orders', jobName: 'order-poll', everySeconds: every },
    { queue: 'fulfilment', jobName: 'fulfilment-poll', everySeconds: every },
    { queue: 'products', jobName: 'product-batch', everySeconds: Math.max(every, 900) },
    { queue: 'maintenance', jobName: 'reconcile', everySeconds: DAY },
    { queue: 'maintenance', jobName: 'token-refresh', everySeconds: HOUR },
  ];
}
