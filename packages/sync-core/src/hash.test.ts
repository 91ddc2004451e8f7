import { contentHash, stableStringify } from './hash.js';
import { formatMoney, formatMoneyIn, parseMoney } from './money.js';

describe('contentHash', () => {
  it('is the same whatever the key order, and differs when content differs', () => {
    const a = { title: 'Serum', skus: [{ id: '1', price: '9.99' }], meta: { b: 1, a: 2 } };
    const b = { meta: { a: 2, b: 1 }, skus: [{ price: '9.99', id: '1' }], title: 'Serum' };
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({ ...a, title: 'Serum 2' })).not.toBe(contentHash(a));
    // Array order is content.
    expect(contentHash([1, 2])).not.toBe(contentHash([2, 1]));
  });
  it('drops undefined members like JSON does', () => {
    expect(stableStringify({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(stableStringify(undefined)).toBe('null');
  });
});

describe('money', () => {
  it('adds decimals exactly', () => {
    expect(formatMoney((parseMoney('0.1') ?? 0n) + (parseMoney('0.2') ?? 0n))).toBe('0.30');
    expect(formatMoney(parseMoney('-1.005') ?? 0n)).toBe('-1.01');
    expect(formatMoneyIn(parseMoney(1234.5) ?? 0n, 'JPY')).toBe('1235');
  });
  it('refuses what is not a decimal', () => {
    expect(parseMoney('12,50')).toBeUndefined();
    expect(parseMoney('1e3')).toBeUndefined();
    expect(parseMoney(Number.NaN)).toBeUndefined();
    expect(parseMoney(undefined)).toBeUndefined();
  });
});
