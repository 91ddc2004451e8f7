export { fillAttributes } from './attributes.js';
export { DEFAULT_MODEL_PRICES, estimateTokens, RunBudget } from './budget.js';
export type { ModelPrice, RunBudgetOptions, RunUsage } from './budget.js';
export { DEFAULT_CACHE_TTL_SECONDS, MappingCache, mappingFingerprint, recommendationFingerprint } from './cache.js';
export type { CachedMapping, CachedRecommendation, MappingCacheOptions } from './cache.js';
export { CategoryIndex } from './category-index.js';
export type { CategoryGroup, LeafCategory, ScoredCategory } from './category-index.js';
export { bundledCategoryIndex, bundledCategoryTree } from './default-tree.js';
export { MapperInputError } from './errors.js';
export { evalItemSchema, evalSplitOf, evaluateMapper, loadEvalAttributes, loadEvalSet } from './evaluation.js';
export type { EvalItem, EvalReport, EvalSplit } from './evaluation.js';
export { FallbackMapper } from './fallback-mapper.js';
export type { FallbackMapperOptions } from './fallback-mapper.js';
export {
  DESCRIPTION_MAX_CHARS,
  fitTitle,
  KEYWORDS_MAX_COUNT,
  KEYWORDS_MAX_TOTAL_CHARS,
  sanitizeDescriptionHtml,
  titleLimits,
} from './limits.js';
export { AiMapper, PROMPT_VERSION } from './openai-mapper.js';
export type { AiMapperOptions } from './openai-mapper.js';
export { mapProductLines } from './preview.js';
export type { PreviewLine, PreviewOptions } from './preview.js';
export { parseProduct, ProductMapper } from './product-mapper.js';
export { RECOMMENDATION_VOTE_SHARE, recommendQuery } from './recommendation.js';
export type { CategoryRecommender, RecommendQuery } from './recommendation.js';
export type { MappingUsage, ProductMapperOptions } from './product-mapper.js';
export {
  categoryAttributeSchema,
  categoryNodeSchema,
  listingDraftSchema,
  mapperProductSchema,
  mappingResultSchema,
} from './schemas.js';
export type {
  CategoryAttribute,
  CategoryNode,
  FilledAttribute,
  ListingDraft,
  MapperProduct,
  MapperProductInput,
  MappingResult,
} from './schemas.js';
