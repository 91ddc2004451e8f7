import { commandConfig } from '../env.js';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { secretValuesOf } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, ShutdownRegistry, waitForRedis, type QueueKey } from '@shoptok/queues';
import { startWorkerProcess } from '@shoptok/sync';
import { drainQueues } from '../drain.js';
import { enqueueKind, followJobs, warnAboutPreview, type CommandIO, type EnqueueKind } from './enqueue.js';

const MODES = {
  full: { kind: 'full-sync', queues: ['inventory', 'products', 'orders', 'fulfilment'] },
  inventory: { kind: 'inventory', queues: ['inventory'] },
  products: { kind: 'products', queues: ['products'] },
  orders: { kind: 'orders', queues: ['orders', 'fulfilment'] },
} as const satisfies Record<string, { kind: EnqueueKind; queues: readonly QueueKey[] }>;

const USAGE = `pnpm sync --mode=full|inventory|products|orders [--interval N] [--store S] [--dry] [--limit N] [--log-level L]

Runs the sync handlers in this one process, without the fleet (as the original bot did): no
scheduler or worker needed, only Redis. --interval N repeats every N seconds until Ctrl-C.
`;

/** `pnpm sync --mode=...`: the fleet's handlers, inline, once or every N seconds. */
export async function runSyncCommand(argv: string[], io: CommandIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        mode: { type: 'string', default: 'full' },
        interval: { type: 'string' },
        store: { type: 'string', multiple: true },
        dry: { type: 'boolean', default: false },
        limit: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const mode = MODES[values.mode as keyof typeof MODES];
  const interval = values.interval === undefined ? undefined : Number(values.interval);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (
    !mode ||
    (interval !== undefined && !(interval >= 10)) ||
    (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
  ) {
    io.stderr.write(
      `${!mode ? `unknown mode "${values.mode}"` : interval !== undefined && !(interval >= 10) ? '--interval must be at least 10 seconds' : '--limit must be a whole number of at least 1'}\n\n${USAGE}`,
    );
    return 64;
  }
  const config = commandConfig(io, values['log-level']);
  if (!config) return 78;
  const stores = config.stores.filter((s) => s.enabled && (!values.store?.length || values.store.includes(s.id)));
  if (stores.length === 0) {
    io.stderr.write(`no enabled store matches ${values.store?.join(', ') ?? ''}\n`);
    return 64;
  }
  const logger = createLogger({
    level: config.log.level,
    file: config.log.file,
    rotation: { maxBytes: config.log.maxBytes, maxFiles: config.log.maxFiles },
    console: io.stderr as Writable,
    secretValues: secretValuesOf(config),
    base: { app: 'sync' },
  });
  const shutdown = new ShutdownRegistry({ logger });
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    wake?.();
  };
  let wake: (() => void) | undefined;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const scoped = { ...config, stores, healthPort: 0 };
  const worker = await startWorkerProcess({
    app: 'sync',
    config: scoped,
    logger,
    shutdown,
    queues: mode.queues,
    storeRetryMs: 5_000,
  });
  const connection = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:sync' });
  const queues = new QueueFactory({ connection, prefix: config.queuePrefix, retry: config.retry });
  let exitCode = 0;
  try {
    await waitForRedis(connection);
    if (!values.dry) await warnAboutPreview(connection, scoped, worker.running(), io);
    if (worker.waiting().size > 0)
      for (const [id, why] of worker.waiting()) io.stderr.write(`store ${id} cannot start yet: ${why}\n`);
    for (;;) {
      const jobs = await enqueueKind(queues, mode.kind, worker.running(), { dryRun: values.dry || config.dryRun, limit });
      exitCode = await followJobs(jobs, queues, io, 6 * 3600_000);
      // Jobs the run queued for itself (one per order to import, tracking to push) run too.
      await drainQueues(queues, worker.running(), mode.queues);
      if (interval === undefined || stopping) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, interval * 1000).unref();
      });
      if (stopping) break;
    }
  } finally {
    await queues.close();
    connection.disconnect();
    const code = await shutdown.shutdown('sync finished');
    if (code !== 0 && exitCode === 0) exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return exitCode;
}
