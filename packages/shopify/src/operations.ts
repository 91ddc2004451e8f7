import { gql } from './gql.js';

// Every operation the client sends. Each is a `gql` literal so the schema test validates it
// against the real Admin API 2026-10 schema. Page sizes are chosen so a page stays well under
// Shopify's 1,000-point query cost ceiling.

const PRODUCT_FIELDS = gql`
  fragment ProductFields on Product {
    id
    title
    handle
    status
    vendor
    productType
    category {
      id
      fullName
      name
    }
    tags
    descriptionHtml
    updatedAt
    options {
      name
      position
      values
    }
    media(first: 10) {
      nodes {
        ... on MediaImage {
          id
          alt
          image {
            url
          }
        }
      }
    }
    variants(first: 25) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...VariantFields
      }
    }
    collections(first: 10) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        handle
      }
    }
    metafields(first: 15) {
      nodes {
        namespace
        key
        type
        value
      }
    }
  }
`;

const VARIANT_FIELDS = gql`
  fragment VariantFields on ProductVariant {
    id
    title
    sku
    price
    compareAtPrice
    barcode
    position
    selectedOptions {
      name
      value
    }
    inventoryItem {
      id
      tracked
      measurement {
        weight {
          unit
          value
        }
      }
    }
  }
`;

/** One page of products, optionally filtered by a search query (e.g. `updated_at:>'…'`). */
export const PRODUCTS_PAGE =
  gql`
    query ProductsPage($first: Int!, $after: String, $query: String) {
      products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...ProductFields
        }
      }
    }
  ` +
  PRODUCT_FIELDS +
  VARIANT_FIELDS;

/** One product by id (a webhook's product-sync-one reads only it); null when it was deleted. */
export const PRODUCT_BY_ID =
  gql`
    query ProductById($id: ID!) {
      product(id: $id) {
        ...ProductFields
      }
    }
  ` +
  PRODUCT_FIELDS +
  VARIANT_FIELDS;

/** The variants of one product past the first page embedded in `ProductsPage`. */
export const PRODUCT_VARIANTS_PAGE =
  gql`
    query ProductVariantsPage($id: ID!, $after: String) {
      product(id: $id) {
        variants(first: 100, after: $after) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...VariantFields
          }
        }
      }
    }
  ` + VARIANT_FIELDS;

/** The collections of one product past the first page embedded in `ProductsPage` (the collections filter needs all). */
export const PRODUCT_COLLECTIONS_PAGE = gql`
  query ProductCollectionsPage($id: ID!, $after: String) {
    product(id: $id) {
      collections(first: 100, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          handle
        }
      }
    }
  }
`;

/** How many products match a search query (chooses paging or a bulk operation). */
export const PRODUCTS_COUNT = gql`
  query ProductsCount($query: String) {
    productsCount(query: $query) {
      count
      precision
    }
  }
`;

/** The shop's own currency: what Shopify prices and order amounts (shopMoney) are in. */
export const SHOP_CURRENCY = gql`
  query ShopCurrency {
    shop {
      currencyCode
    }
  }
`;

/** Starts a bulk export (the inner query is `BULK_PRODUCTS_INNER`). */
export const BULK_RUN_QUERY = gql`
  mutation BulkRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/**
 * The query a bulk export runs: five connections (products, media, variants, collections,
 * metafields), the most Shopify allows in one bulk query. Bulk queries take no page sizes: nested connections come back
 * as separate JSONL lines carrying `__parentId`. `$query` is substituted by the client as a
 * quoted search string, so the text here is validated with a placeholder.
 */
export const BULK_PRODUCTS_INNER = gql`
  query BulkProducts {
    products(query: "__SEARCH__") {
      edges {
        node {
          id
          title
          handle
          status
          vendor
          productType
          category {
            id
            fullName
            name
          }
          tags
          descriptionHtml
          updatedAt
          options {
            name
            position
            values
          }
          media {
            edges {
              node {
                ... on MediaImage {
                  id
                  alt
                  image {
                    url
                  }
                }
              }
            }
          }
          variants {
            edges {
              node {
                id
                title
                sku
                price
                compareAtPrice
                barcode
                position
                selectedOptions {
                  name
                  value
                }
                inventoryItem {
                  id
                  tracked
                  measurement {
                    weight {
                      unit
                      value
                    }
                  }
                }
              }
            }
          }
          collections {
            edges {
              node {
                id
                handle
              }
            }
          }
          metafields {
            edges {
              node {
                id
                namespace
                key
                type
                value
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * Available stock of every inventory item at every location, as one bulk export (two levels of
 * connections, the most a bulk query may nest). A full sync reads stock this way: paging
 * `inventoryLevels` per item costs about 10 points an item, 1,000 s of a Standard bucket per
 * 100,000 SKUs.
 */
export const BULK_INVENTORY_INNER = gql`
  query BulkInventory {
    inventoryItems {
      edges {
        node {
          id
          inventoryLevels {
            edges {
              node {
                id
                location {
                  id
                }
                quantities(names: ["available"]) {
                  name
                  quantity
                }
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * Variant metafields of many variants at once (the page read; a product page's own cost stays
 * under the ceiling this way). 25 ids x (1 + 2 + 25) points stays far below 1,000; a variant
 * with more metafields is read on with `VARIANT_METAFIELDS_PAGE`.
 */
export const VARIANT_METAFIELDS_BY_IDS = gql`
  query VariantMetafields($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on ProductVariant {
        id
        metafields(first: 25) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            namespace
            key
            type
            value
          }
        }
      }
    }
  }
`;

/** The metafields of one variant past the first page of `VARIANT_METAFIELDS_BY_IDS`. */
export const VARIANT_METAFIELDS_PAGE = gql`
  query VariantMetafieldsPage($id: ID!, $after: String) {
    productVariant(id: $id) {
      metafields(first: 100, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          namespace
          key
          type
          value
        }
      }
    }
  }
`;

/**
 * Variant metafields as a second bulk export: the product export already uses the five
 * connections a bulk query may have, and products > variants > metafields would nest three
 * deep. The whole store's variants, unfiltered: a variant's `updated_at` is not its product's,
 * so the client keeps the lines of the variants it has. Each metafield line names its variant
 * by `__parentId`.
 */
export const BULK_VARIANT_METAFIELDS_INNER = gql`
  query BulkVariantMetafields {
    productVariants {
      edges {
        node {
          id
          metafields {
            edges {
              node {
                id
                namespace
                key
                type
                value
              }
            }
          }
        }
      }
    }
  }
`;

/** Polls one bulk operation. */
export const BULK_OPERATION_CANCEL = gql`
  mutation BulkOperationCancel($id: ID!) {
    bulkOperationCancel(id: $id) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const BULK_OPERATION_STATUS = gql`
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      url
      partialDataUrl
    }
  }
`;

/**
 * Variants found by a search over SKUs (`sku:"A" OR sku:"B"`). Shopify's search is fuzzy, so
 * the client keeps only exact matches.
 */
export const VARIANTS_BY_SKU = gql`
  query VariantsBySku($first: Int!, $after: String, $query: String!) {
    productVariants(first: $first, after: $after, query: $query, sortKey: ID) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        title
        sku
        price
        inventoryItem {
          id
          tracked
        }
        product {
          id
          title
          status
        }
      }
    }
  }
`;

/** Available quantity per location for a batch of inventory items. */
export const INVENTORY_LEVELS = gql`
  query InventoryLevels($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on InventoryItem {
        id
        sku
        tracked
        inventoryLevels(first: 10) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            location {
              id
            }
            quantities(names: ["available"]) {
              name
              quantity
            }
          }
        }
      }
    }
  }
`;

/** Every location of one inventory item, past the first page embedded in `InventoryLevels`. */
export const INVENTORY_ITEM_LEVELS = gql`
  query InventoryItemLevels($id: ID!, $after: String) {
    inventoryItem(id: $id) {
      id
      inventoryLevels(first: 100, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          location {
            id
          }
          quantities(names: ["available"]) {
            name
            quantity
          }
        }
      }
    }
  }
`;

const ORDER_FIELDS = gql`
  fragment OrderFields on Order {
    id
    name
    createdAt
    updatedAt
    sourceName
    sourceIdentifier
    tags
    cancelledAt
    cancelReason
    displayFulfillmentStatus
    # Bounded so a page of orders stays under the 1,000-point query cost limit: a fulfilment
    # with more than 10 distinct lines is rare (TikTok orders average a few SKUs).
    fulfillments(first: 5) {
      id
      status
      createdAt
      trackingInfo(first: 5) {
        number
        company
        url
      }
      fulfillmentLineItems(first: 10) {
        nodes {
          quantity
          lineItem {
            sku
          }
        }
      }
    }
  }
`;

/** Orders matching a search query; used to find the order made for a TikTok order. */
export const ORDERS_SEARCH =
  gql`
    query OrdersSearch($query: String!) {
      orders(first: 5, query: $query) {
        nodes {
          ...OrderFields
        }
      }
    }
  ` + ORDER_FIELDS;

/** Orders matching a search (tag and `updated_at`), oldest change first, page by page. */
export const ORDERS_UPDATED_PAGE =
  gql`
    query OrdersUpdatedPage($first: Int!, $after: String, $query: String!) {
      orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...OrderFields
        }
      }
    }
  ` + ORDER_FIELDS;

/** One order with its fulfilments (tracking) and cancellation. */
export const ORDER_BY_ID =
  gql`
    query OrderById($id: ID!) {
      order(id: $id) {
        ...OrderFields
      }
    }
  ` + ORDER_FIELDS;

/** Creates an order (API 2024-10+). Guarded by `createOrderOnce`; never call it bare. */
export const ORDER_CREATE =
  gql`
    mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
      orderCreate(order: $order, options: $options) {
        order {
          ...OrderFields
        }
        userErrors {
          field
          message
          code
        }
      }
    }
  ` + ORDER_FIELDS;

/**
 * Cancels an order (runs as a job). 2026-10 deprecates `refund` for `refundMethod`, and
 * `userErrors` for `orderCancelUserErrors`; `jobResult` is new in 2026-10.
 */
export const ORDER_CANCEL =
  gql`
    mutation OrderCancel(
      $orderId: ID!
      $reason: OrderCancelReason!
      $notifyCustomer: Boolean
      $restock: Boolean!
      $refundMethod: OrderCancelRefundMethodInput
      $staffNote: String
    ) {
      orderCancel(
        orderId: $orderId
        reason: $reason
        notifyCustomer: $notifyCustomer
        restock: $restock
        refundMethod: $refundMethod
        staffNote: $staffNote
      ) {
        jobResult {
          id
          done
          status
          errors {
            field
            message
            code
          }
          order {
            ...OrderFields
          }
        }
        orderCancelUserErrors {
          field
          message
          code
        }
      }
    }
  ` + ORDER_FIELDS;

/** Whether an asynchronous job (e.g. an order cancellation) has run. */
export const JOB_STATUS = gql`
  query JobStatus($id: ID!) {
    job(id: $id) {
      id
      done
    }
  }
`;

/** The app's webhook subscriptions. */
export const WEBHOOK_SUBSCRIPTIONS = gql`
  query WebhookSubscriptions($after: String) {
    webhookSubscriptions(first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        topic
        uri
      }
    }
  }
`;

/** Subscribes one topic to a URI (JSON payloads). */
export const WEBHOOK_SUBSCRIPTION_CREATE = gql`
  mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
    webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
      webhookSubscription {
        id
        topic
        uri
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Removes one webhook subscription. */
export const WEBHOOK_SUBSCRIPTION_DELETE = gql`
  mutation WebhookSubscriptionDelete($id: ID!) {
    webhookSubscriptionDelete(id: $id) {
      deletedWebhookSubscriptionId
      userErrors {
        field
        message
      }
    }
  }
`;

/** The shop's name and currency, and the scopes the merchant granted the custom app (onboarding check). */
export const SHOP_ACCESS = gql`
  query ShopAccess {
    shop {
      name
      currencyCode
    }
    currentAppInstallation {
      accessScopes {
        handle
      }
    }
  }
`;

/** The shop's active locations with their addresses (needs `read_locations`). */
export const LOCATIONS_PAGE = gql`
  query LocationsPage($after: String) {
    locations(first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        isActive
        address {
          address1
          city
          zip
          countryCode
        }
      }
    }
  }
`;
