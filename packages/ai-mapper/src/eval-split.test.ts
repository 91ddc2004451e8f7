import { readdirSync, readFileSync, statSync } from 'node:fs';
import { bundledCategoryIndex } from './default-tree.js';
import { evalSplitOf, loadEvalSet } from './evaluation.js';

const packageDir = new URL('../', import.meta.url);
const normalise = (text: string) =>
  ` ${text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;

/** Every file the mapper is built from: its code, scripts and data, except the labelled set itself. */
function mapperSources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: URL) => {
    for (const name of readdirSync(dir)) {
      const url = new URL(name, dir);
      if (statSync(url).isDirectory()) walk(new URL(`${name}/`, dir));
      else if (name !== 'eval-set.jsonl' && !name.endsWith('.test.ts'))
        out.push({ path: url.pathname, text: readFileSync(url, 'utf8') });
    }
  };
  for (const dir of ['src/', 'data/', 'scripts/']) walk(new URL(dir, packageDir));
  return out;
}

describe('labelled evaluation set and its held-out split', () => {
  const items = loadEvalSet();
  const test = loadEvalSet(undefined, { split: 'test' });
  const dev = loadEvalSet(undefined, { split: 'dev' });

  it('has at least 500 items, a third or more hard, every label a leaf of the tree with its path', () => {
    expect(items.length).toBeGreaterThanOrEqual(500);
    expect(items.filter((i) => i.hard).length / items.length).toBeGreaterThanOrEqual(1 / 3);
    const index = bundledCategoryIndex();
    for (const item of items)
      expect(`${item.id} ${index.leaf(item.expectedCategoryId)?.path.join(' > ')}`).toBe(`${item.id} ${item.expectedPath}`);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(new Set(items.map((i) => normalise(i.title))).size).toBe(items.length);
  });

  it('splits by a fixed hash: a stable, sizeable test part with its share of hard items, none of the tuned-on items', () => {
    expect(dev.length + test.length).toBe(items.length);
    expect(test.length).toBeGreaterThanOrEqual(200);
    expect(test.filter((i) => i.hard).length / test.length).toBeGreaterThanOrEqual(0.3);
    expect(test.some((i) => i.id.startsWith('eval-'))).toBe(false);
    // The hash, not the order of the file, decides: the same id always lands in the same split.
    expect(evalSplitOf({ id: 'fresh-001' })).toBe(evalSplitOf({ id: 'fresh-001' }));
    expect(test.every((i) => evalSplitOf(i) === 'test')).toBe(true);
  });

  it("no test-split title appears in the mapper's code, scripts or data", () => {
    const sources = mapperSources().map((s) => ({ path: s.path, text: normalise(s.text) }));
    expect(sources.length).toBeGreaterThan(10);
    // One-word titles ("Fresh", "Snug") are ordinary English words that language data must
    // contain; every longer title is checked.
    const checked = test.filter((i) => normalise(i.title).trim().split(' ').length >= 2);
    expect(checked.length).toBeGreaterThan(test.length * 0.9);
    const leaks = checked.flatMap((i) =>
      sources.filter((s) => s.text.includes(normalise(i.title))).map((s) => `${i.id} "${i.title}" in ${s.path}`),
    );
    expect(leaks).toEqual([]);
  });
});
