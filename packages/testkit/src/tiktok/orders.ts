import { randomInt } from 'node:crypto';
import { ApiFail, arr, decodeToken, encodeToken, type Handler, type HandlerContext, obj, pageSize, str } from './context.js';
import { bigId, type Cancellation, type LineItem, nowSec, type Order } from './model.js';
import type { ShopState } from './state.js';

/** Order statuses in the order they normally move (API-FACTS §5.8). */
export const ORDER_FLOW = [
  'UNPAID',
  'ON_HOLD',
  'AWAITING_SHIPMENT',
  'AWAITING_COLLECTION',
  'IN_TRANSIT',
  'DELIVERED',
  'COMPLETED',
] as const;

const FIRST_NAMES = ['Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Arthur', 'Freya', 'Leo'];
const LAST_NAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Thomas', 'Roberts', 'Walker'];
const TOWNS = [
  ['Manchester', 'M1 1AE', 'Greater Manchester'],
  ['Leeds', 'LS1 4DY', 'West Yorkshire'],
  ['Bristol', 'BS1 5TR', 'Bristol'],
  ['Glasgow', 'G1 2FF', 'Glasgow City'],
  ['Cardiff', 'CF10 1EP', 'Cardiff'],
] as const;

function pick<T>(items: readonly T[]): T {
  return items[randomInt(0, items.length)]!;
}

function money(n: number): string {
  return n.toFixed(2);
}

export interface GenerateOrdersOptions {
  count: number;
  /** Starting status (default ON_HOLD: TikTok holds new orders for a cancellation window). */
  status?: 'UNPAID' | 'ON_HOLD' | 'AWAITING_SHIPMENT';
  /** Only these seller SKUs (default: every SKU of the shop's ACTIVATE products). */
  sellerSkus?: string[];
  /** Most distinct SKUs per order (default 3) and most units per SKU (default 3). */
  maxSkus?: number;
  maxUnits?: number;
  /** Order create time (Unix s); default now. */
  createTime?: number;
  /** Seconds from creation to the ship-by deadline `rts_sla_time` (default 3 days; the real SLA varies by market). */
  shipWithinSeconds?: number;
  /** A creator's free sample (`is_sample_order`). */
  sampleOrder?: boolean;
  /** Discount per unit line, in the shop currency (default none): the seller's and TikTok's. */
  lineDiscount?: { seller?: number; platform?: number };
}

/** Realistic orders for SKUs the shop lists: one line item per unit, several SKUs, UK addresses. */
export function generateOrders(shop: ShopState, options: GenerateOrdersOptions): Order[] {
  const skus = [...shop.products.values()]
    .filter((p) => p.status === 'ACTIVATE')
    .flatMap((p) => p.skus.map((s) => ({ product: p, sku: s })))
    .filter(({ sku }) => !options.sellerSkus || options.sellerSkus.includes(sku.seller_sku));
  if (skus.length === 0)
    throw new Error('The stand-in shop has no live (ACTIVATE) SKUs to order: create products and let them pass audit first.');
  const option = shop.deliveryOptions[0];
  const warehouse = shop.warehouses.find((w) => w.isDefault) ?? shop.warehouses[0];
  const out: Order[] = [];
  for (let n = 0; n < options.count; n++) {
    const now = options.createTime ?? nowSec();
    const chosen = new Set<number>();
    const distinct = randomInt(1, Math.min(options.maxSkus ?? 3, skus.length) + 1);
    while (chosen.size < distinct) chosen.add(randomInt(0, skus.length));
    const lineItems: LineItem[] = [];
    for (const index of chosen) {
      const { product, sku } = skus[index]!;
      const units = randomInt(1, (options.maxUnits ?? 3) + 1);
      for (let u = 0; u < units; u++) {
        const original = Number(sku.price.sale_price ?? sku.price.amount);
        const sellerDiscount = Math.min(options.lineDiscount?.seller ?? 0, original);
        const platformDiscount = Math.min(options.lineDiscount?.platform ?? 0, original - sellerDiscount);
        lineItems.push({
          id: bigId('57'),
          sku_id: sku.id,
          product_id: product.id,
          product_name: product.title,
          sku_name:
            sku.sales_attributes
              .map((a) => a.value_name ?? '')
              .filter(Boolean)
              .join(', ') || 'Default',
          seller_sku: sku.seller_sku,
          sale_price: money(original - sellerDiscount - platformDiscount),
          original_price: sku.price.amount,
          seller_discount: money(sellerDiscount),
          platform_discount: money(platformDiscount),
          currency: sku.price.currency,
          display_status: options.status ?? 'ON_HOLD',
          is_gift: false,
        });
      }
    }
    const subTotal = lineItems.reduce((sum, li) => sum + Number(li.sale_price), 0);
    const shippingFee = subTotal >= 20 ? 0 : 2.99;
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const [town, postcode, county] = pick(TOWNS);
    const street = `${randomInt(1, 200)} ${pick(['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Park Avenue'])}`;
    const order: Order = {
      id: bigId('57'),
      shopId: shop.shopId,
      status: options.status ?? 'ON_HOLD',
      create_time: now,
      update_time: now,
      paid_time: now,
      user_id: bigId('74'),
      buyer_email: `${bigId('1').slice(0, 12)}@scs.tiktokw.uk`,
      buyer_message: '',
      fulfillment_type: 'FULFILLMENT_BY_SELLER',
      shipping_type: 'SELLER',
      delivery_option_id: option?.id ?? '',
      delivery_option_name: option?.name ?? 'Standard shipping',
      warehouse_id: warehouse?.id ?? '',
      is_cod: false,
      is_sample_order: options.sampleOrder ?? false,
      is_on_hold_order: (options.status ?? 'ON_HOLD') === 'ON_HOLD',
      rts_sla_time: now + (options.shipWithinSeconds ?? 3 * 86_400),
      packages: [],
      payment: {
        currency: shop.currency,
        sub_total: money(subTotal),
        shipping_fee: money(shippingFee),
        seller_discount: money(lineItems.reduce((sum, li) => sum + Number(li.seller_discount), 0)),
        platform_discount: money(lineItems.reduce((sum, li) => sum + Number(li.platform_discount), 0)),
        total_amount: money(subTotal + shippingFee),
        original_total_product_price: money(lineItems.reduce((s, li) => s + Number(li.original_price), 0)),
        tax: money((subTotal * 0.2) / 1.2),
      },
      recipient_address: {
        name: `${first} ${last}`,
        first_name: first,
        last_name: last,
        phone_number: `(+44)7${randomInt(100000000, 999999999)}`,
        full_address: `${street}, ${town}, ${county}, ${postcode}, United Kingdom`,
        address_line1: street,
        address_line2: '',
        postal_code: postcode,
        region_code: 'GB',
        district_info: [
          { address_level: 'L0', address_level_name: 'Country', address_name: 'United Kingdom' },
          { address_level: 'L1', address_level_name: 'County', address_name: county },
          { address_level: 'L3', address_level_name: 'Post town', address_name: town },
        ],
      },
      line_items: lineItems,
    };
    shop.orders.set(order.id, order);
    out.push(order);
  }
  return out;
}

/** The order as the API shows it: US/UK seller orders have no package fields until shipped. */
function orderView(order: Order): Record<string, unknown> {
  const { shopId: _shop, shipped_time: _shipped, ...rest } = order;
  return { ...rest, line_items: order.line_items.map((li) => ({ ...li })) };
}

function timeFilter(body: Record<string, unknown>, field: 'create_time' | 'update_time', value: number): boolean {
  const ge = body[`${field}_ge`];
  const lt = body[`${field}_lt`];
  return (typeof ge !== 'number' || value >= ge) && (typeof lt !== 'number' || value < lt);
}

export const searchOrders: Handler = (ctx) => {
  const size = pageSize(ctx.query, 1, 100, 20, 21001001, 'Invalid parameters. page_size must be 1-100.');
  const offset = decodeToken(ctx.query.get('page_token'));
  if (offset === undefined) throw new ApiFail(21001001, 'Invalid parameters. page_token is invalid.');
  const sortField = ctx.query.get('sort_field') ?? 'create_time';
  const sortOrder = ctx.query.get('sort_order') ?? 'DESC';
  if (!['create_time', 'update_time'].includes(sortField) || !['ASC', 'DESC'].includes(sortOrder))
    throw new ApiFail(21001001, 'Invalid parameters. sort_field/sort_order');
  const body = obj(ctx.body);
  const status = str(body.order_status);
  const all = [...ctx.shop.orders.values()]
    .filter((o) => !status || o.status === status)
    .filter((o) => timeFilter(body, 'create_time', o.create_time) && timeFilter(body, 'update_time', o.update_time))
    .sort((a, b) => {
      const d = (a[sortField as 'create_time'] - b[sortField as 'create_time']) * (sortOrder === 'ASC' ? 1 : -1);
      return d !== 0 ? d : a.id < b.id ? -1 : 1;
    });
  const page = all.slice(offset, offset + size);
  return {
    orders: page.map(orderView),
    total_count: all.length,
    next_page_token: offset + size < all.length ? encodeToken(offset + size) : '',
  };
};

export const getOrderDetail: Handler = (ctx) => {
  const ids = (ctx.query.get('ids') ?? '').split(',').filter(Boolean);
  if (ids.length === 0 || ids.length > 50) throw new ApiFail(21001001, 'Invalid parameters. ids must hold 1-50 order ids.');
  const orders = ids.map((id) => {
    const order = ctx.shop.orders.get(id);
    if (!order) throw new ApiFail(21008111, 'The order or package does not belong to the current seller.');
    return orderView(order);
  });
  return { orders };
};

function provider(ctx: HandlerContext, order: Order, id: string | undefined) {
  const option = ctx.shop.deliveryOptions.find((d) => d.id === order.delivery_option_id) ?? ctx.shop.deliveryOptions[0];
  const p = option?.providers.find((x) => x.id === id);
  if (!p) throw new ApiFail(21011022, 'Invalid tracking number or provider ID. Please double check and try again.');
  return p;
}

export const markPackageShipped: Handler = (ctx) => {
  const order = ctx.shop.orders.get(ctx.params.order_id ?? '');
  if (!order) throw new ApiFail(21008111, 'The order or package does not belong to the current seller.');
  const body = obj(ctx.body);
  const tracking = str(body.tracking_number);
  if (!tracking || !/^[A-Za-z0-9-]{4,40}$/.test(tracking))
    throw new ApiFail(21004012, 'Tracking number has special characters, verify failed.');
  const p = provider(ctx, order, str(body.shipping_provider_id));
  if (order.status === 'CANCELLED') throw new ApiFail(21011041, 'Cannot complete the operation when order is cancelled.');
  const requested = body.order_line_item_ids === undefined ? undefined : arr(body.order_line_item_ids).map((v) => str(v) ?? '');
  const items = requested
    ? order.line_items.filter((li) => requested.includes(li.id))
    : order.line_items.filter((li) => !li.package_id);
  if (requested && items.length !== requested.length) throw new ApiFail(21011029, 'order does not belong to fulfill unit');
  if (items.length === 0 || items.some((li) => li.package_id))
    throw new ApiFail(21008099, 'Package has been shipped. Please not ship the package again.');
  if (order.status !== 'AWAITING_SHIPMENT' && order.status !== 'PARTIALLY_SHIPPING')
    throw new ApiFail(21011003, `fulfill_unit action not allowed (order is ${order.status})`);
  const packageId = bigId('11');
  for (const li of items)
    Object.assign(li, {
      package_id: packageId,
      package_status: 'SHIPPED',
      tracking_number: tracking,
      shipping_provider_id: p.id,
      shipping_provider_name: p.name,
      display_status: 'IN_TRANSIT',
    });
  order.packages.push({ id: packageId });
  const allShipped = order.line_items.every((li) => li.package_id);
  order.status = allShipped ? 'IN_TRANSIT' : 'PARTIALLY_SHIPPING';
  Object.assign(order, {
    tracking_number: tracking,
    shipping_provider_id: p.id,
    shipping_provider: p.name,
    shipped_time: nowSec(),
    update_time: nowSec(),
  });
  ctx.services.emitWebhook(ctx.shop, 1, {
    order_id: order.id,
    order_status: order.status,
    is_on_hold_order: false,
    update_time: order.update_time,
  });
  return { order_id: order.id, package_id: packageId, order_line_item_ids: items.map((li) => li.id) };
};

export const updateShippingInfo: Handler = (ctx) => {
  const order = ctx.shop.orders.get(ctx.params.order_id ?? '');
  if (!order) throw new ApiFail(21011028, 'The package does not belong to the current shop.');
  if (order.status === 'CANCELLED') throw new ApiFail(21011042, 'Cannot complete the operation when order is cancelled.');
  if (!order.shipped_time) throw new ApiFail(21011043, 'The package has not been shipped yet.');
  if (order.status === 'DELIVERED' || order.status === 'COMPLETED')
    throw new ApiFail(21011030, 'Package has already been delivered.');
  if (nowSec() - order.shipped_time > 72 * 3600)
    throw new ApiFail(21011050, 'The tracking number can only be updated within a certain number of hours.');
  const body = obj(ctx.body);
  const tracking = str(body.tracking_number);
  if (!tracking) throw new ApiFail(21011022, 'Invalid tracking number or provider ID. Please double check and try again.');
  const p = provider(ctx, order, str(body.shipping_provider_id));
  for (const li of order.line_items)
    if (li.package_id)
      Object.assign(li, { tracking_number: tracking, shipping_provider_id: p.id, shipping_provider_name: p.name });
  Object.assign(order, {
    tracking_number: tracking,
    shipping_provider_id: p.id,
    shipping_provider: p.name,
    update_time: nowSec(),
  });
  return {};
};

/** Cancels an order on the buyer's behalf: a cancellation record, status CANCELLED, webhooks 1 and 11. */
export function cancelOrder(
  ctx: Pick<HandlerContext, 'shop' | 'services'>,
  orderId: string,
  reason = 'No longer needed',
): Cancellation {
  const order = ctx.shop.orders.get(orderId);
  if (!order) throw new Error(`No order ${orderId} in the stand-in shop`);
  const now = nowSec();
  const cancellation: Cancellation = {
    cancel_id: bigId('57'),
    order_id: order.id,
    shopId: ctx.shop.shopId,
    cancel_type: 'BUYER_CANCEL',
    cancel_status: 'CANCELLATION_REQUEST_COMPLETE',
    role: 'BUYER',
    cancel_reason: reason,
    cancel_reason_text: reason,
    cancel_line_items: order.line_items.map((li) => ({
      order_line_item_id: li.id,
      sku_id: li.sku_id,
      product_name: li.product_name,
      seller_sku: li.seller_sku,
    })),
    create_time: now,
    update_time: now,
  };
  ctx.shop.cancellations.set(cancellation.cancel_id, cancellation);
  order.status = 'CANCELLED';
  order.cancel_reason = reason;
  order.cancellation_initiator = 'BUYER';
  order.update_time = now;
  for (const li of order.line_items) Object.assign(li, { display_status: 'CANCELLED', cancel_reason: reason });
  // The order webhook says CANCEL where the order API says CANCELLED (§7).
  ctx.services.emitWebhook(ctx.shop, 1, {
    order_id: order.id,
    order_status: 'CANCEL',
    is_on_hold_order: false,
    update_time: now,
  });
  ctx.services.emitWebhook(ctx.shop, 11, {
    order_id: order.id,
    cancellations_role: 'BUYER',
    cancel_status: cancellation.cancel_status,
    cancel_id: cancellation.cancel_id,
    create_time: now,
  });
  return cancellation;
}

/** Moves an order to a status (the shop's own life: hold ends, courier collects, delivered...). */
export function advanceOrder(ctx: Pick<HandlerContext, 'shop' | 'services'>, orderId: string, status: string): Order {
  const order = ctx.shop.orders.get(orderId);
  if (!order) throw new Error(`No order ${orderId} in the stand-in shop`);
  order.status = status;
  order.is_on_hold_order = status === 'ON_HOLD';
  order.update_time = Math.max(nowSec(), order.update_time + 1);
  for (const li of order.line_items) li.display_status = status;
  ctx.services.emitWebhook(ctx.shop, 1, {
    order_id: order.id,
    order_status: status,
    is_on_hold_order: order.is_on_hold_order,
    update_time: order.update_time,
  });
  return order;
}

export const searchCancellations: Handler = (ctx) => {
  const size = pageSize(ctx.query, 1, 50, 10, 25001001, 'An invalid request parameter was passed. page_size must be 1-50.');
  const offset = decodeToken(ctx.query.get('page_token'));
  if (offset === undefined) throw new ApiFail(25001001, 'An invalid request parameter was passed. page_token');
  const body = obj(ctx.body);
  const orderIds = body.order_ids === undefined ? undefined : arr(body.order_ids).map((v) => str(v) ?? '');
  const statuses = body.cancel_status === undefined ? undefined : arr(body.cancel_status).map((v) => str(v) ?? '');
  const all = [...ctx.shop.cancellations.values()]
    .filter((c) => !orderIds || orderIds.includes(c.order_id))
    .filter((c) => !statuses || statuses.includes(c.cancel_status))
    .filter((c) => timeFilter(body, 'create_time', c.create_time) && timeFilter(body, 'update_time', c.update_time))
    .sort((a, b) => b.create_time - a.create_time || (a.cancel_id < b.cancel_id ? -1 : 1));
  const page = all
    .slice(offset, offset + size)
    .map(({ shopId: _s, ...c }) => ({ ...c, refund_amount: { currency: ctx.shop.currency } }));
  return {
    cancellations: page,
    total_count: all.length,
    next_page_token: offset + size < all.length ? encodeToken(offset + size) : '',
  };
};

// Seller reason keys by the order status they fit (API-FACTS §5.10; numeric 100 UNPAID, 111/112 paid).
const UNPAID_REASON_KEYS = new Set([
  'seller_cancel_unpaid_reason_out_of_stock',
  'seller_cancel_unpaid_reason_wrong_price',
  'seller_cancel_unpaid_reason_buyer_requested_cancellation',
  'seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed',
]);
const PAID_REASON_KEYS = new Set([
  'seller_cancel_reason_out_of_stock',
  'seller_cancel_reason_wrong_price',
  'seller_cancel_paid_reason_buyer_requested_cancellation',
  'seller_cancel_paid_reason_address_not_deliver',
]);
const PAID_CANCELLABLE = new Set(['AWAITING_SHIPMENT', 'AWAITING_COLLECTION']);

/**
 * Cancel Order (`POST /return_refund/202309/cancellations`): the seller cancels a whole order with
 * a reason key that fits its status. Checks in the documented codes; a seller cancellation of an
 * unshipped order completes at once here (the real one may stay a pending request: callers follow
 * it through the cancellations search).
 */
export const sellerCancelOrder: Handler = (ctx) => {
  const body = obj(ctx.body);
  const orderId = str(body.order_id);
  const reason = str(body.cancel_reason);
  const invalid = 'An invalid request parameter was passed. Please check that you have the correct parameter type(s) and format.';
  if (!orderId || !reason) throw new ApiFail(25001001, invalid);
  const idempotencyKey = ctx.query.get('idempotency_key');
  if (idempotencyKey !== null && (idempotencyKey === '' || idempotencyKey.length > 255)) throw new ApiFail(25001001, invalid);
  const order = ctx.shop.orders.get(orderId);
  if (!order) throw new ApiFail(25020005, 'No permission to process this order');
  const replayed = idempotencyKey ? ctx.shop.idempotency.get(`cancel:${idempotencyKey}`) : undefined;
  if (replayed) {
    const earlier = ctx.shop.cancellations.get(replayed)!;
    return { cancel_id: earlier.cancel_id, cancel_status: earlier.cancel_status };
  }
  if (body.order_line_item_ids !== undefined || body.skus !== undefined)
    throw new ApiFail(25005010, 'Unable to cancel individual line items within this request.');
  if (!UNPAID_REASON_KEYS.has(reason) && !PAID_REASON_KEYS.has(reason))
    throw new ApiFail(25001014, 'Unknown return reason. Please ensure you are passing a valid return reason.');
  if (order.status === 'COMPLETED' || order.status === 'CANCELLED')
    throw new ApiFail(25001051, 'Not allowed to return or cancel since order is completed or cancelled');
  if (
    [...ctx.shop.cancellations.values()].some((c) => c.order_id === order.id && c.cancel_status !== 'CANCELLATION_REQUEST_CANCEL')
  )
    throw new ApiFail(25001011, 'A return request is already in process, or the order has already been cancelled.');
  if (
    order.line_items.some((li) => li.package_id) ||
    !(order.status === 'UNPAID' || PAID_CANCELLABLE.has(order.status) || order.status === 'ON_HOLD')
  )
    throw new ApiFail(25001045, 'The order has already been shipped and we are unable to cancel shipment with the courier.');
  // ON_HOLD has no documented reason list; taken as paid here (unconfirmed), shoptok never sends it.
  const fits = order.status === 'UNPAID' ? UNPAID_REASON_KEYS.has(reason) : PAID_REASON_KEYS.has(reason);
  if (!fits) throw new ApiFail(25001021, 'Reason not match order status');
  const now = nowSec();
  const cancellation: Cancellation = {
    cancel_id: bigId('57'),
    order_id: order.id,
    shopId: ctx.shop.shopId,
    cancel_type: 'CANCEL',
    cancel_status: 'CANCELLATION_REQUEST_COMPLETE',
    role: 'SELLER',
    cancel_reason: reason,
    cancel_reason_text: reason.replace(/^seller_cancel_(unpaid_|paid_)?reason_/, '').replace(/_/g, ' '),
    cancel_line_items: order.line_items.map((li) => ({
      order_line_item_id: li.id,
      sku_id: li.sku_id,
      product_name: li.product_name,
      seller_sku: li.seller_sku,
    })),
    create_time: now,
    update_time: now,
  };
  ctx.shop.cancellations.set(cancellation.cancel_id, cancellation);
  if (idempotencyKey) ctx.shop.idempotency.set(`cancel:${idempotencyKey}`, cancellation.cancel_id);
  order.status = 'CANCELLED';
  order.cancel_reason = cancellation.cancel_reason_text;
  order.cancellation_initiator = 'SELLER';
  order.update_time = now;
  for (const li of order.line_items)
    Object.assign(li, { display_status: 'CANCELLED', cancel_reason: cancellation.cancel_reason_text });
  ctx.services.emitWebhook(ctx.shop, 1, {
    order_id: order.id,
    order_status: 'CANCEL',
    is_on_hold_order: false,
    update_time: now,
  });
  ctx.services.emitWebhook(ctx.shop, 11, {
    order_id: order.id,
    cancellations_role: 'SELLER',
    cancel_status: cancellation.cancel_status,
    cancel_id: cancellation.cancel_id,
    create_time: now,
  });
  return { cancel_id: cancellation.cancel_id, cancel_status: cancellation.cancel_status };
};
