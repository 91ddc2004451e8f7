import type { Handler } from '../context.js';

/** One Open API endpoint: method, path template, what the gateway checks for it, and its handler. */
export interface Route {
  method: string;
  /** e.g. `/product/202309/products/{product_id}`. */
  template: string;
  pattern: RegExp;
  names: string[];
  /** Shop-scoped: needs `shop_cipher`; otherwise it must be absent. */
  shopScoped: boolean;
  body: 'none' | 'json' | 'multipart';
  handler: Handler;
}

export function route(method: string, template: string, shopScoped: boolean, body: Route['body'], handler: Handler): Route {
  const names: string[] = [];
  const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
  return { method, template, pattern, names, shopScoped, body, handler };
}

/** The path parameters of a request to the route (its pattern matched the path). */
export function pathParams(r: Route, pathname: string): Record<string, string> {
  const params: Record<string, string> = {};
  const m = r.pattern.exec(pathname)!;
  r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
  return params;
}
