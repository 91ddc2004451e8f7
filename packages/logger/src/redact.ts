/** What replaces a secret in logs and error messages. */
export const REDACTED = '[REDACTED]';

// Keys whose values are secrets wherever they appear (case-insensitive, any depth).
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-tts-access-token|x-shopify-access-token|x-shopify-hmac-sha256|access_?token|refresh_?token|app_?secret|client_?secret|api_?key|api_?secret|secret|password|token|sign|openai_?api_?key|shopify_?(access_)?token|tiktok_?(secret|access_?token|refresh_?token))$/i;

// Secrets that carry their own recognisable shape, and secrets in query strings or headers.
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED], // OpenAI keys
  [/\bshp(at|ss|ca|pa)_[A-Za-z0-9]{8,}/g, REDACTED], // Shopify tokens
  [/([?&](?:access_token|refresh_token|app_secret|sign|auth_code)=)[^&\s"']+/gi, `$1${REDACTED}`],
  [/(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{6,}/g, `$1${REDACTED}`],
];

/** True for object keys whose values must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Removes secrets from a string: known secret values first (the app passes every secret it
 * loaded), then anything shaped like a token, key or signed query parameter.
 */
export function scrubSecrets(text: string, secretValues: readonly string[] = []): string {
  let out = text;
  for (const secret of secretValues) {
    // Short values would redact ordinary words; real secrets are long.
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A deep copy of `value` with secret keys and secret-looking strings redacted. */
export function redactDeep(value: unknown, secretValues: readonly string[] = [], seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubSecrets(value, secretValues);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secretValues, seen));
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { type: value.name, message: value.message, stack: value.stack };
    for (const [k, v] of Object.entries(value)) plain[k] = v;
    if (value.cause !== undefined) plain.cause = value.cause;
    return redactDeep(plain, secretValues, seen);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redactDeep(v, secretValues, seen);
  }
  return out;
}
