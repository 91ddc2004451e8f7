import { z } from 'zod';

// zod schemas of exactly what our operations select. Shopify sends Money and DateTime as
// strings; we keep them as strings (decimal money must not go through a float).

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

export const variantNode = z.object({
  id: z.string(),
  title: z.string(),
  sku: z.string().nullable(),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  barcode: z.string().nullable(),
  position: z.number().int(),
  selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })),
  inventoryItem: z.object({
    id: z.string(),
    tracked: z.boolean(),
    measurement: z.object({ weight: z.object({ unit: z.string(), value: z.number() }).nullable() }),
  }),
});

const mediaNode = z.union([
  z.object({ id: z.string(), alt: z.string().nullable(), image: z.object({ url: z.string() }).nullable() }),
  // Media that is not an image (video, 3D model) comes back as an empty object.
  z.object({}).strict(),
]);

const productOption = z.object({ name: z.string(), position: z.number().int(), values: z.array(z.string()) });

const productStatus = z.enum(['ACTIVE', 'ARCHIVED', 'DRAFT', 'UNLISTED']);
const taxonomyCategory = z.object({ id: z.string(), fullName: z.string(), name: z.string() });

const collectionRef = z.object({ id: z.string(), handle: z.string() });
const metafieldNode = z.object({ namespace: z.string(), key: z.string(), type: z.string(), value: z.string() });

export const productNode = z.object({
  id: z.string(),
  title: z.string(),
  handle: z.string(),
  status: productStatus,
  vendor: z.string(),
  productType: z.string(),
  category: taxonomyCategory.nullable(),
  tags: z.array(z.string()),
  descriptionHtml: z.string(),
  updatedAt: z.string(),
  options: z.array(productOption),
  media: z.object({ nodes: z.array(mediaNode) }),
  variants: z.object({ pageInfo, nodes: z.array(variantNode) }),
  collections: z.object({ pageInfo, nodes: z.array(collectionRef) }),
  metafields: z.object({ nodes: z.array(metafieldNode) }),
});

export const productCollectionsPageData = z.object({
  product: z.object({ collections: z.object({ pageInfo, nodes: z.array(collectionRef) }) }).nullable(),
});

export const productsPageData = z.object({
  products: z.object({ pageInfo, nodes: z.array(productNode) }),
});

export const productByIdData = z.object({ product: productNode.nullable() });

export const productVariantsPageData = z.object({
  product: z.object({ variants: z.object({ pageInfo, nodes: z.array(variantNode) }) }).nullable(),
});

export const productsCountData = z.object({
  productsCount: z.object({ count: z.number().int(), precision: z.enum(['EXACT', 'AT_LEAST']) }).nullable(),
});

export const shopCurrencyData = z.object({
  shop: z.object({ currencyCode: z.string().regex(/^[A-Z]{3}$/) }),
});

const userError = z.object({
  field: z.array(z.string()).nullable(),
  message: z.string(),
  code: z.string().nullable().optional(),
});

export const bulkRunData = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullable(),
    userErrors: z.array(userError),
  }),
});

export const bulkCancelData = z.object({
  bulkOperationCancel: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullable(),
    userErrors: z.array(userError),
  }),
});

export const bulkStatusData = z.object({
  bulkOperation: z
    .object({
      id: z.string(),
      status: z.enum(['CANCELED', 'CANCELING', 'COMPLETED', 'CREATED', 'EXPIRED', 'FAILED', 'RUNNING']),
      errorCode: z.string().nullable(),
      objectCount: z.union([z.string(), z.number()]),
      url: z.string().nullable(),
      partialDataUrl: z.string().nullable(),
    })
    .nullable(),
});

// One JSONL line of the bulk export: a product, or a child (variant / media) with __parentId.
export const bulkVariantLine = variantNode.extend({ __parentId: z.string() });
export const bulkMediaLine = z.object({
  id: z.string(),
  alt: z.string().nullable(),
  image: z.object({ url: z.string() }).nullable(),
  __parentId: z.string(),
});
export const bulkProductLine = productNode.omit({ media: true, variants: true, collections: true, metafields: true });
export const bulkCollectionLine = collectionRef.extend({ __parentId: z.string() });
export const bulkMetafieldLine = metafieldNode.extend({ __parentId: z.string() });

export const variantsBySkuData = z.object({
  productVariants: z.object({
    pageInfo,
    nodes: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        sku: z.string().nullable(),
        price: z.string(),
        inventoryItem: z.object({ id: z.string(), tracked: z.boolean() }),
        product: z.object({ id: z.string(), title: z.string(), status: productStatus }),
      }),
    ),
  }),
});

const inventoryLevelConnection = z.object({
  pageInfo,
  nodes: z.array(
    z.object({
      location: z.object({ id: z.string() }),
      quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
    }),
  ),
});

export const inventoryLevelsData = z.object({
  // `nodes` answers null for an id that does not exist, and {} for an id of another type.
  nodes: z.array(
    z
      .union([
        z.object({ id: z.string(), sku: z.string().nullable(), tracked: z.boolean(), inventoryLevels: inventoryLevelConnection }),
        z.object({}).strict(),
      ])
      .nullable(),
  ),
});

export const inventoryItemLevelsData = z.object({
  inventoryItem: z.object({ id: z.string(), inventoryLevels: inventoryLevelConnection }).nullable(),
});

export const orderNode = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sourceName: z.string().nullable(),
  sourceIdentifier: z.string().nullable(),
  tags: z.array(z.string()),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  displayFulfillmentStatus: z.string(),
  fulfillments: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      createdAt: z.string(),
      trackingInfo: z.array(
        z.object({ number: z.string().nullable(), company: z.string().nullable(), url: z.string().nullable() }),
      ),
      /** What this fulfilment shipped: TikTok needs the lines of a package, by SKU. */
      fulfillmentLineItems: z
        .object({ nodes: z.array(z.object({ quantity: z.number().int(), lineItem: z.object({ sku: z.string().nullable() }) })) })
        .transform((c) => c.nodes.map((n) => ({ sku: n.lineItem.sku, quantity: n.quantity }))),
    }),
  ),
});

export const ordersSearchData = z.object({ orders: z.object({ nodes: z.array(orderNode) }) });
export const ordersUpdatedPageData = z.object({ orders: z.object({ pageInfo, nodes: z.array(orderNode) }) });
export const orderByIdData = z.object({ order: orderNode.nullable() });
export const orderCreateData = z.object({
  orderCreate: z.object({ order: orderNode.nullable(), userErrors: z.array(userError) }).nullable(),
});

const orderCancelUserError = z.object({
  field: z.array(z.string()).nullable(),
  message: z.string(),
  code: z.string().nullable(),
});
export const orderCancelData = z.object({
  orderCancel: z
    .object({
      jobResult: z
        .object({
          id: z.string(),
          done: z.boolean(),
          status: z.enum(['STARTED', 'SUCCEEDED', 'FAILED']),
          errors: z.array(orderCancelUserError),
          order: orderNode.nullable(),
        })
        .nullable(),
      orderCancelUserErrors: z.array(orderCancelUserError),
    })
    .nullable(),
});
export const jobStatusData = z.object({ job: z.object({ id: z.string(), done: z.boolean() }).nullable() });

const webhookNode = z.object({ id: z.string(), topic: z.string(), uri: z.string() });
export const webhookSubscriptionsData = z.object({
  webhookSubscriptions: z.object({ pageInfo, nodes: z.array(webhookNode) }),
});
export const webhookCreateData = z.object({
  webhookSubscriptionCreate: z.object({ webhookSubscription: webhookNode.nullable(), userErrors: z.array(userError) }).nullable(),
});
export const webhookDeleteData = z.object({
  webhookSubscriptionDelete: z
    .object({ deletedWebhookSubscriptionId: z.string().nullable(), userErrors: z.array(userError) })
    .nullable(),
});

/** `extensions.cost` as Shopify returns it on every Admin GraphQL response. */
export const costExtension = z.object({
  requestedQueryCost: z.number(),
  actualQueryCost: z.number().nullable().optional(),
  throttleStatus: z.object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() }),
});

export const shopAccessData = z.object({
  shop: z.object({ name: z.string(), currencyCode: z.string().length(3) }),
  currentAppInstallation: z.object({ accessScopes: z.array(z.object({ handle: z.string() })) }),
});
export const locationsPageData = z.object({
  locations: z.object({
    pageInfo,
    nodes: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        isActive: z.boolean(),
        address: z.object({
          address1: z.string().nullable(),
          city: z.string().nullable(),
          zip: z.string().nullable(),
          countryCode: z.string().nullable(),
        }),
      }),
    ),
  }),
});

const variantMetafieldsConnection = z.object({ pageInfo, nodes: z.array(metafieldNode) });

export const variantMetafieldsByIdsData = z.object({
  // A variant deleted meanwhile comes back as null.
  nodes: z.array(z.object({ id: z.string(), metafields: variantMetafieldsConnection }).nullable()),
});

export const variantMetafieldsPageData = z.object({
  productVariant: z.object({ metafields: variantMetafieldsConnection }).nullable(),
});

export const bulkVariantIdLine = z.object({ id: z.string() });
