import { currencyDecimals, formatMoney, parseMoney, type Micros } from '../money.js';
import type { PriceRule } from '../rules.js';

/**
 * The TikTok price for a Shopify variant: the chosen source price (selling price, or compare-at
 * when set), plus the percentage markup, plus the fixed markup, then rounded up to the price
 * ending (".99") or to the currency's minor unit. Undefined when the source is not an amount.
 */
export function applyPriceRule(
  variant: { price: string; compareAtPrice?: string | null },
  rule: PriceRule,
  currency: string,
): string | undefined {
  const compareAt = parseMoney(variant.compareAtPrice ?? undefined);
  const base = rule.source === 'compare-at' && compareAt !== undefined && compareAt > 0n ? compareAt : parseMoney(variant.price);
  const fixed = parseMoney(rule.markupFixed);
  if (base === undefined || fixed === undefined) return undefined;
  const converted = rule.conversion ? convertMoney(base, rule.conversion.rate) : base;
  // Basis points keep the percentage exact: 10 % of 19.99 is 1.999, not 1.9989999.
  const withPercent = (converted * BigInt(10_000 + Math.round(rule.markupPercent * 100))) / 10_000n;
  const raw = withPercent + fixed;
  const decimals = currencyDecimals(currency);
  return formatMoney(roundUp(raw, decimals, rule.ending), decimals);
}

function roundUp(micros: Micros, decimals: number, ending: string | null): Micros {
  const unit = 10n ** BigInt(6 - decimals);
  const toUnit = ((micros + unit - 1n) / unit) * unit;
  if (ending === null || decimals === 0) return toUnit;
  const end = BigInt(ending.slice(1)) * 10_000n; // ".99" -> 0.99 in micros
  const whole = (toUnit / 1_000_000n) * 1_000_000n;
  return whole + end >= toUnit ? whole + end : whole + 1_000_000n + end;
}

/** `amount` x `rate` (a decimal string), exact to the micro-unit. */
export function convertMoney(amount: Micros, rate: string): Micros {
  return (amount * (parseMoney(rate) ?? 0n)) / 1_000_000n;
}

/**
 * `amount` in the conversion's `to` currency (TikTok's) back in its `from` currency (the Shopify
 * shop's): `amount / rate`, rounded half up to `currency`'s minor unit in one step (no rounding
 * on the way), so 10.00 GBP at 0.79 GBP per USD is 12.66 USD.
 */
export function convertMoneyBack(amount: Micros, rate: string, currency: string): Micros {
  const perUnit = parseMoney(rate) ?? 0n;
  if (perUnit <= 0n) throw new RangeError(`conversion rate "${rate}" is not a positive amount`);
  const unit = 10n ** BigInt(6 - currencyDecimals(currency));
  const abs = amount < 0n ? -amount : amount;
  const denominator = perUnit * unit;
  const units = (abs * 1_000_000n * 2n + denominator) / (denominator * 2n);
  return amount < 0n ? -units * unit : units * unit;
}

/**
 * Why Shopify prices (in `shopifyCurrency`) cannot be listed or imported on a TikTok shop selling
 * in `tiktokCurrency`, or undefined when they can: the same currency, or a price rule
 * `conversion` naming exactly these two currencies.
 */
export function currencyMismatch(
  shopifyCurrency: string,
  tiktokCurrency: string,
  conversion: PriceRule['conversion'],
): string | undefined {
  const shopify = shopifyCurrency.toUpperCase();
  const tiktok = tiktokCurrency.toUpperCase();
  if (!conversion) {
    if (shopify === tiktok) return undefined;
    return `the Shopify store prices in ${shopify} and the TikTok shop sells in ${tiktok}; shoptok lists and imports nothing across currencies unless rules.listing.price.conversion names the rate (from: ${shopify}, to: ${tiktok}, rate: <${tiktok} per 1 ${shopify}>)`;
  }
  if (conversion.from !== shopify || conversion.to !== tiktok)
    return `rules.listing.price.conversion converts ${conversion.from} to ${conversion.to}, but the Shopify store prices in ${shopify} and the TikTok shop sells in ${tiktok}; name these two currencies${shopify === tiktok ? ' (or remove the conversion: both sides use one currency)' : ''}`;
  return undefined;
}
