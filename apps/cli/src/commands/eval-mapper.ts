import type { Writable } from 'node:stream';
import {
  bundledCategoryTree,
  CategoryIndex,
  evaluateMapper,
  loadEvalAttributes,
  loadEvalSet,
  type EvalReport,
} from '@shoptok/ai-mapper';
import { createLogger } from '@shoptok/logger';
import { type CommandIo, mapperConfig, mapperFromConfig } from './map.js';

const USAGE = `pnpm eval:mapper [options]

Runs the labelled evaluation set shipped with @shoptok/ai-mapper (real-looking Shopify
products, a third of them hard) through the same path as "shoptok map": the offline mapper
always, and the OpenAI mapper too when OPENAI_API_KEY is set (any OpenAI-compatible server via
OPENAI_BASE_URL). Prints top-1 category accuracy, attribute fill rate and cost.

Options:
  --no-ai        offline mapper only
  --limit N      only the first N items
  --misses       list every wrong category
  --json         print the reports as JSON
  --max-calls N  AI call budget for the run (default: 3 per item)
`;

/** `pnpm eval:mapper`: exit 0 when the run completed (accuracy is reported, not enforced). */
export async function runEvalMapperCommand(argv: string[], io: CommandIo): Promise<number> {
  let ai = true;
  let limit: number | undefined;
  let showMisses = false;
  let json = false;
  let maxCalls: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-ai') ai = false;
    else if (a === '--misses') showMisses = true;
    else if (a === '--json') json = true;
    else if (a === '--limit' || a === '--max-calls') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) {
        io.stderr.write(`eval:mapper: ${a} needs a whole number\n\n${USAGE}`);
        return 64;
      }
      if (a === '--limit') limit = n;
      else maxCalls = n;
    } else if (a === '--help' || a === '-h') {
      io.stdout.write(USAGE);
      return 0;
    } else {
      io.stderr.write(`eval:mapper: unknown option ${a}\n\n${USAGE}`);
      return 64;
    }
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

  const items = loadEvalSet().slice(0, limit);
  // The bundled tree plus the illustrative attribute definitions the fill rate is measured on.
  const tree = bundledCategoryTree();
  const plain = CategoryIndex.fromTree(tree.nodes, { version: tree.version });
  const attributes = loadEvalAttributes(new Map(plain.leafCategories().map((l) => [l.id, l.path])));
  const index = CategoryIndex.fromTree(tree.nodes, { attributes });

  const reports: EvalReport[] = [];
  const offline = await mapperFromConfig(config, logger, { ai: false, cache: false, maxCalls: 0, index });
  reports.push(await evaluateMapper(items, offline.mapper, 'offline (fallback)'));
  await offline.close();
  if (ai && config.openai.apiKey) {
    // No cache: the eval measures the model, not yesterday's answers.
    const online = await mapperFromConfig(config, logger, {
      ai: true,
      cache: false,
      maxCalls: maxCalls ?? items.length * 3,
      index,
    });
    reports.push(
      await evaluateMapper(
        items,
        online.mapper,
        `openai ${config.openai.model}${config.openai.baseUrl ? ` @ ${config.openai.baseUrl}` : ''}`,
      ),
    );
    await online.close();
  } else if (ai) {
    io.stderr.write('eval:mapper: OPENAI_API_KEY is not set: evaluating the offline mapper only\n');
  }

  if (json) {
    io.stdout.write(
      `${JSON.stringify(
        reports.map((r) => (showMisses ? r : { ...r, misses: r.misses.length })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  io.stdout.write(formatReports(items.length, reports, showMisses));
  return 0;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The human-readable report: one row per mapper, then the misses when asked. */
export function formatReports(count: number, reports: readonly EvalReport[], showMisses: boolean): string {
  const out: string[] = [];
  const hard = reports[0]?.hardTotal ?? 0;
  out.push(`Evaluation set: ${count} labelled products (${hard} hard, ${count - hard} ordinary), bundled English TikTok v1 tree`);
  out.push('');
  out.push(
    [
      'mapper'.padEnd(34),
      'top-1'.padStart(7),
      'ordinary'.padStart(9),
      'hard'.padStart(7),
      'attr fill'.padStart(10),
      'AI calls'.padStart(9),
      'tokens'.padStart(10),
      'est. cost'.padStart(11),
      '  answered by',
    ].join(''),
  );
  for (const r of reports) {
    const by = Object.entries(r.answeredBy)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.push(
      [
        r.mapperLabel.slice(0, 33).padEnd(34),
        pct(r.top1Accuracy).padStart(7),
        pct(r.top1AccuracyEasy).padStart(9),
        pct(r.top1AccuracyHard).padStart(7),
        pct(r.attributeFillRate).padStart(10),
        String(r.usage.calls).padStart(9),
        String(r.usage.promptTokens + r.usage.completionTokens).padStart(10),
        `$${r.usage.estimatedCostUsd.toFixed(4)}${r.usage.priceKnown ? '' : '?'}`.padStart(11),
        `  ${by}`,
      ].join(''),
    );
  }
  out.push('');
  out.push('top-1: predicted leaf category id equals the label. attr fill: required attributes filled, over the predicted');
  out.push("categories, measured on illustrative attribute definitions (data/eval-attributes.json), not TikTok's real ones.");
  for (const r of reports) {
    if (!showMisses) {
      out.push(`${r.mapperLabel}: ${r.misses.length} misses (--misses lists them)`);
      continue;
    }
    out.push('');
    out.push(`Misses of ${r.mapperLabel}:`);
    for (const m of r.misses)
      out.push(`  ${m.hard ? '[hard] ' : ''}${m.title}\n      expected ${m.expected}\n      got      ${m.got}`);
  }
  return `${out.join('\n')}\n`;
}
