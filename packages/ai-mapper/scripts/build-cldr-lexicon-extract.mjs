// Builds data/cldr-lexicon-extract.json: a small foreign-word -> English-word lexicon for the
// offline mapper, from the Unicode CLDR emoji annotations. Every emoji has a name and keywords
// per locale (👗: en "dress", fr "robe", de "Kleid", pl "sukienka"); joining the locales through
// the emoji translates many product nouns (clothes, shoes, bags, jewellery, cosmetics, kitchen
// things, toys, sports gear, electronics).
// Run from the package dir after `pnpm install`:
//   node scripts/build-cldr-lexicon-extract.mjs
// Source: the npm package cldr-annotations-full 48.2.0 (Unicode CLDR 48, Unicode, Inc.;
// licence Unicode-3.0, see data/SOURCE.md). Only annotations/<locale>/annotations.json is read.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GENERAL_WORDS } from './general-words.mjs';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('cldr-annotations-full/package.json'));
const { version } = require('cldr-annotations-full/package.json');

// Languages of TikTok Shop's markets and of European merchants who list in the UK, written with
// spaces between words (Thai, Japanese, Chinese are not: they need a segmenter first).
const LOCALES = ['fr', 'de', 'es', 'it', 'nl', 'pl', 'pt', 'id', 'ms', 'vi'];

// What a pairing is worth: an emoji's name is its meaning; its keywords are associations
// ("dress": shopping, fancy) and count less, on both sides.
const NAME_WEIGHT = 1;
const KEYWORD_WEIGHT = 0.4;
// A foreign word keeps the English words that carry at least this share of its best one, at
// most MAX_TARGETS of them.
const MIN_SHARE = 0.5;
const MAX_TARGETS = 4;

const load = (locale) =>
  JSON.parse(readFileSync(join(packageDir, 'annotations', locale, 'annotations.json'), 'utf8')).annotations.annotations;

/** The mapper's normalisation (src/text.ts `words`): lowercase, no accents, no apostrophe-s. */
function words(text) {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\b(t|tee)[\s-]?shirts?\b/g, 'tshirt')
    .replace(/['’]s\b/g, '')
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}
const rawWords = (text) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

// The English words worth translating into: the tree's words and WordNet's nouns (the mapper
// widens those further), minus words too general to say which leaf a product belongs to.
const tree = JSON.parse(readFileSync(new URL('../data/tiktok-categories-en-v1.json', import.meta.url), 'utf8'));
const wordNet = JSON.parse(readFileSync(new URL('../data/wordnet-extract.json', import.meta.url), 'utf8')).words;
const english = new Set(Object.keys(wordNet));
for (const c of tree.categories) for (const w of words(c.name)) english.add(w);
for (const w of [...GENERAL_WORDS, 'thing', 'object', 'symbol', 'sign', 'flag']) english.delete(w);
const isEnglishTarget = (w) => w.length >= 3 && (english.has(w) || (w.endsWith('s') && english.has(w.slice(0, -1))));

/**
 * The English meaning of an annotation: its head word ("running shoe" -> shoe; "teacup without
 * handle" -> teacup) at full weight, the other words at half.
 */
function englishWords(annotation) {
  const phrase = annotation.split(/\s(?:with|without|and|of|in|on)\s|[:,(]/)[0];
  const ws = words(phrase).filter((w) => w.length >= 3);
  return ws.map((w, i) => [w, i === ws.length - 1 ? 1 : 0.5]);
}

const en = load('en');
/** foreign word -> English word -> summed weight; and how many emojis each foreign word is on. */
const scores = new Map();
const seen = new Map();
let emojis = 0;
for (const locale of LOCALES) {
  const annotations = load(locale);
  for (const [emoji, local] of Object.entries(annotations)) {
    const base = en[emoji];
    if (!base) continue;
    emojis++;
    const targets = new Map();
    for (const [list, weight] of [
      [base.tts ?? [], NAME_WEIGHT],
      [base.default ?? [], KEYWORD_WEIGHT],
    ])
      for (const annotation of list)
        for (const [w, share] of englishWords(annotation))
          if (isEnglishTarget(w)) targets.set(w, Math.max(targets.get(w) ?? 0, weight * share));
    if (targets.size === 0) continue;
    // Only a whole annotation of one word is a foreign noun: function words ("avec", "für") and
    // the other words of a phrase never stand alone.
    const sources = new Map();
    for (const [list, weight] of [
      [local.tts ?? [], NAME_WEIGHT],
      [local.default ?? [], KEYWORD_WEIGHT],
    ])
      for (const annotation of list) {
        const ws = rawWords(annotation);
        if (ws.length !== 1 || ws[0].length < 3 || /\d/.test(ws[0])) continue;
        sources.set(ws[0], Math.max(sources.get(ws[0]) ?? 0, weight));
      }
    for (const [word, weight] of sources) {
      seen.set(word, (seen.get(word) ?? 0) + 1);
      const row = scores.get(word) ?? new Map();
      for (const [target, t] of targets) row.set(target, (row.get(target) ?? 0) + weight * t);
      scores.set(word, row);
    }
  }
}

const extract = {};
for (const [word, row] of [...scores.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
  const count = seen.get(word) ?? 1;
  const ranked = [...row.entries()].map(([t, s]) => [t, s / count]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const best = ranked[0]?.[1] ?? 0;
  const kept = ranked
    .filter(([t, s]) => t !== word && s >= MIN_SHARE * best)
    .slice(0, MAX_TARGETS)
    .map(([t, s]) => `${t}:${Math.max(1, Math.round(Math.min(1, s) * 100))}`);
  // A word that translates to itself ("jeans", "pizza") needs no entry.
  if (kept.length > 0 && !row.has(word)) extract[word] = kept.join(' ');
}

const body = JSON.stringify(extract);
const out = {
  source: `cldr-annotations-full ${version} (Unicode CLDR emoji annotations, Unicode-3.0), locales ${LOCALES.join(' ')}; see data/SOURCE.md`,
  version: `cldr-${createHash('sha256').update(body).digest('hex').slice(0, 12)}`,
  format: 'foreign word (lowercase, no accents) -> "englishWord:weight*100 ..." (joined through the emoji they name)',
  words: extract,
};
writeFileSync(new URL('../data/cldr-lexicon-extract.json', import.meta.url), `${JSON.stringify(out)}\n`);
console.log(`${Object.keys(extract).length} foreign words from ${emojis} emoji annotations; ${Buffer.byteLength(body)} bytes`);
