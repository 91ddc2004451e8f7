/*
 * Every Redis key of shoptok. A store's keys all carry its `{store}` hash tag, so on Redis
 * Cluster they sit in one slot with the store's BullMQ queues (`inventory-{store}`): Lua
 * scripts and MULTIs over several of them stay legal, and one store's data moves as one.
 * The strings are data already in Redis: change one and existing state is lost to the code.
 * keys.test.ts pins every shape; hand-built-keys.test.ts fails when a tag is built elsewhere.
 */

/** The Redis Cluster hash tag of a store: `{glow-beauty}`. */
export function storeHashTag(store: string): string {
  return `{${store}}`;
}

/** `<prefix>:{<store>}`: where every key of one store starts. */
export function storeKeyBase(prefix: string, store: string): string {
  return `${prefix}:${storeHashTag(store)}`;
}

/** The BullMQ queue name of one store's queue, `inventory-{glow}` (BullMQ puts `<prefix>:` before it). */
export function storeQueueName(queue: string, store: string): string {
  return `${queue}-${storeHashTag(store)}`;
}

// --- packages/state ----------------------------------------------------------------------

/**
 * The Redis keys of one store's sync state (all rebuildable by a reconcile, which clears them).
 * Hashes keep the key count flat however many SKUs a store has.
 */
export function stateKeys(prefix: string, store: string) {
  const base = `${storeKeyBase(prefix, store)}:state`;
  return {
    /** sellerSku -> SkuLink */
    sku: `${base}:sku`,
    /** Shopify inventory item id -> sellerSku (what a stock webhook names) */
    item: `${base}:item`,
    /** TikTok SKU id -> PushedStock (what TikTok was last told) */
    pushed: `${base}:pushed`,
    /** Shopify product id -> ListingRecord */
    listing: `${base}:listing`,
    /** Shopify product id -> ProductSummary (title, image: what the dashboard's Listings page shows) */
    product: `${base}:product`,
    /** Shopify product id -> Attention (held back from TikTok, with reasons) */
    attention: `${base}:attention`,
    /** code -> StoreAttention (the whole store needs a person, e.g. a mass removal held back) */
    storeAttention: `${base}:store-attention`,
    /** TikTok order id -> OrderRecord (imported exactly once) */
    order: `${base}:order`,
    /** TikTok order id -> OrderFailure (could not be imported; replayable) */
    orderFailed: `${base}:order-failed`,
    /** TikTok order ids imported and still waiting for tracking */
    awaitingTracking: `${base}:awaiting-tracking`,
    /** cursor name -> value (e.g. order polling by update_time) */
    cursor: `${base}:cursor`,
    /** Shopify product id -> CategoryDecision (who chose the listing's category, and why) */
    categoryDecision: `${base}:category-decision`,
  };
}

export type StateKeys = ReturnType<typeof stateKeys>;

/**
 * The merchant's own choices for one store: category pins and attribute defaults. Not sync
 * state: nothing rebuilds them, so a reconcile leaves them.
 */
export function merchantKeys(prefix: string, store: string) {
  const base = `${storeKeyBase(prefix, store)}:merchant`;
  return {
    /** Shopify product id -> CategoryPin */
    categoryPin: `${base}:category-pin`,
    /** `<TikTok category id>:<attribute name>` -> value */
    attributeDefault: `${base}:attribute-default`,
  };
}

/**
 * A store's keys outside its sync state (a reconcile must not clear them): short-lived claims,
 * the operator's go-live record and the preview's tallies.
 */
export function storeControlKeys(prefix: string, store: string) {
  const base = storeKeyBase(prefix, store);
  return {
    /** A fleet-wide claim (SET NX PX), e.g. one order's tracking push. */
    claim: (name: string) => `${base}:state:claim:${name}`,
    /** The operator's go-live record (JSON). */
    mode: `${base}:mode`,
    /** The distinct items a preview run would have written, one set per kind. */
    preview: (kind: string) => `${base}:preview:${kind}`,
  };
}

// --- packages/queues: metrics ------------------------------------------------------------

/** The hash holding one store's counters and gauges. */
export function metricsKey(prefix: string, store: string): string {
  return `${storeKeyBase(prefix, store)}:metrics`;
}

/** The sorted set holding one store's sync lag history. */
export function lagHistoryKey(prefix: string, store: string): string {
  return `${storeKeyBase(prefix, store)}:lag`;
}

// --- packages/tiktok ---------------------------------------------------------------------

/** `<prefix>:{<store>}:tiktok`: the base of a store's TikTok keys (the token store's `keyBase`). */
export function tiktokKeyBase(prefix: string, store: string): string {
  return `${storeKeyBase(prefix, store)}:tiktok`;
}

/** A store's TikTok keys under its base (`tiktokKeyBase`), as the TikTok client derives them. */
export function tiktokKeysAt(keyBase: string) {
  return {
    /** The shop's tokens (hash). */
    tokens: `${keyBase}:tokens`,
    /** SHA-1 of every token the shop has held (set). */
    tokensIssued: `${keyBase}:tokens-issued`,
    /** The fleet-wide refresh lock. */
    tokenRefreshLock: `${keyBase}:token-refresh-lock`,
    /** The base of the pacer's keys (`tiktokPacingKeys`). */
    rateLimit: `${keyBase}:rl`,
    /** A cached GET answer (categories, attributes, ...). */
    cache: (key: string) => `${keyBase}:cache:${key}`,
    /** An uploaded image, by use case and the SHA-256 of its source. */
    image: (useCase: string, sourceDigest: string) => `${keyBase}:image:${useCase}:${sourceDigest}`,
    /** One webhook delivery seen (replay guard). */
    webhookSeen: (deliveryKey: string) => `${keyBase}:webhook-seen:${deliveryKey}`,
    /** The shop the store was last connected to by the authorization flow (hash). */
    connectedShop: `${keyBase}:connected-shop`,
  };
}

/** A store's TikTok keys. */
export function tiktokKeys(prefix: string, store: string) {
  return tiktokKeysAt(tiktokKeyBase(prefix, store));
}

/** The TikTok pacer's keys under its base (`tiktokKeys(...).rateLimit`): one call log and one 429 block per API. */
export function tiktokPacingKeys(rateLimitBase: string) {
  return {
    log: (api: string) => `${rateLimitBase}:${api}`,
    block: (api: string) => `${rateLimitBase}:${api}:block`,
  };
}

// --- packages/shopify --------------------------------------------------------------------

/** A store's Shopify keys. */
export function shopifyKeys(prefix: string, store: string) {
  const base = `${storeKeyBase(prefix, store)}:shopify`;
  return {
    /** The cost bucket every process of the fleet paces by (hash). */
    bucket: `${base}:bucket`,
    /** The bulk operation running for the shop, if any (hash). */
    bulkRunning: `${base}:bulk-running`,
    /** A cancellation in flight, by the numeric Shopify order id. */
    cancel: (shopifyOrderNumber: string) => `${base}:cancel:${shopifyOrderNumber}`,
    /** The exactly-once claim of a TikTok order's `orderCreate`. */
    order: (tiktokOrderId: string) => `${base}:order:${tiktokOrderId}`,
    /** One Shopify webhook delivery seen (de-dupe). */
    webhook: (webhookId: string) => `${base}:webhook:${webhookId}`,
  };
}

// --- packages/ai-mapper ------------------------------------------------------------------

/** A cached AI category mapping of a store, by the fingerprint of what the mapper read. */
export function aiMapKey(prefix: string, store: string, fingerprint: string): string {
  return `${storeKeyBase(prefix, store)}:ai:map:${fingerprint}`;
}

/** SCAN pattern of every cached AI mapping of a store. */
export function aiMapPattern(prefix: string, store: string): string {
  return aiMapKey(prefix, store, '*');
}

/** A cached TikTok Recommend Category answer for a store's product, by the fingerprint of what TikTok was asked. */
export function aiRecommendationKey(prefix: string, store: string, fingerprint: string): string {
  return `${storeKeyBase(prefix, store)}:ai:rec:${fingerprint}`;
}

/** SCAN pattern of everything the mapper caches for a store (mappings and recommendations). */
export function aiCachePattern(prefix: string, store: string): string {
  return `${storeKeyBase(prefix, store)}:ai:*`;
}

// --- packages/sync and apps --------------------------------------------------------------

/** A store's alert marks: once-only alerts and failure bursts per queue. */
export function alertKeys(prefix: string, store: string) {
  const base = `${storeKeyBase(prefix, store)}:alerts`;
  return {
    once: (alert: string) => `${base}:once:${alert}`,
    burst: (queue: string) => `${base}:burst:${queue}`,
  };
}

/** The webhook service's fleet-wide mark that a leading-edge job already ran for its window. */
export function webhookLeadKey(prefix: string, store: string, jobId: string): string {
  return `${storeKeyBase(prefix, store)}:webhooks:lead:${jobId}`;
}

// --- keys of no store (no hash tag) ------------------------------------------------------

/** Pending TikTok authorizations: a random `state` names a link before any store is known. */
export function tiktokConnectKeys(prefix: string) {
  const base = `${prefix}:connect:tiktok`;
  return {
    state: (state: string) => `${base}:state:${state}`,
    result: (state: string) => `${base}:result:${state}`,
    /** Callbacks whose state matched nothing (list). */
    stray: `${base}:stray`,
  };
}

/** The stores the scheduler registered job schedulers for (set). */
export function scheduledStoresKey(prefix: string): string {
  return `${prefix}:scheduler:stores`;
}
