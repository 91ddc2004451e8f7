/*
 * The words of every alert, built from plain data (no I/O, unit-tested). A message is the JSON a
 * Slack-compatible incoming webhook takes: `{ "text": ... }`. Text stays short: store, what,
 * how many, why, and where to look.
 */

/** The body POSTed to the alert webhook. */
export interface AlertMessage {
  text: string;
}

/** How many failure reasons a burst message quotes. */
export const BURST_REASONS_SHOWN = 3;
const REASON_MAX_CHARS = 300;

/** A failure burst of one store's queue, as gathered in Redis. */
export interface FailureBurst {
  store: string;
  queue: string;
  /** Failed jobs counted in the burst (final failures only: no retry left). */
  count: number;
  /** Job kinds that failed, e.g. `order-import`. */
  jobKinds: string[];
  /** The first distinct reasons, in order. */
  reasons: string[];
  /** When the first failure of the burst happened (epoch ms). */
  since: number;
  /** A follow-up: failures an earlier message of this burst already reported; `count` and `reasons` are the ones since. */
  alreadyReported?: number;
  /** A follow-up: when the first failure after the earlier message happened (epoch ms). */
  moreSince?: number;
}

/** Where alerts link to: the dashboard's public URL (DASHBOARD_PUBLIC_URL), if known. */
export interface AlertLinks {
  dashboardUrl?: string;
}

/** The Bull Board page of a store's queue, filtered to failed jobs. */
export function failedJobsLink(dashboardUrl: string, queueName: string): string {
  return `${dashboardUrl}/queues/queue/${encodeURIComponent(queueName)}?status=failed`;
}

/** The dashboard's overview page of a store. */
export function storeLink(dashboardUrl: string, store: string): string {
  return `${dashboardUrl}/stores/${encodeURIComponent(store)}`;
}

function clip(text: string, max = REASON_MAX_CHARS): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** One message for a whole burst of failures of a store's queue (never one per item). */
export function failureBurstMessage(burst: FailureBurst, links: AlertLinks & { queueName: string }): AlertMessage {
  const jobs = burst.count === 1 ? '1 job' : `${burst.count} jobs`;
  const where = `in store *${burst.store}*, queue ${burst.queue} (${burst.jobKinds.join(', ') || 'unknown job kind'})`;
  const lines =
    burst.alreadyReported !== undefined
      ? [
          `:rotating_light: shoptok: ${burst.count} more ${burst.count === 1 ? 'job' : 'jobs'} failed ${where} since ${new Date(burst.moreSince ?? burst.since).toISOString()} (${burst.alreadyReported + burst.count} in this burst since ${new Date(burst.since).toISOString()})`,
        ]
      : [`:rotating_light: shoptok: ${jobs} failed ${where} since ${new Date(burst.since).toISOString()}`];
  const reasons = burst.reasons.slice(0, BURST_REASONS_SHOWN);
  if (reasons.length > 0) lines.push(...reasons.map((r, i) => `${i === 0 ? 'First reason' : 'Also'}: ${clip(r)}`));
  lines.push(
    links.dashboardUrl
      ? `Failed jobs: ${failedJobsLink(links.dashboardUrl, links.queueName)}`
      : 'See the failed jobs on the dashboard (set DASHBOARD_PUBLIC_URL to get a link here).',
  );
  return { text: lines.join('\n') };
}

/** An imported TikTok order still without tracking as its ship-by time nears. */
export function shipByMessage(
  order: { store: string; tiktokOrderId: string; shopifyOrderId: string; shipBy: number; now: number },
  links: AlertLinks,
): AlertMessage {
  const leftMs = order.shipBy - order.now;
  const when = leftMs <= 0 ? `was due ${formatDuration(-leftMs)} ago` : `is due in ${formatDuration(leftMs)}`;
  const lines = [
    `:package: shoptok: TikTok order ${order.tiktokOrderId} of store *${order.store}* has no tracking yet and its ship-by time (${new Date(order.shipBy).toISOString()}) ${when}.`,
    `Fulfil Shopify order ${order.shopifyOrderId} with a tracking number, or TikTok may penalise the shop for late dispatch.`,
  ];
  if (links.dashboardUrl) lines.push(`Store overview: ${storeLink(links.dashboardUrl, order.store)}`);
  return { text: lines.join('\n') };
}

/** How to renew: the same flow that connected the shop (README "Adding a brand"). */
function renewal(store: string): string {
  return `Renew: run \`pnpm shoptok connect tiktok --store ${store}\` and have the seller open the link it prints (valid 30 minutes); shoptok stores the new tokens itself.`;
}

/** The shop's TikTok authorization ends soon, or the seller revoked it. */
export function authorizationMessage(
  event: { store: string; kind: 'expiring'; expiresAt?: number; now: number } | { store: string; kind: 'revoked' },
  links: AlertLinks,
): AlertMessage {
  const lines =
    event.kind === 'revoked'
      ? [
          `:no_entry: shoptok: the seller revoked shoptok's TikTok authorization for store *${event.store}*.`,
          'Every TikTok call of this store fails (no stock, orders or tracking) until the app is authorized for the shop again.',
          renewal(event.store),
        ]
      : [
          `:warning: shoptok: the TikTok authorization of store *${event.store}* ${event.expiresAt !== undefined ? `ends ${event.expiresAt <= event.now ? 'now' : `in ${formatDuration(event.expiresAt - event.now)}`} (${new Date(event.expiresAt).toISOString()})` : 'ends soon (TikTok says so)'}.`,
          'Have the seller authorize the app for the shop again before then, or stock, orders and tracking stop for this store.',
          renewal(event.store),
        ];
  if (links.dashboardUrl) lines.push(`Store overview: ${storeLink(links.dashboardUrl, event.store)}`);
  return { text: lines.join('\n') };
}

/** The numbers of a products run that stopped before deactivating a large share of the store's listings. */
export interface MassRemovalHeld {
  store: string;
  wouldRemove: number;
  liveListings: number;
  maxPercent: number;
}

/** A products run would have deactivated more listings than the store's guard allows: nothing was removed. */
export function massRemovalMessage(held: MassRemovalHeld, links: AlertLinks): AlertMessage {
  const share = held.liveListings > 0 ? Math.round((held.wouldRemove / held.liveListings) * 100) : 100;
  const lines = [
    `:octagonal_sign: shoptok: a products run of store *${held.store}* would deactivate ${held.wouldRemove} of ${held.liveListings} live TikTok listings (${share} %, more than the ${held.maxPercent} % of rules.listing.maxRemovalPercent); nothing was deactivated.`,
    `Check the store's listing filters and its Shopify catalogue. If the removals are right: pnpm enqueue products --store ${held.store} --confirm-removals`,
  ];
  if (links.dashboardUrl) lines.push(`Store overview: ${storeLink(links.dashboardUrl, held.store)}`);
  return { text: lines.join('\n') };
}

/** `3 d 4 h`, `5 h 10 min`, `12 min`: coarse, for a human. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}
