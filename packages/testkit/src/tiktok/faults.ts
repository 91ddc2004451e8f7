import type { ServerResponse } from 'node:http';
import { count, type CounterKey } from './counters.js';
import { envelope, send } from './http.js';
import type { FaultSpec, ShopState, TikTokStandInState } from './state.js';
import { expireAccessTokens } from './tokens.js';

export interface StandInFaults {
  /** Injects a fault into the next matching requests (`times`, default 1). */
  inject(fault: FaultSpec): void;
  clear(): void;
  /** Faults not used up yet. */
  pending(): FaultSpec[];
  /** How many requests a `hold` fault holds right now. */
  held(): number;
  /** Lets every held request go on (it runs and/or is answered, even if its client is gone); returns how many. */
  release(): number;
}

export function faultsApi(state: TikTokStandInState): StandInFaults {
  return {
    inject: (fault) => {
      state.faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clear: () => {
      state.faults = [];
    },
    pending: () => state.faults.map(({ left, ...f }) => ({ ...f, times: left })),
    held: () => state.held.length,
    release: () => {
      const waiting = state.held;
      state.held = [];
      for (const go of waiting) go();
      return waiting.length;
    },
  };
}

/** Takes one use of the first fault that matches a request of this shop to this API. */
export function takeFault(state: TikTokStandInState, shop: ShopState, api: string): FaultSpec | undefined {
  const fault = state.faults.find(
    (f) => f.left > 0 && (!f.shop || f.shop === shop.shopId || f.shop === shop.cipher) && (!f.api || f.api === api),
  );
  if (!fault) return undefined;
  fault.left -= 1;
  state.faults = state.faults.filter((f) => f.left > 0);
  return fault;
}

/** Resolves when `faults.release()` lets the held request go on. */
export function holdUntilReleased(state: TikTokStandInState): Promise<void> {
  return new Promise<void>((resolve) => state.held.push(resolve));
}

/**
 * Applies a fault before the request runs: answers (or drops) it as the fault says and returns
 * true, or, for `slow` and `hold`, waits and returns false so the request goes on.
 */
export async function applyFault(
  state: TikTokStandInState,
  fault: FaultSpec,
  shop: ShopState,
  counterRow: CounterKey,
  res: ServerResponse,
): Promise<boolean> {
  switch (fault.kind) {
    case 'rate-limit':
      count(state, counterRow, 'rateLimited');
      send(res, 429, envelope(36009002, 'Too many requests.', null));
      return true;
    case 'server-error':
      count(state, counterRow, 'errors');
      send(
        res,
        fault.status ?? 500,
        fault.status === 503 ? 'Service Unavailable' : envelope(36009003, 'Internal error. Please try again.', null),
      );
      return true;
    case 'malformed-json':
      count(state, counterRow, 'errors');
      send(res, 200, '{"code":0,"message":"Success","data":{"produ');
      return true;
    case 'wrong-envelope':
      count(state, counterRow, 'errors');
      send(res, 200, JSON.stringify({ status: 'ok', result: { message: 'upstream answered' } }));
      return true;
    case 'timeout':
      count(state, counterRow, 'errors');
      return true; // never answers; the socket is destroyed on close
    case 'expired-token':
      expireAccessTokens(state, shop.shopId);
      count(state, counterRow, 'errors');
      send(res, 401, envelope(105002, 'Expired credentials. The access token has expired.', null));
      return true;
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1_000));
      return false;
    case 'hold':
      if (fault.phase !== 'after-run') await holdUntilReleased(state);
      return false;
  }
}
