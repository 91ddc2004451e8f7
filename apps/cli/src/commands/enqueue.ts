import { commandConfig } from '../env.js';
import { parseArgs } from 'node:util';
import {
  createRedisConnection,
  emptySummary,
  jobProgressSchema,
  jobSummarySchema,
  mergeSummaries,
  parseQueueName,
  QueueFactory,
  waitForRedis,
  type JobSummary,
  type QueueKey,
  type RedisConnection,
} from '@shoptok/queues';
import type { ShoptokConfig } from '@shoptok/config';
import { previewNotice, storeWriteDecision } from '@shoptok/sync';
import cliProgress from 'cli-progress';
import type { Job } from 'bullmq';

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

/** What each `pnpm enqueue` kind queues for every selected store. */
export const ENQUEUE_KINDS = {
  inventory: [['inventory', 'inventory-sync']],
  products: [['products', 'product-batch']],
  orders: [
    ['orders', 'order-poll'],
    ['fulfilment', 'fulfilment-poll'],
  ],
  reconcile: [['maintenance', 'reconcile']],
  /** One product again (after a fix), with `--product <Shopify product id>`. */
  product: [['products', 'product-sync-one']],
  'full-sync': [
    ['inventory', 'inventory-sync'],
    ['products', 'product-batch'],
    ['orders', 'order-poll'],
    ['fulfilment', 'fulfilment-poll'],
  ],
} as const satisfies Record<string, readonly (readonly [QueueKey, string])[]>;
export type EnqueueKind = keyof typeof ENQUEUE_KINDS;

const USAGE = `pnpm enqueue <full-sync|inventory|products|orders|reconcile> [--store S]... [--dry] [--limit N] [--confirm-removals] [--wait] [--log-level L]
pnpm enqueue product --product <Shopify product id> --store S [--dry] [--wait]   (re-queue one product after a fix)

  --store S     only this store (repeatable); default: every enabled store
  --dry         compute and print what would be sent; write nothing to TikTok or Shopify
  --limit N     touch at most N products
  --confirm-removals  products, full-sync: go ahead with deactivating more TikTok listings than the
                store's rules.listing.maxRemovalPercent allows (the run stopped and said so)
  --wait        follow the jobs with a progress bar, then print a summary
                (exit code 1 when anything failed)
`;

/** Queues sync jobs for the fleet's workers, optionally waiting for them. */
export async function runEnqueueCommand(argv: string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        store: { type: 'string', multiple: true },
        dry: { type: 'boolean', default: false },
        limit: { type: 'string' },
        'confirm-removals': { type: 'boolean', default: false },
        wait: { type: 'boolean', default: false },
        product: { type: 'string' },
        'log-level': { type: 'string' },
        'timeout-seconds': { type: 'string', default: '3600' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
  const kind = positionals[0];
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (!kind || !(kind in ENQUEUE_KINDS) || positionals.length > 1) {
    io.stderr.write(`${kind ? `unknown sync kind "${positionals.join(' ')}"` : 'which sync?'}\n\n${USAGE}`);
    return 64;
  }
  if (kind === 'product' && !/^(gid:\/\/shopify\/Product\/)?\d+$/.test(values.product ?? '')) {
    io.stderr.write('pnpm enqueue product needs --product <Shopify product id> (123 or gid://shopify/Product/123)\n');
    return 64;
  }
  if (values.product && !values.product.startsWith('gid://')) values.product = `gid://shopify/Product/${values.product}`;
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    io.stderr.write(`--limit must be a whole number of at least 1, not "${values.limit}"\n`);
    return 64;
  }

  const config = commandConfig(io, values['log-level']);
  if (!config) return 78;
  const known = config.stores.filter((s) => s.enabled).map((s) => s.id);
  const selected = values.store?.length ? values.store : known;
  const unknown = selected.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    io.stderr.write(`unknown or disabled store(s): ${unknown.join(', ')}; the config has: ${known.join(', ') || '(none)'}\n`);
    return 64;
  }

  const connection = createRedisConnection({ url: config.redisUrl, role: 'producer', name: 'shoptok:cli' });
  connection.on('error', () => undefined); // waitForRedis reports it
  const queues = new QueueFactory({ connection, prefix: config.queuePrefix, retry: config.retry });
  try {
    await waitForRedis(connection, 5_000);
    if (!values.dry) await warnAboutPreview(connection, config, selected, io);
    const jobs = await enqueueKind(queues, kind as EnqueueKind, selected, {
      dryRun: values.dry || config.dryRun,
      limit,
      productId: values.product,
      confirmRemovals: values['confirm-removals'],
    });
    io.stdout.write(
      `queued ${jobs.length} job(s) for ${selected.join(', ')}${values.dry ? ' (dry run: nothing will be written)' : ''}: ${jobs.map((j) => j.id).join(', ')}\n`,
    );
    if (!values.wait) return 0;
    return await followJobs(jobs, queues, io, Number(values['timeout-seconds']) * 1000);
  } finally {
    await queues.close();
    connection.disconnect();
  }
}

/** One plain line per selected store in preview: its jobs will write nothing (and how to go live). */
export async function warnAboutPreview(
  redis: RedisConnection,
  config: ShoptokConfig,
  stores: readonly string[],
  io: Pick<CommandIO, 'stderr'>,
): Promise<void> {
  for (const store of config.stores.filter((s) => stores.includes(s.id))) {
    const decision = await storeWriteDecision(redis, config.queuePrefix, store);
    if (decision.reason === 'preview') io.stderr.write(`${previewNotice(store.id)}\n`);
  }
}

/** Queues the jobs of one `enqueue` kind for each store: manual runs get their own readable job ids. */
export async function enqueueKind(
  queues: QueueFactory,
  kind: EnqueueKind,
  stores: readonly string[],
  options: { dryRun: boolean; limit?: number; productId?: string; confirmRemovals?: boolean; trigger?: 'cli' },
): Promise<Job[]> {
  const jobs: Job[] = [];
  const stamp = Date.now();
  for (const store of stores) {
    for (const [queue, name] of ENQUEUE_KINDS[kind]) {
      const data = {
        store,
        dryRun: options.dryRun,
        trigger: options.trigger ?? 'cli',
        ...(options.limit ? { limit: options.limit } : {}),
        ...(name === 'product-sync-one' ? { productId: options.productId } : {}),
        ...(name === 'product-batch' && options.confirmRemovals ? { confirmRemovals: true } : {}),
      };
      jobs.push(await queues.addByName(queue, name, data, { id: { run: `cli-${stamp}` } }));
    }
  }
  return jobs;
}

/** Follows jobs to the end with a progress bar, then prints the summary; `signal` stops following at once (the jobs go on). */
const NO_WORKER_HINT_MS = 15_000;
const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'unknown']);
const NO_WORKER_HINT =
  'no worker has taken it yet: is the fleet running? (docker compose up, or pnpm sync --mode=... to run inline)';

export async function followJobs(
  jobs: Job[],
  queues: QueueFactory,
  io: CommandIO,
  timeoutMs: number,
  signal?: AbortSignal,
  /** `quiet`: only the progress bar, no summary (the caller reports the outcome its own way). */
  options: { quiet?: boolean } = {},
): Promise<number> {
  const isTty = Boolean((io.stderr as NodeJS.WriteStream).isTTY);
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} items | {jobs} | {phase}',
      stream: io.stderr as NodeJS.WriteStream,
      noTTYOutput: !isTty,
      notTTYSchedule: 5_000,
      hideCursor: isTty,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { jobs: `0/${jobs.length} jobs done`, phase: 'waiting for a worker' });
  const deadline = Date.now() + timeoutMs;
  // No worker has taken any job this long after queuing: say so in the bar, the operator may
  // have no fleet running (the jobs stay queued and wait for one either way).
  const noWorkerHintAt = Date.now() + NO_WORKER_HINT_MS;
  const states = new Map<string, { state: string; job: Job }>();
  // The bar is stopped however the loop ends (a closed connection, Ctrl-C): a bar left running
  // keeps redrawing and leaves the terminal's cursor hidden.
  try {
    for (;;) {
      let done = 0;
      let total = 0;
      let phase = '';
      let finished = 0;
      for (const job of jobs) {
        signal?.throwIfAborted();
        const fresh = (await reread(queues, job)) ?? job;
        const state = await fresh.getState();
        states.set(job.id ?? '', { state, job: fresh });
        const progress = jobProgressSchema.safeParse(fresh.progress);
        if (progress.success) {
          done += progress.data.done;
          total += progress.data.total;
          phase = `${fresh.name}: ${progress.data.phase}`;
        }
        if (state === 'completed' || state === 'failed') finished++;
      }
      const untouched = [...states.values()].every((s) => NOT_STARTED.has(s.state));
      const idle = untouched && Date.now() > noWorkerHintAt ? NO_WORKER_HINT : 'waiting for a worker';
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(done, Math.max(total, 1)), { jobs: `${finished}/${jobs.length} jobs done`, phase: phase || idle });
      if (finished === jobs.length) break;
      if (Date.now() > deadline) {
        bar.stop();
        io.stderr.write(`gave up waiting after ${timeoutMs / 1000} s; the jobs go on (see the dashboard)\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    bar.stop();
  }
  if (options.quiet) return [...states.values()].some((s) => s.state === 'failed') ? 1 : 0;
  return printSummary([...states.values()], io);
}

/** Re-reads a job from its queue (progress and state change while we wait). */
async function reread(queues: QueueFactory, job: Job): Promise<Job | undefined> {
  const where = parseQueueName(job.queueName);
  return where ? ((await queues.queue(where.queue, where.store).getJob(job.id ?? '')) ?? undefined) : undefined;
}

function printSummary(results: { state: string; job: Job }[], io: CommandIO): number {
  let total: JobSummary = emptySummary();
  let jobFailures = 0;
  for (const { state, job } of results) {
    if (state === 'failed') {
      jobFailures++;
      io.stdout.write(`FAILED ${job.id}: ${job.failedReason}\n`);
      continue;
    }
    const summary = jobSummarySchema.safeParse(job.returnvalue ?? {});
    if (summary.success) total = mergeSummaries(total, summary.data);
  }
  for (const would of total.wouldSend)
    io.stdout.write(`would send ${would.api} ${would.target}: ${JSON.stringify(would.payload)}\n`);
  const skippedDetail = Object.entries(total.skippedReasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  io.stdout.write(
    `\nsummary: ${total.seen} seen, ${total.changed} changed, ${total.pushed} pushed, ${total.skipped} skipped${skippedDetail ? ` (${skippedDetail})` : ''}, ${total.failed} failed, ${jobFailures} job(s) failed\n`,
  );
  for (const failure of total.failures)
    io.stdout.write(`  failed ${failure.item}: ${failure.reason}${failure.code ? ` [${failure.code}]` : ''}\n`);
  for (const note of total.notes) io.stdout.write(`  note: ${note}\n`);
  return jobFailures > 0 || total.failed > 0 ? 1 : 0;
}
