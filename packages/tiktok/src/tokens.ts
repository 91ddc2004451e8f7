import { createHash, randomBytes } from 'node:crypto';
import got from 'got';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@shoptok/logger';
import { tiktokKeysAt } from '@shoptok/keys';
import { z } from 'zod';
import { errorForCode } from './classify.js';
import { TikTokAuthError, type TikTokError, TikTokResponseShapeError, TikTokTransientError } from './errors.js';
import { parseJsonSafe } from './json.js';
import { sleep } from './pacing.js';

/** A shop's current tokens; expiries are absolute epoch milliseconds. */
export interface TikTokTokens {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  refreshTokenExpiresAt: number;
}

// The auth host answers with the usual envelope; expiries are absolute Unix seconds (§2).
const tokenDataSchema = z.object({
  access_token: z.string().min(1),
  access_token_expire_in: z.number().int(),
  refresh_token: z.string().min(1),
  refresh_token_expire_in: z.number().int(),
  open_id: z.string().optional(),
  seller_name: z.string().optional(),
  seller_base_region: z.string().optional(),
  granted_scopes: z.array(z.string()).optional(),
});
const tokenEnvelopeSchema = z.object({
  code: z.number().int(),
  message: z.string().default(''),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});

export interface TikTokAuthHostOptions {
  appKey: string;
  appSecret: string;
  /** e.g. `https://auth.tiktok-shops.com` (no trailing slash). */
  authBase: string;
  timeoutMs?: number;
}

async function callAuthHost(options: TikTokAuthHostOptions, path: string, params: Record<string, string>): Promise<TikTokTokens> {
  const operation = `GET ${path}`;
  // Unsigned GET with the app secret in the query (§2): never log this URL or keep got's error.
  const url = `${options.authBase}${path}?${new URLSearchParams({ app_key: options.appKey, app_secret: options.appSecret, ...params }).toString()}`;
  let status: number;
  let text: string;
  try {
    const res = await got(url, {
      method: 'GET',
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: options.timeoutMs ?? 15_000 },
    });
    status = res.statusCode;
    text = res.body;
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'network error';
    throw new TikTokTransientError(`Could not reach the TikTok auth host (${reason}) for ${operation}.`, { operation });
  }
  let body: unknown;
  try {
    body = parseJsonSafe(text);
  } catch {
    throw new TikTokTransientError(`The TikTok auth host answered HTTP ${status} with a body that is not JSON on ${operation}.`, {
      operation,
      httpStatus: status,
    });
  }
  const envelope = tokenEnvelopeSchema.safeParse(body);
  if (!envelope.success)
    throw new TikTokResponseShapeError(
      `The TikTok auth host answered HTTP ${status} without the usual envelope on ${operation}.`,
      { operation, httpStatus: status },
    );
  const { code, message, request_id: requestId } = envelope.data;
  const details = { operation, requestId, httpStatus: status, code };
  if (code !== 0) throw errorForCode(code, message, details);
  const data = tokenDataSchema.safeParse(envelope.data.data);
  if (!data.success)
    throw new TikTokResponseShapeError(
      `The TikTok token answer lacks fields we need on ${operation}: ${z.prettifyError(data.error)}`,
      details,
    );
  return {
    accessToken: data.data.access_token,
    accessTokenExpiresAt: data.data.access_token_expire_in * 1000,
    refreshToken: data.data.refresh_token,
    refreshTokenExpiresAt: data.data.refresh_token_expire_in * 1000,
  };
}

/** Exchanges a seller's authorization code for tokens (`GET /api/v2/token/get` on the auth host). */
export function exchangeAuthCode(options: TikTokAuthHostOptions, authCode: string): Promise<TikTokTokens> {
  return callAuthHost(options, '/api/v2/token/get', { auth_code: authCode, grant_type: 'authorized_code' });
}

/** Trades a refresh token for new tokens (`GET /api/v2/token/refresh` on the auth host). */
export function refreshTokens(options: TikTokAuthHostOptions, refreshToken: string): Promise<TikTokTokens> {
  return callAuthHost(options, '/api/v2/token/refresh', { refresh_token: refreshToken, grant_type: 'refresh_token' });
}

export interface TikTokTokenStoreOptions extends TikTokAuthHostOptions {
  redis: Redis | Cluster;
  /** The store's TikTok key base: `tiktokKeyBase(prefix, store)` of packages/keys. */
  keyBase: string;
  /** Refresh this long before the access token expires (default 1 h). */
  refreshAheadMs?: number;
  /** How long a refresh may hold the fleet-wide lock (default 30 s). */
  lockTtlMs?: number;
  logger?: Logger;
  now?: () => number;
}

const storedSchema = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: z.coerce.number(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.coerce.number(),
});

// Tokens from the configuration replace the stored ones only when TikTok issued them after
// anything this shop has seen: Redis keeps the SHA-1 of every token seeded, refreshed or
// stored by a connect flow, so a restart with unchanged configured tokens keeps the ones
// refreshed since, and tokens from a new authorization (never seen) replace them at once.
// Expiries cannot decide this: configured access tokens carry no expiry of their own.
// A Redis written before issued tokens were recorded (no set yet) keeps the old rule: the
// stored tokens stay unless the new ones live longer; both are recorded from then on.
const SEED_SCRIPT = `
local stored = redis.call('HGET', KEYS[1], 'accessTokenExpiresAt')
local recorded = redis.call('EXISTS', KEYS[2]) == 1
local unseen = false
for i = 1, 3, 2 do
  if ARGV[i] ~= '' and redis.call('SISMEMBER', KEYS[2], redis.sha1hex(ARGV[i])) == 0 then unseen = true end
end
local write
if not stored then write = true
elseif not recorded then
  write = tonumber(stored) < tonumber(ARGV[2])
  for _, field in ipairs({'accessToken', 'refreshToken'}) do
    local token = redis.call('HGET', KEYS[1], field)
    if token and token ~= '' then redis.call('SADD', KEYS[2], redis.sha1hex(token)) end
  end
else write = unseen end
for i = 1, 3, 2 do
  if ARGV[i] ~= '' then redis.call('SADD', KEYS[2], redis.sha1hex(ARGV[i])) end
end
if not write then return 0 end
redis.call('HSET', KEYS[1], 'accessToken', ARGV[1], 'accessTokenExpiresAt', ARGV[2], 'refreshToken', ARGV[3], 'refreshTokenExpiresAt', ARGV[4])
if stored then return 2 end
return 1`;
/** Same digest as Redis's `redis.sha1hex`, so Lua and Node record tokens alike. */
function sha1Hex(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * The current tokens of one shop, in Redis (never in job data or logs). Refreshes ahead of
 * expiry; a Redis lock makes one process of the fleet refresh while the others wait for it.
 */
export class TikTokTokenStore {
  private readonly key: string;
  /** SHA-1 of every token this shop has held: what tells newly issued tokens from old ones. */
  private readonly issuedKey: string;
  private readonly lockKey: string;
  private readonly refreshAheadMs: number;
  private readonly lockTtlMs: number;
  private readonly now: () => number;
  /** Refreshes performed by this instance (a test and a metric read it). */
  refreshCount = 0;
  /** The tokens given to `seed` (the configuration's): what a Redis that lost its data gets back. */
  private seededWith: TikTokTokens | undefined;

  constructor(private readonly options: TikTokTokenStoreOptions) {
    const keys = tiktokKeysAt(options.keyBase);
    this.key = keys.tokens;
    this.issuedKey = keys.tokensIssued;
    this.lockKey = keys.tokenRefreshLock;
    this.refreshAheadMs = options.refreshAheadMs ?? 3_600_000;
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Stores the configuration's tokens unless this shop has held them before (then the stored
   * ones, perhaps refreshed since, are newer). Tokens never seen, such as those of a new
   * authorization after a revocation, replace the stored ones. Returns true when written.
   */
  async seed(tokens: TikTokTokens): Promise<boolean> {
    this.seededWith = tokens;
    const written = await this.options.redis.eval(
      SEED_SCRIPT,
      2,
      this.key,
      this.issuedKey,
      tokens.accessToken,
      String(tokens.accessTokenExpiresAt),
      tokens.refreshToken,
      String(tokens.refreshTokenExpiresAt),
    );
    if (written === 2) this.options.logger?.info('the configured TikTok tokens are newly issued: they replace the stored ones');
    return written === 1 || written === 2;
  }

  /**
   * Stores tokens TikTok has just issued (a connect flow's authorization-code exchange): they
   * replace whatever is stored, at once for every process of the fleet, and configured tokens
   * seen before never replace them on a restart.
   */
  async storeIssuedTokens(tokens: TikTokTokens): Promise<void> {
    await this.write(tokens);
    this.options.logger?.info(
      { accessTokenExpiresAt: new Date(tokens.accessTokenExpiresAt).toISOString() },
      'newly issued TikTok tokens stored',
    );
  }

  private async write(tokens: TikTokTokens): Promise<void> {
    const issued = [tokens.accessToken, tokens.refreshToken].filter((t) => t !== '').map(sha1Hex);
    await this.options.redis
      .multi()
      .hset(this.key, {
        accessToken: tokens.accessToken,
        accessTokenExpiresAt: String(tokens.accessTokenExpiresAt),
        refreshToken: tokens.refreshToken,
        refreshTokenExpiresAt: String(tokens.refreshTokenExpiresAt),
      })
      .sadd(this.issuedKey, ...issued)
      .exec();
  }

  /** The stored tokens, or undefined when the shop has none. */
  async read(): Promise<TikTokTokens | undefined> {
    const raw = await this.options.redis.hgetall(this.key);
    if (Object.keys(raw).length === 0) return undefined;
    const parsed = storedSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * The stored tokens; when Redis has lost them (a restart without persistence), the tokens this
   * store was seeded with (the configuration's) are written again first instead of failing
   * every call until the process restarts. If TikTok rotated that refresh token since, the
   * refresh then fails with the error that says to authorize the shop again.
   */
  private async storedOrReseeded(): Promise<TikTokTokens | undefined> {
    const tokens = await this.read();
    if (tokens || !this.seededWith) return tokens;
    await this.seed(this.seededWith);
    this.options.logger?.warn(
      'the TikTok tokens were missing from Redis (did Redis lose its data?): seeded again from the configuration',
    );
    return this.read();
  }

  /** An access token that is not about to expire, refreshing first when needed. */
  async accessToken(): Promise<string> {
    const tokens = await this.storedOrReseeded();
    if (!tokens) throw this.noTokens();
    if (tokens.accessTokenExpiresAt - this.now() > this.refreshAheadMs) return tokens.accessToken;
    return (await this.refresh(tokens.accessToken)).accessToken;
  }

  /**
   * Refreshes unless someone already replaced `staleAccessToken` (then returns theirs). Only
   * one process holds the lock; the others wait for its result instead of refreshing again.
   */
  async refresh(staleAccessToken: string): Promise<TikTokTokens> {
    const deadline = this.now() + this.lockTtlMs * 2;
    const owner = randomBytes(8).toString('hex');
    for (;;) {
      const current = await this.storedOrReseeded();
      if (!current) throw this.noTokens();
      // Someone else already replaced the stale token: use theirs, even if it is short-lived.
      if (current.accessToken !== staleAccessToken && current.accessTokenExpiresAt > this.now()) return current;
      const locked = await this.options.redis.set(this.lockKey, owner, 'PX', this.lockTtlMs, 'NX');
      if (locked === 'OK') {
        try {
          // Re-read under the lock: the previous holder may have finished just before we got it.
          const latest = await this.read();
          if (!latest) throw this.noTokens();
          if (latest.accessToken !== staleAccessToken && latest.accessTokenExpiresAt > this.now()) return latest;
          if (latest.refreshTokenExpiresAt <= this.now()) {
            throw new TikTokAuthError(
              'The TikTok refresh token of this shop has expired: the seller must authorize the app again.',
              'refresh token (re-authorize the shop)',
            );
          }
          const fresh = await refreshTokens(this.options, latest.refreshToken);
          await this.write(fresh);
          this.refreshCount += 1;
          this.options.logger?.info(
            { accessTokenExpiresAt: new Date(fresh.accessTokenExpiresAt).toISOString() },
            'tiktok access token refreshed',
          );
          return fresh;
        } finally {
          await this.options.redis.eval(RELEASE_SCRIPT, 1, this.lockKey, owner);
        }
      }
      if (this.now() > deadline) {
        throw new TikTokTransientError('Timed out waiting for another process to refresh the TikTok access token.');
      }
      await sleep(50 + Math.floor(Math.random() * 50));
    }
  }

  private noTokens(): TikTokError {
    return new TikTokAuthError(
      'No TikTok tokens are stored for this shop: connect it (shoptok connect tiktok --store <store>) or set its access and refresh tokens.',
      'access/refresh tokens',
    );
  }
}
