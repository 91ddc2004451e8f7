import type { ShoptokConfig, StoreConfig } from '@shoptok/config';
import { alertKeys } from '@shoptok/keys';
import type { Logger } from '@shoptok/logger';
import { queueNameFor, type JobOutcome, type QueueKey } from '@shoptok/queues';
import type { Cluster, Redis } from 'ioredis';
import {
  authorizationMessage,
  BURST_REASONS_SHOWN,
  failureBurstMessage,
  massRemovalMessage,
  type MassRemovalHeld,
  shipByMessage,
  type AlertMessage,
} from './messages.js';

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
  /**
   * How late a burst's first message may be before the next failure takes over from its leader
   * (a killed process); covers timers firing late and clocks apart between hosts (default 10 s).
   */
  burstTakeoverMarginMs?: number;
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

// Counts one final failure into the store+queue burst, atomically, and says what this process
// must do about it (reply: {role, delayMs}), so that however many worker processes see failures
// every failure of a window is reported once and at most two messages go per window:
//  1 lead: the window's first failure; send the first message after the gather delay.
//  2 take over: no first message after gather + margin (its leader died); send it now.
//  3 follow up: failures came after the first message; one "N more" message at window end.
// The hash outlives its window (`until`) so a follow-up can still read it; a new window that
// finds failures nobody reported (their sender died) carries them over.
// ARGV: now, windowMs, kind, reason, reasonsShown, gatherMs, marginMs.
const NOTE_FAILURE_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local gather = tonumber(ARGV[6])
local margin = tonumber(ARGV[7])
local max = tonumber(ARGV[5])
local function addReason(prefix, reason)
  for i = 1, max do
    local existing = redis.call('HGET', key, prefix .. i)
    if not existing then redis.call('HSET', key, prefix .. i, reason) return end
    if existing == reason then return end
  end
end
local untilAt = tonumber(redis.call('HGET', key, 'until') or '0')
local followUp = redis.call('HGET', key, 'followUp') or ''
local open = untilAt > now or (followUp == 'pending' and untilAt + margin > now)
if not open then
  local carried = {}
  local count = tonumber(redis.call('HGET', key, 'count') or '0')
  local sentRaw = redis.call('HGET', key, 'sent')
  local sent = tonumber(sentRaw or '0')
  if count > sent then
    local prefix = sentRaw and 'more:' or 'reason:'
    carried = { 'count', count - sent, 'since', redis.call('HGET', key, sentRaw and 'moreSince' or 'since') or ARGV[1] }
    for i = 1, max do
      local r = redis.call('HGET', key, prefix .. i)
      if r then table.insert(carried, 'reason:' .. i) table.insert(carried, r) end
    end
    for _, f in ipairs(redis.call('HKEYS', key)) do
      if string.sub(f, 1, 5) == 'kind:' then table.insert(carried, f) table.insert(carried, '1') end
    end
  end
  redis.call('DEL', key)
  redis.call('HSET', key, 'since', ARGV[1], 'count', 0, 'until', now + window, 'leaderAt', ARGV[1])
  if #carried > 0 then redis.call('HSET', key, unpack(carried)) end
  redis.call('PEXPIRE', key, 2 * window + gather + margin)
  redis.call('HINCRBY', key, 'count', 1)
  redis.call('HSET', key, 'kind:' .. ARGV[3], '1')
  addReason('reason:', ARGV[4])
  return {1, math.min(gather, window)}
end
redis.call('HINCRBY', key, 'count', 1)
redis.call('HSET', key, 'kind:' .. ARGV[3], '1')
local sentRaw = redis.call('HGET', key, 'sent')
if not sentRaw then
  addReason('reason:', ARGV[4])
  local leaderAt = tonumber(redis.call('HGET', key, 'leaderAt') or '0')
  if now - leaderAt > gather + margin then
    redis.call('HSET', key, 'leaderAt', ARGV[1])
    return {2, 0}
  end
  return {0, 0}
end
if not redis.call('HGET', key, 'moreSince') then redis.call('HSET', key, 'moreSince', ARGV[1]) end
addReason('more:', ARGV[4])
if followUp == '' then
  redis.call('HSET', key, 'followUp', 'pending')
  return {3, math.max(untilAt - now, 0)}
end
return {0, 0}`;

// Takes what a message should report and marks it reported (`sent` = count), atomically, so two
// processes never report the same failures. ARGV[1]: 'first' or 'follow'; ARGV[2]: '1' to let a
// later failure of this window claim another follow-up (this process is closing early).
// Reply: nil when there is nothing for this caller to send, else the hash before the change.
const TAKE_REPORT_SCRIPT = `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return nil end
local sent = redis.call('HGET', key, 'sent')
if ARGV[1] == 'first' and sent then return nil end
if ARGV[1] == 'follow' and redis.call('HGET', key, 'followUp') ~= 'pending' then return nil end
local before = redis.call('HGETALL', key)
redis.call('HSET', key, 'sent', redis.call('HGET', key, 'count'))
if ARGV[1] == 'follow' then
  redis.call('HSET', key, 'followUp', ARGV[2] == '1' and '' or 'done')
  if ARGV[2] == '1' then redis.call('HDEL', key, 'moreSince') end
end
return before`;

// A message that could not be delivered is unmarked (when nothing reported since), so the next
// failure of the window takes over or claims a follow-up that includes these failures.
// ARGV: the count marked sent, the previous sent ('' for none), mode.
const UNDO_REPORT_SCRIPT = `
local key = KEYS[1]
if redis.call('HGET', KEYS[1], 'sent') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('HDEL', key, 'sent') else redis.call('HSET', key, 'sent', ARGV[2]) end
if ARGV[3] == 'follow' then redis.call('HSET', key, 'followUp', '') end
return 1`;

/**
 * Sends operator alerts to a Slack-compatible incoming webhook (`{"text": ...}`): one message
 * per failure burst of a store's queue (and one "N more" at its end when failures continued
 * after it), and once-only alerts (ship-by deadline, authorization).
 * Nothing here ever throws at its caller or fails a job: a POST that keeps failing is logged.
 */
export class AlertNotifier {
  readonly shipByLeadMs: number;
  readonly authExpiryLeadMs: number;
  private readonly pendingBursts = new Map<string, { timer: NodeJS.Timeout; send: (closing?: boolean) => Promise<void> }>();
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: AlertNotifierOptions) {
    this.shipByLeadMs = options.shipByLeadMs;
    this.authExpiryLeadMs = options.authExpiryLeadMs;
  }

  /**
   * Notes a job outcome: a final failure (no retry left) joins its store+queue burst. The
   * process that opened the burst sends its message after the gather delay; failures after
   * that message make one "N more" message at the window's end. Fire-and-forget.
   */
  jobOutcome(outcome: JobOutcome): void {
    if (outcome.status !== 'failed' || !outcome.final || this.closed) return;
    this.track(this.noteFailure(outcome));
  }

  /** Alerts once per order when an imported order has no tracking near its ship-by time. */
  shipByApproaching(
    store: string,
    order: { tiktokOrderId: string; shopifyOrderId: string; shipBy: number },
    now = Date.now(),
  ): Promise<boolean> {
    const message = shipByMessage({ store, ...order, now }, this.links());
    // Remembered a week past the deadline: polls keep seeing the order until it ships.
    return this.once(store, `ship-by:${order.tiktokOrderId}`, Math.max(order.shipBy - now, 0) + 7 * DAY_MS, message);
  }

  /** Alerts once while the shop's authorization nears its end (from the token upkeep or TikTok's type 7 webhook). */
  authorizationExpiring(store: string, expiresAt: number | undefined, now = Date.now()): Promise<boolean> {
    const ttl = expiresAt !== undefined ? Math.max(expiresAt - now, 3_600_000) : 30 * DAY_MS;
    return this.once(
      store,
      'authorization-expiring',
      ttl,
      authorizationMessage({ store, kind: 'expiring', expiresAt, now }, this.links()),
    );
  }

  /** Alerts once when the seller revoked the authorization (TikTok's type 6 webhook). */
  authorizationRevoked(store: string): Promise<boolean> {
    return this.once(store, 'authorization-revoked', 7 * DAY_MS, authorizationMessage({ store, kind: 'revoked' }, this.links()));
  }

  /**
   * Alerts once a day per (store, numbers) when a products run held back a mass removal: the
   * scheduled runs every 15 min see the same numbers again and must not repeat it.
   */
  massRemovalHeld(held: MassRemovalHeld): Promise<boolean> {
    return this.once(
      held.store,
      `mass-removal:${held.wouldRemove}-of-${held.liveListings}`,
      DAY_MS,
      massRemovalMessage(held, this.links()),
    );
  }

  /**
   * Sends `message` unless this store's `key` was alerted within `ttlMs` (SET NX PX across the
   * fleet). When every attempt to POST fails the mark is removed, so a later run tries again.
   * Resolves true when this call sent it.
   */
  async once(store: string, key: string, ttlMs: number, message: AlertMessage): Promise<boolean> {
    const markKey = alertKeys(this.options.prefix, store).once(key);
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
    this.options.logger.error(
      { store, problem: lastProblem, attempts, alert: message.text.split('\n')[0] },
      'alert could not be delivered to the alert webhook',
    );
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
    // A follow-up sent early lets a later failure of its window claim another one.
    await Promise.all(pending.map((p) => p.send(true)));
    await Promise.all([...this.inflight]);
  }

  private async noteFailure(outcome: JobOutcome): Promise<void> {
    const { store, queue } = outcome;
    const key = alertKeys(this.options.prefix, store).burst(queue);
    let reply: unknown;
    try {
      reply = await this.options.redis.eval(
        NOTE_FAILURE_SCRIPT,
        1,
        key,
        String(Date.now()),
        String(this.options.burstWindowMs),
        outcome.name,
        outcome.reason ?? 'no reason given',
        String(BURST_REASONS_SHOWN),
        String(this.gatherMs()),
        String(this.options.burstTakeoverMarginMs ?? 10_000),
      );
    } catch (err) {
      this.options.logger.warn({ store, queue, err: messageOf(err) }, 'failure not counted for alerts: Redis refused');
      return;
    }
    const [role, delayMs] = Array.isArray(reply) ? reply.map(Number) : [0, 0];
    if (role !== 1 && role !== 2 && role !== 3) return;
    const mode = role === 3 ? 'follow' : 'first';
    const pendingKey = `${key}|${mode}`;
    if (this.pendingBursts.has(pendingKey)) return;
    const send = async (closing = false) => {
      this.pendingBursts.delete(pendingKey);
      await this.sendBurst(store, queue, key, mode, closing);
    };
    const timer = setTimeout(() => this.track(send()), delayMs ?? 0);
    timer.unref();
    this.pendingBursts.set(pendingKey, { timer, send });
  }

  /** Takes the failures not yet reported of a burst (atomically, fleet-wide) and posts them. */
  private async sendBurst(
    store: string,
    queue: QueueKey,
    key: string,
    mode: 'first' | 'follow',
    closing: boolean,
  ): Promise<void> {
    let burst: Record<string, string>;
    try {
      const flat = (await this.options.redis.eval(TAKE_REPORT_SCRIPT, 1, key, mode, closing ? '1' : '0')) as string[] | null;
      if (!flat) return; // another process reported it, or the window is gone
      burst = {};
      for (let i = 0; i + 1 < flat.length; i += 2) burst[flat[i] as string] = flat[i + 1] as string;
    } catch (err) {
      this.options.logger.warn({ store, queue, err: messageOf(err) }, 'failure burst not read: Redis refused');
      return;
    }
    const count = Number(burst.count ?? 1);
    const previouslySent = burst.sent;
    const alreadyReported = Number(previouslySent ?? 0);
    const followUp = alreadyReported > 0;
    const reasons: string[] = [];
    const prefix = followUp ? 'more:' : 'reason:';
    for (let i = 1; i <= BURST_REASONS_SHOWN; i++) if (burst[`${prefix}${i}`]) reasons.push(burst[`${prefix}${i}`] as string);
    const message = failureBurstMessage(
      {
        store,
        queue,
        count: count - alreadyReported,
        jobKinds: Object.keys(burst)
          .filter((f) => f.startsWith('kind:'))
          .map((f) => f.slice(5))
          .sort(),
        reasons,
        since: Number(burst.since ?? Date.now()),
        ...(followUp ? { alreadyReported, moreSince: Number(burst.moreSince ?? burst.since ?? Date.now()) } : {}),
      },
      { ...this.links(), queueName: queueNameFor(queue, store) },
    );
    if (await this.post(store, message)) return;
    await this.options.redis.eval(UNDO_REPORT_SCRIPT, 1, key, String(count), previouslySent ?? '', mode).catch(() => undefined);
  }

  private gatherMs(): number {
    return Math.min(this.options.burstGatherMs ?? 30_000, this.options.burstWindowMs);
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((err: unknown) => this.options.logger.warn({ err: messageOf(err) }, 'alert failed'));
    this.inflight.add(guarded);
    void guarded.finally(() => this.inflight.delete(guarded));
  }

  private links() {
    return this.options.dashboardUrl ? { dashboardUrl: this.options.dashboardUrl } : {};
  }
}

/** The fleet's notifier from its config: each store's own webhook, else ALERT_WEBHOOK_URL. */
export function alertNotifierFromConfig(
  config: Pick<ShoptokConfig, 'alerts' | 'dashboard' | 'queuePrefix' | 'stores'>,
  redis: Redis | Cluster,
  logger: Logger,
): AlertNotifier {
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
