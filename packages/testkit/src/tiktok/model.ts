import { randomBytes, randomInt } from 'node:crypto';

/** A shop to seed into the stand-in. */
export interface ShopSeed {
  appKey: string;
  appSecret: string;
  shopId?: string;
  cipher?: string;
  name?: string;
  /** Market, e.g. `GB` (default) or `US`; drives title, SKU and price limits. */
  region?: string;
  currency?: string;
  warehouses?: { id: string; name: string; isDefault?: boolean }[];
  /** Delivery options and their shipping providers. */
  deliveryOptions?: { id: string; name: string; providers: { id: string; name: string }[] }[];
  /** Access token lifetime (default 7 days, §2). */
  accessTokenTtlSec?: number;
  /** Refresh token lifetime (default 365 days). */
  refreshTokenTtlSec?: number;
}

export interface SeededShop {
  shopId: string;
  cipher: string;
  appKey: string;
  /** A fresh token pair (expiries in epoch ms). */
  tokens: { accessToken: string; accessTokenExpiresAt: number; refreshToken: string; refreshTokenExpiresAt: number };
  /** A single-use authorization code for `/api/v2/token/get`. */
  authCode: string;
}

export interface Sku {
  id: string;
  seller_sku: string;
  price: { amount: string; currency: string; sale_price?: string };
  inventory: { warehouse_id: string; quantity: number }[];
  sales_attributes: { id?: string; name?: string; value_id?: string; value_name?: string }[];
  external_sku_id?: string;
}

export interface Product {
  id: string;
  shopId: string;
  title: string;
  description: string;
  category_id: string;
  brand_id?: string;
  main_images: { uri: string }[];
  skus: Sku[];
  product_attributes: { id: string; values: { id?: string; name?: string }[] }[];
  package_weight?: { value: string; unit: string };
  package_dimensions?: { length: string; width: string; height: string; unit: string };
  external_product_id?: string;
  status: string;
  audit: { status: string };
  audit_failed_reasons: { position: string; reasons: string[]; suggestions: string[]; listing_platform: string }[];
  create_time: number;
  update_time: number;
}

export interface LineItem {
  id: string;
  sku_id: string;
  product_id: string;
  product_name: string;
  sku_name: string;
  seller_sku: string;
  sale_price: string;
  original_price: string;
  /** This unit's discounts: sale_price = original_price - seller_discount - platform_discount. */
  seller_discount: string;
  platform_discount: string;
  currency: string;
  display_status: string;
  package_id?: string;
  package_status?: string;
  tracking_number?: string;
  shipping_provider_id?: string;
  shipping_provider_name?: string;
  cancel_reason?: string;
  is_gift: boolean;
}

export interface Order {
  id: string;
  shopId: string;
  status: string;
  create_time: number;
  update_time: number;
  paid_time: number;
  user_id: string;
  buyer_email: string;
  buyer_message: string;
  fulfillment_type: string;
  shipping_type: string;
  delivery_option_id: string;
  delivery_option_name: string;
  warehouse_id: string;
  is_cod: boolean;
  is_sample_order: boolean;
  is_on_hold_order: boolean;
  /** Ship-by deadline (Unix s): the seller must have the package ready to ship by then. */
  rts_sla_time: number;
  cancel_reason?: string;
  cancellation_initiator?: string;
  shipped_time?: number;
  tracking_number?: string;
  shipping_provider_id?: string;
  shipping_provider?: string;
  packages: { id: string }[];
  payment: Record<string, string>;
  recipient_address: Record<string, unknown>;
  line_items: LineItem[];
}

export interface Cancellation {
  cancel_id: string;
  order_id: string;
  shopId: string;
  cancel_type: string;
  cancel_status: string;
  role: string;
  cancel_reason: string;
  cancel_reason_text: string;
  cancel_line_items: { order_line_item_id: string; sku_id: string; product_name: string; seller_sku: string }[];
  create_time: number;
  update_time: number;
}

/** A 19-digit id like TikTok's (always a string). */
export function bigId(prefix = '17'): string {
  let digits = prefix;
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return digits;
}

/** A request id shaped like TikTok's: timestamp prefix + hex. */
export function requestId(): string {
  const d = new Date();
  const stamp = d
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
  return `${stamp}${randomBytes(10).toString('hex').toUpperCase()}`;
}

export function opaque(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}

/** Unix seconds. */
export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
