import type { BackoffStrategy, DefaultJobOptions, JobsOptions } from 'bullmq';
import type { RetryClass } from './catalog.js';

/**
 * The retry settings of the config. `standard` kinds: `maxRetries` (MAX_RETRIES) retries from
 * `backoffSeconds` (RETRY_BACKOFF), doubling. `eventual` kinds: from `backoffSeconds`, doubling
 * up to `maxDelaySeconds` (RETRY_MAX_DELAY), for at least `outageWindowSeconds` (RETRY_OUTAGE_WINDOW).
 */
export interface RetryPolicy {
  maxRetries: number;
  backoffSeconds: number;
  /** Longest wait between two attempts of an `eventual` kind (default 900 s). */
  maxDelaySeconds?: number;
  /** How long a partner outage an `eventual` kind outlasts (default 8 h: a 6-hour outage with margin). */
  outageWindowSeconds?: number;
}

export const DEFAULT_RETRY_MAX_DELAY_SECONDS = 900;
export const DEFAULT_RETRY_OUTAGE_WINDOW_SECONDS = 8 * 3600;
/** Each wait is shortened by up to this share at random, so a burst of failures does not retry in lockstep. */
const JITTER = 0.2;
const DAY_SECONDS = 24 * 3600;
/** The backoff type of `eventual` kinds; the cap rides in the type so every job carries its whole policy. */
const CAPPED = 'capped-exponential';

/**
 * Options every job shares: failed jobs are kept (they are what an operator needs to see and
 * replay), completed ones a day. The retry options come per kind from {@link retryOptionsFor}.
 */
export function defaultJobOptions(retry: RetryPolicy): DefaultJobOptions {
  return {
    ...retryOptionsFor('standard', retry),
    removeOnComplete: { age: DAY_SECONDS, count: 1_000 },
    removeOnFail: { age: 30 * DAY_SECONDS, count: 50_000 },
  };
}

/** The wait before retry `attempt` (1-based) of an `eventual` kind, before jitter. */
export function cappedDelayMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 40));
}

/**
 * Attempts of an `eventual` kind: enough that the waits, each cut by the most jitter can
 * take off, add up to the outage window. With the defaults (2 s doubling to 15 min, 8 h): 50.
 */
export function eventualAttempts(retry: RetryPolicy): number {
  const baseMs = retry.backoffSeconds * 1000;
  const capMs = (retry.maxDelaySeconds ?? DEFAULT_RETRY_MAX_DELAY_SECONDS) * 1000;
  const windowMs = (retry.outageWindowSeconds ?? DEFAULT_RETRY_OUTAGE_WINDOW_SECONDS) * 1000;
  let waited = 0;
  let retries = 0;
  while (waited < windowMs) waited += cappedDelayMs(++retries, baseMs, capMs) * (1 - JITTER);
  return retries + 1;
}

/** Attempts and backoff of one job kind, from its retry class in the catalog and the config. */
export function retryOptionsFor(retryClass: RetryClass, retry: RetryPolicy): Pick<JobsOptions, 'attempts' | 'backoff'> {
  const delay = Math.round(retry.backoffSeconds * 1000);
  if (retryClass === 'standard')
    return { attempts: retry.maxRetries + 1, backoff: { type: 'exponential', delay, jitter: JITTER } };
  const capMs = Math.round((retry.maxDelaySeconds ?? DEFAULT_RETRY_MAX_DELAY_SECONDS) * 1000);
  return { attempts: eventualAttempts(retry), backoff: { type: `${CAPPED}:${capMs}`, delay } };
}

/**
 * The worker's strategy for backoff types BullMQ does not know: `capped-exponential:<capMs>`.
 * Anything else is a job from a newer or foreign producer: fail it with that reason rather than guess.
 */
export const shoptokBackoffStrategy: BackoffStrategy = (attemptsMade, type, _err, job) => {
  const cap = new RegExp(`^${CAPPED}:(\\d+)$`).exec(type ?? '');
  if (!cap) throw new Error(`unknown backoff type "${type ?? ''}"`);
  const baseMs = job?.opts.backoff && typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 1000) : 1000;
  const full = cappedDelayMs(attemptsMade, baseMs, Number(cap[1]));
  return Math.floor(full * (1 - JITTER * Math.random()));
};
