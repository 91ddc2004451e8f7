import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CategoryIndex } from './category-index.js';
import { categoryNodeSchema, type CategoryNode } from './schemas.js';

const bundledTreeSchema = z.object({
  version: z.string(),
  categoryVersion: z.literal('v1'),
  locale: z.string(),
  provenance: z.string(),
  categories: z.array(categoryNodeSchema).min(1),
});

let cached: { version: string; nodes: CategoryNode[] } | undefined;

/**
 * The bundled English TikTok Shop v1 category tree (see data/SOURCE.md): what the mapper uses
 * when no live tree is given (preview without credentials, the evaluation, the demo).
 */
export function bundledCategoryTree(): { version: string; nodes: CategoryNode[] } {
  if (!cached) {
    const raw: unknown = JSON.parse(readFileSync(new URL('../data/tiktok-categories-en-v1.json', import.meta.url), 'utf8'));
    const parsed = bundledTreeSchema.parse(raw);
    cached = { version: parsed.version, nodes: parsed.categories };
  }
  return cached;
}

let bundledIndex: CategoryIndex | undefined;

/** A category index over the bundled tree, built once per process. */
export function bundledCategoryIndex(): CategoryIndex {
  if (!bundledIndex) {
    const { version, nodes } = bundledCategoryTree();
    bundledIndex = CategoryIndex.fromTree(nodes, { version });
  }
  return bundledIndex;
}
