import { z } from 'zod';
import { ShopifyResponseShapeError } from './errors.js';
import { bulkMediaLine, bulkProductLine, bulkVariantLine, type productNode, type variantNode } from './schemas.js';
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
  };
}

const GID_TYPE = /^gid:\/\/shopify\/([A-Za-z]+)\//;

/**
 * Assembles products from a bulk export's JSONL: one line per object, children after their
 * parent with `__parentId` (variants and media). Lines of unknown types are ignored.
 */
export function assembleBulkProducts(jsonl: string): ShopifyProduct[] {
  const products = new Map<string, ShopifyProduct>();
  // With groupObjects: false Shopify does not promise children follow their parent: attach at the end.
  const variants: z.infer<typeof bulkVariantLine>[] = [];
  const media: z.infer<typeof bulkMediaLine>[] = [];
  const lines = jsonl.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (!text) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ShopifyResponseShapeError(`Bulk export line ${i + 1} is not JSON.`);
    }
    const id = z.object({ id: z.string() }).safeParse(raw);
    const type = id.success ? GID_TYPE.exec(id.data.id)?.[1] : undefined;
    const parse = <S extends z.ZodType>(schema: S): z.infer<S> => {
      const r = schema.safeParse(raw);
      if (!r.success) throw new ShopifyResponseShapeError(`Bulk export line ${i + 1} (${type}) has an unexpected shape: ${r.error.message}`);
      return r.data;
    };
    if (type === 'Product') {
      const p = parse(bulkProductLine);
      products.set(p.id, { ...toProduct({ ...p, media: { nodes: [] }, variants: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } }) });
    } else if (type === 'ProductVariant') {
      variants.push(parse(bulkVariantLine));
    } else if (type === 'MediaImage') {
      media.push(parse(bulkMediaLine));
    }
  }
  for (const v of variants) {
    const parent = products.get(v.__parentId);
    if (!parent) throw new ShopifyResponseShapeError(`Bulk export: variant ${v.id} names a product ${v.__parentId} that is not in the file.`);
    parent.variants.push(toVariant(v));
  }
  for (const m of media) {
    const parent = products.get(m.__parentId);
    if (parent && m.image) parent.images.push({ id: m.id, url: m.image.url, alt: m.alt });
  }
  for (const p of products.values()) p.variants.sort((a, b) => a.position - b.position);
  return [...products.values()];
}

const bulkLevelLine = z.object({
  location: z.object({ id: z.string() }),
  quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
  __parentId: z.string(),
});

/**
 * Available stock per (inventory item, location) from a `BULK_INVENTORY_INNER` export, for the
 * items in `wanted` only (the export covers the whole store). Item lines carry nothing we need:
 * each level line names its item by `__parentId`.
 */
export function assembleBulkInventory(jsonl: string, wanted: ReadonlySet<string>): InventoryAvailability[] {
  const out: InventoryAvailability[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < jsonl.length) {
    let end = jsonl.indexOf('\n', start);
    if (end < 0) end = jsonl.length;
    const text = jsonl.slice(start, end).trim();
    start = end + 1;
    lineNo++;
    // Only level lines have a parent; a cheap test skips item lines without parsing them.
    if (!text || !text.includes('"__parentId"')) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ShopifyResponseShapeError(`Bulk inventory line ${lineNo} is not JSON.`);
    }
    const level = bulkLevelLine.safeParse(raw);
    if (!level.success) throw new ShopifyResponseShapeError(`Bulk inventory line ${lineNo} has an unexpected shape: ${level.error.message}`);
    if (!wanted.has(level.data.__parentId)) continue;
    const available = level.data.quantities.find((q) => q.name === 'available');
    if (available) out.push({ inventoryItemId: level.data.__parentId, locationId: level.data.location.id, available: available.quantity });
  }
  return out;
}
