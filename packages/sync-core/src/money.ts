// Money as exact decimals. TikTok and Shopify both send amounts as decimal strings ("12.99");
// adding them as floats drifts (0.1 + 0.2), so amounts are held as bigint micro-units.

const SCALE = 1_000_000n;
const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;

/** Currencies whose prices carry no minor unit on TikTok and Shopify (JP, VN, ID, KR, CL shops). */
const ZERO_DECIMAL_CURRENCIES = new Set(['JPY', 'KRW', 'VND', 'IDR', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF', 'PYG']);

/** An exact decimal amount in micro-units (1 = 0.000001). */
export type Micros = bigint;

/** Parses a decimal string or finite number ("12.99", 12.99) into micro-units; undefined for anything else. */
export function parseMoney(value: string | number | null | undefined): Micros | undefined {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(6) : '') : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const whole = BigInt(m[2] ?? '0');
  const frac = BigInt((m[3] ?? '').padEnd(6, '0'));
  const micros = whole * SCALE + frac;
  return m[1] ? -micros : micros;
}

/** Number of decimals a currency's prices use (2 unless listed as zero-decimal). */
export function currencyDecimals(currency: string): number {
  return ZERO_DECIMAL_CURRENCIES.has(currency.toUpperCase()) ? 0 : 2;
}

/** Formats micro-units as a decimal string with exactly `decimals` places, rounding half away from zero. */
export function formatMoney(micros: Micros, decimals = 2): string {
  const negative = micros < 0n;
  let abs = negative ? -micros : micros;
  const unit = 10n ** BigInt(6 - decimals);
  abs = ((abs + unit / 2n) / unit) * unit;
  const whole = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(6, '0').slice(0, decimals);
  const body = decimals > 0 ? `${whole}.${frac}` : `${whole}`;
  return negative && abs !== 0n ? `-${body}` : body;
}

/** Formats an amount for a currency (2 places, or 0 for zero-decimal currencies). */
export function formatMoneyIn(micros: Micros, currency: string): string {
  return formatMoney(micros, currencyDecimals(currency));
}

/** Sum of amounts. */
export function sumMoney(values: Iterable<Micros>): Micros {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
