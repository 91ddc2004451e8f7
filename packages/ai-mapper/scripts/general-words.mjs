// English words too general to say which TikTok leaf a product belongs to: the extract builds
// (WordNet, CLDR lexicon) never relate or translate into them. Each build adds its own.
export const GENERAL_WORDS = [
  'accessory',
  'accessories',
  'supply',
  'supplies',
  'product',
  'products',
  'other',
  'set',
  'sets',
  'item',
];
