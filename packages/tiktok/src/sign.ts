import { createHmac } from 'node:crypto';

/** What goes into a request signature (API-FACTS §1.1). */
export interface SignInput {
  appSecret: string;
  /** Request path only, no host and no query string, e.g. `/product/202309/products/search`. */
  path: string;
  /** Decoded query values as sent; `sign` and `access_token` are dropped here. */
  query: Readonly<Record<string, string>>;
  /** The body exactly as sent on the wire; ignored for multipart. */
  body?: string | Buffer;
  /** The request's content type; a multipart body is never signed. */
  contentType?: string;
}

const UNSIGNED_PARAMS = new Set(['sign', 'access_token']);

function signedBody(input: SignInput): string | Buffer | undefined {
  const mediaType = (input.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (input.body === undefined || input.body.length === 0 || mediaType === 'multipart/form-data') return undefined;
  return input.body;
}

function signedParams(input: SignInput): string {
  const keys = Object.keys(input.query)
    .filter((k) => !UNSIGNED_PARAMS.has(k))
    // Keys are ASCII; plain code-unit order matches Go sort, PHP ksort and .NET Ordinal.
    .sort();
  let text = input.path;
  for (const key of keys) text += `${key}${input.query[key]}`;
  return text;
}

/** The exact string that is HMAC'ed: secret + path + sorted key/value pairs + body + secret. */
export function buildSignString(input: SignInput): string {
  const body = signedBody(input);
  const bodyText = body === undefined ? '' : typeof body === 'string' ? body : body.toString('utf8');
  return `${input.appSecret}${signedParams(input)}${bodyText}${input.appSecret}`;
}

/** The `sign` query parameter: lowercase hex HMAC-SHA256 keyed by the app secret. */
export function signRequest(input: SignInput): string {
  const hmac = createHmac('sha256', input.appSecret);
  hmac.update(input.appSecret + signedParams(input), 'utf8');
  // The body's own bytes, not a re-encoding: the server hashes what it received.
  const body = signedBody(input);
  if (body !== undefined) hmac.update(body);
  hmac.update(input.appSecret, 'utf8');
  return hmac.digest('hex');
}
