import type { CategoryTree } from './categories.js';
import type { ShopState } from './state.js';

/** A refusal with TikTok's code; HTTP 200 unless said otherwise (business errors, §3). */
export class ApiFail extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 200,
  ) {
    super(message);
  }
}

export interface HandlerContext {
  shop: ShopState;
  appKey: string;
  appSecret: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** Parsed JSON body (big integers kept as strings), or undefined. */
  body: unknown;
  raw: Buffer;
  contentType: string;
  tree: CategoryTree;
  services: StandInServices;
}

/** What handlers may ask of the stand-in beyond their shop. */
export interface StandInServices {
  bannedWords: readonly string[];
  scheduleAudit(shop: ShopState, productId: string): void;
  emitWebhook(shop: ShopState, type: number, data: Record<string, unknown>): void;
}

export type Handler = (ctx: HandlerContext) => unknown | Promise<unknown>;

/** A plain object view of an unknown JSON body. */
export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Page token: opaque base64 of the offset. */
export function encodeToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeToken(token: string | null): number | undefined {
  if (!token) return 0;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^o:(\d+)$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function pageSize(
  query: URLSearchParams,
  min: number,
  max: number,
  fallback: number | undefined,
  code: number,
  message: string,
): number {
  const raw = query.get('page_size');
  if (raw === null) {
    if (fallback === undefined) throw new ApiFail(code, message);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiFail(code, message);
  return n;
}
