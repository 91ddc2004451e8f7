// The key strings are data already in Redis (and in other tests): each shape is pinned here
// byte for byte, and every key of a store must start `<prefix>:{<store>}:` (its Cluster slot).
import * as keys from './index.js';

const P = 'shoptok';
const S = 'glow-beauty';

/** Every store-scoped key the module builds, by name, with sample arguments. */
function everyStoreKey(prefix: string, store: string): Record<string, string> {
  const tiktok = keys.tiktokKeys(prefix, store);
  const shopify = keys.shopifyKeys(prefix, store);
  const control = keys.storeControlKeys(prefix, store);
  const alerts = keys.alertKeys(prefix, store);
  const pacing = keys.tiktokPacingKeys(tiktok.rateLimit);
  return {
    ...Object.fromEntries(Object.entries(keys.stateKeys(prefix, store)).map(([k, v]) => [`state.${k}`, v])),
    ...Object.fromEntries(Object.entries(keys.merchantKeys(prefix, store)).map(([k, v]) => [`merchant.${k}`, v])),
    'control.claim': control.claim('tracking:576'),
    'control.mode': control.mode,
    'control.preview': control.preview('create'),
    metrics: keys.metricsKey(prefix, store),
    lag: keys.lagHistoryKey(prefix, store),
    'tiktok.base': keys.tiktokKeyBase(prefix, store),
    'tiktok.tokens': tiktok.tokens,
    'tiktok.tokensIssued': tiktok.tokensIssued,
    'tiktok.tokenRefreshLock': tiktok.tokenRefreshLock,
    'tiktok.rateLimit': tiktok.rateLimit,
    'tiktok.cache': tiktok.cache('categories:v1:US'),
    'tiktok.image': tiktok.image('MAIN_IMAGE', 'ab12'),
    'tiktok.webhookSeen': tiktok.webhookSeen('n-1'),
    'tiktok.connectedShop': tiktok.connectedShop,
    'tiktok.pacing.log': pacing.log('GET /product/202309/products/{id}'),
    'tiktok.pacing.block': pacing.block('GET /product/202309/products/{id}'),
    'shopify.bucket': shopify.bucket,
    'shopify.bulkRunning': shopify.bulkRunning,
    'shopify.cancel': shopify.cancel('77'),
    'shopify.order': shopify.order('576'),
    'shopify.webhook': shopify.webhook('w-1'),
    aiMap: keys.aiMapKey(prefix, store, 'f00d'),
    aiMapPattern: keys.aiMapPattern(prefix, store),
    aiRecommendation: keys.aiRecommendationKey(prefix, store, 'f00d'),
    aiCachePattern: keys.aiCachePattern(prefix, store),
    'alerts.once': alerts.once('token-expiry'),
    'alerts.burst': alerts.burst('inventory'),
    webhookLead: keys.webhookLeadKey(prefix, store, 'glow-item-44'),
  };
}

describe('the Redis keys of shoptok', () => {
  it('keeps every store key byte for byte as it is stored in Redis', () => {
    expect(everyStoreKey(P, S)).toEqual({
      'state.sku': 'shoptok:{glow-beauty}:state:sku',
      'state.item': 'shoptok:{glow-beauty}:state:item',
      'state.pushed': 'shoptok:{glow-beauty}:state:pushed',
      'state.listing': 'shoptok:{glow-beauty}:state:listing',
      'state.product': 'shoptok:{glow-beauty}:state:product',
      'state.attention': 'shoptok:{glow-beauty}:state:attention',
      'state.storeAttention': 'shoptok:{glow-beauty}:state:store-attention',
      'state.order': 'shoptok:{glow-beauty}:state:order',
      'state.orderFailed': 'shoptok:{glow-beauty}:state:order-failed',
      'state.awaitingTracking': 'shoptok:{glow-beauty}:state:awaiting-tracking',
      'state.cursor': 'shoptok:{glow-beauty}:state:cursor',
      'state.categoryDecision': 'shoptok:{glow-beauty}:state:category-decision',
      'merchant.categoryPin': 'shoptok:{glow-beauty}:merchant:category-pin',
      'merchant.attributeDefault': 'shoptok:{glow-beauty}:merchant:attribute-default',
      'control.claim': 'shoptok:{glow-beauty}:state:claim:tracking:576',
      'control.mode': 'shoptok:{glow-beauty}:mode',
      'control.preview': 'shoptok:{glow-beauty}:preview:create',
      metrics: 'shoptok:{glow-beauty}:metrics',
      lag: 'shoptok:{glow-beauty}:lag',
      'tiktok.base': 'shoptok:{glow-beauty}:tiktok',
      'tiktok.tokens': 'shoptok:{glow-beauty}:tiktok:tokens',
      'tiktok.tokensIssued': 'shoptok:{glow-beauty}:tiktok:tokens-issued',
      'tiktok.tokenRefreshLock': 'shoptok:{glow-beauty}:tiktok:token-refresh-lock',
      'tiktok.rateLimit': 'shoptok:{glow-beauty}:tiktok:rl',
      'tiktok.cache': 'shoptok:{glow-beauty}:tiktok:cache:categories:v1:US',
      'tiktok.image': 'shoptok:{glow-beauty}:tiktok:image:MAIN_IMAGE:ab12',
      'tiktok.webhookSeen': 'shoptok:{glow-beauty}:tiktok:webhook-seen:n-1',
      'tiktok.connectedShop': 'shoptok:{glow-beauty}:tiktok:connected-shop',
      'tiktok.pacing.log': 'shoptok:{glow-beauty}:tiktok:rl:GET /product/202309/products/{id}',
      'tiktok.pacing.block': 'shoptok:{glow-beauty}:tiktok:rl:GET /product/202309/products/{id}:block',
      'shopify.bucket': 'shoptok:{glow-beauty}:shopify:bucket',
      'shopify.bulkRunning': 'shoptok:{glow-beauty}:shopify:bulk-running',
      'shopify.cancel': 'shoptok:{glow-beauty}:shopify:cancel:77',
      'shopify.order': 'shoptok:{glow-beauty}:shopify:order:576',
      'shopify.webhook': 'shoptok:{glow-beauty}:shopify:webhook:w-1',
      aiMap: 'shoptok:{glow-beauty}:ai:map:f00d',
      aiMapPattern: 'shoptok:{glow-beauty}:ai:map:*',
      aiRecommendation: 'shoptok:{glow-beauty}:ai:rec:f00d',
      aiCachePattern: 'shoptok:{glow-beauty}:ai:*',
      'alerts.once': 'shoptok:{glow-beauty}:alerts:once:token-expiry',
      'alerts.burst': 'shoptok:{glow-beauty}:alerts:burst:inventory',
      webhookLead: 'shoptok:{glow-beauty}:webhooks:lead:glow-item-44',
    });
  });

  it('puts every store key in its store hash tag, right after the prefix', () => {
    for (const [prefix, store] of [
      ['shoptok', 'glow-beauty'],
      ['t-1a2b:x', 'oak'],
    ] as const) {
      const all = everyStoreKey(prefix, store);
      expect(Object.keys(all).length).toBeGreaterThan(30);
      for (const [name, key] of Object.entries(all)) {
        expect({ name, tagged: key.startsWith(`${prefix}:{${store}}:`) || key === `${prefix}:{${store}}` }).toEqual({
          name,
          tagged: true,
        });
        // Redis Cluster hashes only the first {...}: nothing before the store's tag may open one.
        expect({ name, firstBrace: key.indexOf('{') }).toEqual({ name, firstBrace: prefix.length + 1 });
      }
    }
  });

  it('names a store queue with the same hash tag', () => {
    expect(keys.storeHashTag('oak')).toBe('{oak}');
    expect(keys.storeKeyBase('shoptok', 'oak')).toBe('shoptok:{oak}');
    expect(keys.storeQueueName('inventory', 'glow-beauty')).toBe('inventory-{glow-beauty}');
  });

  it('keeps the keys of no store untagged', () => {
    const connect = keys.tiktokConnectKeys('shoptok');
    expect([connect.state('s1'), connect.result('s1'), connect.stray, keys.scheduledStoresKey('shoptok')]).toEqual([
      'shoptok:connect:tiktok:state:s1',
      'shoptok:connect:tiktok:result:s1',
      'shoptok:connect:tiktok:stray',
      'shoptok:scheduler:stores',
    ]);
  });

  it('derives the TikTok keys from the same base the token store is given', () => {
    expect(keys.tiktokKeysAt(keys.tiktokKeyBase('shoptok', 'oak'))).toEqual(
      expect.objectContaining({ tokens: 'shoptok:{oak}:tiktok:tokens', rateLimit: 'shoptok:{oak}:tiktok:rl' }),
    );
  });
});
