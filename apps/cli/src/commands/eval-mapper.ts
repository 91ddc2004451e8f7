import type { Writable } from 'node:stream';
import {
  bundledCategoryTree,
  CategoryIndex,
  evaluateMapper,
  loadEvalAttributes,
  loadEvalSet,
  type EvalReport,
  type EvalSplit,
} from '@shoptok/ai-mapper';
import { createLogger } from '@shoptok/logger';
import { aiCeiling, type ResyncUsage } from '../eval/ai-ceiling.js';
import { type CommandIo, mapperConfig, mapperFromConfig } from './map.js';

const USAGE = `pnpm eval:mapper [options]

Runs the labelled evaluation set shipped with @shoptok/ai-mapper (real-looking Shopify
products, a third of them hard) through the same path as "shoptok map", on its dev split (tuned
on) and its held-out test split (never tuned on), and prints for each:
  - the offline mapper;
  - the AI ceiling: the AI mapper against a local fake OpenAI server that answers with the
    labelled category whenever the request offers it (a perfect model), with calls, tokens and
    the estimated cost per 1,000 products at gpt-4o-mini prices, on a first sync and on a re-sync
    (answers cached in Redis; skipped when Redis is not reachable);
  - the real model when OPENAI_API_KEY is set (any OpenAI-compatible server via OPENAI_BASE_URL).
The real-model run on the held-out split: OPENAI_API_KEY=... pnpm eval:mapper --split test

Options:
  --split S      dev, test or all (default: dev and test, reported separately)
  --no-ai        no real-model run even when OPENAI_API_KEY is set
  --no-ceiling   skip the fake-server ceiling
  --limit N      only the first N items of each split
  --misses       list the wrong ones of the dev split (the test split's are never listed)
  --json         print the reports as JSON
  --max-calls N  AI call budget per run (default: 4 per item)
`;

interface EvalArgs {
  splits: (EvalSplit | 'all')[];
  ai: boolean;
  ceiling: boolean;
  limit?: number;
  misses: boolean;
  json: boolean;
  maxCalls?: number;
}

/** One mapper's report on one split, with what the run would cost per 1,000 products. */
export interface SplitReport extends EvalReport {
  split: EvalSplit | 'all';
  costPer1000Usd: number;
  /** The ceiling run only: a second pass over the same products with the answers cached. */
  resync?: ResyncUsage;
}

function parseArgs(argv: readonly string[]): EvalArgs | string {
  const args: EvalArgs = { splits: ['dev', 'test'], ai: true, ceiling: true, misses: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-ai') args.ai = false;
    else if (a === '--no-ceiling') args.ceiling = false;
    else if (a === '--misses') args.misses = true;
    else if (a === '--json') args.json = true;
    else if (a === '--split') {
      const v = argv[++i];
      if (v !== 'dev' && v !== 'test' && v !== 'all') return '--split must be dev, test or all';
      args.splits = [v];
    } else if (a === '--limit' || a === '--max-calls') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) return `${a} needs a whole number`;
      if (a === '--limit') args.limit = n;
      else args.maxCalls = n;
    } else if (a === '--help' || a === '-h') return 'help';
    else return `unknown option ${a}`;
  }
  return args;
}

/** `pnpm eval:mapper`: exit 0 when the run completed (accuracy is reported, not enforced). */
export async function runEvalMapperCommand(argv: string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv);
  if (args === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (typeof args === 'string') {
    io.stderr.write(`eval:mapper: ${args}\n\n${USAGE}`);
    return 64;
  }
  const config = mapperConfig(io.env);
  if (typeof config === 'string') {
    io.stderr.write(`eval:mapper: the configuration has problems:\n${config}\n`);
    return 78;
  }
  const logger = createLogger({
    level: 'warn',
    console: io.stderr as Writable,
    pretty: false,
    secretValues: config.openai.apiKey ? [config.openai.apiKey] : [],
    base: { app: 'cli', command: 'eval:mapper' },
  });

  // The bundled tree plus the illustrative attribute definitions the fill rate is measured on.
  const tree = bundledCategoryTree();
  const plain = CategoryIndex.fromTree(tree.nodes, { version: tree.version });
  const attributes = loadEvalAttributes(new Map(plain.leafCategories().map((l) => [l.id, l.path])));
  const index = CategoryIndex.fromTree(tree.nodes, { attributes });

  const reports: SplitReport[] = [];
  for (const split of args.splits) {
    const items = loadEvalSet(undefined, split === 'all' ? {} : { split }).slice(0, args.limit);
    const withCost = (r: EvalReport, extra: Partial<SplitReport> = {}): SplitReport => ({
      ...r,
      split,
      costPer1000Usd: perThousand(r.usage.estimatedCostUsd, items.length),
      ...extra,
    });
    const offline = await mapperFromConfig(config, logger, { ai: false, cache: false, maxCalls: 0, index });
    reports.push(withCost(await evaluateMapper(items, offline.mapper, 'offline (fallback)')));
    await offline.close();
    if (args.ceiling) {
      const ceiling = await aiCeiling(items, index, config, args.maxCalls ?? items.length * 4, logger);
      reports.push(withCost(ceiling.report, { resync: ceiling.resync }));
    }
    if (args.ai && config.openai.apiKey) {
      // No cache: the eval measures the model, not yesterday's answers.
      const online = await mapperFromConfig(config, logger, {
        ai: true,
        cache: false,
        maxCalls: args.maxCalls ?? items.length * 4,
        index,
      });
      const label = `openai ${config.openai.model}${config.openai.baseUrl ? ` @ ${config.openai.baseUrl}` : ''}`;
      reports.push(withCost(await evaluateMapper(items, online.mapper, label)));
      await online.close();
    }
  }
  if (args.ai && !config.openai.apiKey) io.stderr.write('eval:mapper: OPENAI_API_KEY is not set: no real-model run\n');

  if (args.json) {
    // The held-out split's per-item results are never shown: reading them is tuning on them.
    const shown = reports.map((r) => (args.misses && r.split === 'dev' ? r : { ...r, misses: r.misses.length }));
    io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatReports(reports, args.misses));
  return 0;
}

const perThousand = (costUsd: number, count: number) => (count === 0 ? 0 : (costUsd / count) * 1000);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The human-readable report: one row per mapper and split, then the dev misses when asked. */
export function formatReports(reports: readonly SplitReport[], showMisses: boolean): string {
  const out: string[] = [];
  const splits = [...new Set(reports.map((r) => r.split))];
  out.push('Evaluation set (bundled English TikTok v1 tree):');
  for (const split of splits) {
    const r = reports.find((x) => x.split === split);
    if (r) out.push(`  ${split}: ${r.total} labelled products (${r.hardTotal} hard, ${r.total - r.hardTotal} ordinary)`);
  }
  out.push('');
  out.push(
    [
      'mapper'.padEnd(30),
      'split'.padEnd(6),
      'top-1'.padStart(7),
      'ordinary'.padStart(9),
      'hard'.padStart(7),
      'attr fill'.padStart(10),
      'AI calls'.padStart(9),
      'tokens in+out'.padStart(16),
      'est. cost'.padStart(10),
      '$/1k prod'.padStart(10),
      '  answered by',
    ].join(''),
  );
  for (const r of reports) {
    const by = Object.entries(r.answeredBy)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.push(
      [
        r.mapperLabel.slice(0, 29).padEnd(30),
        r.split.padEnd(6),
        pct(r.top1Accuracy).padStart(7),
        pct(r.top1AccuracyEasy).padStart(9),
        pct(r.top1AccuracyHard).padStart(7),
        pct(r.attributeFillRate).padStart(10),
        String(r.usage.calls).padStart(9),
        `${r.usage.promptTokens}+${r.usage.completionTokens}`.padStart(16),
        `$${r.usage.estimatedCostUsd.toFixed(4)}${r.usage.priceKnown ? '' : '?'}`.padStart(10),
        `$${r.costPer1000Usd.toFixed(3)}`.padStart(10),
        `  ${by}`,
      ].join(''),
    );
    if (r.resync)
      out.push(
        `${'  re-sync (cached answers)'.padEnd(36)}${''.padStart(33)}${String(r.resync.calls).padStart(9)}${''.padStart(26)}${`$${r.resync.costPer1000Usd.toFixed(3)}`.padStart(10)}  cache ${r.resync.cacheHits}`,
      );
  }
  out.push('');
  out.push('top-1: predicted leaf equals the label. AI ceiling: the AI mapper against a fake server that answers with the');
  out.push('labelled leaf whenever the request offers it, so its top-1 is the share of products whose right leaf the model');
  out.push('is shown. Cost: gpt-4o-mini list prices, without the provider discount on a cached prompt prefix. attr fill:');
  out.push("required attributes filled on illustrative attribute definitions (data/eval-attributes.json), not TikTok's.");
  for (const r of reports) {
    if (r.misses.length === 0) continue;
    if (!showMisses || r.split !== 'dev') {
      out.push(`${r.mapperLabel} (${r.split}): ${r.misses.length} misses${r.split === 'dev' ? ' (--misses lists them)' : ''}`);
      continue;
    }
    out.push('');
    out.push(`Misses of ${r.mapperLabel} on dev:`);
    for (const m of r.misses)
      out.push(`  ${m.hard ? '[hard] ' : ''}${m.title}\n      expected ${m.expected}\n      got      ${m.got}`);
  }
  return `${out.join('\n')}\n`;
}
