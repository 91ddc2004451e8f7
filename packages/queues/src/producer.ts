import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { RedisConnection } from './connection.js';
import { z } from 'zod';
import {
  jobContract,
  jobIdFor,
  jobSchema,
  queueNameFor,
  type JobIdOccasion,
  type JobInput,
  type JobName,
  type QueueKey,
} from './catalog.js';
import { defaultJobOptions, retryOptionsFor, type RetryPolicy } from './job-options.js';
import { schedulerIdFor } from './schedule.js';

export interface QueueFactoryOptions {
  /** A `producer` connection (see {@link createRedisConnection}). */
  connection: RedisConnection;
  /** Key prefix of every queue, e.g. `shoptok` (QUEUE_PREFIX). */
  prefix: string;
  retry: RetryPolicy;
}

/** A payload that does not match its job kind's schema; never enqueued. */
export class InvalidJobPayloadError extends Error {
  readonly retryable = false;
  constructor(queue: string, name: string, error: z.ZodError) {
    super(`invalid payload for job "${name}" on queue "${queue}":\n${z.prettifyError(error)}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/**
 * BullMQ's job options minus what the catalog decides: the id (built by `jobIdFor` from the
 * payload and `id`, the occasion) and the retry policy (the kind's retry class).
 */
export type AddJobOptions = Omit<JobsOptions, 'jobId' | 'attempts' | 'backoff' | 'repeat'> & { id?: JobIdOccasion };

/** Recurring jobs carry only the fields every job kind has; the catalog checks the kind. */
export interface RecurringJobInput {
  store: string;
  dryRun?: boolean;
  trigger?: 'schedule';
}

function validatePayload(queue: QueueKey, name: string, data: unknown): { store: string } {
  const schema = jobSchema(queue, name);
  if (!schema)
    throw new InvalidJobPayloadError(
      queue,
      name,
      new z.ZodError([{ code: 'custom', path: [], message: 'unknown job kind', input: name }]),
    );
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new InvalidJobPayloadError(queue, name, parsed.error);
  return parsed.data;
}

/**
 * Opens each store's queues once and adds jobs to them, checking every payload against the
 * catalog before it reaches Redis.
 */
export class QueueFactory {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly options: QueueFactoryOptions) {}

  /** The BullMQ queue of one store (opened on first use, then reused). */
  queue(queue: QueueKey, store: string): Queue {
    const name = queueNameFor(queue, store);
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.options.connection,
        prefix: this.options.prefix,
        defaultJobOptions: defaultJobOptions(this.options.retry),
      });
      this.queues.set(name, q);
    }
    return q;
  }

  /**
   * Validates `data` against the catalog, then adds the job to the store's queue with the id and
   * the retry policy the catalog gives its kind.
   */
  async add<Q extends QueueKey, J extends JobName<Q>>(
    queue: Q,
    name: J,
    data: JobInput<Q, J>,
    options: AddJobOptions = {},
  ): Promise<Job> {
    return this.addByName(queue, name, data, options);
  }

  /** For callers that pick the job kind at run time (the CLI): checked against the catalog all the same. */
  async addByName(queue: QueueKey, name: string, data: unknown, options: AddJobOptions = {}): Promise<Job> {
    const payload = validatePayload(queue, name, data);
    return this.queue(queue, payload.store).add(name, payload, this.jobOptions(queue, name, payload, options));
  }

  /** The BullMQ options of one job: the caller's (delay, priority), the catalog's id and retry policy. */
  jobOptions(queue: QueueKey, name: string, payload: { store: string }, options: AddJobOptions = {}): JobsOptions {
    // Untyped callers too: an id made by hand would bypass the catalog's de-duplication rules.
    for (const field of ['jobId', 'attempts', 'backoff'])
      if (Object.hasOwn(options, field))
        throw new Error(
          `"${field}" of a ${name} job comes from the catalog (packages/queues/src/catalog.ts), not from its producer`,
        );
    const { id, ...rest } = options;
    const contract = jobContract(queue, name);
    if (!contract) throw new Error(`queue "${queue}" has no job kind "${name}"`);
    return {
      ...rest,
      ...retryOptionsFor(contract.retry, this.options.retry),
      // Dry work never takes a real job's id (see JobIdOccasion.dry).
      jobId: jobIdFor(queue, name, payload, { ...id, dry: id?.dry ?? (payload as { dryRun?: unknown }).dryRun === true }),
    };
  }

  /**
   * Creates or updates a store's recurring job under the stable id `<store>-<job>`: idempotent,
   * so any number of scheduler replicas converge on one schedule per (store, job).
   * Only the scheduler calls this.
   */
  async upsertRecurring(queue: QueueKey, name: string, everySeconds: number, data: RecurringJobInput): Promise<string> {
    const payload = validatePayload(queue, name, data);
    const id = schedulerIdFor(payload.store, name);
    const contract = jobContract(queue, name);
    await this.queue(queue, payload.store).upsertJobScheduler(
      id,
      { every: everySeconds * 1000 },
      { name, data: payload, opts: contract ? retryOptionsFor(contract.retry, this.options.retry) : {} },
    );
    return id;
  }

  /** Every queue opened so far. */
  opened(): Queue[] {
    return [...this.queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
