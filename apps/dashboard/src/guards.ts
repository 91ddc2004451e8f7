import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  username: string;
  password: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks an `Authorization: Basic ...` header in constant time. Both sides are hashed first
 * so neither the length nor the first differing byte of the secret shows in the timing.
 */
export function createBasicAuthCheck(expected: BasicCredentials): (authorization: string | undefined) => boolean {
  const user = digest(expected.username);
  const pass = digest(expected.password);
  return (authorization) => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const givenUser = colon === -1 ? '' : decoded.slice(0, colon);
    const givenPass = colon === -1 ? '' : decoded.slice(colon + 1);
    // Both comparisons always run (no short circuit), so a right user name is not told apart.
    const userOk = timingSafeEqual(digest(givenUser), user);
    const passOk = timingSafeEqual(digest(givenPass), pass);
    return match !== null && colon !== -1 && userOk && passOk;
  };
}

export const BASIC_AUTH_CHALLENGE = 'Basic realm="shoptok dashboard", charset="UTF-8"';

/** Methods a cross-site page must never be able to make us run with the operator's credentials. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface OriginRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** `http` or `https` as the server sees it. */
  protocol: string;
}

/**
 * CSRF guard for every state-changing request (our replay button and Bull Board's retry,
 * clean, add...). Browsers attach basic-auth credentials to cross-site requests, so an
 * unsafe request is refused when the browser says it comes from another site:
 * `Sec-Fetch-Site` must be `same-origin` (or `none`: typed by the user), and when only
 * `Origin` is sent it must be this server's origin (its Host, or DASHBOARD_PUBLIC_URL behind
 * a proxy). Requests with neither header come from scripts such as curl, not from a browser
 * page, and are let through (they still need the credentials).
 * Returns undefined when allowed, else the reason to show.
 */
export function crossSiteRefusal(request: OriginRequest, publicOrigin: string | undefined): string | undefined {
  if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return undefined;
  const header = (name: string) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const fetchSite = header('sec-fetch-site');
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return `refused a ${fetchSite} ${request.method} request: changes can only be made from the dashboard's own pages`;
  }
  const origin = header('origin');
  if (origin === undefined) return undefined;
  const host = header('host');
  const allowed = new Set<string>();
  if (host) allowed.add(`${request.protocol}://${host}`.toLowerCase());
  if (publicOrigin) allowed.add(publicOrigin.toLowerCase());
  if (!allowed.has(origin.toLowerCase())) {
    return `refused a ${request.method} request from origin ${origin}: changes can only be made from the dashboard's own pages`;
  }
  return undefined;
}
