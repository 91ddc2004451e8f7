import { z } from 'zod';

const money = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string'), currencyCode: z.string().length(3) });
const address = z
  .object({
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    address1: z.string().optional(),
    address2: z.string().optional(),
    city: z.string().optional(),
    province: z.string().optional(),
    provinceCode: z.string().optional(),
    zip: z.string().optional(),
    country: z.string().optional(),
    countryCode: z.string().optional(),
    phone: z.string().optional(),
    company: z.string().optional(),
  })
  .strict();

/**
 * `MoneyBagInput`: money in the shop currency, and in the currency the buyer paid in when that
 * differs (`presentmentMoney`; the order then names it in `presentmentCurrency`).
 */
const moneyBag = z.object({ shopMoney: money, presentmentMoney: money.optional() }).strict();

const lineItem = z
  .object({
    variantId: z.string().startsWith('gid://shopify/ProductVariant/').optional(),
    sku: z.string().optional(),
    title: z.string().optional(),
    variantTitle: z.string().optional(),
    vendor: z.string().optional(),
    quantity: z.number().int().positive(),
    priceSet: moneyBag.optional(),
    requiresShipping: z.boolean().optional(),
    taxable: z.boolean().optional(),
    properties: z.array(z.object({ name: z.string(), value: z.string() }).strict()).optional(),
  })
  .strict();

const shippingLine = z
  .object({ title: z.string(), code: z.string().optional(), source: z.string().optional(), priceSet: moneyBag })
  .strict();

const taxLine = z
  .object({
    title: z.string(),
    rate: z.string().regex(/^\d+(\.\d+)?$/),
    priceSet: moneyBag,
    channelLiable: z.boolean().optional(),
  })
  .strict();

const transaction = z
  .object({
    kind: z.enum(['SALE', 'AUTHORIZATION', 'CAPTURE']),
    status: z.enum(['SUCCESS', 'PENDING', 'FAILURE']),
    gateway: z.string(),
    amountSet: moneyBag,
    processedAt: z.string().optional(),
  })
  .strict();

const discountCode = z.object({ itemFixedDiscountCode: z.object({ code: z.string(), amountSet: moneyBag }).strict() }).strict();

/**
 * The `order` argument of `orderCreate` (OrderCreateOrderInput, 2026-10) as shoptok fills it
 * for a TikTok order: checked before it is sent, strict so a misspelt field fails here.
 */
export const tiktokOrderInput = z
  .object({
    lineItems: z.array(lineItem).min(1),
    currency: z.string().length(3).optional(),
    // Required by Shopify once any presentment money is given (checked below).
    presentmentCurrency: z.string().length(3).optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    name: z.string().optional(),
    note: z.string().optional(),
    tags: z.array(z.string()).optional(),
    processedAt: z.string().optional(),
    // Ours wins: the client sets it to `tiktok-<order id>` (the lookup key of the guard).
    sourceIdentifier: z.string().optional(),
    sourceName: z.string().optional(),
    taxesIncluded: z.boolean().optional(),
    financialStatus: z
      .enum(['AUTHORIZED', 'EXPIRED', 'PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED', 'VOIDED'])
      .optional(),
    shippingAddress: address.optional(),
    billingAddress: address.optional(),
    shippingLines: z.array(shippingLine).optional(),
    taxLines: z.array(taxLine).optional(),
    discountCode: discountCode.optional(),
    transactions: z.array(transaction).optional(),
    customAttributes: z.array(z.object({ key: z.string(), value: z.string() }).strict()).optional(),
  })
  .strict()
  .superRefine((order, ctx) => {
    // One shop currency and one presentment currency per order: Shopify refuses presentment money
    // without `presentmentCurrency`, and takes a bag without presentment money to be in the shop currency.
    const bags = [
      ...order.lineItems.map((l) => l.priceSet),
      ...(order.shippingLines ?? []).map((l) => l.priceSet),
      ...(order.taxLines ?? []).map((l) => l.priceSet),
      ...(order.transactions ?? []).map((t) => t.amountSet),
      order.discountCode?.itemFixedDiscountCode.amountSet,
    ].filter((b) => b !== undefined);
    const shop = order.currency;
    const presentment = order.presentmentCurrency;
    for (const bag of bags) {
      if (shop && bag.shopMoney.currencyCode !== shop)
        ctx.addIssue({
          code: 'custom',
          message: `shop money in ${bag.shopMoney.currencyCode}, but the order's currency is ${shop}`,
        });
      if (bag.presentmentMoney && !presentment)
        ctx.addIssue({ code: 'custom', message: 'presentment money without presentmentCurrency' });
      if (presentment && presentment !== shop && bag.presentmentMoney?.currencyCode !== presentment)
        ctx.addIssue({ code: 'custom', message: `every amount needs presentment money in ${presentment}` });
    }
  });

/** The `options` argument of `orderCreate`; the default is explained in `ShopifyClient.createOrderOnce`. */
export const orderCreateOptionsInput = z
  .object({
    inventoryBehaviour: z
      .enum(['BYPASS', 'DECREMENT_IGNORING_POLICY', 'DECREMENT_OBEYING_POLICY'])
      .default('DECREMENT_IGNORING_POLICY'),
    sendReceipt: z.boolean().default(false),
    sendFulfillmentReceipt: z.boolean().default(false),
  })
  .strict();
export type OrderCreateOptions = z.input<typeof orderCreateOptionsInput>;

export type TikTokOrderInput = z.infer<typeof tiktokOrderInput>;

// The one type of shoptok's `orderCreate` variables: sync-core's order translation builds
// exactly these (it imports the types), and `createOrderOnce` checks them with the schemas above.
/** `MoneyInput` */
export type OrderCreateMoneyInput = z.infer<typeof money>;
/** `MoneyBagInput` */
export type OrderCreateMoneyBagInput = z.infer<typeof moneyBag>;
/** `MailingAddressInput` */
export type OrderCreateMailingAddressInput = z.infer<typeof address>;
/** `OrderCreateLineItemInput` */
export type OrderCreateLineItemInput = z.infer<typeof lineItem>;
/** `OrderCreateShippingLineInput` */
export type OrderCreateShippingLineInput = z.infer<typeof shippingLine>;
/** `OrderCreateTaxLineInput` */
export type OrderCreateTaxLineInput = z.infer<typeof taxLine>;
/** `OrderCreateOrderTransactionInput` */
export type OrderCreateTransactionInput = z.infer<typeof transaction>;
/** `OrderCreateDiscountCodeInput` (a fixed amount off the items) */
export type OrderCreateDiscountCodeInput = z.infer<typeof discountCode>;
/** The variables of the `orderCreate` mutation as `createOrderOnce` takes them (`OrderCreateOptionsInput` with its defaults filled). */
export interface OrderCreateVariables {
  order: TikTokOrderInput;
  options: z.output<typeof orderCreateOptionsInput>;
}
