// docs/settings.md must say what every setting does: each field of the env schema, of a store in
// the stores file and of the rules has a row there, and every test a row names exists.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeRulesSchema } from '@shoptok/sync-core';
import type { z } from 'zod';
import { envSchema, storeFileEntrySchema } from './index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC = 'docs/settings.md';

type AnySchema = z.core.$ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  in?: AnySchema;
  out?: AnySchema;
}
const defOf = (schema: AnySchema) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object inside wrappers (default, prefault, preprocess, refinements), or undefined when the field holds no object. */
function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const def = defOf(schema);
  if (def.type === 'object') return def.shape;
  if (def.type === 'default' || def.type === 'prefault') return def.innerType ? objectShape(def.innerType) : undefined;
  if (def.type === 'pipe') return (def.out && objectShape(def.out)) ?? (def.in && objectShape(def.in));
  return undefined;
}

/**
 * Every setting a person writes, as dotted paths. Sections (objects that are required or have a
 * default) are walked into; an optional object (e.g. `price.conversion`) is one setting.
 */
function settingPaths(shape: Record<string, AnySchema>, prefix = ''): string[] {
  return Object.entries(shape).flatMap(([key, field]) => {
    const path = `${prefix}${key}`;
    const inner = defOf(field).type === 'optional' ? undefined : objectShape(field);
    return inner ? settingPaths(inner, `${path}.`) : [path];
  });
}

/** Names in backticks in the first cell of each table row, and the test paths the row's last cell names. */
function documentedRows(markdown: string): { names: Set<string>; tests: string[] } {
  const names = new Set<string>();
  const tests: string[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const cells = line.split('|').slice(1, -1);
    for (const m of (cells[0] ?? '').matchAll(/`([^`]+)`/g)) names.add(m[1]!);
    for (const m of (cells.at(-1) ?? '').matchAll(/((?:apps|packages)\/[\w./-]+\.test\.ts)/g)) tests.push(m[1]!);
  }
  return { names, tests };
}

describe(`${DOC}: the settings reference`, () => {
  const markdown = readFileSync(join(repoRoot, DOC), 'utf8');
  const { names, tests } = documentedRows(markdown);
  const storeShape = objectShape(storeFileEntrySchema as unknown as AnySchema)!;
  const rulesShape = objectShape(storeRulesSchema as unknown as AnySchema)!;
  const fields = [...Object.keys(envSchema.shape), ...settingPaths(storeShape), ...settingPaths(rulesShape, 'rules.')];

  it('has a row for every field of the env, stores-file and rules schemas', () => {
    const missing = fields.filter((f) => !names.has(f));
    if (missing.length > 0)
      throw new Error(
        `${DOC} has no entry for ${missing.length} setting(s): ${missing.join(', ')}. Add a row whose first cell names each in backticks, with its default, what it changes and the test that shows it.`,
      );
  });

  it('finds fields in nested sections (the check can fail)', () => {
    expect(fields).toEqual(
      expect.arrayContaining(['DRY_RUN', 'shopify.tokenEnv', 'rules.listing.price.conversion', 'rules.orders.taxesIncluded']),
    );
    expect(fields).not.toContain('rules.listing.price');
    expect(documentedRows('| `A`, `B` | 1 | x | packages/x/src/a.test.ts |').names).toEqual(new Set(['A', 'B']));
  });

  it('names only tests that exist', () => {
    expect(tests.length).toBeGreaterThan(40);
    expect(tests.filter((t) => !existsSync(join(repoRoot, t)))).toEqual([]);
  });
});
