// Job ids come only from the catalog: no source file (production or test) may give BullMQ an id
// of its own making, nor add a job behind QueueFactory's back (where the catalog's id and retry
// policy would be skipped).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.reports']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The text of each call `<name>(...)` in `text`, up to its closing parenthesis. */
function calls(text: string, name: RegExp): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(name)) {
    let depth = 0;
    const start = (match.index ?? 0) + match[0].length - 1;
    for (let i = start; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        found.push(text.slice(match.index, i + 1));
        break;
      }
    }
  }
  return found;
}

const FACTORY = 'packages/queues/src/producer.ts';
/** Files that may open a raw BullMQ queue: the factory, and the worker test that sends the junk a factory refuses. */
const RAW_QUEUE_ALLOWED = new Set([FACTORY, 'packages/queues/src/worker.redis.test.ts', 'packages/queues/src/job-ids.test.ts']);

describe('job ids are built only by the catalog', () => {
  const files = [...sourceFiles(join(repoRoot, 'apps')), ...sourceFiles(join(repoRoot, 'packages'))].map((path) => ({
    file: relative(repoRoot, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('finds the sources it checks', () => {
    expect(files.some((f) => f.file === FACTORY)).toBe(true);
    expect(files.length).toBeGreaterThan(100);
  });

  it('never passes a jobId when adding a job or a job scheduler template', () => {
    const offenders = files.flatMap(({ file, text }) =>
      calls(text, /\.(add|addByName|addBulk|upsertJobScheduler)\(/g)
        .filter((call) => /\bjobId\b/.test(call))
        .map((call) => `${file}: ${call.split('\n')[0]}`),
    );
    expect(offenders).toEqual([]);
  });

  it('adds jobs only through QueueFactory (a raw BullMQ queue would skip the catalog)', () => {
    const offenders = files
      .filter(({ file }) => !RAW_QUEUE_ALLOWED.has(file))
      .flatMap(({ file, text }) =>
        [...text.matchAll(/\.queue\([^)]*\)\s*\.(add|addBulk)\(|new Queue\(/g)].map((m) => `${file}: ${m[0]}`),
      );
    expect(offenders).toEqual([]);
  });
});
