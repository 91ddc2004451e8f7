import { loadAdminSchema } from '@shoptok/testkit/shopify';
import { getNamedType, isInputObjectType, isNonNullType, type GraphQLInputObjectType } from 'graphql';
import { z } from 'zod';
import { orderCreateOptionsInput, tiktokOrderInput } from './order-input.js';

// The orderCreate input has one type: the zod schemas of order-input.ts (sync-core builds it,
// createOrderOnce checks it). Here every field they allow is checked against the real 2026-10
// input types, and every field the schema requires is required by them too.

function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let inner = schema;
  let optional = false;
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodArray) inner = inner.element as z.ZodType;
    else return { inner, optional };
  }
}

function mismatches(zodObject: z.ZodObject, gqlType: GraphQLInputObjectType, path: string): string[] {
  const out: string[] = [];
  const fields = gqlType.getFields();
  for (const [name, field] of Object.entries(zodObject.shape)) {
    const gqlField = fields[name];
    if (!gqlField) {
      out.push(`${path}.${name} is not a field of ${gqlType.name}`);
      continue;
    }
    const { inner } = unwrap(field as z.ZodType);
    const named = getNamedType(gqlField.type);
    if (inner instanceof z.ZodObject) {
      if (!isInputObjectType(named)) out.push(`${path}.${name} is an object here but ${named.name} in the schema`);
      else out.push(...mismatches(inner, named, `${path}.${name}`));
    }
  }
  for (const [name, gqlField] of Object.entries(fields)) {
    if (!isNonNullType(gqlField.type) || gqlField.defaultValue !== undefined) continue;
    const field = zodObject.shape[name] as z.ZodType | undefined;
    if (!field || unwrap(field).optional) out.push(`${path}.${name} is required by ${gqlType.name}`);
  }
  return out;
}

describe('the orderCreate input type against the Admin API 2026-10 schema', () => {
  const schema = loadAdminSchema();
  const inputType = (name: string) => {
    const t = schema.getType(name);
    if (!isInputObjectType(t)) throw new Error(`${name} is not an input type`);
    return t;
  };

  it('allows only fields of OrderCreateOrderInput, with their required ones required', () => {
    const found = mismatches(tiktokOrderInput, inputType('OrderCreateOrderInput'), 'order');
    expect(found).toEqual([]);
  });

  it('allows only fields of OrderCreateOptionsInput', () => {
    expect(mismatches(orderCreateOptionsInput, inputType('OrderCreateOptionsInput'), 'options')).toEqual([]);
  });

  it('finds a field the schema does not have (the check can fail)', () => {
    const misspelt = z.object({ lineItems: z.array(z.object({ quantity: z.number(), pricSet: z.string() })) });
    expect(mismatches(misspelt, inputType('OrderCreateOrderInput'), 'order')).toEqual([
      'order.lineItems.pricSet is not a field of OrderCreateLineItemInput',
    ]);
  });

  it('keeps one shop currency and one presentment currency per order, as Shopify requires', () => {
    const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
    const gbp = (amount: string) => ({ amount, currencyCode: 'GBP' });
    const order = (extra: Record<string, unknown>, priceSet: Record<string, unknown>) => ({
      lineItems: [{ title: 'Mug', quantity: 1, priceSet }],
      currency: 'USD',
      ...extra,
    });
    expect(
      tiktokOrderInput.safeParse(
        order({ presentmentCurrency: 'GBP' }, { shopMoney: usd('12.66'), presentmentMoney: gbp('10.00') }),
      ).success,
    ).toBe(true);
    expect(tiktokOrderInput.safeParse(order({}, { shopMoney: usd('12.66'), presentmentMoney: gbp('10.00') })).success).toBe(
      false,
    );
    expect(tiktokOrderInput.safeParse(order({ presentmentCurrency: 'GBP' }, { shopMoney: usd('12.66') })).success).toBe(false);
    expect(tiktokOrderInput.safeParse(order({}, { shopMoney: gbp('10.00') })).success).toBe(false);
    expect(tiktokOrderInput.safeParse(order({}, { presentmentMoney: gbp('10.00') })).success).toBe(false);
  });
});
