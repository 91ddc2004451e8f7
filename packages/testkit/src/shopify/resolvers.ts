import { getNamedType, GraphQLError, parse, TypeInfo, validate, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';
import type { StandInMetafield, StandInProduct, StandInVariant } from './catalogue.js';
import { gid, matches, parseGid, parseSearch, type StandInCancelJob, type StandInOrder, type StandInState } from './state.js';
import { orderCurrencies } from './order-money.js';

/** Per-request execution context. */
export interface ExecContext {
  /** Inside a bulk operation connections return everything and take no page size. */
  bulk: boolean;
}

export interface ResolverHooks {
  schema: GraphQLSchema;
  startBulk(query: string): { id: number } | { error: { code: string; message: string } };
  /** `decremented`: the stock levels the order changed (each one is an inventory_levels/update). */
  onOrderCreated(order: StandInOrder, decremented: { itemId: number; locationId: number; available: number }[]): void;
  /** Queues an `orderCancel` job; the server applies it shortly after (restock, webhooks). */
  startCancel(order: StandInOrder, options: CancelOptions): StandInCancelJob;
}

/** What `orderCancel` asked for. */
export interface CancelOptions {
  reason: string;
  restock: boolean;
  refund: boolean;
  notifyCustomer: boolean;
  staffNote: string | null;
}

type Args = Record<string, unknown>;

function encodeCursor(i: number): string {
  return Buffer.from(`cursor:${i}`).toString('base64');
}
function decodeCursor(c: unknown): number {
  if (typeof c !== 'string') return -1;
  const m = /^cursor:(\d+)$/.exec(Buffer.from(c, 'base64').toString('utf8'));
  if (!m) throw new GraphQLError(`Invalid cursor for request: "${c}"`);
  return Number(m[1]);
}

/**
 * Shopify's bulk query limits (bulk operations guide, "Operation restrictions"): at most five
 * connections in the whole query, nested at most two deep. Returns the refusal, or undefined.
 */
export function bulkQueryLimitProblem(schema: GraphQLSchema, query: string): string | undefined {
  const typeInfo = new TypeInfo(schema);
  let connections = 0;
  let depth = 0;
  let deepest = 0;
  const stack: boolean[] = [];
  visit(
    parse(query),
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter() {
          const type = typeInfo.getType();
          const isConnection = type ? getNamedType(type).name.endsWith('Connection') : false;
          stack.push(isConnection);
          if (isConnection) {
            connections += 1;
            depth += 1;
            deepest = Math.max(deepest, depth);
          }
        },
        leave() {
          if (stack.pop()) depth -= 1;
        },
      },
    }),
  );
  if (connections > 5) return `Bulk queries cannot contain more than 5 connections (this one has ${connections}).`;
  if (deepest > 2) return `Bulk queries cannot contain connections nested more than 2 levels deep (this one nests ${deepest}).`;
  return undefined;
}

/** A Relay connection over `items`, with Shopify's first/last rules. */
export function connection<T>(items: T[], args: Args, ctx: ExecContext) {
  let start = 0;
  let end = items.length;
  if (!ctx.bulk) {
    // Absent and null arguments mean the same here.
    const first = (args.first as number | null | undefined) ?? undefined;
    const last = (args.last as number | null | undefined) ?? undefined;
    if (first === undefined && last === undefined) throw new GraphQLError('you must provide one of first or last');
    if ((first ?? last ?? 0) > 250) throw new GraphQLError('The first/last argument may not exceed 250');
    if ((args.after ?? undefined) !== undefined) start = decodeCursor(args.after) + 1;
    if ((args.before ?? undefined) !== undefined) end = Math.min(end, decodeCursor(args.before));
    if (first !== undefined) end = Math.min(end, start + first);
    else if (last !== undefined) start = Math.max(start, end - last);
  }
  const slice = items.slice(start, end).map((node, k) => ({ node, cursor: encodeCursor(start + k) }));
  return {
    edges: slice,
    nodes: slice.map((e) => e.node),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}

function hasScope(state: StandInState, scope: string): boolean {
  return state.accessScopes.includes(scope) || state.accessScopes.includes(scope.replace(/^read_/, 'write_'));
}

/** The resolvers (as a root value of plain objects and functions) over the stand-in's state. */
export function rootValue(state: StandInState, hooks: ResolverHooks) {
  const locationView = (id: number) => {
    const loc = state.locations.find((l) => l.id === id);
    return loc ? { __typename: 'Location', id: gid('Location', loc.id), name: loc.name, isActive: true } : null;
  };
  const levelView = (itemId: number, locationId: number, available: number) => ({
    __typename: 'InventoryLevel',
    id: `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}`,
    location: locationView(locationId),
    isActive: true,
    quantities: (args: Args) =>
      ((args.names as string[]) ?? []).map((name) => ({
        __typename: 'InventoryQuantity',
        id: `gid://shopify/InventoryQuantity/${itemId}-${locationId}-${name}`,
        name,
        quantity: name === 'available' ? available : 0,
      })),
  });
  const itemView = (itemId: number) => {
    const found = state.variantByItem(itemId);
    return found ? itemViewOf(found.variant) : null;
  };
  const itemViewOf = (variant: StandInVariant) => {
    const itemId = variant.inventoryItemId;
    return {
      __typename: 'InventoryItem',
      id: gid('InventoryItem', itemId),
      sku: variant.sku,
      tracked: variant.tracked,
      measurement: {
        __typename: 'InventoryItemMeasurement',
        id: gid('InventoryItemMeasurement', itemId),
        weight: variant.weight,
      },
      // The variant and one location's level inline (no connection): what a streamed stock export reads.
      variant: () => {
        const found = state.variantById(variant.id);
        return found ? variantView(found.product, found.variant) : null;
      },
      inventoryLevel: (args: Args) => {
        const g = parseGid(args.locationId);
        const available = g?.type === 'Location' ? state.stock.get(itemId)?.get(g.id) : undefined;
        return available === undefined ? null : levelView(itemId, g!.id, available);
      },
      inventoryLevels: (args: Args, ctx: ExecContext) =>
        connection(
          [...(state.stock.get(itemId) ?? new Map<number, number>())].map(([loc, qty]) => levelView(itemId, loc, qty)),
          args,
          ctx,
        ),
    };
  };
  // Metafield ids are not stored: derived from the owner and position, stable while the list is.
  const metafieldsOf = (ownerGid: string, list: readonly StandInMetafield[] | undefined, args: Args, ctx: ExecContext) => {
    const ownerId = Number(ownerGid.slice(ownerGid.lastIndexOf('/') + 1));
    const namespace = (args.namespace as string | null | undefined) ?? undefined;
    const keys = (args.keys as string[] | null | undefined) ?? undefined;
    const views = (list ?? [])
      .map((m, i) => ({
        __typename: 'Metafield',
        id: gid('Metafield', ownerId * 100 + i),
        namespace: m.namespace,
        key: m.key,
        type: m.type,
        value: m.value,
        ownerType: ownerGid.includes('/ProductVariant/') ? 'PRODUCTVARIANT' : 'PRODUCT',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      }))
      // Shopify's `keys` are "namespace.key"; `namespace` narrows to one namespace.
      .filter(
        (m) => (namespace === undefined || m.namespace === namespace) && (!keys || keys.includes(`${m.namespace}.${m.key}`)),
      );
    return connection(views, args, ctx);
  };
  const variantView = (product: StandInProduct, v: StandInVariant) => ({
    __typename: 'ProductVariant',
    id: gid('ProductVariant', v.id),
    title: v.title,
    displayName: `${product.title} - ${v.title}`,
    sku: v.sku,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    barcode: v.barcode,
    position: v.position,
    selectedOptions: v.selectedOptions.map((o) => ({ __typename: 'SelectedOption', ...o })),
    inventoryItem: () => itemViewOf(v),
    product: () => productView(product),
    metafields: (args: Args, ctx: ExecContext) => metafieldsOf(gid('ProductVariant', v.id), v.metafields, args, ctx),
  });
  const productView = (p: StandInProduct) => ({
    __typename: 'Product',
    id: gid('Product', p.id),
    title: p.title,
    handle: p.handle,
    status: p.status,
    vendor: p.vendor,
    productType: p.productType,
    category: p.category ? { __typename: 'TaxonomyCategory', ...p.category } : null,
    tags: p.tags,
    descriptionHtml: p.descriptionHtml,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    options: () =>
      p.options.map((o, i) => ({
        __typename: 'ProductOption',
        id: gid('ProductOption', p.id * 10 + i),
        name: o.name,
        position: i + 1,
        values: o.values,
      })),
    media: (args: Args, ctx: ExecContext) =>
      connection(
        p.media.map((m) => ({
          __typename: 'MediaImage',
          id: gid('MediaImage', m.id),
          alt: m.alt,
          mediaContentType: 'IMAGE',
          image: { __typename: 'Image', url: m.url, altText: m.alt },
        })),
        args,
        ctx,
      ),
    variants: (args: Args, ctx: ExecContext) =>
      connection(
        p.variants.map((v) => variantView(p, v)),
        args,
        ctx,
      ),
    variantsCount: { count: p.variants.length, precision: 'EXACT' },
    collections: (args: Args, ctx: ExecContext) =>
      connection(
        (p.collections ?? []).map((c) => ({
          __typename: 'Collection',
          id: gid('Collection', c.id),
          handle: c.handle,
          title: c.title,
        })),
        args,
        ctx,
      ),
    metafields: (args: Args, ctx: ExecContext) => metafieldsOf(gid('Product', p.id), p.metafields, args, ctx),
  });
  const orderView = (o: StandInOrder) => ({
    __typename: 'Order',
    id: gid('Order', o.id),
    name: o.name,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    sourceName: o.sourceName,
    sourceIdentifier: o.sourceIdentifier,
    tags: o.tags,
    email: o.email,
    note: o.note,
    cancelledAt: o.cancelledAt,
    cancelReason: o.cancelReason,
    currencyCode: o.currencyCode ?? state.currencyCode,
    presentmentCurrencyCode: o.presentmentCurrencyCode ?? o.currencyCode ?? state.currencyCode,
    cancellation: o.cancelledAt ? { __typename: 'OrderCancellation', staffNote: o.cancellation?.staffNote ?? null } : null,
    displayFulfillmentStatus: o.fulfillments.some((f) => f.status === 'SUCCESS') ? 'FULFILLED' : 'UNFULFILLED',
    fulfillments: (args: Args) =>
      o.fulfillments.slice(0, (args.first as number | undefined) ?? o.fulfillments.length).map((f) => ({
        __typename: 'Fulfillment',
        id: gid('Fulfillment', f.id),
        status: f.status,
        createdAt: f.createdAt,
        trackingInfo: (a: Args) =>
          f.trackingInfo
            .slice(0, (a.first as number | undefined) ?? f.trackingInfo.length)
            .map((t) => ({ __typename: 'FulfillmentTrackingInfo', ...t })),
        // The stand-in fulfils whole orders: every line item is in the fulfilment.
        fulfillmentLineItems: (a: Args, ctx: ExecContext) =>
          connection(
            o.lineItems.map((li) => ({
              __typename: 'FulfillmentLineItem',
              id: gid('FulfillmentLineItem', li.id),
              quantity: li.quantity,
              lineItem: { __typename: 'LineItem', id: gid('LineItem', li.id), sku: li.sku },
            })),
            a,
            ctx,
          ),
      })),
    lineItems: (args: Args, ctx: ExecContext) =>
      connection(
        o.lineItems.map((li) => ({
          __typename: 'LineItem',
          id: gid('LineItem', li.id),
          sku: li.sku,
          title: li.title,
          name: li.title,
          quantity: li.quantity,
        })),
        args,
        ctx,
      ),
  });
  const bulkView = (id: number) => {
    const op = state.bulkOps.find((b) => b.id === id);
    return op
      ? {
          __typename: 'BulkOperation',
          id: gid('BulkOperation', op.id),
          status: op.status,
          type: 'QUERY',
          query: op.query,
          createdAt: op.createdAt,
          completedAt: op.completedAt,
          objectCount: String(op.objectCount),
          rootObjectCount: String(op.rootObjectCount),
          fileSize: op.fileSize === null ? null : String(op.fileSize),
          errorCode: op.errorCode,
          url: op.jsonl === null ? null : `__BULK_URL__/${op.id}.jsonl`,
          partialDataUrl: null,
        }
      : null;
  };
  const cancelJobView = (job: StandInCancelJob) => ({
    __typename: 'OrderCancelJobResult',
    id: gid('Job', job.id),
    done: job.done,
    status: job.status,
    errors: job.errors.map((e) => ({ __typename: 'OrderCancelUserError', ...e })),
    order: () => {
      const o = state.orders.find((x) => x.id === job.orderId);
      return o ? orderView(o) : null;
    },
  });
  const webhookView = (w: StandInWebhookView) => ({
    __typename: 'WebhookSubscription',
    id: gid('WebhookSubscription', w.id),
    topic: w.topic,
    uri: w.uri,
    format: 'JSON',
    createdAt: w.createdAt,
    updatedAt: w.createdAt,
    includeFields: [],
    metafieldNamespaces: [],
    filter: null,
  });

  const productSearch = (query: unknown) => {
    const terms = parseSearch(query as string | null);
    return state.products.filter((p) =>
      matches(terms, {
        updated_at: () => p.updatedAt,
        created_at: () => p.createdAt,
        status: () => p.status,
        vendor: () => p.vendor,
        product_type: () => p.productType,
        tag: () => p.tags,
        sku: () => p.variants.map((v) => v.sku ?? ''),
      }),
    );
  };

  return {
    // ---- QueryRoot
    shop: () => ({ __typename: 'Shop', id: gid('Shop', 1), name: state.shopName, currencyCode: state.currencyCode }),
    currentAppInstallation: () => ({
      __typename: 'AppInstallation',
      accessScopes: state.accessScopes.map((handle) => ({ __typename: 'AccessScope', handle, description: handle })),
    }),
    // Shopify answers ACCESS_DENIED for a field whose scope the app was not granted.
    locations: (args: Args, ctx: ExecContext) => {
      if (!hasScope(state, 'read_locations'))
        throw new GraphQLError('Access denied for locations field. Required access: `read_locations` access scope.', {
          extensions: { code: 'ACCESS_DENIED', requiredAccess: '`read_locations` access scope.' },
        });
      const list = state.locations.map((loc) => ({
        __typename: 'Location',
        id: gid('Location', loc.id),
        name: loc.name,
        isActive: true,
        address: { __typename: 'LocationAddress', address1: null, city: null, zip: null, countryCode: null, ...loc.address },
      }));
      return connection(list, args, ctx);
    },
    products: (args: Args, ctx: ExecContext) => {
      let list = productSearch(args.query);
      if (args.sortKey === 'UPDATED_AT') list = [...list].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id - b.id);
      if (args.reverse) list = [...list].reverse();
      return connection(list.map(productView), args, ctx);
    },
    product: (args: Args) => {
      const g = parseGid(args.id);
      const p = g?.type === 'Product' ? state.products.find((x) => x.id === g.id) : undefined;
      return p ? productView(p) : null;
    },
    productsCount: (args: Args) => {
      const count = productSearch(args.query).length;
      const limit = (args.limit as number | null | undefined) === undefined ? 10_000 : (args.limit as number | null);
      return limit !== null && count > limit ? { count: limit, precision: 'AT_LEAST' } : { count, precision: 'EXACT' };
    },
    inventoryItem: (args: Args) => {
      const g = parseGid(args.id);
      return g?.type === 'InventoryItem' ? itemView(g.id) : null;
    },
    // Every inventory item of the store (the stand-in does not filter by `query`): what a bulk stock export reads.
    inventoryItems: (args: Args, ctx: ExecContext) =>
      connection(
        state.products.flatMap((p) => p.variants.map(itemViewOf)),
        args,
        ctx,
      ),
    nodes: (args: Args) =>
      (args.ids as string[]).map((id) => {
        const g = parseGid(id);
        if (!g) throw new GraphQLError(`Invalid global id '${id}'`);
        if (g.type === 'InventoryItem') return itemView(g.id);
        if (g.type === 'Product') {
          const p = state.products.find((x) => x.id === g.id);
          return p ? productView(p) : null;
        }
        if (g.type === 'ProductVariant') {
          const f = state.variantById(g.id);
          return f ? variantView(f.product, f.variant) : null;
        }
        if (g.type === 'Order') {
          const o = state.orders.find((x) => x.id === g.id);
          return o ? orderView(o) : null;
        }
        return null;
      }),
    order: (args: Args) => {
      const g = parseGid(args.id);
      const o = g?.type === 'Order' ? state.orders.find((x) => x.id === g.id) : undefined;
      return o ? orderView(o) : null;
    },
    productVariant: (args: Args) => {
      const g = parseGid(args.id);
      const f = g?.type === 'ProductVariant' ? state.variantById(g.id) : undefined;
      return f ? variantView(f.product, f.variant) : null;
    },
    productVariants: (args: Args, ctx: ExecContext) => {
      const terms = parseSearch(args.query as string | null);
      // A search by SKU only (`sku:A OR sku:B`) first skips, cheaply, every variant whose SKU
      // cannot match: a full scan splitting every SKU stalled this process for tens of ms a
      // search at 100,000 SKUs (Shopify's search is indexed).
      const skuValues = skuOnlySearch(terms);
      const list = state.products.flatMap((p) =>
        p.variants
          .filter((v) => !skuValues || (v.sku !== null && skuValues.some((x) => v.sku!.toLowerCase().includes(x))))
          .filter((v) =>
            matches(terms, {
              // Shopify's search is fuzzy: case-insensitive, and a SKU also matches by its parts
              // ("TSH" finds "TSH-1001-S"). Callers that need exact matches must filter.
              sku: () => (v.sku ? [v.sku, ...v.sku.split(/[-_/ ]+/)] : null),
              product_id: () => String(p.id),
              product_status: () => p.status,
              title: () => v.title,
              barcode: () => v.barcode,
            }),
          )
          .map((v) => variantView(p, v)),
      );
      return connection(list, args, ctx);
    },
    job: (args: Args) => {
      const g = parseGid(args.id);
      const job = g?.type === 'Job' ? state.cancelJobs.find((j) => j.id === g.id) : undefined;
      return job ? { __typename: 'Job', id: gid('Job', job.id), done: job.done, query: {} } : null;
    },
    orders: (args: Args, ctx: ExecContext) => {
      const terms = parseSearch(args.query as string | null);
      let list = state.orders.filter((o) =>
        matches(terms, {
          source_identifier: () => o.sourceIdentifier,
          source_name: () => o.sourceName,
          tag: () => o.tags,
          name: () => o.name,
          updated_at: () => o.updatedAt,
          created_at: () => o.createdAt,
          status: () => (o.cancelledAt ? 'cancelled' : 'open'),
        }),
      );
      // PROCESSED_AT is Shopify's default order; the stand-in's processedAt is createdAt.
      const key = args.sortKey === 'UPDATED_AT' ? 'updatedAt' : 'createdAt';
      list = [...list].sort((a, b) => a[key].localeCompare(b[key]) || a.id - b.id);
      if (args.reverse) list.reverse();
      return connection(list.map(orderView), args, ctx);
    },
    bulkOperation: (args: Args) => {
      const g = parseGid(args.id);
      return g?.type === 'BulkOperation' ? bulkView(g.id) : null;
    },
    webhookSubscriptions: (args: Args, ctx: ExecContext) => {
      const topics = args.topics as string[] | undefined;
      const list = state.webhooks.filter(
        (w) => (!topics || topics.includes(w.topic)) && ((args.uri ?? undefined) === undefined || w.uri === args.uri),
      );
      return connection(list.map(webhookView), args, ctx);
    },

    // ---- Mutation
    bulkOperationRunQuery: (args: Args) => {
      const query = args.query as string;
      let errors: readonly { message: string }[];
      try {
        errors = validate(hooks.schema, parse(query));
      } catch (err) {
        errors = [{ message: (err as Error).message }];
      }
      if (errors.length > 0)
        return {
          bulkOperation: null,
          userErrors: [
            { field: ['query'], message: `Invalid bulk query: ${errors.map((e) => e.message).join('; ')}`, code: 'INVALID' },
          ],
        };
      const limits = bulkQueryLimitProblem(hooks.schema, query);
      if (limits) return { bulkOperation: null, userErrors: [{ field: ['query'], message: limits, code: 'INVALID' }] };
      const started = hooks.startBulk(query);
      if ('error' in started)
        return { bulkOperation: null, userErrors: [{ field: null, message: started.error.message, code: started.error.code }] };
      return { bulkOperation: bulkView(started.id), userErrors: [] };
    },
    bulkOperationCancel: (args: Args) => {
      const g = parseGid(args.id);
      const op = g?.type === 'BulkOperation' ? state.bulkOps.find((b) => b.id === g.id) : undefined;
      if (!op) return { bulkOperation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
      if (op.status !== 'CREATED' && op.status !== 'RUNNING')
        return {
          bulkOperation: bulkView(op.id),
          userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }],
        };
      op.status = 'CANCELED';
      op.completedAt = new Date().toISOString();
      return { bulkOperation: bulkView(op.id), userErrors: [] };
    },
    orderCreate: (args: Args) => {
      const input = args.order as Record<string, unknown>;
      const options = (args.options as Record<string, unknown> | null) ?? {};
      const behaviour = (options.inventoryBehaviour as string | undefined) ?? 'BYPASS';
      const lineItems = (input.lineItems as Record<string, unknown>[] | undefined) ?? [];
      if (lineItems.length === 0)
        return {
          order: null,
          userErrors: [
            { field: ['order', 'lineItems'], message: 'Line items must have at least one line item', code: 'INVALID' },
          ],
        };
      const currencies = orderCurrencies(input, state.currencyCode);
      if (!currencies.ok) return { order: null, userErrors: [currencies.error] };
      const resolved: StandInOrder['lineItems'] = [];
      const decremented: { itemId: number; locationId: number; quantity: number }[] = [];
      for (const [i, li] of lineItems.entries()) {
        const g = li.variantId ? parseGid(li.variantId) : undefined;
        const found = g ? state.variantById(g.id) : undefined;
        if (li.variantId && !found)
          return {
            order: null,
            userErrors: [
              {
                field: ['order', 'lineItems', String(i), 'variantId'],
                message: 'Variant does not exist',
                code: 'PRODUCT_VARIANT_NOT_FOUND',
              },
            ],
          };
        if (!found && !li.title)
          return {
            order: null,
            userErrors: [
              {
                field: ['order', 'lineItems', String(i), 'title'],
                message: 'Title is required for custom line items',
                code: 'INVALID',
              },
            ],
          };
        const qty = li.quantity as number;
        let locationId: number | null = null;
        if (found && behaviour !== 'BYPASS') {
          const levels = state.stock.get(found.variant.inventoryItemId);
          const [loc, have] = [...(levels ?? new Map<number, number>())][0] ?? [undefined, 0];
          const already = decremented
            .filter((d) => d.itemId === found.variant.inventoryItemId)
            .reduce((n, d) => n + d.quantity, 0);
          if (behaviour === 'DECREMENT_OBEYING_POLICY' && have - already < qty)
            return {
              order: null,
              userErrors: [
                {
                  field: ['order', 'lineItems', String(i), 'quantity'],
                  message: 'Not enough inventory',
                  code: 'INVENTORY_NOT_AVAILABLE',
                },
              ],
            };
          if (loc !== undefined) {
            locationId = loc;
            decremented.push({ itemId: found.variant.inventoryItemId, locationId: loc, quantity: qty });
          }
        }
        resolved.push({
          id: state.id(),
          variantId: found?.variant.id ?? null,
          sku: found?.variant.sku ?? ((li.sku as string) || null),
          title: found ? `${found.product.title}` : (li.title as string),
          quantity: qty,
          price:
            ((li.priceSet as { shopMoney?: { amount?: string } } | undefined)?.shopMoney?.amount as string) ??
            found?.variant.price ??
            null,
          presentmentPrice:
            (li.priceSet as { presentmentMoney?: { amount?: string } | null } | undefined)?.presentmentMoney?.amount ?? null,
          locationId,
        });
      }
      // Stock moves only once the whole order is accepted.
      const changedLevels = decremented.map((d) => {
        const levels = state.stock.get(d.itemId)!;
        const available = (levels.get(d.locationId) ?? 0) - d.quantity;
        levels.set(d.locationId, available);
        return { itemId: d.itemId, locationId: d.locationId, available };
      });
      const now = new Date().toISOString();
      const order: StandInOrder = {
        id: state.id(),
        name: state.nextOrderName(),
        createdAt: now,
        updatedAt: now,
        sourceName: (input.sourceName as string | undefined) ?? 'shopify_draft_order',
        sourceIdentifier: (input.sourceIdentifier as string | undefined) ?? null,
        tags: (input.tags as string[] | undefined) ?? [],
        email: (input.email as string | undefined) ?? null,
        note: (input.note as string | undefined) ?? null,
        cancelledAt: null,
        cancelReason: null,
        lineItems: resolved,
        fulfillments: [],
        inventoryBehaviour: behaviour,
        currencyCode: currencies.currencyCode,
        presentmentCurrencyCode: currencies.presentmentCurrencyCode,
        createInput: input,
      };
      state.orders.push(order);
      hooks.onOrderCreated(order, changedLevels);
      return { order: orderView(order), userErrors: [] };
    },
    orderCancel: (args: Args) => {
      const errors = (field: string[] | null, message: string, code: string) => ({
        job: null,
        jobResult: null,
        orderCancelUserErrors: [{ __typename: 'OrderCancelUserError', field, message, code }],
        userErrors: [{ __typename: 'UserError', field, message }],
      });
      const g = parseGid(args.orderId);
      const order = g?.type === 'Order' ? state.orders.find((o) => o.id === g.id) : undefined;
      if (!order) return errors(['orderId'], 'Order does not exist', 'NOT_FOUND');
      const staffNote = (args.staffNote as string | null | undefined) ?? null;
      if (staffNote !== null && staffNote.length > 255)
        return errors(['staffNote'], 'Staff note is too long (maximum is 255 characters)', 'INVALID');
      // The stand-in's wording; Shopify documents only that a cancelled order cannot be cancelled again.
      if (order.cancelledAt) return errors(['orderId'], 'Order has already been cancelled', 'INVALID');
      if (state.cancelJobs.some((j) => j.orderId === order.id && !j.done))
        return errors(['orderId'], 'Order is already being cancelled', 'INVALID');
      if (order.fulfillments.some((f) => f.status === 'SUCCESS'))
        return errors(['orderId'], 'Cannot cancel an order with fulfillments; cancel the fulfillments first', 'INVALID');
      const method = args.refundMethod as
        { originalPaymentMethodsRefund?: boolean | null; storeCreditRefund?: unknown } | null | undefined;
      const refund = Boolean(method?.originalPaymentMethodsRefund || method?.storeCreditRefund || args.refund);
      const job = hooks.startCancel(order, {
        reason: args.reason as string,
        restock: args.restock as boolean,
        refund,
        notifyCustomer: Boolean(args.notifyCustomer),
        staffNote,
      });
      return {
        job: { __typename: 'Job', id: gid('Job', job.id), done: job.done, query: {} },
        jobResult: cancelJobView(job),
        orderCancelUserErrors: [],
        userErrors: [],
      };
    },
    webhookSubscriptionCreate: (args: Args) => {
      const input = args.webhookSubscription as { uri?: string; callbackUrl?: string };
      const uri = input.uri ?? input.callbackUrl;
      if (!uri || !/^(https?:\/\/|pubsub:\/\/|arn:aws:events)/.test(uri))
        return {
          webhookSubscription: null,
          userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }],
        };
      if (state.webhooks.some((w) => w.topic === args.topic && w.uri === uri))
        return {
          webhookSubscription: null,
          userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address for this topic has already been taken' }],
        };
      const w = { id: state.id(), topic: args.topic as string, uri, createdAt: new Date().toISOString() };
      state.webhooks.push(w);
      return { webhookSubscription: webhookView(w), userErrors: [] };
    },
    webhookSubscriptionDelete: (args: Args) => {
      const g = parseGid(args.id);
      const idx = state.webhooks.findIndex((w) => w.id === g?.id);
      if (idx < 0)
        return {
          deletedWebhookSubscriptionId: null,
          userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
        };
      state.webhooks.splice(idx, 1);
      return { deletedWebhookSubscriptionId: args.id, userErrors: [] };
    },
  };
}

type StandInWebhookView = { id: number; topic: string; uri: string; createdAt: string };

/** The lower-cased values of a search made only of `sku:` terms joined by OR (else undefined). */
function skuOnlySearch(query: ReturnType<typeof parseSearch>): string[] | undefined {
  if (!query) return undefined;
  const items = query.kind === 'or' && !query.negated ? query.items : [query];
  const values: string[] = [];
  for (const item of items) {
    if (item.kind !== 'term' || item.negated || item.field !== 'sku' || item.op !== '=') return undefined;
    values.push(item.value.toLowerCase());
  }
  return values;
}
