import type { Catalogue, StandInLocation, StandInProduct, StandInVariant } from './catalogue.js';

/** An order held by the stand-in. */
export interface StandInOrder {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  sourceName: string | null;
  sourceIdentifier: string | null;
  tags: string[];
  email: string | null;
  note: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  lineItems: { id: number; variantId: number | null; sku: string | null; title: string; quantity: number; price: string | null }[];
  fulfillments: { id: number; status: 'SUCCESS' | 'CANCELLED'; createdAt: string; trackingInfo: { number: string | null; company: string | null; url: string | null }[] }[];
  inventoryBehaviour: string;
}

export interface StandInWebhookSubscription {
  id: number;
  topic: string;
  uri: string;
  createdAt: string;
}

export interface StandInBulkOperation {
  id: number;
  query: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED';
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  errorCode: string | null;
  jsonl: string | null;
}

/** The stand-in's in-memory store. */
export class StandInState {
  products: StandInProduct[] = [];
  locations: StandInLocation[] = [{ id: 70_000_001, name: 'Main Warehouse' }];
  stock = new Map<number, Map<number, number>>();
  orders: StandInOrder[] = [];
  webhooks: StandInWebhookSubscription[] = [];
  bulkOps: StandInBulkOperation[] = [];
  private nextId = 90_000_000;
  private orderNumber = 1000;

  id(): number {
    return ++this.nextId;
  }

  nextOrderName(): string {
    return `#${++this.orderNumber}`;
  }

  load(catalogue: Catalogue): void {
    this.products = structuredClone(catalogue.products);
    this.locations = structuredClone(catalogue.locations);
    this.stock = new Map([...catalogue.stock].map(([k, v]) => [k, new Map(v)]));
  }

  variantById(id: number): { product: StandInProduct; variant: StandInVariant } | undefined {
    for (const product of this.products) {
      const variant = product.variants.find((v) => v.id === id);
      if (variant) return { product, variant };
    }
    return undefined;
  }

  variantByItem(itemId: number): { product: StandInProduct; variant: StandInVariant } | undefined {
    for (const product of this.products) {
      const variant = product.variants.find((v) => v.inventoryItemId === itemId);
      if (variant) return { product, variant };
    }
    return undefined;
  }
}

/** Parses `gid://shopify/<Type>/<n>`; undefined when it is not one. */
export function parseGid(gid: unknown): { type: string; id: number } | undefined {
  if (typeof gid !== 'string') return undefined;
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/.exec(gid);
  return m ? { type: m[1]!, id: Number(m[2]) } : undefined;
}

export const gid = (type: string, id: number): string => `gid://shopify/${type}/${id}`;

interface Term {
  field: string;
  op: '=' | '>' | '>=' | '<' | '<=';
  value: string;
}

/** The subset of Shopify search syntax the stand-in understands: `field:[op]value` terms joined by AND. */
export function parseSearch(query: string | null | undefined): Term[] {
  if (!query) return [];
  const terms: Term[] = [];
  const re = /(\w+):(>=|<=|>|<)?('([^']*)'|"([^"]*)"|(\S+))/g;
  for (const m of query.matchAll(re)) {
    terms.push({ field: m[1]!, op: (m[2] as Term['op']) ?? '=', value: m[4] ?? m[5] ?? m[6] ?? '' });
  }
  return terms;
}

/** Applies terms to a record through per-field accessors; unknown fields are ignored, as Shopify does. */
export function matches(terms: Term[], get: Record<string, () => string | string[] | null>): boolean {
  return terms.every((t) => {
    const accessor = get[t.field];
    if (!accessor) return true;
    const actual = accessor();
    if (Array.isArray(actual)) return actual.some((a) => a.toLowerCase() === t.value.toLowerCase());
    if (actual === null) return false;
    if (t.op === '=') return actual.toLowerCase() === t.value.toLowerCase();
    const a = Date.parse(actual);
    const b = Date.parse(t.value);
    if (t.op === '>') return a > b;
    if (t.op === '>=') return a >= b;
    if (t.op === '<') return a < b;
    return a <= b;
  });
}
