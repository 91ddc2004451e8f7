import { z } from 'zod';
import { bulkJsonLine } from './bulk.js';
import { ShopifyResponseShapeError } from './errors.js';
import { gql } from './gql.js';

/**
 * One inventory item of a streamed stock export, complete on its own line: the variant, its
 * product's status and the available stock at each asked location. The stock sync needs nothing
 * else, so it can diff and push each slice of the file while the rest is still arriving.
 */
export interface StockExportItem {
  inventoryItemId: string;
  tracked: boolean;
  variantId: string;
  sku: string | null;
  productId: string;
  productStatus: string;
  /** Only the locations stocked there (an item not stocked at a location has no level). */
  levels: { locationId: string; available: number }[];
}

/**
 * The bulk query of a streamed stock export. `level0` is repeated once per location at run time
 * (`stockExportQuery`): a level asked by location is an inline object, not a connection, so each
 * item and its levels are one JSONL line whatever order Shopify writes the file in
 * (`groupObjects: false` promises no order between a parent and its children).
 */
export const BULK_STOCK_INNER = gql`
  query BulkStock {
    inventoryItems {
      edges {
        node {
          id
          tracked
          variant {
            id
            sku
            product {
              id
              status
            }
          }
          level0: inventoryLevel(locationId: "gid://shopify/Location/0") {
            quantities(names: ["available"]) {
              name
              quantity
            }
          }
        }
      }
    }
  }
`;

const LEVEL_FIELD = /level0: inventoryLevel\(locationId: "gid:\/\/shopify\/Location\/0"\) \{[^}]*\}\s*\}/;
const LOCATION_GID = /^gid:\/\/shopify\/Location\/\d+$/;

/** Locations one stock export may ask for; a shop with more is read the paged way. */
export const STOCK_EXPORT_MAX_LOCATIONS = 100;

/** The export query for these locations (Shopify location gids). */
export function stockExportQuery(locationIds: readonly string[]): string {
  if (locationIds.length === 0 || locationIds.length > STOCK_EXPORT_MAX_LOCATIONS)
    throw new RangeError(`a stock export asks for 1 to ${STOCK_EXPORT_MAX_LOCATIONS} locations, not ${locationIds.length}`);
  const template = LEVEL_FIELD.exec(BULK_STOCK_INNER)?.[0];
  if (!template) throw new Error('BULK_STOCK_INNER lost its level0 field');
  const fields = locationIds.map((id, i) => {
    if (!LOCATION_GID.test(id)) throw new RangeError(`not a Shopify location gid: ${id}`);
    return template.replace('level0', `level${i}`).replace('gid://shopify/Location/0', id);
  });
  return BULK_STOCK_INNER.replace(template, fields.join('\n'));
}

const levelSchema = z
  .object({ quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })) })
  .nullable()
  .optional();
const lineSchema = z.object({
  id: z.string(),
  tracked: z.boolean(),
  variant: z
    .object({
      id: z.string(),
      sku: z.string().nullable(),
      product: z.object({ id: z.string(), status: z.string() }),
    })
    .nullable(),
});

/** Parses line `lineNo` of a stock export for `locationIds` (the order the query asked them in); undefined for a blank line or an item without a variant. */
export function parseStockExportLine(line: string, lineNo: number, locationIds: readonly string[]): StockExportItem | undefined {
  const raw = bulkJsonLine(line, lineNo, 'stock') as Record<string, unknown> | undefined;
  if (raw === undefined) return undefined;
  const item = lineSchema.safeParse(raw);
  if (!item.success)
    throw new ShopifyResponseShapeError(`Bulk stock line ${lineNo} has an unexpected shape: ${item.error.message}`);
  const variant = item.data.variant;
  if (!variant) return undefined;
  const levels: StockExportItem['levels'] = [];
  locationIds.forEach((locationId, i) => {
    const level = levelSchema.safeParse(raw[`level${i}`]);
    if (!level.success)
      throw new ShopifyResponseShapeError(`Bulk stock line ${lineNo} has an unexpected level${i}: ${level.error.message}`);
    const available = level.data?.quantities.find((q) => q.name === 'available');
    if (available) levels.push({ locationId, available: available.quantity });
  });
  return {
    inventoryItemId: item.data.id,
    tracked: item.data.tracked,
    variantId: variant.id,
    sku: variant.sku === '' ? null : variant.sku,
    productId: variant.product.id,
    productStatus: variant.product.status,
    levels,
  };
}
