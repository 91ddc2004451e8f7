import { html, type SafeHtml } from './html.js';
import type { LagPoint } from '@shoptok/queues';
import type { StoreOverview } from './overview-data.js';

/** Long lists are cut here (the page must stay usable for a store with thousands of problems). */
export const LIST_LIMIT = 500;

export interface StoreLink {
  id: string;
  name: string;
  enabled: boolean;
  /** DRY_RUN or the store's dryRun (the config's answer; the mode is read per request). */
  dryRun?: boolean;
  /** The mode the config starts the store in; unset counts as preview, the safe default. */
  mode?: 'preview' | 'live';
  /** For the Listings page's links to Shopify admin and Seller Center. */
  shopifyDomain?: string;
  region?: string;
}

/** Where a store stands on writing: shown above its cards. */
export interface StoreWriting {
  mode: 'preview' | 'live';
  dry: boolean;
  liveSince?: number;
  /** "would create 212 listings, adopt 40, ..." */
  previewSummary: string;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:10px 24px;display:flex;gap:18px;align-items:center}
header a{color:#cfe0ff;text-decoration:none}header strong{font-size:16px;margin-right:auto}
main{padding:16px 24px;max-width:1200px}h1{font-size:20px;margin:8px 0 16px}h2{font-size:16px;margin:24px 0 8px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:22px}.warn b{color:#b3261e}
table{border-collapse:collapse;background:#fff;width:100%}td,th{border:1px solid #dde1e7;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}ul{margin:0;padding-left:18px}code{font-size:12px}.flash{background:#e6f4ea;border:1px solid #9ccca8;padding:8px 12px;border-radius:6px}
.flash.error{background:#fce8e6;border-color:#e3a19b}.muted{color:#667085}button{cursor:pointer}svg{background:#fff;border:1px solid #dde1e7;border-radius:6px}
`;

export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title} · shoptok</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <header><strong>shoptok</strong><a href="/">Stores</a><a href="/queues">Queues</a><a href="/metrics">Metrics</a></header>
        <main>${body}</main>
      </body>
    </html>`.value;
}

function when(at: number | undefined): string {
  return at === undefined ? '—' : new Date(at).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/** Seconds as an operator reads them: 42 s, 3.5 min, 2.1 h. */
export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The list of stores, each linking to its overview. */
export function renderHomePage(stores: readonly StoreLink[]): string {
  return layout(
    'Stores',
    html`<h1>Stores</h1>
      <table>
        <tr>
          <th>Store</th>
          <th>Name</th>
          <th>State</th>
        </tr>
        ${stores.map(
          (s) =>
            html`<tr>
              <td><a href="/stores/${encodeURIComponent(s.id)}">${s.id}</a></td>
              <td>${s.name}</td>
              <td>${s.enabled ? 'enabled' : 'disabled'}</td>
            </tr>`,
        )}
      </table>
      <p class="muted">
        Every store's queues are in <a href="/queues">Bull Board</a>; Prometheus scrapes <a href="/metrics">/metrics</a>.
      </p>`,
  );
}

/**
 * The sync lag of the last day as a small inline SVG: one point per bucket (the highest lag in
 * it, the one that matters; 5 minutes over a full day, shorter for a younger history), time left to right.
 */
export function renderLagChart(
  points: readonly LagPoint[],
  now: number,
  options: { width?: number; height?: number } = {},
): SafeHtml {
  const { width = 720, height = 140 } = options;
  const pad = { left: 56, right: 10, top: 10, bottom: 22 };
  const dayAgo = now - 24 * 3600 * 1000;
  const firstAt = Math.min(...points.filter((p) => p.at >= dayAgo && p.at <= now).map((p) => p.at));
  // A history younger than a day (a new store, a demo) spreads over the chart instead of sitting
  // in one 5-minute bucket: the axis starts just before its first point.
  const from = Number.isFinite(firstAt) ? Math.max(dayAgo, firstAt - Math.max(60_000, (now - firstAt) / 20)) : dayAgo;
  const spanMs = now - from;
  const bucketMs = Math.max(10_000, spanMs / 288);
  const buckets = new Map<number, number>();
  for (const p of points) {
    if (p.at < from || p.at > now) continue;
    const b = Math.floor((p.at - from) / bucketMs);
    buckets.set(b, Math.max(buckets.get(b) ?? 0, p.lagSeconds));
  }
  const series = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const max = Math.max(1, ...series.map(([, v]) => v));
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const x = (bucket: number) => pad.left + ((bucket * bucketMs + bucketMs / 2) / spanMs) * innerW;
  const startLabel = from === dayAgo ? '24 h ago' : `${new Date(from).toISOString().slice(11, 16)} UTC`;
  const y = (v: number) => pad.top + innerH - (v / max) * innerH;
  const coords = series.map(([b, v]) => `${x(b).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const latest = series.at(-1)?.[1];
  const label =
    series.length === 0
      ? 'no sync lag recorded in the last 24 hours'
      : `sync lag over the last 24 hours, highest ${formatSeconds(max)}, latest ${formatSeconds(latest ?? 0)}`;
  return html`<svg
    role="img"
    aria-label="${label}"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    xmlns="http://www.w3.org/2000/svg"
    data-points="${series.length}"
  >
    <title>${label}</title>
    <line x1="${pad.left}" y1="${pad.top + innerH}" x2="${width - pad.right}" y2="${pad.top + innerH}" stroke="#98a2b3" />
    <line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + innerH}" stroke="#98a2b3" />
    <text x="${pad.left - 6}" y="${pad.top + 10}" text-anchor="end" font-size="11" fill="#667085">${formatSeconds(max)}</text>
    <text x="${pad.left - 6}" y="${pad.top + innerH}" text-anchor="end" font-size="11" fill="#667085">0</text>
    <text x="${pad.left}" y="${height - 6}" font-size="11" fill="#667085">${startLabel}</text>
    <text x="${width - pad.right}" y="${height - 6}" text-anchor="end" font-size="11" fill="#667085">now</text>
    ${series.length === 0 ? html`<text x="${pad.left + innerW / 2}" y="${pad.top + innerH / 2}" text-anchor="middle" font-size="12" fill="#667085">no data</text>` : ''}
    ${series.length === 1 ? html`<circle cx="${x(series[0]?.[0] ?? 0).toFixed(1)}" cy="${y(series[0]?.[1] ?? 0).toFixed(1)}" r="3" fill="#3366cc" />` : ''}
    ${series.length > 1 ? html`<polyline fill="none" stroke="#3366cc" stroke-width="1.5" points="${coords}" />` : ''}
  </svg>`;
}

export interface Flash {
  kind: 'ok' | 'error';
  message: string;
}

function capped<T>(items: readonly T[], render: (item: T) => SafeHtml): SafeHtml {
  const shown = items.slice(0, LIST_LIMIT);
  const more = items.length - shown.length;
  return html`${shown.map(render)}${
    more > 0
      ? html`<tr>
          <td colspan="5" class="muted">and ${more} more</td>
        </tr>`
      : ''
  }`;
}

/** The overview of one store: sync health at a glance, then what needs a human. */
export function renderStorePage(
  store: StoreLink,
  overview: StoreOverview,
  options: { now: number; flash?: Flash; writing?: StoreWriting },
): string {
  const writing = options.writing;
  const { skus, listingsByStatus, attention, failedOrders, importedOrders } = overview;
  const statuses = Object.entries(listingsByStatus).sort((a, b) => b[1] - a[1]);
  const storePath = `/stores/${encodeURIComponent(store.id)}`;
  return layout(
    `${store.name} overview`,
    html`<h1>${store.name} <span class="muted">(${store.id}${store.enabled ? '' : ', disabled'})</span></h1>
      <p><a href="${storePath}/listings" id="listings-link">Listings: every product, its TikTok status and what to fix</a></p>
      ${options.flash ? html`<p class="flash ${options.flash.kind === 'error' ? 'error' : ''}" role="status">${options.flash.message}</p>` : ''}
      ${
        writing?.mode === 'preview'
          ? html`<p class="flash" id="store-mode" data-mode="preview">
              <strong>Preview</strong>: nothing is written to TikTok or Shopify. So far shoptok ${writing.previewSummary}. To go
              live: <code>pnpm shoptok go-live --store ${store.id}</code> (no restart needed).
            </p>`
          : writing
            ? html`<p class="muted" id="store-mode" data-mode="live">
                Live${writing.liveSince ? html` since ${new Date(writing.liveSince).toISOString()}` : ''}${
                  writing.dry ? html` (dry run: DRY_RUN or the store's dryRun is set, nothing is written)` : ''
                }.
                Before going live the preview ${writing.previewSummary}.
              </p>`
            : ''
      }
      ${overview.unreadable > 0 ? html`<p class="flash error">${overview.unreadable} state records could not be read and are left out below; check the worker logs.</p>` : ''}
      ${overview.storeFlags.map(
        (f) =>
          html`<p class="flash error" data-store-flag="${f.code}">
            <b>Store needs attention</b> (<code>${f.code}</code>, ${when(f.at)}): ${f.message}
          </p>`,
      )}
      <div class="cards">
        <div class="card" data-metric="skus-linked">SKUs linked<b>${skus.linked}</b></div>
        <div class="card" data-metric="skus-in-sync">SKUs in sync<b>${skus.inSync}</b></div>
        <div class="card ${skus.drifting > 0 ? 'warn' : ''}" title="Linked SKUs whose stock TikTok has never been told" data-metric="skus-drifting">SKUs drifting<b>${skus.drifting}</b></div>
        <div class="card ${attention.length > 0 ? 'warn' : ''}" data-metric="needs-attention">
          Products needing attention<b>${attention.length}</b>
        </div>
        <div class="card" data-metric="orders-imported">Orders imported<b>${importedOrders}</b></div>
        <div class="card ${failedOrders.length > 0 ? 'warn' : ''}" data-metric="orders-failed">
          Orders not imported<b>${failedOrders.length}</b>
        </div>
      </div>
      <h2>Sync lag, last 24 hours</h2>
      ${renderLagChart(overview.lag, options.now)}
      <h2>Listings by TikTok status</h2>
      ${
        statuses.length === 0
          ? html`<p class="muted">No listings yet.</p>`
          : html`<table id="listings">
              <tr>
                <th>Status</th>
                <th>Listings</th>
              </tr>
              ${statuses.map(
                ([status, n]) =>
                  html`<tr>
                    <td>${status}</td>
                    <td>${n}</td>
                  </tr>`,
              )}
            </table>`
      }
      <h2>Categories chosen by</h2>
      ${
        Object.keys(overview.categoriesByChooser).length === 0
          ? html`<p class="muted">No product has been mapped yet.</p>`
          : html`<table id="category-choosers">
              <tr>
                <th>Chosen by</th>
                <th>Products</th>
              </tr>
              ${Object.entries(overview.categoriesByChooser)
                .sort((a, b) => b[1] - a[1])
                .map(
                  ([who, n]) =>
                    html`<tr>
                      <td>${who}</td>
                      <td>${n}</td>
                    </tr>`,
                )}
            </table>`
      }
      <h2>Products that need attention</h2>
      ${
        attention.length === 0
          ? html`<p class="muted">Nothing needs attention.</p>`
          : html`<table id="attention">
              <tr>
                <th>Shopify product</th>
                <th>TikTok product</th>
                <th>Status</th>
                <th>TikTok category (chosen by)</th>
                <th>Reasons</th>
                <th>Since</th>
              </tr>
              ${capped(
                attention,
                (a) =>
                  html`<tr>
                    <td><code>${a.shopifyProductId}</code></td>
                    <td><code>${a.tiktokProductId ?? '—'}</code></td>
                    <td>${a.status ?? '—'}</td>
                    <td title="${a.category?.reason ?? ''}">
                      ${a.category ? html`<code>${a.category.id}</code> ${a.category.path.join(' > ')} (${a.category.chosenBy})` : '—'}
                    </td>
                    <td>
                      <ul>
                        ${a.reasons.map((r) => html`<li><code>${r.code}</code> ${r.message}</li>`)}
                      </ul>
                    </td>
                    <td>${when(a.at)}</td>
                  </tr>`,
              )}
            </table>`
      }
      <h2>Orders that could not be imported</h2>
      ${
        failedOrders.length === 0
          ? html`<p class="muted">Every TikTok order was imported.</p>`
          : html`<table id="failed-orders">
              <tr>
                <th>TikTok order</th>
                <th>Reasons</th>
                <th>Attempts</th>
                <th>Last tried</th>
                <th></th>
              </tr>
              ${capped(
                failedOrders,
                (o) =>
                  html`<tr data-order="${o.tiktokOrderId}">
                    <td><code>${o.tiktokOrderId}</code></td>
                    <td>
                      <ul>
                        ${o.reasons.map((r) => html`<li><code>${r.code}</code> ${r.message}</li>`)}
                      </ul>
                    </td>
                    <td>${o.attempts}</td>
                    <td>${when(o.at)}</td>
                    <td>
                      <form method="post" action="${storePath}/orders/${encodeURIComponent(o.tiktokOrderId)}/replay">
                        <button type="submit">Replay</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </table>`
      }`,
  );
}

/** A plain error page (404, 403) in the dashboard's layout. */
export function renderMessagePage(title: string, message: string): string {
  return layout(
    title,
    html`<h1>${title}</h1>
      <p>${message}</p>
      <p><a href="/">Back to the stores</a></p>`,
  );
}
