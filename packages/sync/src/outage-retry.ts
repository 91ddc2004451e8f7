import type { JobContext, QueueFactory, QueueKey } from '@shoptok/queues';
import { ShopifyRateLimitError, ShopifyTransientError } from '@shoptok/shopify';
import { TikTokRateLimitError, TikTokTransientError } from '@shoptok/tiktok';

/** How many of a queue's newest failed jobs one poll looks through. */
const SWEEP_LIMIT = 200;
/** Sweeps that may queue one job again before it is left failed for the operator's Replay. */
export const MAX_OUTAGE_REQUEUES = 3;

// Lines this module writes to a job's own log (BullMQ keeps only the message of an error, so
// the kind of the last failure is recorded here; the log is shown in the dashboard and goes
// with the job). Only these prefixes are read back.
const FAILED_TRANSIENT = 'outage-retry: failed by an outage';
const FAILED_OTHER = 'outage-retry: failed, not by an outage';
const REQUEUED = 'outage-retry: queued again by the poll';
const GAVE_UP = 'outage-retry: left failed';
const OUR_LINES = [FAILED_TRANSIENT, FAILED_OTHER, REQUEUED, GAVE_UP];

/** A failure an outage explains (5xx, network, timeout, rate limit of Shopify or TikTok): trying again later can succeed. */
export function isOutageFailure(err: unknown): boolean {
  return (
    err instanceof ShopifyTransientError ||
    err instanceof TikTokTransientError ||
    err instanceof ShopifyRateLimitError ||
    err instanceof TikTokRateLimitError
  );
}

/**
 * Runs a job's handler and, when it fails, writes to the job's log whether an outage explains
 * the failure, so the poll's sweep requeues only those. A wait that costs no attempt (rate
 * limit, busy claim) is not a failure and is not recorded.
 */
export async function recordingOutageFailures<T>(ctx: Pick<JobContext, 'job'>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const waits =
      typeof (err as { retryAfterMs?: unknown } | null)?.retryAfterMs === 'number' ||
      typeof (err as { retryInMs?: unknown } | null)?.retryInMs === 'number';
    if (!waits) {
      const name = err instanceof Error ? err.name : typeof err;
      // The failure itself must reach BullMQ even when its note cannot.
      await ctx.job
        .log(`${isOutageFailure(err) ? FAILED_TRANSIENT : FAILED_OTHER} (${name}, attempt ${ctx.job.attemptsMade + 1})`)
        .catch(() => undefined);
    }
    throw err;
  }
}

export interface OutageSweep {
  /** Job ids queued again. */
  retried: string[];
  /** Job ids an outage failed again after MAX_OUTAGE_REQUEUES sweeps: left failed (once each). */
  gaveUp: string[];
}

/**
 * Queues again the failed `name` jobs of a store that used up every attempt because TikTok or
 * Shopify was down (their last failure was an outage, as recorded by `recordingOutageFailures`)
 * and whose work `stillNeeded` says is not done. Their domain job id would otherwise keep that
 * work from ever being queued again, and the poll that made them has moved its cursor on. A
 * job that failed otherwise (invalid input, an order that cannot be imported, a bug) stays
 * failed for the operator to fix and replay; so does one an outage failed again after
 * MAX_OUTAGE_REQUEUES sweeps (an operator's Replay gives it a fresh allowance), and every job
 * of a queue without retries.
 */
export async function retryJobsFailedByOutage(
  queues: QueueFactory,
  queue: QueueKey,
  store: string,
  name: string,
  stillNeeded: (data: Record<string, unknown>) => boolean | Promise<boolean>,
): Promise<OutageSweep> {
  const sweep: OutageSweep = { retried: [], gaveUp: [] };
  const bull = queues.queue(queue, store);
  for (const job of await bull.getFailed(0, SWEEP_LIMIT - 1)) {
    const attempts = job.opts.attempts ?? 1;
    if (job.name !== name || attempts <= 1 || job.attemptsMade < attempts || !job.id) continue;
    const ours = (await bull.getJobLogs(job.id, 0, -1, true)).logs.filter((line) =>
      OUR_LINES.some((prefix) => line.startsWith(prefix)),
    );
    if (!ours.at(-1)?.startsWith(FAILED_TRANSIENT)) continue;
    if (!(await stillNeeded((job.data ?? {}) as Record<string, unknown>))) continue;
    const lastGaveUp = ours.findLastIndex((line) => line.startsWith(GAVE_UP));
    const requeues = ours.slice(lastGaveUp + 1).filter((line) => line.startsWith(REQUEUED)).length;
    if (requeues >= MAX_OUTAGE_REQUEUES) {
      await job.log(`${GAVE_UP} after ${requeues} requeues by the poll: Replay it once the cause is fixed`);
      sweep.gaveUp.push(job.id);
      continue;
    }
    // Noted before the retry: a retried job may fail again before a later note would land.
    await job.log(`${REQUEUED} (${requeues + 1} of ${MAX_OUTAGE_REQUEUES})`);
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      sweep.retried.push(job.id);
    } catch {
      // Another poll (or the operator's Replay) moved it first: nothing left to do.
    }
  }
  return sweep;
}
