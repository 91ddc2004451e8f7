import { nowSec, opaque, type SeededShop } from './model.js';
import type { ShopState, TikTokStandInState } from './state.js';

/** An authorization code is valid 30 minutes, once (§2). */
const AUTH_CODE_TTL_SEC = 30 * 60;

/** Issues a new access and refresh token pair for the shop's app (expiries in epoch ms). */
export function issueTokens(state: TikTokStandInState, shop: ShopState): SeededShop['tokens'] {
  const now = nowSec();
  const access = { token: opaque('ROW_'), exp: now + shop.accessTokenTtlSec };
  const refresh = { token: opaque('ROW_'), exp: now + shop.refreshTokenTtlSec };
  state.accessTokens.set(access.token, { shopId: shop.shopId, appKey: shop.appKey, expiresAt: access.exp });
  state.refreshTokens.set(refresh.token, { shopId: shop.shopId, appKey: shop.appKey, expiresAt: refresh.exp });
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.exp * 1000,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.exp * 1000,
  };
}

/** A new single-use authorization code for the shop's app. */
export function issueAuthCode(state: TikTokStandInState, shop: ShopState): string {
  const code = opaque('code_');
  state.authCodes.set(code, { shopId: shop.shopId, appKey: shop.appKey, expiresAt: nowSec() + AUTH_CODE_TTL_SEC });
  return code;
}

/** Every access token of the shop is expired from now on. */
export function expireAccessTokens(state: TikTokStandInState, shopId: string): void {
  for (const rec of state.accessTokens.values()) if (rec.shopId === shopId) rec.expiresAt = nowSec() - 1;
}

/** The seller revoked the app: access tokens expire and refresh tokens are gone (§2, §3). */
export function revokeAuthorization(state: TikTokStandInState, shopId: string): void {
  expireAccessTokens(state, shopId);
  for (const [token, rec] of state.refreshTokens) if (rec.shopId === shopId) state.refreshTokens.delete(token);
}

/** Makes every authorization code issued so far older than its 30 minutes. */
export function expireAuthCodes(state: TikTokStandInState): void {
  for (const rec of state.authCodes.values()) rec.expiresAt = nowSec() - 1;
}
