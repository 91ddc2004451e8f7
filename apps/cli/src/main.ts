#!/usr/bin/env node
import { processEnv } from './env.js';
import { runConnectCommand } from './commands/connect.js';
import { runDoctorCommand } from './commands/doctor.js';
import { runDemoCommand } from './demo/demo.js';
import { runEnqueueCommand } from './commands/enqueue.js';
import { runEvalMapperCommand } from './commands/eval-mapper.js';
import { runGoLiveCommand } from './commands/go-live.js';
import { MAP_MERCHANT_SUBCOMMANDS, runMapMerchantCommand } from './commands/map-merchant.js';
import { runMapCommand } from './commands/map.js';
import { runStatusCommand } from './commands/status.js';
import { runWebhooksCommand } from './commands/webhooks.js';
import { runSyncCommand } from './commands/sync.js';

const USAGE = `shoptok <command> [options]

Commands:
  demo [--exit]          shoptok's whole job on the built-in stand-ins (no credentials needed);
                         on a terminal it keeps running until Ctrl-C, --exit stops after the day
  connect tiktok --store S [--region GB]   print the seller's authorization link and wait until the
                         shop is connected (also renews an authorization that is about to end)
  connect shopify --store S   check the Shopify token and scopes; suggest the location-to-warehouse mapping
  doctor                 check the config, Redis and the queues of every store
  enqueue <kind>         queue a sync for the fleet: full-sync, inventory, products, orders, reconcile
                         [--store S] [--dry] [--limit N] [--wait]
  enqueue product --product ID --store S   re-queue one product after a fix
  sync --mode=M          run the handlers inline without the fleet: full, inventory, products, orders [--interval N]
  status [--store S] [--sku X]   where a store, or one SKU, stands (and, in preview, what it would send)
  go-live --store S      switch a store from preview to live (no restart); orders created before now are not imported
  webhooks register --store S --url https://host   subscribe the store's Shopify webhooks to the webhook service
  map [FILE]             preview the TikTok listing of Shopify products (JSON lines, from FILE or stdin)
  eval:mapper            measure the mapper on the labelled set (top-1 category accuracy, attribute fill, cost)
`;

/** The CLI entry: dispatches to one command module and exits with its code. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: processEnv() };
  switch (command) {
    case 'demo':
      return runDemoCommand(rest, io);
    case 'connect':
      return runConnectCommand(rest, io);
    case 'doctor':
      return runDoctorCommand(io);
    case 'enqueue':
      return runEnqueueCommand(rest, io);
    case 'sync':
      return runSyncCommand(rest, io);
    case 'status':
      return runStatusCommand(rest, io);
    case 'go-live':
      return runGoLiveCommand(rest, io);
    case 'webhooks':
      return runWebhooksCommand(rest, io);
    case 'map':
      return MAP_MERCHANT_SUBCOMMANDS.has(rest[0] ?? '') ? runMapMerchantCommand(rest, io) : runMapCommand(rest, io);
    case 'eval:mapper':
      return runEvalMapperCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Every command closes what it opened; a keep-alive socket or timer left by a library must
    // not keep a finished command (or a CI step) waiting. Unref'd: a clean exit is not delayed.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`shoptok: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
