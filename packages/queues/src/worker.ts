import { childLogger, scrubSecrets, type Logger } from '@shoptok/logger';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisConnection } from './connection.js';
import { z } from 'zod';
import { jobSchema, queueCatalog, queueNameFor, type JobData, type JobName, type QueueKey } from './catalog.js';
import { shoptokBackoffStrategy } from './job-options.js';

/** What a handler gets besides its parsed payload. */
export interface JobContext {
  job: Job;
  logger: Logger;
  /** Aborted when the worker is closing or the job was cancelled. */
  signal: AbortSignal | undefined;
  /** Reports progress (0-100 or an object) for `pnpm enqueue --wait` and the dashboard. */
  progress(value: number | object): Promise<void>;
}

/**
 * A long job stopped between two items because its worker is shutting down (or the job was
 * cancelled): it has saved how far it got, goes back to wait without spending an attempt, and
 * the next run resumes from there.
 */
export class JobStoppedError extends Error {
  /** Read by the worker: run again as soon as a worker takes it, no attempt spent. */
  readonly retryInMs = 0;
  constructor(what: string) {
    super(`stopped ${what}: the worker is shutting down; it resumes from there`);
    this.name = 'JobStoppedError';
  }
}

/** Throws {@link JobStoppedError} when `signal` (the job context's) was aborted; call it between two items of a long job. */
export function stopIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new JobStoppedError(what);
}

/** One handler per job kind of the queue: a job kind without a handler does not compile. */
export type JobHandlers<Q extends QueueKey> = {
  [J in JobName<Q>]: (data: JobData<Q, J>, context: JobContext) => Promise<unknown>;
};

/** Outcome of one job attempt, for metrics and alerts. */
export interface JobOutcome {
  queue: QueueKey;
  store: string;
  name: string;
  jobId: string | undefined;
  status: 'completed' | 'failed' | 'rate-limited';
  durationMs: number;
  /** When the job was due (added, plus its delay): the start of the change or cycle it serves. */
  dueAt: number;
  /** Failed only: the reason, secrets scrubbed. */
  reason?: string;
  /** Failed only: no attempt is left (a permanent error, or the last retry). */
  final?: boolean;
}

export interface StoreWorkerOptions<Q extends QueueKey> {
  queue: Q;
  store: string;
  handlers: JobHandlers<Q>;
  /** A `worker` connection (maxRetriesPerRequest: null). */
  connection: RedisConnection;
  prefix: string;
  logger: Logger;
  /** Defaults to the catalog's concurrency for the queue. */
  concurrency?: number;
  onOutcome?: (outcome: JobOutcome) => void;
  /** Start consuming at once (default true). */
  autorun?: boolean;
  /** Job locks and stalled-job recovery (default: BullMQ's 30 s lock, checked every 30 s, 1 stall). */
  locks?: JobLockOptions;
}

/**
 * How a job whose worker died (kill -9, OOM, a blocked event loop) is found and run again.
 * Its lock lapses after `lockDurationMs`; the other workers check every `stalledIntervalMs`
 * and move it back to wait, up to `maxStalledCount` times, then it fails with BullMQ's
 * "job stalled more than allowable limit" (so a job that kills its worker cannot loop forever).
 */
export interface JobLockOptions {
  lockDurationMs: number;
  /** Defaults to `lockDurationMs`. */
  stalledIntervalMs?: number;
  /** At least 1, or a worker's first crash would fail its job instead of handing it on. */
  maxStalledCount: number;
}

/**
 * The error contract shared with the API clients (read by duck typing so clients need not
 * import this package): `retryable: false` fails the job at once; `retryAfterMs` on a rate
 * limit pauses this store's queue without spending an attempt; `retryInMs` puts this one job
 * back to wait that long (something it depends on is busy), without spending an attempt.
 */
interface ClientErrorShape {
  retryable?: unknown;
  retryAfterMs?: unknown;
  retryInMs?: unknown;
}

function retryInMsOf(err: unknown): number | undefined {
  const v = (err as ClientErrorShape | null)?.retryInMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function retryAfterMsOf(err: unknown): number | undefined {
  const v = (err as ClientErrorShape | null)?.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function isUnrecoverable(err: unknown): boolean {
  return err instanceof UnrecoverableError || (err as ClientErrorShape | null)?.retryable === false;
}

/** Makes sure no secret reaches `failedReason` or the stack BullMQ stores in Redis. */
function scrubbed(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  e.message = scrubSecrets(e.message);
  if (e.stack) e.stack = scrubSecrets(e.stack);
  return e;
}

/**
 * A BullMQ worker for one store's queue, typed by the catalog. It parses every payload
 * (an invalid one or an unknown job kind fails at once, never silently completes), logs with
 * store/queue/job, turns client rate limits into BullMQ's manual rate limit and permanent
 * client errors into UnrecoverableError.
 */
export function createStoreWorker<Q extends QueueKey>(options: StoreWorkerOptions<Q>): Worker {
  const { queue, store, handlers, connection, prefix, onOutcome } = options;
  const queueName = queueNameFor(queue, store);
  const baseLogger = childLogger(options.logger, { store, queue });

  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    const started = Date.now();
    const logger = childLogger(baseLogger, { jobId: job.id, job: job.name });
    const schema = jobSchema(queue, job.name);
    if (!schema)
      throw new UnrecoverableError(
        `queue "${queue}" has no job kind "${job.name}"; known: ${Object.keys(queueCatalog[queue].jobs).join(', ')}`,
      );
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload for "${job.name}":\n${z.prettifyError(parsed.error)}`);
    if (parsed.data.store !== store)
      throw new UnrecoverableError(`job for store "${parsed.data.store}" landed on the queue of store "${store}"`);

    const handler = (handlers as Record<string, (data: unknown, ctx: JobContext) => Promise<unknown>>)[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for job kind "${job.name}"`);
    const outcome = (status: JobOutcome['status'], extra: Pick<JobOutcome, 'reason' | 'final'> = {}): void => {
      if (!onOutcome) return;
      // An observer's bug must never change what happens to the job.
      try {
        onOutcome({
          queue,
          store,
          name: job.name,
          jobId: job.id,
          status,
          durationMs: Date.now() - started,
          dueAt: job.timestamp + (job.opts.delay ?? 0),
          ...extra,
        });
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'job outcome observer failed');
      }
    };
    try {
      const result = await handler(parsed.data, { job, logger, signal, progress: (value) => job.updateProgress(value) });
      outcome('completed');
      return result;
    } catch (err) {
      const waitMs = retryAfterMsOf(err);
      if (waitMs !== undefined) {
        // Pause this store's queue only; the job goes back to wait without losing an attempt.
        logger.warn({ waitMs, reason: scrubSecrets((err as Error).message) }, 'rate limited: pausing this store queue');
        outcome('rate-limited');
        await worker.rateLimit(Math.max(waitMs, 1));
        throw Worker.RateLimitError();
      }
      const laterMs = retryInMsOf(err);
      if (laterMs !== undefined && token) {
        logger.info(
          { waitMs: laterMs, reason: scrubSecrets((err as Error).message) },
          'job waits and runs again (no attempt spent)',
        );
        await job.moveToDelayed(Date.now() + laterMs, token);
        throw new DelayedError();
      }
      const final = isUnrecoverable(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      outcome('failed', { reason: scrubbed(err).message, final });
      if (isUnrecoverable(err) && !(err instanceof UnrecoverableError)) {
        const e = scrubbed(err);
        throw new UnrecoverableError(`${e.name}: ${e.message}`);
      }
      throw scrubbed(err);
    }
  };

  // The processor refers to `worker` only while running jobs, after this assignment.
  const worker: Worker = new Worker(queueName, processor, {
    connection,
    prefix,
    concurrency: options.concurrency ?? queueCatalog[queue].concurrency,
    autorun: options.autorun ?? true,
    // The capped backoff of `eventual` kinds (see the catalog's retry classes).
    settings: { backoffStrategy: shoptokBackoffStrategy },
    ...(options.locks
      ? {
          lockDuration: options.locks.lockDurationMs,
          stalledInterval: options.locks.stalledIntervalMs ?? options.locks.lockDurationMs,
          maxStalledCount: Math.max(1, options.locks.maxStalledCount),
        }
      : {}),
  });
  worker.on('failed', (job, err) => {
    baseLogger.error({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, reason: err.message }, 'job failed');
  });
  worker.on('error', (err) => baseLogger.error({ err }, 'worker error'));
  worker.on('stalled', (jobId) => baseLogger.warn({ jobId }, 'job stalled: its worker died or blocked; it will run again'));
  return worker;
}
