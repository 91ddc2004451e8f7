/**
 * The Admin API access scopes shoptok's custom app needs, each with what stops working without
 * it (the README lists the same). A write scope includes its read scope.
 */
export const SHOPTOK_SHOPIFY_SCOPES: readonly { scope: string; breaks: string }[] = [
  { scope: 'read_products', breaks: 'products cannot be read: nothing is listed on TikTok' },
  { scope: 'read_inventory', breaks: "stock cannot be read: TikTok's stock is not kept in step" },
  { scope: 'read_locations', breaks: 'locations cannot be read: stock cannot be mapped to TikTok warehouses' },
  {
    scope: 'read_orders',
    breaks: 'orders cannot be read: tracking does not reach TikTok and imports cannot be checked for duplicates',
  },
  { scope: 'write_orders', breaks: 'TikTok orders cannot be created in Shopify (nor cancelled)' },
  { scope: 'read_fulfillments', breaks: 'the fulfilment webhooks cannot be subscribed: tracking waits for the next poll' },
];

/** The needed scopes `granted` lacks, in the order above. */
export function missingShopifyScopes(granted: readonly string[]): { scope: string; breaks: string }[] {
  const has = new Set(granted);
  return SHOPTOK_SHOPIFY_SCOPES.filter(({ scope }) => !has.has(scope) && !has.has(scope.replace(/^read_/, 'write_')));
}
