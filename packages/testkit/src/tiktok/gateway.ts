import type { IncomingMessage } from 'node:http';
import { nowSec } from './model.js';
import type { Route } from './routes/route.js';
import { expectedSign, sameSign } from './sign.js';
import type { ShopState, TikTokStandInState } from './state.js';

// What TikTok's gateway checks before a request reaches the API (§1, §3): app key, timestamp,
// signature, content type, access token and shop cipher, then the rate limit.

/** Who sent an Open API request that passed the checks. */
export interface Caller {
  appKey: string;
  appSecret: string;
  shop: ShopState;
}

/** A refusal by the gateway: HTTP status and TikTok's code. */
export interface Refusal {
  status: number;
  code: number;
  message: string;
}

const refuse = (status: number, code: number, message: string): { refusal: Refusal } => ({ refusal: { status, code, message } });

/** Runs the common checks in the order a gateway makes them. */
export function checkCaller(
  state: TikTokStandInState,
  route: Route,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
): { caller: Caller } | { refusal: Refusal } {
  const q = url.searchParams;
  const appKey = q.get('app_key') ?? '';
  const appSecret = state.apps.get(appKey);
  if (appSecret === undefined) return refuse(401, 36009004, 'Invalid app_key.');
  const ts = Number(q.get('timestamp'));
  const now = nowSec();
  if (!/^\d{1,10}$/.test(q.get('timestamp') ?? '') || ts < now - 300 || ts > now + 30)
    return refuse(401, 36009004, 'Invalid timestamp: older than 5 minutes or more than 30 seconds ahead.');
  const sign = q.get('sign');
  if (!sign) return refuse(401, 36009004, 'Missing signature.');
  const contentType = req.headers['content-type'] ?? '';
  if (!sameSign(sign, expectedSign(appSecret, url.pathname, q, raw, contentType)))
    return refuse(401, 106001, "Invalid credentials. The 'sign' query parameter is invalid.");
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (route.body === 'multipart' && media !== 'multipart/form-data')
    return refuse(200, 36009023, 'Content-type must be multipart/form-data.');
  if (route.body === 'json' && raw.length > 0 && media !== 'application/json' && media !== 'multipart/form-data')
    return refuse(200, 36009022, 'Body must be application/json or multipart/form-data.');
  const token = req.headers['x-tts-access-token'];
  const tokenRecord = typeof token === 'string' ? state.accessTokens.get(token) : undefined;
  if (!tokenRecord || tokenRecord.appKey !== appKey) return refuse(401, 36009004, 'Invalid x-tts-access-token.');
  if (tokenRecord.expiresAt <= now) return refuse(401, 105002, 'Expired credentials. The access token has expired.');
  const shop = state.shops.get(tokenRecord.shopId)!;
  const cipher = q.get('shop_cipher');
  if (route.shopScoped && !cipher) return refuse(200, 106013, 'Missing shop_cipher.');
  if (!route.shopScoped && cipher !== null) return refuse(200, 36009004, 'Unexpected identifier: shop_cipher.');
  if (route.shopScoped && cipher !== shop.cipher) return refuse(200, 101000, 'The shop_cipher does not match the access token.');
  return { caller: { appKey, appSecret, shop } };
}

/** The rate limit: at most `qps` admitted requests per key in any sliding second. */
export function admitted(state: TikTokStandInState, qps: number, key: string): boolean {
  const now = Date.now();
  const log = state.rateWindows.get(key) ?? [];
  while (log.length > 0 && log[0]! <= now - 1000) log.shift();
  if (log.length >= qps) {
    state.rateWindows.set(key, log);
    return false;
  }
  log.push(now);
  state.rateWindows.set(key, log);
  return true;
}
