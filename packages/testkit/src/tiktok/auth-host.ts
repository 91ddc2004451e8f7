import type { ServerResponse } from 'node:http';
import { envelope, escapeHtml, send, sendHtml } from './http.js';
import { nowSec } from './model.js';
import type { ShopState, TikTokStandInState } from './state.js';
import { issueAuthCode, issueTokens } from './tokens.js';

// The auth host (§2): Get Token and Refresh Token, and the seller's authorization page.

/** Where the auth host lives on the stand-in's port. */
export const AUTH_PREFIX = '/auth-host';

export interface AuthHostOptions {
  /** Each refresh issues a new refresh token and drops the old one (TikTok's behaviour). */
  rotateRefreshToken: boolean;
}

export function isAuthHostPath(pathname: string): boolean {
  return pathname.startsWith(`${AUTH_PREFIX}/`);
}

/** Answers a request under {@link AUTH_PREFIX}. */
export async function serveAuthHost(
  state: TikTokStandInState,
  options: AuthHostOptions,
  method: string,
  url: URL,
  raw: Buffer,
  res: ServerResponse,
): Promise<void> {
  if (url.pathname === `${AUTH_PREFIX}/oauth/authorize`) return authorizePage(state, method, url, raw, res);
  if (method !== 'GET') return send(res, 405, envelope(36009010, 'Invalid HTTP method', null));
  return tokenEndpoint(state, options, url, res);
}

async function tokenEndpoint(state: TikTokStandInState, options: AuthHostOptions, url: URL, res: ServerResponse): Promise<void> {
  const q = url.searchParams;
  const path = url.pathname.slice(AUTH_PREFIX.length);
  const appKey = q.get('app_key') ?? '';
  if (state.apps.get(appKey) === undefined || state.apps.get(appKey) !== q.get('app_secret'))
    return send(res, 200, envelope(36004004, 'invalid app_key or app_secret', null));
  if (path === '/api/v2/token/get') {
    const code = q.get('auth_code') ?? '';
    const record = state.authCodes.get(code);
    if (q.get('grant_type') !== 'authorized_code' || !record || record.appKey !== appKey || record.expiresAt < nowSec())
      return send(res, 200, envelope(36004005, 'can not find related auth record', null));
    state.authCodes.delete(code); // single-use (§2)
    return send(res, 200, envelope(0, 'success', tokenData(state, state.shops.get(record.shopId)!)));
  }
  if (path === '/api/v2/token/refresh') {
    const token = q.get('refresh_token') ?? '';
    const record = state.refreshTokens.get(token);
    if (q.get('grant_type') !== 'refresh_token' || !record || record.appKey !== appKey)
      return send(res, 200, envelope(36004005, 'can not find related auth record', null));
    if (record.expiresAt <= nowSec()) return send(res, 200, envelope(36004001, 'rt has expired', null));
    const shop = state.shops.get(record.shopId)!;
    shop.refreshCount += 1;
    if (options.rotateRefreshToken) state.refreshTokens.delete(token);
    return send(res, 200, envelope(0, 'success', tokenData(state, shop, options.rotateRefreshToken ? undefined : token)));
  }
  return send(res, 404, envelope(36009009, 'Invalid path', null));
}

/** A new token pair as Get Token / Refresh Token answer it; `keepRefresh`: the refresh token stays this one. */
function tokenData(state: TikTokStandInState, shop: ShopState, keepRefresh?: string): Record<string, unknown> {
  const t = issueTokens(state, shop);
  if (keepRefresh) {
    state.refreshTokens.delete(t.refreshToken);
    t.refreshToken = keepRefresh;
    t.refreshTokenExpiresAt = state.refreshTokens.get(keepRefresh)!.expiresAt * 1000;
  }
  return {
    access_token: t.accessToken,
    access_token_expire_in: Math.floor(t.accessTokenExpiresAt / 1000),
    refresh_token: t.refreshToken,
    refresh_token_expire_in: Math.floor(t.refreshTokenExpiresAt / 1000),
    open_id: `open_${shop.shopId}`,
    seller_name: shop.name,
    seller_base_region: shop.region,
    user_type: 0,
    granted_scopes: ['seller.product.basic', 'seller.order.info', 'seller.fulfillment.basic', 'seller.logistics'],
  };
}

/**
 * The seller authorization page (§2, the app-key form `/oauth/authorize?app_key=&state=`): the
 * seller picks the shop they are logged in as and consents or refuses by a form post; TikTok
 * then redirects to the app's registered redirect URL with `code` and `state`, or on refusal
 * `code=null&error=auth_denied`. A code is valid 30 minutes and once.
 */
function authorizePage(state: TikTokStandInState, method: string, url: URL, raw: Buffer, res: ServerResponse): void {
  const form = method === 'POST' ? new URLSearchParams(raw.toString('utf8')) : url.searchParams;
  const appKey = form.get('app_key') ?? '';
  const oauthState = form.get('state') ?? '';
  if (method !== 'GET' && method !== 'POST') return sendHtml(res, 405, 'Method not allowed', '<p>Invalid HTTP method.</p>');
  if (!state.apps.has(appKey)) return sendHtml(res, 400, 'Authorization failed', '<p>Invalid app_key: no such app.</p>');
  const redirectUrl = state.redirectUrls.get(appKey);
  if (!redirectUrl)
    return sendHtml(res, 400, 'Authorization failed', '<p>This app has no redirect URL set in Partner Center.</p>');
  const appShops = [...state.shops.values()].filter((s) => s.appKey === appKey);
  if (method === 'GET') {
    const options = appShops
      .map((s) => `<option value="${escapeHtml(s.shopId)}">${escapeHtml(s.name)} (${escapeHtml(s.region)})</option>`)
      .join('');
    return sendHtml(
      res,
      200,
      'Authorize app',
      `<form method="post" action="${AUTH_PREFIX}/oauth/authorize">` +
        `<input type="hidden" name="app_key" value="${escapeHtml(appKey)}"><input type="hidden" name="state" value="${escapeHtml(oauthState)}">` +
        `<p>An app asks to manage your shop's products, orders and logistics.</p>` +
        `<label>Shop <select name="shop_id">${options}</select></label> ` +
        `<button name="decision" value="authorize">Authorize</button> <button name="decision" value="deny">Cancel</button></form>`,
    );
  }
  const target = new URL(redirectUrl);
  if (form.get('decision') !== 'authorize') {
    target.searchParams.set('code', 'null');
    target.searchParams.set('error', 'auth_denied');
  } else {
    const shop = appShops.find((s) => s.shopId === form.get('shop_id'));
    if (!shop) return sendHtml(res, 400, 'Authorization failed', '<p>Choose one of your shops.</p>');
    target.searchParams.set('code', issueAuthCode(state, shop));
  }
  if (oauthState) target.searchParams.set('state', oauthState);
  res.writeHead(302, { location: target.toString(), 'content-length': 0 });
  res.end();
}
