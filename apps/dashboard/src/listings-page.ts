import { html, type SafeHtml } from './html.js';
import type { AttentionGroup, ListingPage, ListingQuery, ListingRow } from './listings-data.js';
import { layout, type Flash, type StoreLink } from './pages.js';

/** Where an operator opens a product: the store's Shopify admin and TikTok Seller Center. */
export interface ListingLinks {
  shopifyDomain: string | undefined;
  /** The TikTok shop's market (`GB`, `US`, ...), for the Seller Center host. */
  region: string | undefined;
}

/**
 * The fixes the category work provides (pins and per-category attribute defaults, issue 14),
 * wired in at merge: each writes what the CLI would write; the page then queues the products
 * again. Absent: the page offers only the re-queue.
 */
export interface ListingFixes {
  /** Resolves `{ refused }` (nothing stored) when the category is not a leaf of the shop's live tree. */
  pinCategory?(
    store: string,
    productIds: readonly string[],
    categoryId: string,
  ): Promise<{ refused: string } | { pinned: number } | void>;
  setAttributeDefault?(store: string, categoryId: string, attribute: string, value: string): Promise<void>;
}

function numericId(gid: string): string {
  return gid.split('/').pop() ?? gid;
}

export function shopifyAdminUrl(domain: string, productGid: string): string {
  return `https://${domain}/admin/products/${numericId(productGid)}`;
}

/** Seller Center's product page (host per market: seller-us for the US, seller-uk for the UK; unconfirmed elsewhere). */
export function sellerCenterUrl(region: string | undefined, tiktokProductId: string): string {
  const host =
    region === 'US'
      ? 'seller-us.tiktok.com'
      : region === 'GB' || region === 'UK'
        ? 'seller-uk.tiktok.com'
        : 'seller.tiktokglobalshop.com';
  return `https://${host}/product/edit/${encodeURIComponent(tiktokProductId)}`;
}

function when(at: number | undefined): string {
  return at === undefined ? '—' : new Date(at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

const SOURCE_WORDS: Record<string, string> = { pin: 'pinned', rule: 'by a rule', ai: 'by AI', offline: 'by the offline mapper' };

function pageLink(base: string, query: ListingQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.reason) params.set('reason', query.reason);
  if (query.q) params.set('q', query.q);
  params.set('page', String(page));
  return `${base}?${params.toString()}`;
}

function row(r: ListingRow, links: ListingLinks): SafeHtml {
  return html`<tr data-product="${r.shopifyProductId}">
    <td>${r.imageUrl ? html`<img src="${r.imageUrl}" alt="" width="48" height="48" loading="lazy" />` : ''}</td>
    <td>
      <b>${r.title}</b><br /><span class="muted"
        >${
          links.shopifyDomain
            ? html`<a href="${shopifyAdminUrl(links.shopifyDomain, r.shopifyProductId)}" target="_blank" rel="noopener"
                >Shopify admin</a
              >`
            : ''
        }
        ${
          r.tiktokProductId
            ? html` ·
                <a href="${sellerCenterUrl(links.region, r.tiktokProductId)}" target="_blank" rel="noopener">Seller Center</a>`
            : ''
        }</span
      >
    </td>
    <td>
      ${
        r.category
          ? html`${r.category.path ?? r.category.id}
              <span class="muted">(${SOURCE_WORDS[r.category.source] ?? r.category.source})</span>`
          : html`<span class="muted">—</span>`
      }
    </td>
    <td class="status">${r.status}</td>
    <td>
      ${
        r.reasons.length === 0
          ? ''
          : html`<ul>
              ${r.reasons.map((x) => html`<li>${x.message} <span class="muted">(${x.by === 'tiktok' ? 'TikTok' : 'pre-flight'})</span></li>`)}
            </ul>`
      }
    </td>
    <td>${when(r.lastSyncAt)}</td>
  </tr>`;
}

function groupBlock(storePath: string, g: AttentionGroup, fixes: ListingFixes): SafeHtml {
  const where = g.categories.length > 0 ? ` in ${g.categories.map((c) => `${c.path} (${c.count})`).join(', ')}` : '';
  const title = `${g.message.replace(/\s*\(.*\)$/, '')}: ${g.productIds.length} product${g.productIds.length === 1 ? '' : 's'}${where}`;
  const ids = g.productIds.join(',');
  const category = g.categories.length === 1 ? g.categories[0] : undefined;
  return html`<div class="card group" data-reason="${g.code}">
    <p>
      <b style="font-size:14px;display:inline">${title}</b>
      <span class="muted">(${g.by === 'tiktok' ? 'TikTok review' : 'pre-flight'})</span>
    </p>
    <form method="post" action="${storePath}/listings/requeue" style="display:inline">
      <input type="hidden" name="products" value="${ids}" />
      <button type="submit">
        Re-queue ${g.productIds.length === 1 ? 'the product' : `these ${g.productIds.length} products`}
      </button>
    </form>
    ${
      fixes.setAttributeDefault && g.attribute && category
        ? html`<form method="post" action="${storePath}/listings/fix/attribute-default" style="display:inline">
            <input type="hidden" name="products" value="${ids}" />
            <input type="hidden" name="attribute" value="${g.attribute}" />
            <input type="hidden" name="category" value="${category.id}" />
            <label>${g.attribute} for ${category.path}: <input name="value" required size="12" /></label>
            <button type="submit">Set default and re-queue</button>
          </form>`
        : ''
    }
    ${
      fixes.pinCategory
        ? html`<form method="post" action="${storePath}/listings/fix/pin" style="display:inline">
            <input type="hidden" name="products" value="${ids}" />
            <label>Pin category id: <input name="categoryId" required size="10" pattern="\\d{1,20}" /></label>
            <button type="submit">Pin and re-queue</button>
          </form>`
        : ''
    }
  </div>`;
}

/** A store's Listings: needs attention grouped by reason with its fixes, then every product, filtered and paged. */
export function renderListingsPage(
  store: StoreLink,
  data: { page: ListingPage; groups: AttentionGroup[]; query: ListingQuery },
  options: { links: ListingLinks; fixes: ListingFixes; flash?: Flash },
): string {
  const { page, groups, query } = data;
  const storePath = `/stores/${encodeURIComponent(store.id)}`;
  const base = `${storePath}/listings`;
  const statuses = Object.entries(page.statusCounts).sort((a, b) => b[1] - a[1]);
  const reasons = Object.entries(page.reasonCounts).sort((a, b) => b[1] - a[1]);
  return layout(
    `${store.name} listings`,
    html`<h1>
        ${store.name} listings <span class="muted">(<a href="${storePath}">overview</a>)</span>
      </h1>
      ${options.flash ? html`<p class="flash ${options.flash.kind === 'error' ? 'error' : ''}" role="status">${options.flash.message}</p>` : ''}
      <h2>Needs attention, by reason</h2>
      ${
        groups.length === 0
          ? html`<p class="muted">Nothing needs attention.</p>`
          : html`<div id="attention-groups" class="cards" style="flex-direction:column">
              ${groups.map((g) => groupBlock(storePath, g, options.fixes))}
            </div>`
      }
      <h2>Products</h2>
      <form method="get" action="${base}" id="filters">
        <label
          >Status
          <select name="status">
            <option value="">any (${Object.values(page.statusCounts).reduce((a, b) => a + b, 0)})</option>
            ${statuses.map(([s, n]) => html`<option value="${s}" ${query.status === s ? html`selected` : ''}>${s} (${n})</option>`)}
          </select></label
        >
        <label
          >Reason
          <select name="reason">
            <option value="">any</option>
            ${reasons.map(([code, n]) => html`<option value="${code}" ${query.reason === code ? html`selected` : ''}>${code} (${n})</option>`)}
          </select></label
        >
        <label>Search <input type="search" name="q" value="${query.q ?? ''}" placeholder="title or id" /></label>
        <button type="submit">Filter</button>
      </form>
      <p class="muted" id="result-count">
        ${page.total} product${page.total === 1 ? '' : 's'}; page ${page.page} of ${page.pages}
      </p>
      <table id="listing-rows">
        <tr>
          <th></th>
          <th>Product</th>
          <th>TikTok category</th>
          <th>Status</th>
          <th>Reasons</th>
          <th>Last sync</th>
        </tr>
        ${page.rows.map((r) => row(r, options.links))}
      </table>
      <p id="pager">
        ${page.page > 1 ? html`<a href="${pageLink(base, query, page.page - 1)}" rel="prev">← previous</a>` : ''}
        ${page.page < page.pages ? html`<a href="${pageLink(base, query, page.page + 1)}" rel="next">next →</a>` : ''}
      </p>`,
  );
}
