import type { DefaultJobOptions } from 'bullmq';

/** The retry settings of the config: MAX_RETRIES and RETRY_BACKOFF (seconds). */
export interface RetryPolicy {
  maxRetries: number;
  backoffSeconds: number;
}

const DAY_SECONDS = 24 * 3600;

/**
 * Default options of every job: MAX_RETRIES retries after the first attempt, exponential
 * backoff starting at RETRY_BACKOFF seconds (2 s, 4 s, 8 s with the defaults) with jitter so
 * a burst of failures does not retry in lockstep. Failed jobs are kept: they are what an
 * operator needs to see and replay.
 */
export function defaultJobOptions(retry: RetryPolicy): DefaultJobOptions {
  return {
    attempts: retry.maxRetries + 1,
    backoff: { type: 'exponential', delay: Math.round(retry.backoffSeconds * 1000), jitter: 0.2 },
    removeOnComplete: { age: DAY_SECONDS, count: 1_000 },
    removeOnFail: { age: 30 * DAY_SECONDS, count: 50_000 },
  };
}
