import { parseMoney } from '../money.js';
import { convertMoneyBack } from './price.js';

describe('convertMoneyBack (TikTok amounts into the Shopify shop currency)', () => {
  const back = (amount: string, rate: string, currency: string) => convertMoneyBack(parseMoney(amount)!, rate, currency);

  it('divides by the rate and rounds half up to the minor unit in one step', () => {
    expect(back('10.00', '0.79', 'USD')).toBe(parseMoney('12.66')); // 12.6582…
    expect(back('4.99', '0.8', 'EUR')).toBe(parseMoney('6.24')); // 6.2375
    expect(back('1.00', '0.8', 'EUR')).toBe(parseMoney('1.25')); // exact
    expect(back('0.01', '2', 'EUR')).toBe(parseMoney('0.01')); // 0.005: half up
    expect(back('0', '0.79', 'USD')).toBe(0n);
  });

  it('rounds to whole units for a zero-decimal shop currency', () => {
    expect(back('10.00', '0.0064', 'JPY')).toBe(parseMoney('1563')); // 1562.5
  });

  it('refuses a rate that is not a positive amount', () => {
    expect(() => back('10.00', '0', 'USD')).toThrow(RangeError);
  });
});
