// Market limits from API-FACTS §6 (local sellers).

const LONG_TITLE = new Set(['DE', 'ES', 'FR', 'IE', 'IT', 'JP', 'GB', 'UK', 'US']);
const BIG_SKU_MARKETS = new Set(['BR', 'DE', 'ES', 'FR', 'IE', 'IT', 'JP', 'MX', 'GB', 'UK', 'US']);

export function titleRange(region: string): [number, number] {
  if (LONG_TITLE.has(region)) return [1, 255];
  if (region === 'BR' || region === 'MX') return [1, 300];
  return [25, 255];
}

export function maxSkus(region: string): number {
  return BIG_SKU_MARKETS.has(region) ? 300 : 100;
}

const PRICE_RANGES: Record<string, [number, number]> = {
  US: [0.01, 7600],
  GB: [0.01, 5600],
  UK: [0.01, 5600],
  DE: [0.01, 6300],
  FR: [0.01, 6300],
  IE: [0.01, 6300],
  IT: [0.01, 6300],
  ES: [0.01, 6300],
  JP: [1, 500000],
  MX: [1, 50000],
  BR: [0.5, 10000],
  ID: [100, 100000000],
  MY: [0.01, 320000],
  PH: [0.01, 400000],
  SG: [0.01, 10000],
  TH: [30, 260000],
  VN: [1, 180000000],
};

export function priceRange(region: string): [number, number] {
  return PRICE_RANGES[region] ?? [0.01, 5600];
}

const CURRENCIES: Record<string, string> = {
  US: 'USD',
  GB: 'GBP',
  UK: 'GBP',
  DE: 'EUR',
  FR: 'EUR',
  IE: 'EUR',
  IT: 'EUR',
  ES: 'EUR',
  JP: 'JPY',
  MX: 'MXN',
  BR: 'BRL',
  ID: 'IDR',
  MY: 'MYR',
  PH: 'PHP',
  SG: 'SGD',
  TH: 'THB',
  VN: 'VND',
};

export function currencyFor(region: string): string {
  return CURRENCIES[region] ?? 'GBP';
}

export const MAX_MAIN_IMAGES = 9;
export const MAX_DESCRIPTION = 10_000;
export const MAX_DESCRIPTION_IMAGES = 30;
export const MAX_QUANTITY = 99_999;
export const MAX_SALES_ATTRIBUTE_TYPES = 3;
export const SEARCH_WINDOW = 10_000;
