import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import MiniSearch from 'minisearch';
import type { CategoryAttribute, CategoryNode, MapperProduct } from './schemas.js';
import { PHRASE_SYNONYMS, WORD_SYNONYMS } from './synonyms.js';
import { htmlToText } from './limits.js';
import { stem, terms, words } from './text.js';

/** A leaf category with its full path of names, root first. */
export interface LeafCategory {
  id: string;
  name: string;
  path: string[];
}

/**
 * A department: the parent of a set of leaves (level 2 of TikTok's v1 tree, e.g. "Womenswear &
 * Underwear > Women's Tops"). The AI mapper's first step chooses among these.
 */
export interface CategoryGroup {
  id: string;
  path: string[];
  leafIds: string[];
}

/** A retrieved leaf and how well the product's words match it (higher is better). */
export interface ScoredCategory extends LeafCategory {
  score: number;
}

interface LeafDoc {
  id: string;
  leaf: string;
  parent: string;
  root: string;
}

let wordNet: Map<string, { term: string; weight: number }[]> | undefined;

/**
 * Synonyms and hypernyms from WordNet (data/wordnet-extract.json, built by
 * scripts/build-wordnet-extract.mjs), keyed by noun lemma, already narrowed to the words the
 * category tree uses: "sneaker" -> shoe, footwear; "earphone" -> headphone. Loaded once.
 */
function wordNetRelations(): Map<string, { term: string; weight: number }[]> {
  if (!wordNet) {
    const raw = JSON.parse(readFileSync(new URL('../data/wordnet-extract.json', import.meta.url), 'utf8')) as {
      words: Record<string, string>;
    };
    wordNet = new Map(
      Object.entries(raw.words).map(([lemma, related]) => [
        lemma,
        related.split(' ').flatMap((pair) => {
          const [word = '', weight = '0'] = pair.split(':');
          return terms(word).map((term) => ({ term, weight: Number(weight) / 100 }));
        }),
      ]),
    );
  }
  return wordNet;
}

/** WordNet's relations of a stemmed term (tried as written and without a plural "s"). */
function wordNetTerms(term: string): { term: string; weight: number }[] {
  const relations = wordNetRelations();
  return relations.get(term) ?? (term.endsWith('s') ? relations.get(term.slice(0, -1)) : undefined) ?? [];
}

// How much a WordNet relation counts next to the merchant's own word (1) and a retail synonym (0.7).
const WORDNET_WEIGHT = 0.5;

// Stemmed foreign term -> its raw "english:weight ..." pairs (several words may share a stem).
// Kept as strings and parsed per lookup: only words no English data knows are looked up, and a
// map of strings costs the product worker a third of what a map of parsed relations does.
let lexicon: Map<string, string> | undefined;
const parsedTranslations = new Map<string, { term: string; weight: number }[]>();

/**
 * Foreign words and the English words they translate to, from the Unicode CLDR emoji
 * annotations (data/cldr-lexicon-extract.json, built by scripts/build-cldr-lexicon-extract.mjs):
 * "bougie" -> candle, "zaino" -> backpack, "koszulka" -> tshirt. Keyed by stemmed term. Loaded once.
 */
function lexiconRelations(term: string): { term: string; weight: number }[] {
  if (!lexicon) {
    const raw = JSON.parse(readFileSync(new URL('../data/cldr-lexicon-extract.json', import.meta.url), 'utf8')) as {
      words: Record<string, string>;
    };
    lexicon = new Map();
    for (const [word, translated] of Object.entries(raw.words)) {
      const key = stem(word);
      const before = lexicon.get(key);
      lexicon.set(key, before ? `${before} ${translated}` : translated);
    }
  }
  const cached = parsedTranslations.get(term);
  if (cached) return cached;
  const merged = new Map<string, number>();
  for (const pair of (lexicon.get(term) ?? '').split(' ')) {
    if (!pair) continue;
    const [english = '', weight = '0'] = pair.split(':');
    for (const t of terms(english)) merged.set(t, Math.max(merged.get(t) ?? 0, Number(weight) / 100));
  }
  const relations = [...merged].map(([t, weight]) => ({ term: t, weight }));
  if (parsedTranslations.size < 5_000) parsedTranslations.set(term, relations);
  return relations;
}

// How much a translation counts next to the merchant's own word (1).
const LEXICON_WEIGHT = 0.8;

/** A term the English data knows: the tree's words, the retail synonyms, WordNet's nouns. */
function isEnglish(term: string, vocabulary: ReadonlySet<string>): boolean {
  return vocabulary.has(term) || SYNONYM_TERMS.has(term) || wordNetTerms(term).length > 0;
}

/** The English terms a foreign term translates to (none for an English word). */
function translations(term: string, vocabulary: ReadonlySet<string>): { term: string; weight: number }[] {
  if (isEnglish(term, vocabulary)) return [];
  return lexiconRelations(term);
}

const SYNONYM_TERMS = new Map<string, string[]>(Object.entries(WORD_SYNONYMS).map(([k, v]) => [stem(k), terms(v)]));
const PHRASES = Object.entries(PHRASE_SYNONYMS).map(([phrase, extra]) => ({
  re: new RegExp(`\\b${phrase.replace(/[-\s]+/g, '[-\\s]?')}\\b`, 'i'),
  extra,
  head: terms(phrase).at(-1) ?? phrase,
}));

// Shopify standard taxonomy verticals -> TikTok v1 roots they usually land in. A prior only:
// it multiplies scores, it never excludes a category.
const VERTICAL_ROOTS: Record<string, string[]> = {
  'animals & pet supplies': ['Pet Supplies'],
  'apparel & accessories': [
    'Womenswear & Underwear',
    'Menswear & Underwear',
    "Kids' Fashion",
    'Fashion Accessories',
    'Shoes',
    'Luggage & Bags',
    'Muslim Fashion',
    'Jewellery Accessories & Derivatives',
  ],
  'arts & entertainment': ['Toys & Hobbies', 'Collections', 'Home Supplies', 'Computers & Office Equipment'],
  'baby & toddler': ['Baby & Maternity'],
  'cameras & optics': ['Phones & Electronics'],
  electronics: ['Phones & Electronics', 'Computers & Office Equipment', 'Household Appliances'],
  furniture: ['Furniture'],
  hardware: ['Tools & Hardware', 'Home Improvement'],
  'health & beauty': ['Beauty & Personal Care', 'Health'],
  'home & garden': [
    'Home Supplies',
    'Kitchenware',
    'Textiles & Soft Furnishings',
    'Home Improvement',
    'Household Appliances',
    'Furniture',
  ],
  'luggage & bags': ['Luggage & Bags'],
  media: ['Books, Magazines & Audio'],
  'office supplies': ['Computers & Office Equipment'],
  'sporting goods': ['Sports & Outdoor'],
  'toys & games': ['Toys & Hobbies'],
  'vehicles & parts': ['Automotive & Motorcycle'],
};

// Words that say who a product is for. Without one, a product is for adults, so categories
// under these audiences are held back a little (a "floral dress" is not a dog's dress).
const AUDIENCE_WORDS: Record<string, string[]> = {
  "Kids' Fashion": ['kid', 'kids', 'child', 'girl', 'boy', 'junior', 'toddler', 'youth'],
  'Baby & Maternity': ['baby', 'infant', 'newborn', 'toddler', 'maternity', 'pregnancy', 'nursing', 'breastfeeding'],
  'Pet Supplies': ['dog', 'cat', 'pet', 'puppy', 'kitten', 'bird', 'fish', 'hamster', 'rabbit', 'reptile', 'aquarium', 'horse'],
  // Specialist departments whose names qualify everything under them: a product belongs there
  // only when it says so (the words are the tree's own department names).
  'Muslim Fashion': ['muslim', 'islamic', 'hijab', 'abaya', 'khimar', 'niqab', 'kaftan', 'prayer', 'umroh', 'modest'],
  'Jewellery Accessories & Derivatives': [
    'amber',
    'jade',
    'pearl',
    'crystal',
    'gemstone',
    'ruby',
    'sapphire',
    'emerald',
    'semiprecious',
    'mellite',
    'stone',
  ],
};

/** The category tree, searchable by a product's words. */
export class CategoryIndex {
  readonly version: string;
  private readonly leaves = new Map<string, LeafCategory>();
  private readonly groupsById = new Map<string, CategoryGroup>();
  private readonly groupOfLeaf = new Map<string, string>();
  private readonly search: MiniSearch<LeafDoc>;
  /** Every term the tree's names use: WordNet is asked only about the words outside it. */
  private readonly vocabulary = new Set<string>();
  /** How many leaves' paths use each term: a word on many paths ("accessories") says little. */
  private readonly leafCount = new Map<string, number>();
  private readonly attributes: ReadonlyMap<string, readonly CategoryAttribute[]>;

  private constructor(
    nodes: readonly CategoryNode[],
    attributes: ReadonlyMap<string, readonly CategoryAttribute[]>,
    version?: string,
  ) {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const node of nodes) {
      if (!node.isLeaf || !isListable(node)) continue;
      const path: string[] = [];
      const seen = new Set<string>();
      for (let at: CategoryNode | undefined = node; at && !seen.has(at.id); at = byId.get(at.parentId)) {
        seen.add(at.id);
        path.unshift(at.name.trim());
      }
      this.leaves.set(node.id, { id: node.id, name: node.name.trim(), path });
      // A leaf directly under a root (rare) is its own department.
      const groupId = byId.has(node.parentId) ? node.parentId : node.id;
      const group = this.groupsById.get(groupId) ?? {
        id: groupId,
        path: path.length > 1 ? path.slice(0, -1) : path,
        leafIds: [],
      };
      group.leafIds.push(node.id);
      this.groupsById.set(groupId, group);
      this.groupOfLeaf.set(node.id, groupId);
    }
    this.attributes = attributes;
    this.version = version ?? treeVersion(nodes, attributes);
    this.search = new MiniSearch<LeafDoc>({
      fields: ['leaf', 'parent', 'root'],
      idField: 'id',
      // Documents and queries are pre-processed into stemmed terms by `terms()`.
      tokenize: (text) => text.split(' ').filter(Boolean),
      processTerm: (term) => term,
    });
    for (const leaf of this.leaves.values())
      for (const term of new Set(terms(leaf.path.join(' ')))) {
        this.vocabulary.add(term);
        this.leafCount.set(term, (this.leafCount.get(term) ?? 0) + 1);
      }
    this.search.addAll(
      [...this.leaves.values()].map((leaf) => ({
        id: leaf.id,
        leaf: terms(leaf.name).join(' '),
        parent: terms(leaf.path.slice(1, -1).join(' ')).join(' '),
        root: terms(leaf.path[0] ?? '').join(' '),
      })),
    );
  }

  /**
   * An index over a category tree (TikTok Get Categories rows). Only leaves whose permission
   * statuses include AVAILABLE are candidates (INVITE_ONLY, NON_MAIN_CATEGORY and PROHIBITED
   * need a permission the shop may not have, API-FACTS §5.2).
   */
  static fromTree(
    nodes: readonly CategoryNode[],
    options: { attributes?: Record<string, readonly CategoryAttribute[]>; version?: string } = {},
  ): CategoryIndex {
    return new CategoryIndex(nodes, new Map(Object.entries(options.attributes ?? {})), options.version);
  }

  /** Number of listable leaves. */
  get size(): number {
    return this.leaves.size;
  }

  /** Every listable leaf. */
  leafCategories(): LeafCategory[] {
    return [...this.leaves.values()];
  }

  /** The leaf with this id, or undefined when it is not a listable leaf of this tree. */
  leaf(id: string): LeafCategory | undefined {
    return this.leaves.get(id);
  }

  /** Every department (parent of listable leaves), in path order. */
  groups(): CategoryGroup[] {
    return [...this.groupsById.values()].sort((a, b) => a.path.join('>').localeCompare(b.path.join('>')));
  }

  /** The department a listable leaf belongs to. */
  groupOf(leafId: string): CategoryGroup | undefined {
    const groupId = this.groupOfLeaf.get(leafId);
    return groupId === undefined ? undefined : this.groupsById.get(groupId);
  }

  /** A department by id. */
  group(groupId: string): CategoryGroup | undefined {
    return this.groupsById.get(groupId);
  }

  /** Attributes known for a leaf (empty when none were given). */
  attributesOf(id: string): readonly CategoryAttribute[] {
    return this.attributes.get(id) ?? [];
  }

  /** The best leaves for a product by lexical similarity, best first. */
  retrieve(product: MapperProduct, limit = 10): ScoredCategory[] {
    const found = this.score(product, limit, false);
    // Nothing in the product's words matches the tree: let WordNet widen every word, not only
    // the ones that name the thing.
    return found.length > 0 ? found : this.score(product, limit, true);
  }

  /**
   * A word on many leaves' paths ("accessories", "set", "care": more than 2 % of the leaves)
   * names little: matching it counts half. Measured on dev: 68.1 % -> 69.2 % (plateau for
   * thresholds of 20-40 leaves and weights of 0.2-0.5 in the bundled tree).
   */
  private specificity(term: string): number {
    return (this.leafCount.get(term) ?? 0) > COMMON_TERM_SHARE * this.leaves.size ? COMMON_TERM_WEIGHT : 1;
  }

  private score(product: MapperProduct, limit: number, wordNetEverywhere: boolean): ScoredCategory[] {
    const totals = new Map<string, number>();
    for (const signal of productSignals(product, this.vocabulary)) {
      const expanded = expandTerms(signal.text, this.vocabulary, signal.names || wordNetEverywhere);
      if (expanded.terms.length === 0) continue;
      const results = this.search.search(expanded.terms.join(' '), {
        combineWith: 'OR',
        boost: { leaf: 3, parent: 1.2, root: 0.6 },
        boostTerm: (term) => expanded.weights.get(term) ?? 1,
      });
      // BM25 over the merchant's own words only (synonyms would favour leaves that happen to
      // contain several synonyms): it orders leaves that explain the signal equally well.
      const ownScores = new Map<string, number>();
      for (const r of this.search.search(expanded.own.join(' '), {
        combineWith: 'OR',
        boost: { leaf: 3, parent: 1.2, root: 0.6 },
      }))
        ownScores.set(String(r.id), r.score);
      const top = Math.max(0, ...ownScores.values());
      for (const r of results) {
        // How much of the signal this leaf explains: per word of the signal, the best of the
        // word itself and its synonyms, counting a hit in the leaf's own name fully, one in the
        // department's name nearly fully ("Car Shampoo": the car is in "Car Washing & Maintenance";
        // dev: 0.4 -> 0.9 gave 69.2 % -> 70.7 %, a plateau from 0.85 to 1) and one only in the root
        // name partly (synonyms cannot add up on top of the word).
        // BM25 then orders leaves that explain the same amount.
        const credit = new Map<string, number>();
        for (const [term, fields] of Object.entries(r.match)) {
          const field = fields.includes('leaf') ? 1 : fields.includes('parent') ? 0.9 : 0.25;
          const value = (expanded.weights.get(term) ?? 1) * field;
          for (const origin of expanded.origins.get(term) ?? [term])
            credit.set(origin, Math.max(credit.get(origin) ?? 0, value * this.specificity(term)));
        }
        let covered = 0;
        for (const v of credit.values()) covered += v;
        const coverage = Math.min(1, covered / expanded.originalCount);
        const contribution = signal.weight * coverage * (0.8 + 0.2 * (top > 0 ? (ownScores.get(String(r.id)) ?? 0) / top : 0));
        totals.set(String(r.id), (totals.get(String(r.id)) ?? 0) + contribution);
      }
    }
    const priors = audiencePriors(product, this.vocabulary);
    const gender = productGender(product, this.vocabulary);
    const mentioned = mentionedTerms(product, this.vocabulary);
    const scored: ScoredCategory[] = [];
    for (const [id, total] of totals) {
      const leaf = this.leaves.get(id);
      if (!leaf) continue;
      // Everyday clothes are casual: on a tie, "Casual Dresses" beats "Wedding Dresses".
      const general = /\b(casual|other|everyday)\b/i.test(leaf.name) ? 1.03 : 1;
      // How much of the leaf's own name the product mentions: "Jade Necklaces & Pendants" explains
      // a plain necklace less well than "Necklaces" does.
      const leafTerms = [...new Set(terms(leaf.name))];
      const named = leafTerms.length === 0 ? 1 : leafTerms.filter((t) => mentioned.has(t)).length / leafTerms.length;
      const coverage = 1 - LEAF_COVERAGE_WEIGHT + LEAF_COVERAGE_WEIGHT * named;
      // How much of the leaf's department and root names the product mentions: "Collections >
      // Sports Collectibles > Books" explains a novel less well than "Books, Magazines & Audio >
      // Literature & Art > Fiction" does, and "Men's Care > Skincare" a serum that says nothing of men.
      const pathTerms = [...new Set(terms(leaf.path.slice(0, -1).join(' ')))];
      const pathNamed = pathTerms.length === 0 ? 1 : pathTerms.filter((t) => mentioned.has(t)).length / pathTerms.length;
      const pathCoverage = 1 - PATH_COVERAGE_WEIGHT + PATH_COVERAGE_WEIGHT * pathNamed;
      scored.push({
        ...leaf,
        score: total * general * coverage * pathCoverage * (priors.get(leaf.path[0] ?? '') ?? 1) * genderPrior(gender, leaf.path),
      });
    }
    scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    return scored.slice(0, limit);
  }
}

const LEAF_COVERAGE_WEIGHT = 0.5;
// Measured on dev: 0.1 +0.4, 0.2 and 0.3 +0.6 points; WordNet relations counted as mentions: worse.
const PATH_COVERAGE_WEIGHT = 0.2;
const COMMON_TERM_SHARE = 0.02;
const COMMON_TERM_WEIGHT = 0.5;
const DESCRIPTION_NAMES_WEIGHT = 1.2;
const DESCRIPTION_HEAD_WEIGHT = 1.2;

/** Every term the product states anywhere, with its retail synonyms. */
function mentionedTerms(product: MapperProduct, vocabulary: ReadonlySet<string>): Set<string> {
  const text = [
    product.title,
    product.productType,
    product.tags.join(' '),
    product.category?.fullName ?? '',
    htmlToText(product.descriptionHtml),
  ].join(' ');
  const out = new Set<string>();
  for (const term of terms(text)) {
    out.add(term);
    for (const syn of SYNONYM_TERMS.get(term) ?? []) out.add(syn);
    for (const english of translations(term, vocabulary)) out.add(english.term);
  }
  return out;
}

function isListable(node: CategoryNode): boolean {
  return node.permissionStatuses.length === 0 || node.permissionStatuses.includes('AVAILABLE');
}

/** A content hash of the tree and attributes: part of every cache key. */
function treeVersion(nodes: readonly CategoryNode[], attributes: ReadonlyMap<string, readonly CategoryAttribute[]>): string {
  const hash = createHash('sha256');
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id)))
    hash.update(`${n.id}|${n.parentId}|${n.name}|${n.isLeaf}|${n.permissionStatuses.join(',')}\n`);
  for (const [id, attrs] of [...attributes.entries()].sort((a, b) => a[0].localeCompare(b[0])))
    hash.update(`${id}:${JSON.stringify(attrs)}\n`);
  return `tree-${hash.digest('hex').slice(0, 16)}`;
}

interface Signal {
  text: string;
  weight: number;
  /** The text names the thing (head noun, product type, taxonomy category): WordNet may widen its nouns. */
  names?: boolean;
}

/** The product's words, strongest evidence first, each with how much it counts. */
function productSignals(product: MapperProduct, vocabulary: ReadonlySet<string>): Signal[] {
  const signals: Signal[] = [];
  const taxonomy =
    product.category?.fullName
      .split('>')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  if (taxonomy.length > 0) {
    // The merchant chose it from Shopify's taxonomy: the strongest single signal.
    signals.push({ text: taxonomy.slice(-1).join(' '), weight: 3, names: true });
    signals.push({ text: taxonomy.slice(1, -1).join(' '), weight: 0.8 });
  }
  if (product.productType) signals.push({ text: product.productType, weight: 2.2, names: true });
  const head = titleHead(product.title);
  signals.push({ text: head, weight: 1.6 });
  const headNoun = head
    .split(/\s+/)
    .filter((w) => /\p{L}{3,}/u.test(w))
    .at(-1);
  if (headNoun) signals.push({ text: headNoun, weight: 1.6 });
  signals.push({ text: product.title, weight: 1 });
  if (product.tags.length > 0) signals.push({ text: product.tags.join(' '), weight: 0.7 });
  const text = htmlToText(product.descriptionHtml);
  const description = text.split(/\s+/).slice(0, 60).join(' ');
  if (description) signals.push({ text: description, weight: 0.35 });
  // A title that names nothing the tree knows ("Sunday Morning") and no type or category: the
  // description's first sentence is where the merchant says what the thing is.
  const named = (t: string) => terms(t).some((term) => vocabulary.has(term) || SYNONYM_TERMS.has(term));
  if (taxonomy.length === 0 && !named(product.title)) {
    const firstSentence = text.split(/[.!?](?:\s|$)/)[0] ?? '';
    if (firstSentence.trim()) signals.push({ text: firstSentence, weight: DESCRIPTION_NAMES_WEIGHT, names: true });
    // Its head noun names the thing ("A two-slice toaster with wide slots" -> toaster), as
    // the title's head noun does. Dev: 72.0 % -> 73.3 % (the same for weights 0.8 to 1.6; 0.4: 72.6 %).
    const noun = titleHead(firstSentence)
      .split(/\s+/)
      .filter((w) => /^\p{L}{3,}$/u.test(w))
      .at(-1);
    if (noun) signals.push({ text: noun, weight: DESCRIPTION_HEAD_WEIGHT, names: true });
  }
  return signals;
}

/** The part of a title that names the thing: before " - ", " | ", " with ", " for ", "(". */
export function titleHead(title: string): string {
  const cut = title.split(/\s[-–|]\s|\s\(|\bwith\b|\bfor\b|,/i)[0] ?? title;
  return cut.trim() || title;
}

// Pack sizes say how many, not what: "8 Pack" must not pull "Ice Packs".
const QUANTITY_WORDS = new Set(['pack', 'multipack', 'count', 'pair', 'piece', 'pcs', 'qty', 'bundle', 'lot']);

/** Stemmed terms of a text plus synonym terms (weighted lower than the merchant's own words). */
function expandTerms(
  text: string,
  /** The tree's terms. */
  vocabulary: ReadonlySet<string>,
  /** WordNet may widen the text's words the tree does not use. */
  wordNetAllowed: boolean,
): {
  terms: string[];
  own: string[];
  weights: Map<string, number>;
  origins: Map<string, string[]>;
  originalCount: number;
} {
  const weights = new Map<string, number>();
  const origins = new Map<string, string[]>();
  const add = (term: string, weight: number, origin: string) => {
    weights.set(term, Math.max(weights.get(term) ?? 0, weight));
    origins.set(term, [...new Set([...(origins.get(term) ?? []), origin])]);
  };
  const own = [...new Set(terms(text))].filter((t) => !QUANTITY_WORDS.has(t));
  for (const term of own) {
    add(term, 1, term);
    for (const syn of SYNONYM_TERMS.get(term) ?? []) add(syn, 0.7, term);
    // A word the tree does not use ("sneaker", "earphone") borrows the tree words WordNet relates it to.
    if (wordNetAllowed && !vocabulary.has(term) && !SYNONYM_TERMS.has(term))
      for (const related of wordNetTerms(term))
        if (related.term !== term) add(related.term, related.weight * WORDNET_WEIGHT, term);
    // A word no English data knows ("bougie", "zaino") borrows the English words it translates to,
    // and those words' own synonyms and WordNet relations ("taza" -> teacup -> cup).
    for (const english of translations(term, vocabulary)) {
      const weight = english.weight * LEXICON_WEIGHT;
      add(english.term, weight, term);
      for (const syn of SYNONYM_TERMS.get(english.term) ?? []) add(syn, weight * 0.7, term);
      if (!vocabulary.has(english.term) && !SYNONYM_TERMS.has(english.term))
        for (const related of wordNetTerms(english.term))
          if (related.term !== english.term) add(related.term, weight * related.weight * WORDNET_WEIGHT, term);
    }
  }
  // A phrase ("air fryer") stands for its last word: its category words credit that word.
  for (const { re, extra, head } of PHRASES) if (re.test(text)) for (const t of terms(extra)) add(t, 0.9, head);
  return { terms: [...weights.keys()], own, weights, origins, originalCount: Math.max(1, own.length) };
}

/** The English terms a text's foreign words translate to ("kinder" -> child, "hond" -> dog). */
function translatedTerms(text: string, vocabulary: ReadonlySet<string>): string[] {
  return terms(text).flatMap((term) => translations(term, vocabulary).map((t) => t.term));
}

function audiencePriors(product: MapperProduct, vocabulary: ReadonlySet<string>): Map<string, number> {
  const own = `${product.title} ${product.productType} ${product.tags.join(' ')} ${product.category?.fullName ?? ''}`;
  // A foreign word for a child or a dog says who the product is for as well as the English one.
  const all = new Set([...words(own).map(stem), ...translatedTerms(own, vocabulary)]);
  const priors = new Map<string, number>();
  for (const [root, markers] of Object.entries(AUDIENCE_WORDS)) {
    priors.set(root, markers.some((m) => all.has(m)) ? 1.15 : 0.75);
  }
  const vertical = product.category?.fullName.split('>')[0]?.trim().toLowerCase();
  for (const root of (vertical && VERTICAL_ROOTS[vertical]) || []) priors.set(root, (priors.get(root) ?? 1) * 1.25);
  return priors;
}

const WOMEN_WORDS = new Set([
  'women',
  'woman',
  'womens',
  'ladies',
  'lady',
  'female',
  'her',
  'she',
  'girlfriend',
  'wife',
  'mum',
  'mom',
  'bridal',
  'bride',
  'damen',
  'femme',
  'mujer',
  'donna',
]);
const MEN_WORDS = new Set([
  'men',
  'man',
  'mens',
  'male',
  'him',
  'he',
  'gents',
  'boyfriend',
  'husband',
  'dad',
  'groom',
  'herren',
  'homme',
  'hombre',
  'uomo',
]);

/** Who the product is for when it says so (title, type, tags): "women", "men" or neither. */
function productGender(product: MapperProduct, vocabulary: ReadonlySet<string>): 'women' | 'men' | undefined {
  const text = `${product.title} ${product.productType} ${product.tags.join(' ')}`;
  const own = [...words(text), ...translatedTerms(text, vocabulary)];
  const women = own.some((w) => WOMEN_WORDS.has(w));
  const men = own.some((w) => MEN_WORDS.has(w));
  return women === men ? undefined : women ? 'women' : 'men';
}

// A product that says who it is for favours that department's leaves and holds back the other's.
function genderPrior(gender: 'women' | 'men' | undefined, path: readonly string[]): number {
  if (!gender) return 1;
  const pathWords = new Set(words(path.join(' ')));
  const isWomen = pathWords.has('women') || pathWords.has('womenswear');
  const isMen = pathWords.has('men') || pathWords.has('menswear');
  if (isWomen === isMen) return 1;
  return (gender === 'women') === isWomen ? 1.15 : 0.85;
}
