import { randomBytes } from 'node:crypto';
import { attributesFor, requiresDimensions } from './categories.js';
import { ApiFail, arr, decodeToken, encodeToken, type Handler, type HandlerContext, obj, pageSize, str } from './context.js';
import {
  MAX_DESCRIPTION,
  MAX_DESCRIPTION_IMAGES,
  MAX_MAIN_IMAGES,
  MAX_QUANTITY,
  MAX_SALES_ATTRIBUTE_TYPES,
  maxSkus,
  priceRange,
  SEARCH_WINDOW,
  titleRange,
} from './limits.js';
import { bigId, nowSec, type Product, type Sku } from './model.js';
import type { ShopState } from './state.js';

const IMAGE_HOST = 'https://p16-oec-standin.ibyteimg.com/';

// ---- images --------------------------------------------------------------------------------

export function registerImage(shop: ShopState): { uri: string; url: string } {
  const uri = `tos-standin-i-${randomBytes(5).toString('hex')}/${randomBytes(12).toString('hex')}`;
  shop.images.add(uri);
  return { uri, url: `${IMAGE_HOST}${uri}~tplv-o3syd03w52-origin-jpeg.jpeg` };
}

// ---- validation ----------------------------------------------------------------------------

function checkTitle(region: string, title: unknown): string {
  if (typeof title !== 'string' || title.length === 0) throw new ApiFail(12052261, 'product name is empty');
  const [min, max] = titleRange(region);
  if ([...title].length < min || [...title].length > max)
    throw new ApiFail(12052051, `The product name exceed max limit characters (${min}-${max} in ${region})`);
  if (/[\u4e00-\u9fff]/.test(title)) throw new ApiFail(12052262, 'Chinese characters are not supported in product name');
  // eslint-disable-next-line no-control-regex
  if (/&(#\d+|[a-z]+);/i.test(title) || /\p{Extended_Pictographic}/u.test(title) || /[\x00-\x1f\x7f]/.test(title)) {
    throw new ApiFail(
      12052931,
      'The title must follow these formatting rules: it cannot contain HTML escape characters (e.g., &nbsp;), emojis or ASCII control characters',
    );
  }
  return title;
}

function checkDescription(description: unknown): string {
  if (typeof description !== 'string' || description.trim().length === 0)
    throw new ApiFail(12052015, 'The product description is required');
  if (description.length > MAX_DESCRIPTION)
    throw new ApiFail(12052013, `The product description cannot exceed maximum characters (${MAX_DESCRIPTION})`);
  const images = description.match(/<img\b[^>]*>/gi) ?? [];
  if (images.length > MAX_DESCRIPTION_IMAGES)
    throw new ApiFail(12052056, `The num of image in description cannot exceed max limit (${MAX_DESCRIPTION_IMAGES})`);
  for (const tag of images) {
    if (!/\bsrc\s*=/.test(tag) || !/\bwidth\s*=/.test(tag) || !/\bheight\s*=/.test(tag))
      throw new ApiFail(
        12052348,
        'The product description html tag required attribute is miss. (<img> needs src, width and height)',
      );
    const src = /\bsrc\s*=\s*"([^"]*)"/.exec(tag)?.[1] ?? '';
    if (!src.startsWith(IMAGE_HOST))
      throw new ApiFail(12052340, 'product description image uri illegal (use the url of an uploaded DESCRIPTION_IMAGE)');
  }
  return description;
}

function checkMoney(value: unknown, region: string, currency: string, shopCurrency: string): string {
  const amount = str(value);
  if (amount === undefined || !/^\d+(\.\d{1,2})?$/.test(amount)) throw new ApiFail(12052073, 'The product price is invalid');
  if (currency !== shopCurrency)
    throw new ApiFail(12052084, `The provided currency is not available for this shop/region (expected ${shopCurrency}).`);
  const [min, max] = priceRange(region);
  const n = Number(amount);
  if (n < min || n > max) throw new ApiFail(12052570, `product price exceed limit (${min}-${max} ${shopCurrency})`);
  return amount;
}

function checkInventory(shop: ShopState, value: unknown): { warehouse_id: string; quantity: number }[] {
  const rows = arr(value);
  if (rows.length === 0) throw new ApiFail(12019022, 'SKU must contain a valid warehouse.');
  return rows.map((row) => {
    const r = obj(row);
    const warehouseId = str(r.warehouse_id);
    if (!warehouseId || !shop.warehouses.some((w) => w.id === warehouseId))
      throw new ApiFail(12052097, 'The warehouse does not exist');
    const q = r.quantity;
    // 0 is accepted (the doc says 1-99,999; whether 0 is refused is unconfirmed, and selling out needs it).
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 0 || q > MAX_QUANTITY)
      throw new ApiFail(12052055, 'The SKU inventory quantity for the warehouse must be within allowed limits.');
    return { warehouse_id: warehouseId, quantity: q };
  });
}

interface ValidOptions {
  existing?: Product;
}

/** Checks a create/edit body as TikTok does and returns the product it describes. */
function validateProduct(
  ctx: HandlerContext,
  body: Record<string, unknown>,
  options: ValidOptions,
): Omit<Product, 'id' | 'shopId' | 'status' | 'audit' | 'audit_failed_reasons' | 'create_time' | 'update_time'> {
  const { shop, tree } = ctx;
  const title = checkTitle(shop.region, body.title);
  const description = checkDescription(body.description);
  const categoryId = str(body.category_id);
  const category = categoryId ? tree.byId.get(categoryId) : undefined;
  if (!categoryId || !category) throw new ApiFail(12052023, 'Category does not exist');
  if (!category.is_leaf) throw new ApiFail(12052024, 'Category is not final category');
  const version = str(body.category_version);
  if (version !== undefined && version !== 'v1')
    throw new ApiFail(12052217, 'Incorrect category version (this shop uses the v1 tree).');

  const images = arr(body.main_images).map((i) => str(obj(i).uri) ?? '');
  if (images.length === 0) throw new ApiFail(12052028, 'Main product image is required');
  if (images.length > MAX_MAIN_IMAGES) throw new ApiFail(12052306, `main product images count exceed limit (${MAX_MAIN_IMAGES})`);
  for (const uri of images)
    if (!shop.images.has(uri))
      throw new ApiFail(12052300, `product main image uri illegal: ${uri} (only uris from Upload Product Image are accepted)`);

  const weight = obj(body.package_weight);
  if (
    !str(weight.value) ||
    !/^\d+(\.\d+)?$/.test(str(weight.value)!) ||
    !['KILOGRAM', 'GRAM', 'POUND'].includes(str(weight.unit) ?? '')
  ) {
    throw new ApiFail(12019011, 'product package weight is invalid');
  }
  if (str(weight.unit) === 'POUND' && shop.region !== 'US')
    throw new ApiFail(
      12019061,
      'Product weight or dimensions unit does not support the imperial units on non-US local products.',
    );
  let dimensions: Product['package_dimensions'];
  if (body.package_dimensions !== undefined) {
    const d = obj(body.package_dimensions);
    const parts = [str(d.length), str(d.width), str(d.height)];
    if (parts.some((p) => !p || !/^\d+(\.\d+)?$/.test(p)) || !['CENTIMETER', 'INCH'].includes(str(d.unit) ?? ''))
      throw new ApiFail(12019012, 'product package size is invalid');
    dimensions = { length: parts[0]!, width: parts[1]!, height: parts[2]!, unit: str(d.unit)! };
  } else if (requiresDimensions(tree, categoryId)) {
    throw new ApiFail(12019012, 'product package size is invalid (package_dimensions is required in this category)');
  }

  const brandId = str(body.brand_id);
  if (brandId !== undefined && !BRANDS.some((b) => b.id === brandId)) throw new ApiFail(12052026, 'Brand does not exist');

  // Required product attributes of the category.
  const attributes = arr(body.product_attributes).map((a) => {
    const o = obj(a);
    return { id: str(o.id) ?? '', values: arr(o.values).map((v) => ({ id: str(obj(v).id), name: str(obj(v).name) })) };
  });
  for (const attr of attributesFor(tree, categoryId)) {
    if (attr.type !== 'PRODUCT_PROPERTY' || !attr.is_requried) continue;
    const given = attributes.find((a) => a.id === attr.id);
    if (!given || given.values.length === 0)
      throw new ApiFail(12052104, `property is required: ${attr.name} (attribute ${attr.id})`);
  }

  const skusIn = arr(body.skus);
  if (skusIn.length === 0) throw new ApiFail(12052910, 'Invalid input parameters. skus is required.');
  if (skusIn.length > maxSkus(shop.region))
    throw new ApiFail(12052050, `A single product cannot have more than ${maxSkus(shop.region)} different SKUs`);
  const seen = new Set<string>();
  const saleTypes = new Set<string>();
  const skus: Sku[] = skusIn.map((raw) => {
    const s = obj(raw);
    const id = str(s.id);
    const prior = id !== undefined ? options.existing?.skus.find((k) => k.id === id) : undefined;
    if (id !== undefined && !prior) throw new ApiFail(12052556, `The SKU id not exist. (${id})`);
    const sellerSku = str(s.seller_sku) ?? '';
    if (sellerSku.length < 1 || sellerSku.length > 50)
      throw new ApiFail(12052054, 'The seller SKU text length cannot exceed max limit characters (1-50).');
    if (/\s/.test(sellerSku)) throw new ApiFail(12019059, 'seller sku is invalid (no spaces allowed)');
    if (seen.has(sellerSku))
      throw new ApiFail(12052910, `Invalid input parameters. Duplicate seller_sku ${sellerSku} in this product.`);
    seen.add(sellerSku);
    const owner = shop.sellerSkus.get(sellerSku);
    if (owner !== undefined && owner !== options.existing?.id)
      throw new ApiFail(
        12052910,
        `Invalid input parameters. seller_sku ${sellerSku} is already used by product ${owner} in this shop.`,
      );
    let price = prior?.price;
    if (s.price !== undefined || !prior) {
      const p = obj(s.price);
      const currency = str(p.currency) ?? '';
      price = { amount: checkMoney(p.amount, shop.region, currency, shop.currency), currency };
      if (p.sale_price !== undefined) price.sale_price = checkMoney(p.sale_price, shop.region, currency, shop.currency);
    }
    // Edit keeps inventory when omitted (§5.4).
    const inventory = s.inventory === undefined && prior ? prior.inventory : checkInventory(shop, s.inventory);
    const salesAttributes = arr(s.sales_attributes).map((a) => {
      const o = obj(a);
      return { id: str(o.id), name: str(o.name), value_id: str(o.value_id), value_name: str(o.value_name) };
    });
    for (const a of salesAttributes) saleTypes.add(a.id ?? a.name ?? '');
    return {
      id: id ?? bigId('17'),
      seller_sku: sellerSku,
      price: price!,
      inventory,
      sales_attributes: salesAttributes,
      external_sku_id: str(s.external_sku_id),
    };
  });
  if (saleTypes.size > MAX_SALES_ATTRIBUTE_TYPES) throw new ApiFail(12052525, 'The attribute max num cannot exceed 3.');

  return {
    title,
    description,
    category_id: categoryId,
    brand_id: brandId,
    main_images: images.map((uri) => ({ uri })),
    skus,
    product_attributes: attributes,
    package_weight: { value: str(weight.value)!, unit: str(weight.unit)! },
    package_dimensions: dimensions,
    external_product_id: str(body.external_product_id),
  };
}

function claimSellerSkus(shop: ShopState, product: Product, previous?: Sku[]): void {
  for (const sku of previous ?? [])
    if (shop.sellerSkus.get(sku.seller_sku) === product.id) shop.sellerSkus.delete(sku.seller_sku);
  for (const sku of product.skus) shop.sellerSkus.set(sku.seller_sku, product.id);
}

function ownProduct(shop: ShopState, productId: string | undefined, allowFrozen = false): Product {
  const product = productId ? shop.products.get(productId) : undefined;
  if (!product) throw new ApiFail(12052032, 'The product does not exist');
  if (!allowFrozen && (product.status === 'FREEZE' || product.status === 'DELETED')) {
    throw new ApiFail(
      12052901,
      'The product in its current status is not available for this operation. Change the product status and try again.',
    );
  }
  return product;
}

function skuView(sku: Sku) {
  return {
    id: sku.id,
    seller_sku: sku.seller_sku,
    price: {
      currency: sku.price.currency,
      sale_price: sku.price.sale_price ?? sku.price.amount,
      tax_exclusive_price: sku.price.amount,
    },
    inventory: sku.inventory.map((i) => ({ warehouse_id: i.warehouse_id, quantity: i.quantity })),
  };
}

// ---- handlers ------------------------------------------------------------------------------

export const createProduct: Handler = (ctx) => {
  const body = obj(ctx.body);
  const key = str(body.idempotency_key);
  if (key !== undefined) {
    if (key.length > 128) throw new ApiFail(12052910, 'Invalid input parameters. idempotency_key is longer than 128 characters.');
    const known = ctx.shop.idempotency.get(key);
    const product = known ? ctx.shop.products.get(known) : undefined;
    // A resend with the same key gets the first answer instead of a second product.
    if (product)
      return {
        product_id: product.id,
        skus: product.skus.map((s) => ({ id: s.id, seller_sku: s.seller_sku, sales_attributes: [] })),
        warnings: [],
      };
  }
  const fields = validateProduct(ctx, body, {});
  const now = nowSec();
  const product: Product = {
    ...fields,
    id: bigId('17'),
    shopId: ctx.shop.shopId,
    status: 'PENDING',
    audit: { status: 'AUDITING' },
    audit_failed_reasons: [],
    create_time: now,
    update_time: now,
  };
  if (str(body.save_mode) === 'AS_DRAFT') {
    product.status = 'DRAFT';
    product.audit = { status: 'NONE' };
  }
  ctx.shop.products.set(product.id, product);
  claimSellerSkus(ctx.shop, product);
  if (key !== undefined) ctx.shop.idempotency.set(key, product.id);
  ctx.services.emitWebhook(ctx.shop, 16, { product_id: product.id, product_types: ['NORMAL'], update_time: now });
  if (product.status === 'PENDING') ctx.services.scheduleAudit(ctx.shop, product.id);
  return {
    product_id: product.id,
    skus: product.skus.map((s) => ({
      id: s.id,
      seller_sku: s.seller_sku,
      sales_attributes: s.sales_attributes.map((a) => ({ id: a.id, value_id: a.value_id })),
      external_sku_id: s.external_sku_id,
    })),
    warnings: [],
  };
};

export const editProduct: Handler = (ctx) => {
  const product = ownProduct(ctx.shop, ctx.params.product_id);
  const previous = product.skus;
  const fields = validateProduct(ctx, obj(ctx.body), { existing: product });
  // Full replace: whatever the body omits is blanked (brand, attributes, dimensions, ...).
  Object.assign(product, { brand_id: undefined, package_dimensions: undefined, external_product_id: undefined }, fields);
  product.update_time = nowSec();
  product.status = 'PENDING';
  product.audit = { status: 'AUDITING' };
  product.audit_failed_reasons = [];
  claimSellerSkus(ctx.shop, product, previous);
  ctx.services.scheduleAudit(ctx.shop, product.id);
  return { skus: product.skus.map((s) => ({ id: s.id, seller_sku: s.seller_sku })), warnings: [] };
};

const PRICE_OR_STOCK_ONLY = (body: Record<string, unknown>) => Object.keys(body).every((k) => k === 'skus');

export const partialEditProduct: Handler = (ctx) => {
  const product = ownProduct(ctx.shop, ctx.params.product_id);
  const body = obj(ctx.body);
  const previous = product.skus;
  // Top-level fields replace the stored ones individually: validate the merged product.
  const merged = {
    title: product.title,
    description: product.description,
    category_id: product.category_id,
    brand_id: product.brand_id,
    main_images: product.main_images,
    skus: product.skus,
    product_attributes: product.product_attributes,
    package_weight: product.package_weight,
    package_dimensions: product.package_dimensions,
    ...body,
  };
  const fields = validateProduct(ctx, merged, { existing: product });
  Object.assign(product, fields);
  product.update_time = nowSec();
  claimSellerSkus(ctx.shop, product, previous);
  if (!PRICE_OR_STOCK_ONLY(body)) {
    product.status = 'PENDING';
    product.audit = { status: 'AUDITING' };
    product.audit_failed_reasons = [];
    ctx.services.scheduleAudit(ctx.shop, product.id);
  }
  return { product_id: product.id, skus: product.skus.map((s) => ({ id: s.id, seller_sku: s.seller_sku })), warnings: [] };
};

export const updatePrice: Handler = (ctx) => {
  const product = ownProduct(ctx.shop, ctx.params.product_id);
  const skus = arr(obj(ctx.body).skus);
  if (skus.length === 0)
    throw new ApiFail(12052902, 'The SKU list is empty. Either omit the list entirely, or provide all required details.');
  const updates = skus.map((raw) => {
    const s = obj(raw);
    const sku = product.skus.find((k) => k.id === str(s.id));
    if (!sku) throw new ApiFail(12052557, `The SKU ID does not belong to the product. (${str(s.id) ?? ''})`);
    const p = obj(s.price);
    const currency = str(p.currency) ?? '';
    const price: Sku['price'] = { amount: checkMoney(p.amount, ctx.shop.region, currency, ctx.shop.currency), currency };
    if (p.sale_price !== undefined) price.sale_price = checkMoney(p.sale_price, ctx.shop.region, currency, ctx.shop.currency);
    return { sku, price };
  });
  for (const { sku, price } of updates) sku.price = price; // no audit for price-only changes
  product.update_time = nowSec();
  return {};
};

export const updateInventory: Handler = (ctx) => {
  const product = ownProduct(ctx.shop, ctx.params.product_id);
  const skus = arr(obj(ctx.body).skus);
  if (skus.length === 0) throw new ApiFail(12052036, 'The SKU ID is necessary');
  const errors: { code: number; message: string; detail: Record<string, unknown> }[] = [];
  for (const raw of skus) {
    const s = obj(raw);
    const skuId = str(s.id) ?? '';
    const sku = product.skus.find((k) => k.id === skuId);
    if (!sku) {
      errors.push({ code: 12052556, message: 'The SKU id not exist.', detail: { sku_id: skuId } });
      continue;
    }
    const rows = arr(s.inventory).map(obj);
    const assigned = sku.inventory.map((i) => i.warehouse_id);
    const extra: { warehouse_id: string; code: number; message: string }[] = [];
    const next = new Map<string, number>();
    for (const row of rows) {
      // warehouse_id may be omitted only when the SKU has a single warehouse.
      const wid = str(row.warehouse_id) ?? (assigned.length === 1 ? assigned[0]! : '');
      const q = row.quantity;
      if (!assigned.includes(wid)) extra.push({ warehouse_id: wid, code: 12052097, message: 'The warehouse does not exist' });
      else if (typeof q !== 'number' || !Number.isInteger(q) || q < 0 || q > MAX_QUANTITY)
        extra.push({
          warehouse_id: wid,
          code: 12052055,
          message: 'The SKU inventory quantity for the warehouse must be within allowed limits.',
        });
      else next.set(wid, q);
    }
    const missing = assigned.filter((w) => !next.has(w) && !extra.some((e) => e.warehouse_id === w));
    if (extra.length > 0 || missing.length > 0) {
      if (missing.length > 0) {
        errors.push({
          code: 12019028,
          message: 'Multiple warehouses detected. Include all warehouse IDs and the corresponding details and try again.',
          detail: {
            sku_id: skuId,
            extra_errors: missing.map((w) => ({ warehouse_id: w, code: 12019028, message: 'warehouse missing' })),
          },
        });
      } else {
        errors.push({ code: extra[0]!.code, message: extra[0]!.message, detail: { sku_id: skuId, extra_errors: extra } });
      }
      continue;
    }
    sku.inventory = assigned.map((w) => ({ warehouse_id: w, quantity: next.get(w)! }));
  }
  product.update_time = nowSec();
  return { errors };
};

function statusBatch(ctx: HandlerContext, apply: (p: Product) => number | undefined) {
  const ids = arr(obj(ctx.body).product_ids).map((v) => str(v) ?? '');
  if (ids.length === 0) throw new ApiFail(12052910, 'Invalid input parameters. product_ids is required.');
  if (ids.length > 20) throw new ApiFail(12019120, 'The number of provided product IDs exceeds the limit.');
  const errors: { code: number; message: string; detail: Record<string, unknown> }[] = [];
  for (const id of ids) {
    const product = ctx.shop.products.get(id);
    if (!product || product.status === 'DELETED') {
      errors.push({ code: 12052032, message: 'The product does not exist', detail: { product_id: id } });
      continue;
    }
    const code = apply(product);
    if (code !== undefined)
      errors.push({
        code,
        message: 'The product in its current status is not available for this operation.',
        detail: { product_id: id },
      });
    else {
      product.update_time = nowSec();
      ctx.services.emitWebhook(ctx.shop, 5, {
        product_id: product.id,
        status: 'PRODUCT_STATUS_CHANGED',
        suspended_reason: '',
        update_time: product.update_time,
      });
    }
  }
  return { errors };
}

export const activateProducts: Handler = (ctx) =>
  statusBatch(ctx, (p) => {
    if (p.status !== 'SELLER_DEACTIVATED') return 12052901;
    p.status = 'ACTIVATE';
    return undefined;
  });

export const deactivateProducts: Handler = (ctx) =>
  statusBatch(ctx, (p) => {
    if (p.status !== 'ACTIVATE') return 12052901;
    p.status = 'SELLER_DEACTIVATED';
    return undefined;
  });

export const deleteProducts: Handler = (ctx) =>
  statusBatch(ctx, (p) => {
    p.status = 'DELETED';
    for (const s of p.skus) if (ctx.shop.sellerSkus.get(s.seller_sku) === p.id) ctx.shop.sellerSkus.delete(s.seller_sku);
    return undefined;
  });

const searchOrderCache = new WeakMap<ShopState, Product[]>();
const bySearchOrder = (a: Product, b: Product) => b.update_time - a.update_time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The shop's products, most recently updated first. Sorting 25,000 products on every page is
 * what made big-shop tests slow, so the last order is kept and reused while it still holds:
 * same products (a permutation of the shop's) and still sorted by their current update times.
 */
function productsBySearchOrder(shop: ShopState): Product[] {
  const cached = searchOrderCache.get(shop);
  if (
    cached &&
    cached.length === shop.products.size &&
    cached.every((p, i) => shop.products.get(p.id) === p && (i === 0 || bySearchOrder(cached[i - 1]!, p) <= 0))
  )
    return cached;
  const sorted = [...shop.products.values()].sort(bySearchOrder);
  searchOrderCache.set(shop, sorted);
  return sorted;
}

export const searchProducts: Handler = (ctx) => {
  const size = pageSize(ctx.query, 1, 100, undefined, 12019109, 'page size is invalid');
  const offset = decodeToken(ctx.query.get('page_token'));
  if (offset === undefined) throw new ApiFail(12052910, 'Invalid input parameters. page_token is invalid.');
  const body = obj(ctx.body);
  const status = str(body.status) ?? 'ALL';
  const skus = body.seller_skus === undefined ? undefined : arr(body.seller_skus).map((v) => str(v) ?? '');
  if (skus && skus.length > 10) throw new ApiFail(12019027, 'The maximum count of “seller_skus” in the search filter is 10.');
  const num = (k: string) => {
    if (body[k] === undefined || body[k] === null) return undefined;
    if (typeof body[k] !== 'number' || !Number.isInteger(body[k]) || body[k] < 0)
      throw new ApiFail(12052910, `Invalid input parameters. ${k} must be Unix seconds.`);
    return body[k];
  };
  const [uGe, uLe, cGe, cLe] = [num('update_time_ge'), num('update_time_le'), num('create_time_ge'), num('create_time_le')];
  if (offset + size > SEARCH_WINDOW) throw new ApiFail(12052180, 'The total number of search results can not exceed 10000.');
  const all = productsBySearchOrder(ctx.shop).filter(
    (p) =>
      (status === 'ALL' ? p.status !== 'DELETED' : p.status === status) &&
      (!skus || p.skus.some((s) => skus.includes(s.seller_sku))) &&
      (uGe === undefined || p.update_time >= uGe) &&
      (uLe === undefined || p.update_time <= uLe) &&
      (cGe === undefined || p.create_time >= cGe) &&
      (cLe === undefined || p.create_time <= cLe),
  );
  const page = all.slice(offset, offset + size);
  const next = offset + size < all.length ? encodeToken(offset + size) : '';
  return {
    products: page.map((p) => ({
      id: p.id,
      title: p.title,
      status: p.status,
      skus: p.skus.map(skuView),
      sales_regions: [ctx.shop.region],
      create_time: p.create_time,
      update_time: p.update_time,
    })),
    total_count: all.length,
    next_page_token: next,
  };
};

export const getProduct: Handler = (ctx) => {
  const p = ownProduct(ctx.shop, ctx.params.product_id);
  const brand = BRANDS.find((b) => b.id === p.brand_id);
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    status: p.status,
    category_chains: ctx.tree
      .chain(p.category_id)
      .map((c) => ({ id: c.id, parent_id: c.parent_id, local_name: c.local_name, is_leaf: c.is_leaf })),
    brand: brand ? { id: brand.id, name: brand.name } : undefined,
    main_images: p.main_images.map((i) => ({
      uri: i.uri,
      urls: [`${IMAGE_HOST}${i.uri}`],
      thumb_urls: [],
      width: 800,
      height: 800,
    })),
    skus: p.skus.map((s) => ({
      ...skuView(s),
      sales_attributes: s.sales_attributes.map((a) => ({
        id: a.id,
        name: a.name,
        value_id: a.value_id,
        value_name: a.value_name,
      })),
      external_sku_id: s.external_sku_id,
      status_info: { status: p.status === 'ACTIVATE' ? 'NORMAL' : 'DEACTIVATED' },
    })),
    product_attributes: p.product_attributes,
    package_weight: p.package_weight,
    package_dimensions: p.package_dimensions,
    external_product_id: p.external_product_id,
    audit: p.audit,
    audit_failed_reasons: p.audit_failed_reasons,
    create_time: p.create_time,
    update_time: p.update_time,
    is_cod_allowed: false,
    has_draft: false,
    product_status: p.status === 'PENDING' || p.status === 'FAILED' ? 'INITIAL' : p.status,
  };
};

// ---- categories, brands --------------------------------------------------------------------

function checkVersion(ctx: HandlerContext): void {
  const version = ctx.query.get('category_version') ?? 'v1';
  // Only the v1 tree is in our data (no public US v2 dump exists).
  if (version !== 'v1') throw new ApiFail(12052217, "Incorrect category version. This shop's tree is 'v1'.");
}

function leaf(ctx: HandlerContext): string {
  const id = ctx.params.category_id ?? '';
  const c = ctx.tree.byId.get(id);
  if (!c) throw new ApiFail(12052023, 'Category does not exist');
  if (!c.is_leaf) throw new ApiFail(12052024, 'Category is not final category');
  return id;
}

export const getCategories: Handler = (ctx) => {
  checkVersion(ctx);
  const keyword = ctx.query.get('keyword')?.toLowerCase();
  const categories = keyword
    ? ctx.tree.categories.filter((c) => c.local_name.toLowerCase().includes(keyword))
    : ctx.tree.categories;
  return { categories };
};

export const getAttributes: Handler = (ctx) => {
  checkVersion(ctx);
  return { attributes: attributesFor(ctx.tree, leaf(ctx)) };
};

export const BRANDS = [
  {
    id: '7082427311584347905',
    name: 'Acme Home',
    authorized_status: 'AUTHORIZED',
    is_t1_brand: false,
    brand_status: 'AVAILABLE',
  },
  {
    id: '7082427311584347906',
    name: 'Acorn Outdoor',
    authorized_status: 'UNAUTHORIZED',
    is_t1_brand: false,
    brand_status: 'AVAILABLE',
  },
  {
    id: '7082427311584347907',
    name: 'Brightside Beauty',
    authorized_status: 'AUTHORIZED',
    is_t1_brand: false,
    brand_status: 'AVAILABLE',
  },
  {
    id: '7082427311584347908',
    name: 'Northwind Kitchen',
    authorized_status: 'AUTHORIZED',
    is_t1_brand: true,
    brand_status: 'AVAILABLE',
  },
  {
    id: '7082427311584347909',
    name: 'Pebble Pets',
    authorized_status: 'AUTHORIZED',
    is_t1_brand: false,
    brand_status: 'UNAVAILABLE',
  },
];

export const getBrands: Handler = (ctx) => {
  const size = pageSize(ctx.query, 1, 100, undefined, 12019109, 'page size is invalid');
  const offset = decodeToken(ctx.query.get('page_token'));
  if (offset === undefined) throw new ApiFail(12019108, 'page number is invalid');
  const prefix = ctx.query.get('brand_name')?.toLowerCase();
  const authorized = ctx.query.get('is_authorized');
  const all = BRANDS.filter((b) => !prefix || b.name.toLowerCase().startsWith(prefix)).filter(
    (b) => authorized !== 'true' || b.authorized_status === 'AUTHORIZED',
  );
  const page = all.slice(offset, offset + size);
  return { brands: page, total_count: all.length, next_page_token: offset + size < all.length ? encodeToken(offset + size) : '' };
};
