import { parseArgs } from 'node:util';
import { registerShopifyWebhooks } from '@shoptok/webhooks';
import { commandConfig } from '../env.js';
import type { CommandIO } from './enqueue.js';

const USAGE = `shoptok webhooks register --store S --url https://shoptok.example.com

Subscribes the store's Shopify webhooks (stock, products, fulfilments, cancellations) to the
webhook service at <url>/webhooks/shopify. Safe to run again: it adds what is missing and
removes stale subscriptions of shoptok's topics.
`;

/** `shoptok webhooks register`: the Shopify subscriptions of one store. */
export async function runWebhooksCommand(argv: string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { store: { type: 'string' }, url: { type: 'string' } } });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
  if (positionals[0] !== 'register' || !values.store || !values.url) {
    io.stderr.write(USAGE);
    return 64;
  }
  const config = commandConfig(io);
  if (!config) return 78;
  try {
    const result = await registerShopifyWebhooks(config, values.store, values.url);
    io.stdout.write(
      `Shopify webhooks of ${values.store} go to ${result.uri}: ${result.created.length} created, ${result.deleted.length} removed\n`,
    );
    return 0;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return (err as { retryable?: boolean }).retryable === false ? 65 : 1;
  }
}
