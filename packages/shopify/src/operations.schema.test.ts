import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAdminSchema } from '@shoptok/testkit/shopify';
import {
  isEnumType,
  Kind,
  parse,
  validate,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { SHOPTOK_WEBHOOK_TOPICS } from './client.js';
import * as ops from './operations.js';

// Every GraphQL operation in src is a gql`…` literal. This test extracts them from the source
// text (so a new operation cannot skip it) and validates each against the real 2026-10 schema.
const srcDir = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

function extractLiterals(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const file of sourceFiles(srcDir)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?<![`\w])gql`([^`]*)`/g)) out.push({ file, text: m[1]! });
  }
  return out;
}

describe('GraphQL operations against the Admin API 2026-10 schema', () => {
  const schema = loadAdminSchema();
  const literals = extractLiterals();
  const definitions: DefinitionNode[] = literals.flatMap((l) => parse(l.text).definitions);
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

  function withFragments(op: OperationDefinitionNode) {
    const needed = new Map<string, FragmentDefinitionNode>();
    const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
      visit(node, {
        FragmentSpread(spread) {
          const f = fragments.get(spread.name.value);
          if (f && !needed.has(f.name.value)) {
            needed.set(f.name.value, f);
            collect(f);
          }
        },
      });
    collect(op);
    return { kind: Kind.DOCUMENT, definitions: [op, ...needed.values()] } as const;
  }

  it('finds the operations', () => {
    console.log(
      `GraphQL operations validated against admin_2026-10:\n${operations.map((o) => `  ${o.operation} ${o.name?.value}`).join('\n')}`,
    );
    expect(operations.length).toBeGreaterThanOrEqual(14);
    expect(operations.every((o) => o.name)).toBe(true);
  });

  it.each(operations.map((o) => [o.name!.value, o] as const))('%s is valid', (_name, op) => {
    const errors = validate(schema, withFragments(op));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('every exported operation string (what is actually sent) is valid as a whole document', () => {
    const exported = Object.entries(ops).filter(([, v]) => typeof v === 'string');
    for (const [name, text] of exported) {
      expect([name, validate(schema, parse(text)).map((e) => e.message)]).toEqual([name, []]);
    }
  });

  it('subscribes only to webhook topics the 2026-10 schema has, orders/fulfilled included', () => {
    const topicEnum = schema.getType('WebhookSubscriptionTopic');
    if (!isEnumType(topicEnum)) throw new Error('WebhookSubscriptionTopic is not an enum in the vendored schema');
    const known = new Set(topicEnum.getValues().map((v) => v.name));
    expect(SHOPTOK_WEBHOOK_TOPICS.filter((t) => !known.has(t))).toEqual([]);
    expect(SHOPTOK_WEBHOOK_TOPICS).toContain('ORDERS_FULFILLED');
  });

  it('rejects an operation the real schema would reject', () => {
    // Proves the check has teeth: REST-era field names are not in the 2026-10 schema.
    const bad = parse('query { products(first: 1) { nodes { id inventoryQuantity weight } } }');
    expect(validate(schema, bad).length).toBeGreaterThan(0);
  });
});
