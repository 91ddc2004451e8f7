import { parseArgs } from 'node:util';
import { createRedisConnection, waitForRedis } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';
import { describePreviewTotals } from '@shoptok/sync';
import { commandConfig } from '../env.js';
import type { CommandIO } from './enqueue.js';

const USAGE = `shoptok go-live --store S

Switches a store from preview to live: from their next job on, the workers write to TikTok and
Shopify (no restart). The go-live time is recorded: orders created on TikTok before it are not
imported unless the store's rules.orders.importCreatedAfter names an earlier time.
`;

/** `shoptok go-live --store S`: records the go-live time and makes the store live, read by every worker per job. */
export async function runGoLiveCommand(argv: string[], io: CommandIO, now: () => number = Date.now): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { store: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const config = commandConfig(io);
  if (!config) return 78;
  const store = config.stores.find((s) => s.id === values.store);
  if (!store) {
    io.stderr.write(
      `${values.store ? `no store "${values.store}"` : 'which store? --store S'}; the config has: ${config.stores.map((s) => s.id).join(', ')}\n\n${USAGE}`,
    );
    return 64;
  }
  const redis = createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:go-live' });
  redis.on('error', () => undefined); // waitForRedis reports it
  try {
    await waitForRedis(redis, 5_000);
    const state = new StateStore(redis, config.queuePrefix, store.id);
    const totals = await state.previewTotals();
    const { record, already } = await state.goLive(now());
    const since = new Date(record.liveSince ?? now()).toISOString();
    const out = (line: string) => io.stdout.write(`${line}\n`);
    if (already) out(`store ${store.id} has been live since ${since}; nothing changed`);
    else {
      out(`store ${store.id} is live from ${since}: the workers write to TikTok and Shopify from their next job on (no restart)`);
      out(`  its preview ${describePreviewTotals(totals)}`);
    }
    const cutoff = store.rules.orders.importCreatedAfter;
    out(
      cutoff
        ? `  orders created on TikTok before ${cutoff} (rules.orders.importCreatedAfter) are not imported`
        : `  orders created on TikTok before ${since} are not imported (set rules.orders.importCreatedAfter to bring older ones in)`,
    );
    if (store.dryRun)
      out("  but DRY_RUN or the store's dryRun is set: nothing is written until it is unset (and the workers restarted)");
    return 0;
  } finally {
    redis.disconnect();
  }
}
