import type { ShopifyWeightUnit, TikTokDimensionUnit, TikTokWeightUnit } from './types.js';

const GRAMS_PER: Record<ShopifyWeightUnit | TikTokWeightUnit | 'OUNCE', number> = {
  GRAMS: 1,
  GRAM: 1,
  KILOGRAMS: 1000,
  KILOGRAM: 1000,
  OUNCES: 28.349523125,
  OUNCE: 28.349523125,
  POUNDS: 453.59237,
  POUND: 453.59237,
};
const CM_PER: Record<TikTokDimensionUnit, number> = { CENTIMETER: 1, INCH: 2.54 };

/**
 * The units TikTok wants for a shop region (API-FACTS §5.4): US sellers use pounds and inches;
 * everyone else kilograms and centimetres. Metric and imperial are never mixed.
 */
export function tiktokUnitsFor(region: string): { weight: TikTokWeightUnit; dimension: TikTokDimensionUnit } {
  return region.toUpperCase() === 'US' ? { weight: 'POUND', dimension: 'INCH' } : { weight: 'KILOGRAM', dimension: 'CENTIMETER' };
}

// TikTok takes weights and dimensions as strings; 2 decimals, and never 0 for a real parcel.
function toUnitString(value: number): string {
  const rounded = Math.ceil(value * 100 - 1e-9) / 100;
  return Math.max(rounded, 0.01).toFixed(2);
}

/** Converts a weight into a TikTok unit, rounding up to 2 decimals (a parcel is never lighter than declared). */
export function convertWeight(value: number, from: ShopifyWeightUnit | TikTokWeightUnit | 'OUNCE', to: TikTokWeightUnit): string {
  return toUnitString((value * GRAMS_PER[from]) / GRAMS_PER[to]);
}

/** Converts a length into a TikTok unit, rounding up to 2 decimals. */
export function convertLength(value: number, from: TikTokDimensionUnit, to: TikTokDimensionUnit): string {
  return toUnitString((value * CM_PER[from]) / CM_PER[to]);
}
