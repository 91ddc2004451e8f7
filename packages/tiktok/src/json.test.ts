import { parseJsonSafe } from './json.js';

describe('parseJsonSafe', () => {
  it('keeps 19-digit ids exact as strings and leaves small numbers alone', () => {
    const parsed = parseJsonSafe(
      '{"product_id":1729382256910270475,"n":42,"price":"12.99","f":1.5,"neg":-9223372036854775808}',
    ) as Record<string, unknown>;
    expect(parsed.product_id).toBe('1729382256910270475');
    expect(parsed.neg).toBe('-9223372036854775808');
    expect(parsed.n).toBe(42);
    expect(parsed.f).toBe(1.5);
    expect(parsed.price).toBe('12.99');
  });
});
