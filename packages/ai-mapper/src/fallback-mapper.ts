import { fillAttributes } from './attributes.js';
import { type CategoryIndex, type ScoredCategory, titleHead } from './category-index.js';
import { MapperInputError } from './errors.js';
import { RECOMMENDATION_VOTE_SHARE } from './recommendation.js';
import { fitTitle, htmlToText, sanitizeDescriptionHtml } from './limits.js';
import type { ListingDraft, MapperProduct, MappingResult } from './schemas.js';
import { buildHashtags, buildKeywords } from './words-out.js';

export interface FallbackMapperOptions {
  index: CategoryIndex;
  /** Shop region (ISO code, e.g. "GB", "US"): sets the title limits (API-FACTS §6). */
  region?: string;
}

/**
 * The deterministic mapper: no network, no key. Picks the leaf whose path best matches the
 * product's words (MiniSearch over the tree, with synonyms and the Shopify taxonomy category as
 * the strongest signal), fills attributes and builds hashtags from the product's own words, and
 * fits title and description to TikTok's limits.
 */
export class FallbackMapper {
  private readonly index: CategoryIndex;
  private readonly region: string;

  constructor(options: FallbackMapperOptions) {
    this.index = options.index;
    this.region = options.region ?? 'GB';
  }

  /**
   * Maps one product; `reason` says why the fallback answered (e.g. "no OpenAI key").
   * `vote`: a leaf TikTok's Recommend Category suggested, combined with the product's own words
   * (see `RECOMMENDATION_VOTE_SHARE`).
   */
  map(product: MapperProduct, reason = 'fallback mapper', vote?: string): MappingResult {
    const candidates = withVote(this.index.retrieve(product, vote ? VOTE_POOL : 2), vote, this.index);
    const best = candidates[0];
    if (!best) {
      throw new MapperInputError('no TikTok category matches this product: give it a product type or a Shopify category');
    }
    return {
      draft: buildDraft(product, best, this.index, this.region),
      mapper: 'fallback',
      reason,
      confidence: confidenceOf(candidates),
    };
  }
}

/** A draft for a chosen leaf, with the deterministic title, description, attributes and tags. */
export function buildDraft(
  product: MapperProduct,
  leaf: { id: string; name: string; path: string[] },
  index: CategoryIndex,
  region: string,
): ListingDraft {
  const { filled, missingRequired } = fillAttributes(product, index.attributesOf(leaf.id));
  return {
    categoryId: leaf.id,
    categoryPath: leaf.path,
    title: fitTitle(product.title, region, [product.productType, product.vendor, leaf.name]),
    descriptionHtml: describe(product),
    attributes: filled,
    missingRequiredAttributes: missingRequired,
    keywords: buildKeywords(product),
    hashtags: buildHashtags(product, leaf.name),
  };
}

/** The merchant's description made safe for TikTok; the title when there is none (required field). */
function describe(product: MapperProduct): string {
  const html = sanitizeDescriptionHtml(product.descriptionHtml);
  if (htmlToText(html).length > 0) return html;
  return sanitizeDescriptionHtml(`<p>${escapeText(titleHead(product.title))}</p>`);
}

function escapeText(text: string): string {
  return text.replace(/</g, '‹').replace(/>/g, '›');
}

// How deep among the offline mapper's leaves TikTok's vote is looked for.
const VOTE_POOL = 25;

/** The candidates with TikTok's vote added to its leaf's score, best first. */
function withVote(candidates: ScoredCategory[], vote: string | undefined, index: CategoryIndex): ScoredCategory[] {
  const leaf = vote === undefined ? undefined : index.leaf(vote);
  if (!leaf) return candidates;
  const top = candidates[0]?.score ?? 0;
  const bonus = RECOMMENDATION_VOTE_SHARE * (top > 0 ? top : 1);
  const own = candidates.find((c) => c.id === leaf.id);
  const voted = { ...leaf, score: (own?.score ?? 0) + bonus };
  return [voted, ...candidates.filter((c) => c.id !== leaf.id)].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

/** 0..1 from the gap between the best and second-best leaf. */
function confidenceOf(candidates: readonly ScoredCategory[]): number {
  const [first, second] = candidates;
  if (!first || first.score <= 0) return 0;
  const margin = second ? (first.score - second.score) / first.score : 1;
  const strength = Math.min(1, first.score / 4);
  return Math.round(Math.min(1, 0.5 * strength + 0.5 * margin) * 100) / 100;
}
