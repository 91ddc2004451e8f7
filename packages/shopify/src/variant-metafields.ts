import { bulkJsonLine } from './bulk.js';
import { ShopifyResponseShapeError } from './errors.js';
import * as ops from './operations.js';
import * as s from './schemas.js';
import type { GraphqlTransport } from './transport.js';
import type { ShopifyMetafield, ShopifyProduct } from './types.js';

// Variant metafields are read beside the products, not inside them: in a page they would
// multiply the page's cost by the variants' count, and a bulk export cannot nest them (three
// levels, and its five connections are taken). Both reads end in `attachVariantMetafields`.

/** How many variants one `VARIANT_METAFIELDS_BY_IDS` request asks for. */
const VARIANTS_PER_REQUEST = 25;

const toMetafield = (m: ShopifyMetafield): ShopifyMetafield => ({
  namespace: m.namespace,
  key: m.key,
  type: m.type,
  value: m.value,
});

/** Sets every variant's `metafields` from `byVariant` (a variant not in it has none). */
export function attachVariantMetafields(
  products: readonly ShopifyProduct[],
  byVariant: ReadonlyMap<string, ShopifyMetafield[]>,
): void {
  for (const p of products) for (const v of p.variants) v.metafields = byVariant.get(v.id) ?? [];
}

/** Reads the metafields of the products' variants through the Admin API (pages), and attaches them. */
export async function readVariantMetafields(transport: GraphqlTransport, products: readonly ShopifyProduct[]): Promise<void> {
  const ids = products.flatMap((p) => p.variants.map((v) => v.id));
  const byVariant = new Map<string, ShopifyMetafield[]>();
  for (let i = 0; i < ids.length; i += VARIANTS_PER_REQUEST) {
    const { data } = await transport.request(
      'VariantMetafields',
      ops.VARIANT_METAFIELDS_BY_IDS,
      { ids: ids.slice(i, i + VARIANTS_PER_REQUEST) },
      s.variantMetafieldsByIdsData,
    );
    for (const node of data.nodes) {
      if (!node) continue; // deleted while we read
      const list = node.metafields.nodes.map(toMetafield);
      let page = node.metafields.pageInfo;
      while (page.hasNextPage) {
        const more = await transport.request(
          'VariantMetafieldsPage',
          ops.VARIANT_METAFIELDS_PAGE,
          { id: node.id, after: page.endCursor },
          s.variantMetafieldsPageData,
        );
        if (!more.data.productVariant) break;
        list.push(...more.data.productVariant.metafields.nodes.map(toMetafield));
        page = more.data.productVariant.metafields.pageInfo;
      }
      byVariant.set(node.id, list);
    }
  }
  attachVariantMetafields(products, byVariant);
}

const GID_TYPE = /^gid:\/\/shopify\/([A-Za-z]+)\//;

/**
 * Collects a `BULK_VARIANT_METAFIELDS_INNER` export line by line: variant lines carry only their
 * id, metafield lines name their variant by `__parentId`.
 */
export class BulkVariantMetafieldAssembler {
  readonly byVariant = new Map<string, ShopifyMetafield[]>();

  /** Takes line `lineNo` (1-based) of the file; throws {@link ShopifyResponseShapeError} on a bad line. */
  add(line: string, lineNo: number): void {
    // Variant lines (no parent) carry nothing we need.
    const raw = bulkJsonLine(line, lineNo, 'variant metafield', true);
    if (raw === undefined) return;
    const id = s.bulkVariantIdLine.safeParse(raw);
    if (!id.success || GID_TYPE.exec(id.data.id)?.[1] !== 'Metafield') return;
    const m = s.bulkMetafieldLine.safeParse(raw);
    if (!m.success)
      throw new ShopifyResponseShapeError(`Bulk variant metafield line ${lineNo} has an unexpected shape: ${m.error.message}`);
    const list = this.byVariant.get(m.data.__parentId) ?? [];
    list.push(toMetafield(m.data));
    this.byVariant.set(m.data.__parentId, list);
  }
}

/** {@link BulkVariantMetafieldAssembler} over a whole JSONL text. */
export function assembleBulkVariantMetafields(jsonl: string): Map<string, ShopifyMetafield[]> {
  const assembler = new BulkVariantMetafieldAssembler();
  jsonl.split('\n').forEach((line, i) => assembler.add(line, i + 1));
  return assembler.byVariant;
}
