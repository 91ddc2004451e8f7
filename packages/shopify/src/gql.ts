/**
 * Marks a GraphQL operation. It returns the text unchanged; its job is to be the one
 * convention the schema-validation test looks for (every `gql` template in src is validated
 * against the vendored Admin schema).
 */
export function gql(strings: TemplateStringsArray, ...values: never[]): string {
  // No interpolation: an operation must be a literal so the test sees exactly what is sent.
  if (values.length > 0) throw new Error('gql templates take no interpolations');
  return strings.join('');
}
