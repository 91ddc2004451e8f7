/**
 * The product cannot be mapped as given (no title, no words that match any category). Not
 * retryable: the same input fails the same way; the merchant has to fix the product.
 */
export class MapperInputError extends Error {
  override readonly name = 'MapperInputError';
  readonly retryable = false;
}
