/**
 * JSON parsing that keeps big integers exact.
 *
 * TikTok ids are 64-bit (19 digits); `JSON.parse` would round them when a body carries a bare
 * number (webhook samples do). The reviver sees the number's source text (Node 22+), so any
 * integer beyond 2^53 comes back as its exact decimal string instead.
 */
type ReviverContext = { source?: string };

function keepBigIntegers(this: unknown, _key: string, value: unknown, context?: ReviverContext): unknown {
  if (
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
  ) {
    return context.source;
  }
  return value;
}

/** `JSON.parse` where integers too big for a double stay exact, as strings. */
export function parseJsonSafe(text: string): unknown {
  return JSON.parse(text, keepBigIntegers as (this: unknown, key: string, value: unknown) => unknown);
}
