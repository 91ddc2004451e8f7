// Public API of the product listing pipeline (issue 8): the `products` queue's handlers.
export { imageSourceKey, toListingProduct, toMapperInput } from './adapt.js';
export { MASS_REMOVAL_FLAG, productHandlers, runListingStatus, runProductBatch, runProductSyncOne } from './handlers.js';
export type { ProductHandlerDeps, ProductJobContext } from './handlers.js';
export { httpImageFetcher, ImageFetchError, MAX_IMAGE_BYTES, MAX_MAIN_IMAGES } from './images.js';
export type { FetchImage, HttpImageFetcherOptions } from './images.js';
export { LISTING_PAUSE_CURSOR, LISTING_QUOTA_CODE, listingPausedUntil, nextPollDelayMs } from './listing-state.js';
export { checkCategoryLeaf, loadCategoryIndex, loadShopProfile, ShopSetupError } from './shop.js';
export type { ShopProfile } from './shop.js';
