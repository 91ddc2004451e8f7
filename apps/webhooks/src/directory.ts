import type { StoreConfig } from '@shoptok/config';

/** A TikTok shop as Get Authorized Shops lists it (only what routing needs). */
export interface AuthorizedShop {
  id: string;
  cipher: string;
}

/** Asks TikTok which shops a store's token may act for. */
export type ShopLookup = (store: StoreConfig) => Promise<AuthorizedShop[]>;

/**
 * Finds the store a webhook belongs to. Shopify names the shop domain in a header; a TikTok
 * event names only its `shop_id`, which the stores file does not hold. So at start each store
 * asks TikTok for its authorized shops once (the one whose cipher the store names, or the
 * only one), and the answers are cached as shop id -> store. A store whose lookup failed is
 * still found when it is the only store of its app key (the signature proves the app).
 */
export class StoreDirectory {
  private readonly byDomain = new Map<string, StoreConfig>();
  private readonly byShopId = new Map<string, StoreConfig>();
  private readonly unresolved = new Set<StoreConfig>();

  constructor(private readonly stores: readonly StoreConfig[]) {
    for (const s of stores) {
      if (!s.enabled) continue;
      this.byDomain.set(s.shopify.domain.toLowerCase(), s);
      // Until its lookup answers, a store is found only through its app key (see tiktokStore).
      this.unresolved.add(s);
    }
  }

  /** An enabled store by its id. */
  byId(id: string): StoreConfig | undefined {
    return this.stores.find((s) => s.enabled && s.id === id);
  }

  /** Learns every enabled store's TikTok shop id. Returns the stores it could not resolve, with why. */
  async resolveTikTokShops(lookup: ShopLookup): Promise<{ store: string; problem: string }[]> {
    const problems: { store: string; problem: string }[] = [];
    await Promise.all(
      this.stores
        .filter((s) => s.enabled)
        .map(async (s) => {
          try {
            const shops = await lookup(s);
            const shop = s.tiktok.shopCipher
              ? shops.find((x) => x.cipher === s.tiktok.shopCipher)
              : shops.length === 1
                ? shops[0]
                : undefined;
            if (!shop) throw new Error(`the token is authorized for ${shops.length} shop(s) and none is the configured one`);
            this.byShopId.set(shop.id, s);
            this.unresolved.delete(s);
          } catch (err) {
            this.unresolved.add(s);
            problems.push({ store: s.id, problem: (err as Error).message });
          }
        }),
    );
    return problems;
  }

  /** The enabled store of a Shopify shop domain (`X-Shopify-Shop-Domain`). */
  shopifyStore(domain: string): StoreConfig | undefined {
    return this.byDomain.get(domain.toLowerCase());
  }

  /**
   * The store a TikTok `shop_id` belongs to: a resolved shop, else an unresolved store that
   * alone uses `appKey`. The caller must still verify the signature with that store's secret.
   */
  tiktokStore(shopId: string, signedBy: (appKey: string, appSecret: string) => boolean): StoreConfig | undefined {
    const known = this.byShopId.get(shopId);
    if (known) return known;
    for (const s of this.unresolved) {
      const sameApp = this.stores.filter((o) => o.enabled && o.tiktok.appKey === s.tiktok.appKey);
      if (sameApp.length === 1 && signedBy(s.tiktok.appKey, s.tiktok.appSecret)) return s;
    }
    return undefined;
  }

  /** True when any enabled store's app signed this body: tells "not ours" from "forged". */
  anyAppSigned(signedBy: (appKey: string, appSecret: string) => boolean): boolean {
    return this.stores.some((s) => s.enabled && signedBy(s.tiktok.appKey, s.tiktok.appSecret));
  }

  /** Stores whose TikTok shop is still unknown (a later lookup may resolve them). */
  unresolvedCount(): number {
    return this.unresolved.size;
  }
}
