// A store's hash tag is written in one place: no source file (production or test) may build a
// `...:{${store}}...` key or an `inventory-{${store}}` queue name by hand, where one typo would
// move the key out of the store's Redis Cluster slot. Literal keys in tests (`:{glow}:state:sku`)
// stay allowed: they pin the stored bytes independently of this module.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.reports', 'fixtures']);
const MODULE = 'packages/keys/src/keys.ts';
/** Files allowed to spell the tag: the module, its pin test (checks the tag on its own) and this test. */
const ALLOWED = new Set([MODULE, 'packages/keys/src/keys.test.ts', 'packages/keys/src/hand-built-keys.test.ts']);

/**
 * A `{` opened right after `:` or `-` and filled by a template substitution: the tag of a key
 * (`${prefix}:{${store}}:state`) or of a queue name (`${queue}-{${store}}`). URL templates
 * (`{${name}}` at the start of a string) and glob patterns (`*{${prefix}*`) do not match.
 */
const HAND_BUILT_TAG = /[:-]\{\$\{/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('hash-tagged Redis keys are built only by packages/keys', () => {
  const files = [...sourceFiles(join(repoRoot, 'apps')), ...sourceFiles(join(repoRoot, 'packages'))].map((path) => ({
    file: relative(repoRoot, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('finds the sources it checks', () => {
    expect(files.some((f) => f.file === MODULE)).toBe(true);
    expect(files.length).toBeGreaterThan(100);
  });

  it('sees a hand-built tag where there is one', () => {
    const sample = ['const key = `${prefix}:{${store}}:state:sku`;', 'const queue = `${name}-{${store}}`;'];
    expect(sample.map((line) => HAND_BUILT_TAG.test(line))).toEqual([true, true]);
    const notKeys = ['path.replace(`{${name}}`, value)', 'deleteByPattern(client, `*{${prefix}*`)'];
    expect(notKeys.map((line) => HAND_BUILT_TAG.test(line))).toEqual([false, false]);
    expect(readFileSync(join(repoRoot, MODULE), 'utf8')).toMatch(/`\{\$\{store\}\}`/);
  });

  it('finds no store hash tag built outside the module', () => {
    const offenders = files
      .filter(({ file }) => !ALLOWED.has(file))
      .flatMap(({ file, text }) =>
        text.split('\n').flatMap((line, i) => (HAND_BUILT_TAG.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });
});
