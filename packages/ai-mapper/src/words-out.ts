import { HASHTAGS_MAX_COUNT, htmlToText, KEYWORDS_MAX_COUNT, KEYWORDS_MAX_TOTAL_CHARS } from './limits.js';
import type { MapperProduct } from './schemas.js';
import { contentWords, words } from './text.js';

// Style and trend words that TikTok shoppers search as hashtags. A hashtag is only made from
// one of these when the product's own text already says it: we never add a claim.
const TREND_WORDS = new Set([
  'y2k',
  'aesthetic',
  'cottagecore',
  'coquette',
  'boho',
  'vintage',
  'retro',
  'kawaii',
  'minimalist',
  'streetwear',
  'oversized',
  'cosy',
  'cozy',
  'grunge',
  'preppy',
  'gothic',
  'goth',
  'handmade',
  'vegan',
  'organic',
  'sustainable',
  'upcycled',
  'skincare',
  'makeup',
  'athleisure',
  'gymwear',
  'glowup',
  'selfcare',
  'crueltyfree',
  'festival',
  'summer',
  'winter',
  'halloween',
  'christmas',
  'valentines',
  'wedding',
  'bridal',
  'gift',
  'giftideas',
  'homedecor',
  'roomdecor',
  'kpop',
  'anime',
  'gaming',
  'fitness',
  'yoga',
  'pilates',
  'running',
  'outdoors',
  'camping',
  'plantmom',
  'dogmom',
  'catmom',
  'booktok',
  'cleantok',
  'ootd',
  'matcha',
  'barbiecore',
  'darkacademia',
  'quietluxury',
  'oldmoney',
]);

// Multi-word trends written as one hashtag when the words appear together.
const TREND_PHRASES: Record<string, string> = {
  'cruelty free': 'crueltyfree',
  'self care': 'selfcare',
  'glow up': 'glowup',
  'home decor': 'homedecor',
  'room decor': 'roomdecor',
  'dark academia': 'darkacademia',
  'old money': 'oldmoney',
  'quiet luxury': 'quietluxury',
  'gift idea': 'giftideas',
};

function hashtagBody(text: string): string {
  return words(text)
    .join('')
    .replace(/[^\p{L}\p{N}_]/gu, '');
}

/** Everything the product says about itself, as lowercase text (for grounding checks). */
export function productText(product: MapperProduct): string {
  return [
    product.title,
    product.productType,
    product.vendor,
    product.tags.join(' '),
    product.category?.fullName ?? '',
    htmlToText(product.descriptionHtml),
    product.options.map((o) => `${o.name} ${o.values.join(' ')}`).join(' '),
  ]
    .join(' ')
    .toLowerCase();
}

/** True when a hashtag (or keyword) is made only of words the product itself uses. */
export function isGrounded(candidate: string, product: MapperProduct): boolean {
  const body = hashtagBody(candidate.replace(/^#/, ''));
  if (!body) return false;
  const text = productText(product);
  const squashed = words(text).join('');
  if (squashed.includes(body)) return true;
  const own = new Set(words(text));
  // "#dogmom" from "dog" + "mom"? Only if every part is the product's own word.
  return splitIntoKnown(body, own);
}

function splitIntoKnown(body: string, known: Set<string>): boolean {
  if (body === '') return true;
  for (let i = Math.min(body.length, 24); i >= 2; i--) {
    if (known.has(body.slice(0, i)) && splitIntoKnown(body.slice(i), known)) return true;
  }
  return false;
}

/**
 * Hashtags from the product's own words: trend words it uses first (#y2k, #aesthetic), then its
 * type and tags. Lowercase, letters and digits only, at most HASHTAGS_MAX_COUNT.
 */
export function buildHashtags(product: MapperProduct, leafName?: string): string[] {
  const text = productText(product);
  const own = new Set(words(text));
  const out: string[] = [];
  const push = (raw: string) => {
    const body = hashtagBody(raw);
    if (body.length < 2 || body.length > 30 || /^\d+$/.test(body)) return;
    const tag = `#${body}`;
    if (!out.includes(tag)) out.push(tag);
  };
  for (const [phrase, tag] of Object.entries(TREND_PHRASES)) if (text.includes(phrase)) push(tag);
  for (const w of own) if (TREND_WORDS.has(w)) push(w);
  for (const tag of product.tags) if (words(tag).length <= 3) push(tag);
  if (product.productType) push(product.productType);
  if (leafName && isGrounded(leafName, product)) push(leafName);
  return out.slice(0, HASHTAGS_MAX_COUNT);
}

/**
 * Search keywords (TikTok `search_terms`): product type, title phrases, tags and option values,
 * at most 15 terms and 250 chars in total (API-FACTS §6).
 */
export function buildKeywords(product: MapperProduct): string[] {
  const candidates: string[] = [];
  if (product.productType) candidates.push(product.productType);
  const titleWords = contentWords(product.title).filter((w) => !/^\d/.test(w));
  // Adjacent pairs of title words read like searches ("linen shirt", "midi dress").
  for (let i = titleWords.length - 1; i > 0; i--) candidates.push(`${titleWords[i - 1]} ${titleWords[i]}`);
  candidates.push(...titleWords);
  candidates.push(...product.tags);
  for (const option of product.options)
    if (/colou?r|material|fabric|style|scent|flavou?r/i.test(option.name)) candidates.push(...option.values);
  return fitKeywords(candidates);
}

/** Dedupes keywords and keeps within TikTok's search_terms limits (API-FACTS §6). */
export function fitKeywords(candidates: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (const raw of candidates) {
    const kw = raw
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (kw.length < 2 || kw.length > 50 || out.includes(kw)) continue;
    if (out.length >= KEYWORDS_MAX_COUNT || total + kw.length > KEYWORDS_MAX_TOTAL_CHARS) break;
    out.push(kw);
    total += kw.length;
  }
  return out;
}
