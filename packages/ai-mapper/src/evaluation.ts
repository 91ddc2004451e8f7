import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RunUsage } from './budget.js';
import { mapProductLines, type PreviewLine } from './preview.js';
import type { ProductMapper } from './product-mapper.js';
import { categoryAttributeSchema, type CategoryAttribute } from './schemas.js';

/** One labelled product of the evaluation set (data/eval-set.jsonl). */
export const evalItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  descriptionHtml: z.string().default(''),
  productType: z.string().default(''),
  vendor: z.string().default(''),
  tags: z.array(z.string()).default([]),
  category: z.object({ fullName: z.string() }).nullish(),
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })).default([]),
  expectedCategoryId: z.string(),
  expectedPath: z.string(),
  /** Why the item is hard (vague title, wrong type, misleading tags, ...); absent when easy. */
  hard: z.string().optional(),
});
export type EvalItem = z.output<typeof evalItemSchema>;

const dataDir = new URL('../data/', import.meta.url);

/** `dev`: tune on it. `test`: held out; no code or data may be tuned on it. */
export type EvalSplit = 'dev' | 'test';

/**
 * The split an item belongs to, fixed by a hash of its id (about half of the items go to
 * `test`). Items with `eval-` ids were written before the split existed and the mapper's
 * synonym tables were tuned while looking at them, so they are always `dev`.
 */
export function evalSplitOf(item: Pick<EvalItem, 'id'>): EvalSplit {
  if (item.id.startsWith('eval-')) return 'dev';
  return createHash('sha256').update(`shoptok-eval-split-v1:${item.id}`).digest()[0]! < 128 ? 'test' : 'dev';
}

/** The labelled set shipped with the package; `split` keeps only that part. */
export function loadEvalSet(file: URL = new URL('eval-set.jsonl', dataDir), options: { split?: EvalSplit } = {}): EvalItem[] {
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const parsed = evalItemSchema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`eval-set line ${i + 1}: ${parsed.error.issues.map((x) => x.message).join('; ')}`);
      return parsed.data;
    });
  return options.split ? items.filter((item) => evalSplitOf(item) === options.split) : items;
}

const evalAttributesSchema = z.object({ note: z.string(), byRoot: z.record(z.string(), z.array(categoryAttributeSchema)) });

/**
 * Illustrative attribute definitions for the evaluation (data/eval-attributes.json): TikTok's
 * shape, our own ids, per top-level category. TikTok's real attributes are fetched per leaf
 * per shop (Get Attributes, API-FACTS §5.2) and none are public; these measure the filling.
 */
export function loadEvalAttributes(leafPaths: ReadonlyMap<string, readonly string[]>): Record<string, CategoryAttribute[]> {
  const { byRoot } = evalAttributesSchema.parse(JSON.parse(readFileSync(new URL('eval-attributes.json', dataDir), 'utf8')));
  const out: Record<string, CategoryAttribute[]> = {};
  for (const [id, path] of leafPaths) {
    const attrs = byRoot[path[0] ?? ''];
    if (attrs) out[id] = attrs;
  }
  return out;
}

export interface EvalReport {
  mapperLabel: string;
  total: number;
  hardTotal: number;
  top1Accuracy: number;
  top1AccuracyEasy: number;
  top1AccuracyHard: number;
  /** Required PRODUCT_PROPERTY attributes filled / required ones, over the predicted categories. */
  attributeFillRate: number;
  answeredBy: Record<string, number>;
  usage: RunUsage;
  misses: { id: string; title: string; expected: string; got: string; hard?: string }[];
}

/** Runs the labelled set through the preview path with `mapper` and scores top-1 accuracy. */
export async function evaluateMapper(
  items: readonly EvalItem[],
  mapper: ProductMapper,
  mapperLabel: string,
): Promise<EvalReport> {
  const results: PreviewLine[] = [];
  const lines = items.map((item) =>
    JSON.stringify({
      id: item.id,
      title: item.title,
      descriptionHtml: item.descriptionHtml,
      productType: item.productType,
      vendor: item.vendor,
      tags: item.tags,
      category: item.category ?? null,
      options: item.options,
    }),
  );
  await mapProductLines(lines, mapper, { storeId: 'eval', onResult: (r) => void results.push(r) });

  let correct = 0;
  let correctHard = 0;
  let required = 0;
  let filledRequired = 0;
  const answeredBy: Record<string, number> = {};
  const misses: EvalReport['misses'] = [];
  items.forEach((item, i) => {
    const r = results[i];
    if (!r || !r.ok) {
      misses.push({
        id: item.id,
        title: item.title,
        expected: item.expectedPath,
        got: r && !r.ok ? `error: ${r.error}` : 'no result',
        hard: item.hard,
      });
      return;
    }
    answeredBy[r.mapper] = (answeredBy[r.mapper] ?? 0) + 1;
    const attrs = mapper.index.attributesOf(r.categoryId).filter((a) => a.type === 'PRODUCT_PROPERTY' && a.isRequired);
    required += attrs.length;
    filledRequired += attrs.filter((a) => r.attributes.some((f) => f.id === a.id)).length;
    if (r.categoryId === item.expectedCategoryId) {
      correct += 1;
      if (item.hard) correctHard += 1;
    } else {
      misses.push({ id: item.id, title: item.title, expected: item.expectedPath, got: r.categoryPath, hard: item.hard });
    }
  });
  const hardTotal = items.filter((i) => i.hard).length;
  const easyTotal = items.length - hardTotal;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);
  return {
    mapperLabel,
    total: items.length,
    hardTotal,
    top1Accuracy: ratio(correct, items.length),
    top1AccuracyEasy: ratio(correct - correctHard, easyTotal),
    top1AccuracyHard: ratio(correctHard, hardTotal),
    attributeFillRate: ratio(filledRequired, required),
    answeredBy,
    usage: mapper.usage(),
    misses,
  };
}
