import { generateCatalogue, type Catalogue, type GenerateCatalogueOptions, type StandInProduct } from './catalogue.js';
import { clearFaults, injectFault, releaseHeld } from './faults.js';
import { setBucket } from './gateway.js';
import { applyCancellation, fulfilOrder } from './order-changes.js';
import { levelPayload, productPayload } from './payloads.js';
import { parseGid, type ShopifyFault, type ShopifyServerState } from './state.js';
import { emit, signedWebhook } from './webhooks.js';

// The control side of the stand-in, for tests: seeding, faults, the bucket, and what the
// merchant does in the Shopify admin (stock, products, fulfilments, cancellations), each with
// the webhooks Shopify sends for it. Not part of Shopify's API.

export interface ShopifyStandInAdmin {
  /** Replace the catalogue. */
  seed(catalogue: Catalogue | GenerateCatalogueOptions): Catalogue;
  /** Make the next `count` GraphQL requests fail this way. */
  injectFault(fault: ShopifyFault, count?: number): void;
  /** Drops the faults not used up yet (the outage is over). */
  clearFaults(): void;
  /** How many requests a `hold` fault holds right now. */
  heldCount(): number;
  /** Lets every held request go on (run it and/or answer it); returns how many there were. */
  releaseHeld(): number;
  setBucket(bucket: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number }): void;
  /** Send every webhook (besides subscriptions) to this URL too; null stops it. */
  setWebhookTarget(url: string | null): void;
  setStock(inventoryItemId: string | number, locationId: string | number, available: number): void;
  addProduct(product: Partial<StandInProduct> & { title: string }): StandInProduct;
  editProduct(productId: string | number, patch: Partial<Omit<StandInProduct, 'id'>>): StandInProduct;
  deleteProduct(productId: string | number): void;
  /** The merchant fulfils the whole order: fulfillments/create, orders/fulfilled and orders/updated webhooks. */
  fulfilOrder(orderId: string | number, tracking: { number: string; company: string; url?: string }): void;
  /**
   * The merchant cancels the order in the admin (restocking by default, as the admin does):
   * orders/cancelled, orders/updated and, per restocked level, inventory_levels/update webhooks.
   */
  cancelOrder(
    orderId: string | number,
    reason?: 'CUSTOMER' | 'INVENTORY' | 'FRAUD' | 'DECLINED' | 'OTHER' | 'STAFF',
    options?: { restock?: boolean; staffNote?: string },
  ): void;
  /** A signed webhook as Shopify would send it (for replay and forgery tests). */
  buildWebhook(
    topic: string,
    payload: unknown,
    options?: { webhookId?: string; triggeredAt?: Date; secret?: string },
  ): { headers: Record<string, string>; body: string };
}

function numericId(id: string | number, type: string): number {
  if (typeof id === 'number') return id;
  const g = parseGid(id);
  if (!g || g.type !== type) throw new Error(`not a ${type} id: ${id}`);
  return g.id;
}

/** Loads a catalogue (generated from options, or as given) into the shop. */
export function seedCatalogue(s: ShopifyServerState, c: Catalogue | GenerateCatalogueOptions): Catalogue {
  const catalogue =
    'locations' in c && Array.isArray((c as Catalogue).products)
      ? (c as Catalogue)
      : generateCatalogue(c as GenerateCatalogueOptions);
  s.store.load(catalogue);
  return catalogue;
}

export function createAdmin(s: ShopifyServerState): ShopifyStandInAdmin {
  const { store } = s;
  const findProduct = (id: string | number) => {
    const n = numericId(id, 'Product');
    const p = store.products.find((x) => x.id === n);
    if (!p) throw new Error(`no product ${id}`);
    return p;
  };
  const findOrder = (id: string | number) => {
    const n = numericId(id, 'Order');
    const o = store.orders.find((x) => x.id === n);
    if (!o) throw new Error(`no order ${id}`);
    return o;
  };
  return {
    seed: (catalogue) => seedCatalogue(s, catalogue),
    injectFault: (fault, count) => injectFault(s, fault, count),
    clearFaults: () => clearFaults(s),
    heldCount: () => s.held.length,
    releaseHeld: () => releaseHeld(s),
    setBucket: (b) => setBucket(s, b),
    setWebhookTarget(url) {
      s.webhookTarget = url;
    },
    setStock(itemId, locationId, available) {
      const item = numericId(itemId, 'InventoryItem');
      const loc = numericId(locationId, 'Location');
      const levels = store.stock.get(item) ?? new Map<number, number>();
      levels.set(loc, available);
      store.stock.set(item, levels);
      emit(s, 'INVENTORY_LEVELS_UPDATE', levelPayload(item, loc, available));
    },
    addProduct(input) {
      const id = store.id();
      const now = new Date().toISOString();
      const product: StandInProduct = {
        handle: `product-${id}`,
        status: 'ACTIVE',
        vendor: 'Stand-in',
        productType: '',
        tags: [],
        descriptionHtml: '',
        options: [{ name: 'Title', values: ['Default Title'] }],
        media: [],
        variants: [],
        ...input,
        id,
        createdAt: now,
        updatedAt: now,
      };
      if (product.variants.length === 0) {
        const itemId = store.id();
        product.variants = [
          {
            id: store.id(),
            title: 'Default Title',
            sku: null,
            price: '10.00',
            compareAtPrice: null,
            barcode: null,
            position: 1,
            selectedOptions: [{ name: 'Title', value: 'Default Title' }],
            inventoryItemId: itemId,
            tracked: true,
            weight: null,
          },
        ];
      }
      for (const v of product.variants)
        if (!store.stock.has(v.inventoryItemId))
          store.stock.set(v.inventoryItemId, new Map(store.locations.map((l) => [l.id, 0])));
      store.products.push(product);
      emit(s, 'PRODUCTS_CREATE', productPayload(store, product));
      return product;
    },
    editProduct(productId, patch) {
      const p = findProduct(productId);
      // updatedAt always moves forward, even within one millisecond.
      const now = new Date(Math.max(Date.now(), Date.parse(p.updatedAt) + 1)).toISOString();
      Object.assign(p, patch, { updatedAt: now });
      emit(s, 'PRODUCTS_UPDATE', productPayload(store, p));
      return p;
    },
    deleteProduct(productId) {
      const p = findProduct(productId);
      store.products.splice(store.products.indexOf(p), 1);
      // Deleting a product deletes its inventory items, as in Shopify.
      for (const v of p.variants) store.stock.delete(v.inventoryItemId);
      emit(s, 'PRODUCTS_DELETE', { id: p.id });
    },
    fulfilOrder: (orderId, tracking) => fulfilOrder(s, findOrder(orderId), tracking),
    cancelOrder(orderId, reason = 'CUSTOMER', o = {}) {
      applyCancellation(s, findOrder(orderId), {
        reason,
        restock: o.restock ?? true,
        refund: false,
        notifyCustomer: false,
        staffNote: o.staffNote ?? null,
      });
    },
    buildWebhook: (topic, payload, o) => signedWebhook(s, topic, payload, o),
  };
}
