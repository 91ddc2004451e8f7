import type { ShoptokConfig, StoreConfig } from '@shoptok/config';
import type { Logger } from '@shoptok/logger';
import { queueNameFor, type JobOutcome, type QueueKey } from '@shoptok/queues';
import type { Cluster, Redis } from 'ioredis';
import { authorizationMessage, BURST_REASONS_SHOWN, failureBurstMessage, shipByMessage, type AlertMessage } from './messages.js';

const DAY_MS = 86_400_000;

export interface AlertNotifierOptions {
  /** A `client` connection; burst and once-only keys live under each store's hash tag. */
  redis: Redis | Cluster;
  prefix: string;
  logger: Logger;
  /** The store's own webhook, else the fleet's (ALERT_WEBHOOK_URL); undefined: alerts are only logged. */
  webhookUrlFor: (store: string) => string | undefined;
  /** DASHBOARD_PUBLIC_URL: messages link to it. */
  dashboardUrl?: string;
  /** Failures of one store's queue within this window make one message (ALERT_BURST_MINUTES). */
  burstWindowMs: number;
  /** How long the first failure waits for the rest of its burst before the message goes (default 30 s, at most the window). */
  burstGatherMs?: number;
  /** Alert this long before an order's ship-by time (ALERT_SHIP_BY_HOURS). */
  shipByLeadMs: number;
  /** Alert this long before the TikTok authorization ends (ALERT_AUTH_EXPIRY_DAYS). */
  authExpiryLeadMs: number;
  /** Per POST (default 5 s). */
  timeoutMs?: number;
  /** Attempts per message (default 3), waiting `retryBaseMs` (default 500 ms) doubling between them. */
  attempts?: number;
  retryBaseMs?: number;
}

// Counts one final failure into the store+queue burst, atomically: the first failure of a
// window creates the burst hash with the window as its TTL (SET NX PX semantics) and is told
// it leads, so however many worker processes see failures, one of them sends the message.
const NOTE_FAILURE_SCRIPT = `
local leader = 0
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'since', ARGV[1], 'count', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  leader = 1
end
redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], 'kind:' .. ARGV[3], '1')
local max = tonumber(ARGV[5])
for i = 1, max do
  local existing = redis.call('HGET', KEYS[1], 'reason:' .. i)
  if not existing then redis.call('HSET', KEYS[1], 'reason:' .. i, ARGV[4]) break end
  if existing == ARGV[4] then break end
end
return leader`;

/**
 * Sends operator alerts to a Slack-compatible incoming webhook (`{"text": ...}`): one message
 * per failure burst of a store's queue, and once-only alerts (ship-by deadline, authorization).
 * Nothing here ever throws at its caller or fails a job: a POST that keeps failing is logged.
 */
export class AlertNotifier {
  readonly shipByLeadMs: number;
  readonly authExpiryLeadMs: number;
  private readonly pendingBursts = new Map<string, { timer: NodeJS.Timeout; send: () => Promise<void> }>();
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: AlertNotifierOptions) {
    this.shipByLeadMs = options.shipByLeadMs;
    this.authExpiryLeadMs = options.authExpiryLeadMs;
  }

  /**
   * Notes a job outcome: a final failure (no retry left) joins its store+queue burst. The
   * process that opened the burst sends one message after the gather delay. Fire-and-forget.
   */
  jobOutcome(outcome: JobOutcome): void {
    if (outcome.status !== 'failed' || !outcome.final || this.closed) return;
    this.track(this.noteFailure(outcome));
  }

  /** Alerts once per order when an imported order has no tracking near its ship-by time. */
  shipByApproaching(store: string, order: { tiktokOrderId: string; shopifyOrderId: string; shipBy: number }, now = Date.now()): Promise<boolean> {
    const message = shipByMessage({ store, ...order, now }, this.links());
    // Remembered a week past the deadline: polls keep seeing the order until it ships.
    return this.once(store, `ship-by:${order.tiktokOrderId}`, Math.max(order.shipBy - now, 0) + 7 * DAY_MS, message);
  }

  /** Alerts once while the shop's authorization nears its end (from the token upkeep or TikTok's type 7 webhook). */
  authorizationExpiring(store: string, expiresAt: number | undefined, now = Date.now()): Promise<boolean> {
    const ttl = expiresAt !== undefined ? Math.max(expiresAt - now, 3_600_000) : 30 * DAY_MS;
    return this.once(store, 'authorization-expiring', ttl, authorizationMessage({ store, kind: 'expiring', expiresAt, now }, this.links()));
  }

  /** Alerts once when the seller revoked the authorization (TikTok's type 6 webhook). */
  authorizationRevoked(store: string): Promise<boolean> {
    return this.once(store, 'authorization-revoked', 7 * DAY_MS, authorizationMessage({ store, kind: 'revoked' }, this.links()));
  }

  /**
   * Sends `message` unless this store's `key` was alerted within `ttlMs` (SET NX PX across the
   * fleet). When every attempt to POST fails the mark is removed, so a later run tries again.
   * Resolves true when this call sent it.
   */
  async once(store: string, key: string, ttlMs: number, message: AlertMessage): Promise<boolean> {
    const markKey = `${this.base(store)}:once:${key}`;
    try {
      const marked = await this.options.redis.set(markKey, String(Date.now()), 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
      if (marked !== 'OK') return false;
    } catch (err) {
      this.options.logger.warn({ store, alert: key, err: messageOf(err) }, 'alert not sent: Redis refused its once-only mark');
      return false;
    }
    const sent = await this.post(store, message);
    if (!sent) await this.options.redis.del(markKey).catch(() => undefined);
    return sent;
  }

  /** POSTs one message to the store's webhook with a few retries; resolves false (and logs) when it could not. */
  async post(store: string, message: AlertMessage): Promise<boolean> {
    const url = this.options.webhookUrlFor(store);
    if (!url) {
      // No webhook configured: the log is the alert.
      this.options.logger.warn({ store, alert: message.text }, 'alert (no ALERT_WEBHOOK_URL set)');
      return true;
    }
    const attempts = this.options.attempts ?? 3;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
        });
        await res.text().catch(() => '');
        if (res.ok) return true;
        lastProblem = `HTTP ${res.status}`;
        // A refused URL or payload will not get better by sending it again.
        if (res.status >= 400 && res.status < 500 && res.status !== 429) break;
      } catch (err) {
        lastProblem = messageOf(err);
      }
      if (attempt < attempts) await sleep((this.options.retryBaseMs ?? 500) * 2 ** (attempt - 1));
    }
    // The URL is a secret (Slack puts its token in it): never log it.
    this.options.logger.error({ store, problem: lastProblem, attempts, alert: message.text.split('\n')[0] }, 'alert could not be delivered to the alert webhook');
    return false;
  }

  /** Sends the bursts this process leads now (instead of after their gather delay) and waits for every POST. */
  async close(): Promise<void> {
    this.closed = true;
    // Failures still being counted may open a burst this process leads: let them land first.
    await Promise.all([...this.inflight]);
    const pending = [...this.pendingBursts.values()];
    this.pendingBursts.clear();
    for (const p of pending) clearTimeout(p.timer);
    await Promise.all(pending.map((p) => p.send()));
    await Promise.all([...this.inflight]);
  }

  private async noteFailure(outcome: JobOutcome): Promise<void> {
    const { store, queue } = outcome;
    const key = `${this.base(store)}:burst:${queue}`;
    let leader: unknown;
    try {
      leader = await this.options.redis.eval(NOTE_FAILURE_SCRIPT, 1, key, String(Date.now()), String(this.options.burstWindowMs), outcome.name, outcome.reason ?? 'no reason given', String(BURST_REASONS_SHOWN));
    } catch (err) {
      this.options.logger.warn({ store, queue, err: messageOf(err) }, 'failure not counted for alerts: Redis refused');
      return;
    }
    if (leader !== 1) return;
    const send = async () => {
      this.pendingBursts.delete(key);
      await this.sendBurst(store, queue, key);
    };
    const gatherMs = Math.min(this.options.burstGatherMs ?? 30_000, this.options.burstWindowMs);
    const timer = setTimeout(() => this.track(send()), gatherMs);
    timer.unref();
    this.pendingBursts.set(key, { timer, send });
  }

  private async sendBurst(store: string, queue: QueueKey, key: string): Promise<void> {
    let burst: Record<string, string>;
    try {
      burst = await this.options.redis.hgetall(key);
    } catch (err) {
      this.options.logger.warn({ store, queue, err: messageOf(err) }, 'failure burst not read: Redis refused');
      return;
    }
    const reasons: string[] = [];
    for (let i = 1; i <= BURST_REASONS_SHOWN; i++) if (burst[`reason:${i}`]) reasons.push(burst[`reason:${i}`] as string);
    const message = failureBurstMessage(
      {
        store,
        queue,
        count: Number(burst.count ?? 1),
        jobKinds: Object.keys(burst).filter((f) => f.startsWith('kind:')).map((f) => f.slice(5)).sort(),
        reasons,
        since: Number(burst.since ?? Date.now()),
      },
      { ...this.links(), queueName: queueNameFor(queue, store) },
    );
    await this.post(store, message);
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((err: unknown) => this.options.logger.warn({ err: messageOf(err) }, 'alert failed'));
    this.inflight.add(guarded);
    void guarded.finally(() => this.inflight.delete(guarded));
  }

  private links() {
    return this.options.dashboardUrl ? { dashboardUrl: this.options.dashboardUrl } : {};
  }

  private base(store: string): string {
    return `${this.options.prefix}:{${store}}:alerts`;
  }
}

/** The fleet's notifier from its config: each store's own webhook, else ALERT_WEBHOOK_URL. */
export function alertNotifierFromConfig(config: Pick<ShoptokConfig, 'alerts' | 'dashboard' | 'queuePrefix' | 'stores'>, redis: Redis | Cluster, logger: Logger): AlertNotifier {
  const byStore = new Map<string, StoreConfig>(config.stores.map((s) => [s.id, s]));
  return new AlertNotifier({
    redis,
    prefix: config.queuePrefix,
    logger,
    webhookUrlFor: (store) => byStore.get(store)?.alertWebhookUrl ?? config.alerts.webhookUrl,
    dashboardUrl: config.dashboard.publicUrl,
    burstWindowMs: config.alerts.burstMinutes * 60_000,
    shipByLeadMs: config.alerts.shipByHours * 3_600_000,
    authExpiryLeadMs: config.alerts.authExpiryDays * DAY_MS,
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
