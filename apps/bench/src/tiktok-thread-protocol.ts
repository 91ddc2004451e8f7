/**
 * The messages between the inventory stand-ins process (main thread: the Shopify stand-in, the
 * catalogue, the control API) and its TikTok thread (tiktok-thread.ts: the TikTok stand-in in
 * its own V8 isolate, so the Shopify side's GC and bulk exports cannot delay TikTok's handlers).
 * Both ends are this bench's code in one process: explicit types, no validation per message.
 */
import type { SeededShop } from '@shoptok/testkit/tiktok';
import { z } from 'zod';
import type { LoopDelayReading } from './loop-watch.js';
import type { TikTokAppReady } from './standins-plumbing.js';
import type { ListableProduct, SkuLink } from './stock-standins.js';

/** The thread's `workerData`. */
export const tiktokThreadConfigSchema = z.object({
  qps: z.number().positive(),
  latencyMs: z.object({ min: z.number(), max: z.number() }),
  appKey: z.string(),
  appSecret: z.string(),
  warehouseIds: z.array(z.string()).min(1),
});
export type TikTokThreadConfig = z.infer<typeof tiktokThreadConfigSchema>;

/** Each 429 of an inventory update: updates that reached the HTTP layer in the second before it, and the thread's longest stall then. */
export interface RateLimitedCall {
  at: string;
  updatesArrivedInSecondBefore: number;
  stallInSecondBeforeMs: number;
}

export interface TikTokThreadStats {
  /** The TikTok thread's event loop (the one whose stalls bunch calls into 429s). */
  eventLoopDelay: LoopDelayReading;
  rateLimitedCalls: RateLimitedCall[];
  total: { requests: number; rateLimited: number };
  byApi: { api: string; requests: number; rateLimited: number }[];
}

/** A SKU's TikTok quantity per warehouse that Shopify says it should have. */
export interface ExpectedSku {
  tiktokProductId: string;
  tiktokSkuId: string;
  want: Record<string, number>;
}

/** Requests to the thread, each answered by a `reply` of the same id with `Replies[kind]`. */
export type ToThread = { id: number } & (
  | { kind: 'seed'; products: ListableProduct[] }
  | { kind: 'stats' }
  | { kind: 'check'; skus: ExpectedSku[] }
  /** Watch a change: answered once watched; `landed` follows when TikTok shows `quantity`. */
  | {
      kind: 'watch';
      change: number;
      tiktokProductId: string;
      tiktokSkuId: string;
      sellerSku: string;
      warehouseId: string;
      quantity: number;
    }
  /** Close the stand-in; the thread exits after the reply. */
  | { kind: 'close' }
);

export interface Replies {
  seed: SkuLink[];
  stats: TikTokThreadStats;
  check: { mismatched: number };
  watch: null;
  close: null;
}

export type FromThread =
  | { kind: 'ready'; app: TikTokAppReady; shop: SeededShop }
  | { kind: 'reply'; id: number; value: unknown }
  /** Change `change` showed on TikTok at `at` (Date.now() ms). */
  | { kind: 'landed'; change: number; sellerSku: string; at: number };
