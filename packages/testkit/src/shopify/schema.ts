import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/** Path of the vendored Admin API 2026-10 introspection (see fixtures/shopify/SOURCE.md). */
export const ADMIN_SCHEMA_PATH = new URL('../../fixtures/shopify/admin_2026-10.json.gz', import.meta.url);

let cached: GraphQLSchema | undefined;

/** The real Shopify Admin API 2026-10 schema, built once per process. */
export function loadAdminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(ADMIN_SCHEMA_PATH)).toString('utf8')) as {
      data?: IntrospectionQuery;
    } & IntrospectionQuery;
    // Shopify's own schema breaks a rule graphql-js 17 enforces (deprecated implementations of
    // non-deprecated interface fields); it is the production schema, so take it as valid.
    cached = buildClientSchema(json.data ?? json, { assumeValid: true });
  }
  return cached;
}
