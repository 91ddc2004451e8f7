// Word handling shared by the category index, hashtags and attribute filling.

const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or our the this that to with your you we will can all new more one per pcs pc set x vs very just so into out up only not no use used using made make great best perfect ideal quality premium high look looks feel day days each other also any'.split(
    ' ',
  ),
);

// British and American spellings, plus everyday words the category tree spells differently.
const SPELLING: Record<string, string> = {
  color: 'colour',
  colors: 'colour',
  gray: 'grey',
  jewelry: 'jewellery',
  pajama: 'pyjama',
  pajamas: 'pyjamas',
  moisturizer: 'moisturiser',
  moisturizers: 'moisturiser',
  moisturizing: 'moisturising',
  organizer: 'organiser',
  organizers: 'organiser',
  sanitizer: 'sanitiser',
  sanitizers: 'sanitiser',
  sterilizer: 'steriliser',
  sterilizers: 'steriliser',
  mold: 'mould',
  molds: 'mould',
  odor: 'odour',
  odors: 'odour',
  fiber: 'fibre',
  center: 'centre',
  tire: 'tyre',
  tires: 'tyre',
  diaper: 'nappy',
  diapers: 'nappy',
  favorite: 'favourite',
  aluminum: 'aluminium',
  catalog: 'catalogue',
};

/** Lowercase words of a text, with apostrophe-s removed and spellings made British. */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      // Hyphenated compounds the tree and shoppers write three ways: "T-shirt", "tshirt", "tee shirt".
      .replace(/\b(t|tee)[\s-]?shirts?\b/g, 'tshirt')
      .replace(/\bco[\s-]ords?\b/g, 'coord')
      .replace(/\bslip[\s-]ons?\b/g, 'slipon')
      .replace(/\bone[\s-]pieces?\b/g, 'onepiece')
      .replace(/\bflip[\s-]flops?\b/g, 'flipflop')
      .replace(/\be[\s-]?books?\b/g, 'ebook')
      .replace(/['’]s\b/g, '')
      .replace(/['’]/g, '')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .map((w) => SPELLING[w] ?? w)
  );
}

/** Words that carry meaning: no stopwords, no 1-letter words, no bare numbers. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 1 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
}

// Plural endings that are not plurals.
const KEEP_S = new Set([
  'glass',
  'dress',
  'trousers',
  'shorts',
  'jeans',
  'leggings',
  'tights',
  'pyjamas',
  'clothes',
  'scissors',
  'glasses',
  'sunglasses',
  'binoculars',
  'tongs',
  'chess',
  'bus',
  'gas',
  'lens',
  'boss',
  'cross',
  'moss',
  'canvas',
  'kids',
  'mens',
  'womens',
  'news',
  'series',
  'physics',
  'maths',
  'aerobics',
  'gymnastics',
  'pilates',
  'electronics',
  'cosmetics',
]);

const IRREGULAR: Record<string, string> = {
  knives: 'knife',
  shelves: 'shelf',
  leaves: 'leaf',
  scarves: 'scarf',
  halves: 'half',
  wolves: 'wolf',
  children: 'child',
  women: 'women',
  men: 'men',
  feet: 'foot',
  teeth: 'tooth',
  mice: 'mouse',
  geese: 'goose',
};
// Singular ends in "-ie": "hoodies" is "hoodie", not "hoody".
const IE_SINGULAR = /(hood|ones|bean|cook|bowt|smooth|self|zomb|brown|pix|bra|lingerie|tough|mount)ies$/;

/** A light English stemmer: plural to singular, good enough to match "mugs" with "mug". */
export function stem(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  if (word.length <= 3 || KEEP_S.has(word)) return word;
  if (IE_SINGULAR.test(word)) return word.slice(0, -1);
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}

/** Stemmed content words: the terms the category index works with. */
export function terms(text: string): string[] {
  return contentWords(text).map(stem);
}
