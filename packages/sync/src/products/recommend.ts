import type { CategoryRecommender } from '@shoptok/ai-mapper';
import { TikTokInvalidInputError, type TikTokShopClient } from '@shoptok/tiktok';

/**
 * TikTok's Recommend Category for the mapper, over the store's live TikTok client: the
 * recommended leaf, or null when TikTok has none (no match) or refuses the product's text (a
 * non-English or over-long title, an unsupported description: input errors that asking again
 * would not change, so the mapper caches the "no vote"). Outages, rate limits and credential
 * errors throw: the mapper maps without the vote and a later sync asks again.
 */
export function tiktokCategoryRecommender(tiktok: TikTokShopClient, categoryVersion: string): CategoryRecommender {
  return async ({ title, descriptionHtml }) => {
    try {
      const answer = await tiktok.recommendCategory({
        productTitle: title,
        ...(descriptionHtml ? { description: descriptionHtml } : {}),
        categoryVersion,
      });
      return answer?.leaf_category_id ?? null;
    } catch (err) {
      if (err instanceof TikTokInvalidInputError) return null;
      throw err;
    }
  };
}
