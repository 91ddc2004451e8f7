/**
 * `pnpm bench [--quick] [--compiled] [--skus <n,n>] [--only <names>] [--out <file>]`: measures shoptok against the stand-ins
 * with the real limits and prints each figure beside the machine it ran on; writes every result
 * as JSON (default .reports/bench.json). Exits 0 even when a goal is missed (it shows which).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchContext, BenchScenarioResult } from './scenario.js';
import { appRunner, repoRoot } from './fleet.js';
import { inventoryScenarios } from './scenarios/inventory.js';
import { productEditScenario, productListingScenario } from './scenarios/product-listing.js';
import { productThroughputScenario } from './scenarios/product-throughput.js';
import { webhookLatencyScenario } from './scenarios/webhook-latency.js';

const SCENARIO_NAMES = [
  'inventory-full', // also inventory-webhook-during-full and, at two sizes, inventory-full-scaling
  'inventory-incremental',
  'inventory-baseline',
  'webhook-latency',
  'product-throughput',
  'product-listing',
  'product-edit',
] as const;

function usage(problem: string): never {
  console.error(
    `pnpm bench: ${problem}\nusage: pnpm bench [--quick] [--compiled] [--skus 10000,100000] [--only ${SCENARIO_NAMES.join(',')}] [--out .reports/bench.json]`,
  );
  process.exit(2);
}

let args: { quick?: boolean; compiled?: boolean; only?: string; out?: string; skus?: string };
try {
  args = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      quick: { type: 'boolean' },
      compiled: { type: 'boolean' },
      only: { type: 'string' },
      out: { type: 'string' },
      skus: { type: 'string' },
    },
  }).values;
} catch (err) {
  usage((err as Error).message);
}
const only = args.only
  ? args.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  : [...SCENARIO_NAMES];
const unknown = only.filter((name) => !SCENARIO_NAMES.includes(name as (typeof SCENARIO_NAMES)[number]));
if (unknown.length > 0) usage(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`);

// --compiled: the workers run as production runs them (compiled JS), so their memory is not tsx's.
if (args.compiled) {
  const missing = ['inventory-worker', 'webhooks', 'product-worker'].filter(
    (app) => !existsSync(join(repoRoot, 'apps', app, 'dist', 'main.js')),
  );
  if (missing.length > 0)
    usage(`--compiled needs the built apps (${missing.join(', ')} have no dist/main.js): run pnpm run build first`);
  appRunner.compiled = true;
  // NODE_OPTIONS given to the bench reach the compiled apps (e.g. --max-old-space-size=192).
  appRunner.nodeOptions = process.env.BENCH_APP_NODE_OPTIONS;
}

// BENCH_KEEP_LOGS=1 keeps each fleet's logs (worker, stand-ins) and prints where.
appRunner.keepLogs = process.env.BENCH_KEEP_LOGS === '1';
// The bench is an app: it reads the environment once, here. INIT_CWD is where `pnpm bench` was typed.
const invokedFrom = process.env.INIT_CWD ?? process.cwd();
const outFile = resolve(invokedFrom, args.out ?? '.reports/bench.json');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function machine() {
  const cpu = cpus();
  const [l1, l5, l15] = loadavg().map((n) => Math.round(n * 100) / 100);
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadavg: `${l1} / ${l5} / ${l15}`,
    memAvailableGiB: memAvailableGiB(),
  };
}

function memAvailableGiB(): number | undefined {
  try {
    const kib = Number(/^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    return Number.isFinite(kib) ? Math.round((kib / 1024 ** 2) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

function printResult(result: BenchScenarioResult): void {
  console.log(`\n== ${result.name}`);
  const standard = (
    [
      ['wallS', result.wallS],
      ['lowerBoundS', result.lowerBoundS],
      ['ratio', result.ratio],
      ['peakRssMiB', result.peakRssMiB],
      ['answered429', result.answered429],
      ['wrongAfter', result.wrongAfter],
      ['load', result.load ? `${result.load.atStart} -> ${result.load.atEnd}` : undefined],
    ] as const
  ).filter(([, v]) => v !== undefined && v !== null);
  if (standard.length > 0) console.log(`  ${standard.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(table(Object.entries(result.params).map(([k, v]) => [k, String(v)])));
  console.log('  --');
  console.log(table(Object.entries(result.figures).map(([k, v]) => [k, String(v)])));
  for (const [name, goal] of Object.entries(result.goals ?? {}))
    console.log(`  goal ${name} ${goal.target}: ${goal.met ? 'met' : 'MISSED'}`);
  for (const note of result.notes) console.log(`  note: ${note}`);
}

const atStart = machine();
console.log('machine at start');
console.log(table(Object.entries(atStart).map(([k, v]) => [k, String(v)])));
const skus = args.skus ? args.skus.split(',').map(Number) : undefined;
if (skus?.some((n) => !Number.isInteger(n) || n < 5))
  usage(`--skus takes whole numbers of SKUs (at least 5), e.g. --skus 10000,100000; got ${args.skus}`);
const ctx: BenchContext = { redisUrl, quick: Boolean(args.quick), skus, log: (line) => console.log(line) };
console.log(
  `apps run ${appRunner.compiled ? 'compiled (node apps/<app>/dist/main.js, as in production)' : 'from source under tsx (RSS includes tsx, ~100 MiB; --compiled runs the built apps)'}`,
);
const started = Date.now();
const results: BenchScenarioResult[] = [];
const failures: string[] = [];
try {
  results.push(...(await inventoryScenarios(ctx, (name) => only.includes(name))));
} catch (err) {
  failures.push(`inventory: ${(err as Error).stack ?? String(err)}`);
}
if (only.includes('webhook-latency')) {
  try {
    results.push(await webhookLatencyScenario(ctx));
  } catch (err) {
    failures.push(`webhook-latency: ${(err as Error).stack ?? String(err)}`);
  }
}
if (only.includes('product-throughput')) {
  try {
    results.push(...(await productThroughputScenario(ctx)));
  } catch (err) {
    failures.push(`product-throughput: ${(err as Error).stack ?? String(err)}`);
  }
}
if (only.includes('product-listing')) {
  try {
    results.push(...(await productListingScenario(ctx)));
  } catch (err) {
    failures.push(`product-listing: ${(err as Error).stack ?? String(err)}`);
  }
}
if (only.includes('product-edit')) {
  try {
    results.push(await productEditScenario(ctx));
  } catch (err) {
    failures.push(`product-edit: ${(err as Error).stack ?? String(err)}`);
  }
}
for (const result of results) printResult(result);
const atEnd = machine();
console.log(
  `\nloadavg at end ${atEnd.loadavg} (other work may share this machine); ${Math.round((Date.now() - started) / 1000)} s in all`,
);
const missed = results.flatMap((r) =>
  Object.entries(r.goals ?? {})
    .filter(([, g]) => !g.met)
    .map(([name]) => `${r.name}: ${name}`),
);
if (missed.length > 0) console.log(`goals missed: ${missed.join('; ')}`);
for (const failure of failures) console.error(`scenario failed: ${failure}`);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(
  outFile,
  `${JSON.stringify({ startedAt: new Date(started).toISOString(), quick: ctx.quick, appsRun: appRunner.compiled ? 'compiled' : 'tsx', machine: { ...atStart, loadavgAtEnd: atEnd.loadavg }, results, failures }, null, 2)}\n`,
);
console.log(`results written to ${outFile}`);
// A scenario that could not run is a failure of the bench itself; a missed goal is a finding.
process.exit(failures.length > 0 ? 1 : 0);
