/**
 * What the stand-ins processes of the stock scenarios (standins-process, latency-standins-process)
 * share: their products of size variants, listed on TikTok with a link per SKU, and the stock
 * changes waiting to show on TikTok.
 */
import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { StandInProduct, StandInVariant } from '@shoptok/testkit/shopify';
import type { TikTokStandIn } from '@shoptok/testkit/tiktok';

/**
 * A Shopify product of `count` variants S0, S1, ... with SKUs `sku(v)`; the product, then each
 * variant's inventory item and the variant itself, take their ids from `nextId` in that order.
 */
export function sizedProduct(
  nextId: () => number,
  text: { title: string; handle: string; descriptionHtml: string; sku: (v: number) => string },
  count: number,
  now: string,
): StandInProduct {
  const product: StandInProduct = {
    id: nextId(),
    title: text.title,
    handle: text.handle,
    status: 'ACTIVE',
    vendor: 'Bench',
    productType: 'T-Shirts',
    tags: [],
    descriptionHtml: text.descriptionHtml,
    createdAt: now,
    updatedAt: now,
    options: [{ name: 'Size', values: Array.from({ length: count }, (_, v) => `S${v}`) }],
    media: [],
    variants: [],
  };
  for (let v = 0; v < count; v++) {
    const itemId = nextId();
    product.variants.push({
      id: nextId(),
      title: `S${v}`,
      sku: text.sku(v),
      price: '19.00',
      compareAtPrice: null,
      barcode: null,
      position: v + 1,
      selectedOptions: [{ name: 'Size', value: `S${v}` }],
      inventoryItemId: itemId,
      tracked: true,
      weight: { unit: 'GRAMS', value: 200 },
    });
  }
  return product;
}

/** The SKU link shoptok would have written after listing a variant. */
export interface SkuLink extends Record<string, string> {
  sellerSku: string;
  shopifyProductId: string;
  shopifyVariantId: string;
  shopifyInventoryItemId: string;
  tiktokProductId: string;
  tiktokSkuId: string;
}

/** What listing a product on TikTok reads of it (small enough to post to another thread). */
export interface ListableProduct extends Pick<StandInProduct, 'id' | 'title'> {
  variants: Pick<StandInVariant, 'id' | 'sku' | 'price' | 'title' | 'inventoryItemId'>[];
}

/**
 * Lists `product` on the TikTok shop, a SKU per variant (ids from `nextSkuId`, stock
 * `inventory(i)` of variant i), and returns each variant's link.
 */
export function listOnTikTok(
  tiktok: TikTokStandIn,
  shopId: string,
  product: ListableProduct,
  nextSkuId: () => string,
  inventory: (i: number) => { warehouse_id: string; quantity: number }[],
): SkuLink[] {
  const skus = product.variants.map((v, i) => ({
    id: nextSkuId(),
    seller_sku: v.sku!,
    price: { amount: v.price, currency: 'GBP' },
    inventory: inventory(i),
    sales_attributes: [{ name: 'Size', value_name: v.title }],
  }));
  const seeded = tiktok.admin.seedProduct(shopId, {
    title: `${product.title} on TikTok Shop`,
    category_id: '601226',
    status: 'ACTIVATE',
    skus,
  });
  return product.variants.map((v, i) => ({
    sellerSku: v.sku!,
    shopifyProductId: `gid://shopify/Product/${product.id}`,
    shopifyVariantId: `gid://shopify/ProductVariant/${v.id}`,
    shopifyInventoryItemId: `gid://shopify/InventoryItem/${v.inventoryItemId}`,
    tiktokProductId: seeded.id,
    tiktokSkuId: skus[i]!.id,
  }));
}

interface InFlight {
  sellerSku: string;
  change: { onTikTokAt: number | null };
  shown: () => boolean;
  landed?: (at: number) => void;
}

/** A random one of `entries` whose SKU is not in `busy` (20 tries), or undefined. */
export function pickIdle<T extends { sellerSku: string }>(
  entries: readonly T[],
  random: () => number,
  busy: ReadonlySet<string>,
): T | undefined {
  let entry: T | undefined;
  for (let tries = 0; tries < 20 && (!entry || busy.has(entry.sellerSku)); tries++)
    entry = entries[Math.floor(random() * entries.length)];
  return entry && !busy.has(entry.sellerSku) ? entry : undefined;
}

/**
 * Stock changes waiting to show on TikTok, by TikTok product id. A change is on TikTok (its
 * `onTikTokAt` is set) when TikTok has answered an inventory update of its product and then
 * shows the new quantity (observed on the update's answer). At most one change is in flight a
 * SKU, so each has one quantity to look for.
 */
export class StockChangesInFlight {
  private readonly byProduct = new Map<string, InFlight[]>();
  private readonly skus = new Set<string>();

  constructor() {
    const UPDATE = /\/product\/202309\/products\/(\d+)\/inventory\/update/;
    dc.subscribe('http.server.response.finish', (message) => {
      const { request } = message as { request: IncomingMessage };
      const m = UPDATE.exec(request.url ?? '');
      const waiting = m ? this.byProduct.get(m[1]!) : undefined;
      if (!waiting) return;
      const at = Date.now();
      for (const w of [...waiting]) {
        if (!w.shown()) continue;
        w.change.onTikTokAt = at;
        w.landed?.(at);
        waiting.splice(waiting.indexOf(w), 1);
        this.skus.delete(w.sellerSku);
      }
      if (waiting.length === 0) this.byProduct.delete(m![1]!);
    });
  }

  /** A random one of `entries` with no change in flight (20 tries), or undefined. */
  pickIdle<T extends { sellerSku: string }>(entries: readonly T[], random: () => number): T | undefined {
    return pickIdle(entries, random, this.skus);
  }

  /**
   * Waits for `change` of `sellerSku` to show on TikTok: settled once `shown()` holds on an
   * answered update; `landed` is then told when (for a watcher in another thread than the change).
   */
  add(
    tiktokProductId: string,
    sellerSku: string,
    change: { onTikTokAt: number | null },
    shown: () => boolean,
    landed?: (at: number) => void,
  ): void {
    this.skus.add(sellerSku);
    const list = this.byProduct.get(tiktokProductId) ?? [];
    list.push({ sellerSku, change, shown, landed });
    this.byProduct.set(tiktokProductId, list);
  }
}
