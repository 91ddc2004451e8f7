// Suggests `rules.inventory.warehouses` for a new store: which Shopify locations feed which
// TikTok warehouse, matched by name first and then by address. Pure: the CLI reads both sides.

export interface LocationForMapping {
  id: string;
  name: string;
  address: { address1?: string | null; city?: string | null; zip?: string | null; countryCode?: string | null };
}

export interface WarehouseForMapping {
  id: string;
  name: string;
  isDefault?: boolean;
  address?: { city?: string; postal_code?: string; full_address?: string };
}

export interface SuggestedWarehouse {
  tiktokWarehouseId: string;
  tiktokWarehouseName: string;
  locations: { id: string; name: string; matchedBy: 'name' | 'address' }[];
}

export interface WarehouseMappingSuggestion {
  warehouses: SuggestedWarehouse[];
  /** Locations that match no warehouse: their stock reaches TikTok only once mapped by hand. */
  unmatchedLocations: { id: string; name: string }[];
  /** Warehouses no location feeds. */
  unmatchedWarehouses: { id: string; name: string }[];
}

const STOP_WORDS = new Set([
  'warehouse',
  'location',
  'store',
  'shop',
  'the',
  'main',
  'fulfilment',
  'fulfillment',
  'centre',
  'center',
]);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);
}

function nameKey(text: string): string {
  return words(text).join(' ');
}

function distinctiveWords(text: string): Set<string> {
  return new Set(words(text).filter((w) => !STOP_WORDS.has(w)));
}

function postcode(text: string | null | undefined): string | undefined {
  const compact = text?.replace(/\s+/g, '').toUpperCase();
  return compact ? compact : undefined;
}

/** How a location matches a warehouse, or undefined. Exact names first, then shared distinctive words, then postcode or city. */
function matchOf(
  location: LocationForMapping,
  warehouse: WarehouseForMapping,
): { by: 'name' | 'address'; score: number } | undefined {
  if (nameKey(location.name) && nameKey(location.name) === nameKey(warehouse.name)) return { by: 'name', score: 3 };
  const a = distinctiveWords(location.name);
  const shared = [...distinctiveWords(warehouse.name)].filter((w) => a.has(w)).length;
  if (shared > 0) return { by: 'name', score: 2 + shared / 100 };
  const zip = postcode(location.address.zip);
  if (zip && (zip === postcode(warehouse.address?.postal_code) || postcode(warehouse.address?.full_address)?.includes(zip)))
    return { by: 'address', score: 1.5 };
  const city = location.address.city?.trim().toLowerCase();
  if (
    city &&
    (warehouse.address?.city?.trim().toLowerCase() === city || warehouse.address?.full_address?.toLowerCase().includes(city))
  )
    return { by: 'address', score: 1 };
  return undefined;
}

/**
 * Each location goes to the warehouse it matches best (by name, then address); a location that
 * matches none is listed as unmatched rather than guessed, since a wrong mapping oversells.
 */
export function suggestWarehouseMapping(
  locations: readonly LocationForMapping[],
  warehouses: readonly WarehouseForMapping[],
): WarehouseMappingSuggestion {
  const byWarehouse = new Map<string, SuggestedWarehouse>(
    warehouses.map((w) => [w.id, { tiktokWarehouseId: w.id, tiktokWarehouseName: w.name, locations: [] }]),
  );
  const unmatchedLocations: { id: string; name: string }[] = [];
  for (const location of locations) {
    let best: { warehouse: WarehouseForMapping; by: 'name' | 'address'; score: number } | undefined;
    for (const warehouse of warehouses) {
      const match = matchOf(location, warehouse);
      if (match && (!best || match.score > best.score)) best = { warehouse, ...match };
    }
    if (best) byWarehouse.get(best.warehouse.id)!.locations.push({ id: location.id, name: location.name, matchedBy: best.by });
    else unmatchedLocations.push({ id: location.id, name: location.name });
  }
  const all = [...byWarehouse.values()];
  return {
    warehouses: all.filter((w) => w.locations.length > 0),
    unmatchedLocations,
    unmatchedWarehouses: all
      .filter((w) => w.locations.length === 0)
      .map((w) => ({ id: w.tiktokWarehouseId, name: w.tiktokWarehouseName })),
  };
}

/** The suggestion as the YAML block to paste under the store's `rules:` in the stores file. */
export function renderWarehouseRulesYaml(suggestion: WarehouseMappingSuggestion): string {
  const lines = ['rules:', '  inventory:'];
  if (suggestion.warehouses.length === 0) lines.push('    warehouses: [] # no location matched a warehouse: map them by hand');
  else {
    lines.push('    warehouses:');
    for (const w of suggestion.warehouses) {
      lines.push(`      - tiktokWarehouseId: "${w.tiktokWarehouseId}" # ${w.tiktokWarehouseName}`);
      lines.push('        shopifyLocationIds:');
      for (const l of w.locations) lines.push(`          - "${l.id}" # ${l.name} (matched by ${l.matchedBy})`);
    }
  }
  for (const l of suggestion.unmatchedLocations)
    lines.push(`    # not mapped: Shopify location "${l.name}" (${l.id}) matches no TikTok warehouse`);
  for (const w of suggestion.unmatchedWarehouses)
    lines.push(`    # not fed: TikTok warehouse "${w.name}" (${w.id}) gets no Shopify location`);
  return `${lines.join('\n')}\n`;
}
