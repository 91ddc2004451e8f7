import type { ServerResponse } from 'node:http';
import { requestId } from './model.js';

/** Answers with a JSON body (once: a request already answered or gone is left alone). */
export function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** TikTok's response envelope (§3). */
export function envelope(code: number, message: string, data: unknown): string {
  return JSON.stringify({ code, message, request_id: requestId(), data });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sendHtml(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

// Big integers in a JSON body stay exact strings (the stand-in's own reviver).
export function parseBody(raw: Buffer): unknown {
  return JSON.parse(raw.toString('utf8'), function (this: unknown, _k: string, v: unknown, ctx?: { source?: string }) {
    return typeof v === 'number' && !Number.isSafeInteger(v) && ctx?.source && /^-?\d+$/.test(ctx.source) ? ctx.source : v;
  } as (this: unknown, k: string, v: unknown) => unknown);
}
