import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

// Shopify's cost model, approximated: an object costs 1, a connection costs 2 plus `first`
// times the cost of one node, scalars and enums are free, a mutation costs 10.

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.LIST) return node.values.map((v) => argValue(v, variables));
  return undefined;
}

function selectionCost(
  schema: GraphQLSchema,
  set: SelectionSetNode | undefined,
  parent: GraphQLCompositeType,
  fragments: Record<string, FragmentDefinitionNode>,
  vars: Record<string, unknown>,
): number {
  if (!set) return 0;
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.INLINE_FRAGMENT || sel.kind === Kind.FRAGMENT_SPREAD) {
      const frag = sel.kind === Kind.FRAGMENT_SPREAD ? fragments[sel.name.value] : sel;
      if (!frag) continue;
      const typeName = frag.typeCondition?.name.value;
      const type = typeName ? schema.getType(typeName) : parent;
      if (type && isCompositeType(type)) total += selectionCost(schema, frag.selectionSet, type, fragments, vars);
      continue;
    }
    if (isAbstractType(parent) || (!isObjectType(parent) && !('getFields' in parent))) continue;
    const def = 'getFields' in parent ? parent.getFields()[sel.name.value] : undefined;
    if (!def) continue;
    const named = getNamedType(def.type);
    if (!isCompositeType(named)) continue;
    const args = Object.fromEntries((sel.arguments ?? []).map((a) => [a.name.value, argValue(a.value, vars)]));
    const count =
      typeof args.first === 'number'
        ? args.first
        : typeof args.last === 'number'
          ? args.last
          : Array.isArray(args.ids)
            ? args.ids.length
            : 1;
    if (named.name.endsWith('Connection') && isObjectType(named)) {
      let perNode = 0;
      let other = 0;
      for (const inner of sel.selectionSet?.selections ?? []) {
        if (inner.kind !== Kind.FIELD) continue;
        const innerDef = named.getFields()[inner.name.value];
        const innerType = innerDef ? getNamedType(innerDef.type) : undefined;
        if (!innerType || !isCompositeType(innerType)) continue;
        const c = 1 + selectionCost(schema, inner.selectionSet, innerType, fragments, vars);
        if (inner.name.value === 'nodes' || inner.name.value === 'edges') perNode += c;
        else other += c;
      }
      total += 2 + count * perNode + other;
    } else {
      total += count * (1 + selectionCost(schema, sel.selectionSet, named, fragments, vars));
    }
  }
  return total;
}

/** The requested cost of an operation, computed before it runs (as Shopify does). */
export function requestedCost(
  schema: GraphQLSchema,
  op: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (op.operation === 'mutation') return 10;
  const root = schema.getQueryType();
  if (!root) return 1;
  return Math.max(1, selectionCost(schema, op.selectionSet, root, fragments, variables));
}

/** The actual cost: one point per object returned, never more than requested. */
export function actualCost(data: unknown, requested: number, isMutation: boolean): number {
  if (isMutation) return 10;
  let n = 0;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      n += 1;
      Object.values(v).forEach(walk);
    }
  };
  walk(data);
  return Math.max(1, Math.min(requested, n));
}
