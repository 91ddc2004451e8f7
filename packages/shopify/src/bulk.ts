import { z } from 'zod';
import { ShopifyResponseShapeError } from './errors.js';
import {
  bulkCollectionLine,
  bulkMediaLine,
  bulkMetafieldLine,
  bulkProductLine,
  bulkVariantLine,
  type productNode,
  type variantNode,
} from './schemas.js';
import type { InventoryAvailability, ShopifyImage, ShopifyProduct, ShopifyVariant } from './types.js';

/** Maps a variant node (page or bulk line) to our shape. */
export function toVariant(node: z.infer<typeof variantNode>): ShopifyVariant {
  return {
    id: node.id,
    title: node.title,
    sku: node.sku === '' ? null : node.sku,
    price: node.price,
    compareAtPrice: node.compareAtPrice,
    barcode: node.barcode === '' ? null : node.barcode,
    position: node.position,
    selectedOptions: node.selectedOptions,
    inventoryItemId: node.inventoryItem.id,
    tracked: node.inventoryItem.tracked,
    weight: node.inventoryItem.measurement.weight,
  };
}

/** Maps a product node from a page to our shape (variants past the first page are added later). */
export function toProduct(node: z.infer<typeof productNode>): ShopifyProduct {
  const images: ShopifyImage[] = [];
  for (const m of node.media.nodes) {
    if ('id' in m && m.image) images.push({ id: m.id, url: m.image.url, alt: m.alt });
  }
  return {
    id: node.id,
    title: node.title,
    handle: node.handle,
    status: node.status,
    vendor: node.vendor,
    productType: node.productType,
    category: node.category,
    tags: node.tags,
    descriptionHtml: node.descriptionHtml,
    updatedAt: node.updatedAt,
    options: node.options,
    images,
    variants: node.variants.nodes.map(toVariant),
    collections: node.collections.nodes.map((c) => ({ id: c.id, handle: c.handle })),
    metafields: node.metafields.nodes.map((m) => ({ namespace: m.namespace, key: m.key, type: m.type, value: m.value })),
  };
}

const GID_TYPE = /^gid:\/\/shopify\/([A-Za-z]+)\//;

/**
 * Line `lineNo` (1-based) of a bulk export's JSONL, parsed; undefined for a blank line, and with
 * `childrenOnly` for a line without a parent (a cheap test skips those without parsing them).
 * Throws {@link ShopifyResponseShapeError} naming `what` and the line when it is not JSON.
 */
export function bulkJsonLine(line: string, lineNo: number, what: string, childrenOnly = false): unknown {
  const text = line.trim();
  if (!text || (childrenOnly && !text.includes('"__parentId"'))) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ShopifyResponseShapeError(`Bulk ${what} line ${lineNo} is not JSON.`);
  }
}

/**
 * Assembles products from a bulk export's JSONL, one line at a time as the file downloads: one
 * line per object, children after their parent with `__parentId` (variants, media, collections,
 * metafields). Lines of
 * unknown types are ignored.
 */
export class BulkProductAssembler {
  private readonly products = new Map<string, ShopifyProduct>();
  // With groupObjects: false Shopify does not promise children follow their parent: attach at the end.
  private readonly variants: z.infer<typeof bulkVariantLine>[] = [];
  private readonly media: z.infer<typeof bulkMediaLine>[] = [];
  private readonly collections: z.infer<typeof bulkCollectionLine>[] = [];
  private readonly metafields: z.infer<typeof bulkMetafieldLine>[] = [];

  /** Takes line `lineNo` (1-based) of the file; throws {@link ShopifyResponseShapeError} on a bad line. */
  add(line: string, lineNo: number): void {
    const raw = bulkJsonLine(line, lineNo, 'export');
    if (raw === undefined) return;
    const id = z.object({ id: z.string() }).safeParse(raw);
    const type = id.success ? GID_TYPE.exec(id.data.id)?.[1] : undefined;
    const parse = <S extends z.ZodType>(schema: S): z.infer<S> => {
      const r = schema.safeParse(raw);
      if (!r.success)
        throw new ShopifyResponseShapeError(`Bulk export line ${lineNo} (${type}) has an unexpected shape: ${r.error.message}`);
      return r.data;
    };
    if (type === 'Product') {
      const p = parse(bulkProductLine);
      this.products.set(p.id, {
        ...toProduct({
          ...p,
          media: { nodes: [] },
          variants: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
          collections: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
          metafields: { nodes: [] },
        }),
      });
    } else if (type === 'ProductVariant') {
      this.variants.push(parse(bulkVariantLine));
    } else if (type === 'MediaImage') {
      this.media.push(parse(bulkMediaLine));
    } else if (type === 'Collection') {
      this.collections.push(parse(bulkCollectionLine));
    } else if (type === 'Metafield') {
      this.metafields.push(parse(bulkMetafieldLine));
    }
  }

  /** The products, each with its variants (in position order) and images. */
  finish(): ShopifyProduct[] {
    for (const v of this.variants) {
      const parent = this.products.get(v.__parentId);
      if (!parent)
        throw new ShopifyResponseShapeError(
          `Bulk export: variant ${v.id} names a product ${v.__parentId} that is not in the file.`,
        );
      parent.variants.push(toVariant(v));
    }
    for (const m of this.media) {
      const parent = this.products.get(m.__parentId);
      if (parent && m.image) parent.images.push({ id: m.id, url: m.image.url, alt: m.alt });
    }
    for (const c of this.collections) this.products.get(c.__parentId)?.collections.push({ id: c.id, handle: c.handle });
    for (const m of this.metafields)
      this.products.get(m.__parentId)?.metafields.push({ namespace: m.namespace, key: m.key, type: m.type, value: m.value });
    for (const p of this.products.values()) p.variants.sort((a, b) => a.position - b.position);
    return [...this.products.values()];
  }
}

/** {@link BulkProductAssembler} over a whole JSONL text. */
export function assembleBulkProducts(jsonl: string): ShopifyProduct[] {
  const assembler = new BulkProductAssembler();
  jsonl.split('\n').forEach((line, i) => assembler.add(line, i + 1));
  return assembler.finish();
}

const bulkLevelLine = z.object({
  location: z.object({ id: z.string() }),
  quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
  __parentId: z.string(),
});

/**
 * Available stock per (inventory item, location) from a `BULK_INVENTORY_INNER` export, for the
 * items in `wanted` only (the export covers the whole store), one line at a time. Item lines
 * carry nothing we need: each level line names its item by `__parentId`.
 */
export class BulkInventoryAssembler {
  readonly levels: InventoryAvailability[] = [];

  constructor(private readonly wanted: ReadonlySet<string>) {}

  /** Takes line `lineNo` (1-based) of the file; throws {@link ShopifyResponseShapeError} on a bad line. */
  add(line: string, lineNo: number): void {
    // Only level lines have a parent.
    const raw = bulkJsonLine(line, lineNo, 'inventory', true);
    if (raw === undefined) return;
    const level = bulkLevelLine.safeParse(raw);
    if (!level.success)
      throw new ShopifyResponseShapeError(`Bulk inventory line ${lineNo} has an unexpected shape: ${level.error.message}`);
    if (!this.wanted.has(level.data.__parentId)) return;
    const available = level.data.quantities.find((q) => q.name === 'available');
    if (available)
      this.levels.push({
        inventoryItemId: level.data.__parentId,
        locationId: level.data.location.id,
        available: available.quantity,
      });
  }
}

/** {@link BulkInventoryAssembler} over a whole JSONL text. */
export function assembleBulkInventory(jsonl: string, wanted: ReadonlySet<string>): InventoryAvailability[] {
  const assembler = new BulkInventoryAssembler(wanted);
  jsonl.split('\n').forEach((line, i) => assembler.add(line, i + 1));
  return assembler.levels;
}
