import { createHmac, timingSafeEqual } from 'node:crypto';

// The stand-in's own signing, written from API-FACTS §1.1 and §7 and not shared with the
// client, so a client bug cannot be mirrored here.

/** Expected `sign` for a request as the server received it. */
export function expectedSign(
  appSecret: string,
  path: string,
  params: URLSearchParams,
  rawBody: Buffer,
  contentType: string | undefined,
): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of params) if (k !== 'sign' && k !== 'access_token') pairs.push([k, v]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const media = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  const parts: Buffer[] = [Buffer.from(appSecret + path + pairs.map(([k, v]) => k + v).join(''), 'utf8')];
  if (rawBody.length > 0 && media !== 'multipart/form-data') parts.push(rawBody);
  parts.push(Buffer.from(appSecret, 'utf8'));
  return createHmac('sha256', appSecret).update(Buffer.concat(parts)).digest('hex');
}

/** Constant-time comparison of two hex signatures. */
export function sameSign(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The `Authorization` header TikTok puts on a webhook: HMAC-SHA256(app_secret, app_key + body), hex. */
export function webhookSignature(appKey: string, appSecret: string, body: string): string {
  return createHmac('sha256', appSecret)
    .update(Buffer.concat([Buffer.from(appKey, 'utf8'), Buffer.from(body, 'utf8')]))
    .digest('hex');
}
