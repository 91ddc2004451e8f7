import { escapeHtml, html } from './html.js';
import { parseMetricField } from '@shoptok/queues';
import { formatSeconds, LIST_LIMIT, renderLagChart, renderStorePage } from './pages.js';
import type { StoreOverview } from './overview-data.js';

const empty: StoreOverview = {
  skus: { linked: 0, inSync: 0, drifting: 0 },
  listingsByStatus: {},
  attention: [],
  storeFlags: [],
  categoriesByChooser: {},
  importedOrders: 0,
  failedOrders: [],
  unreadable: 0,
  lag: [],
};

describe('html', () => {
  it('escapes every interpolated value but not nested html', () => {
    const evil = `"><img src=x onerror=alert(1)>'&`;
    expect(html`<a title="${evil}">${evil}</a>`.value).toBe(
      `<a title="${escapeHtml(evil)}">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;</a>`,
    );
    expect(html`<ul>${['<b>', html`<li>${'<i>'}</li>`]}</ul>`.value).toBe('<ul>&lt;b&gt;<li>&lt;i&gt;</li></ul>');
    expect(html`${undefined}${null}${false}${0}`.value).toBe('0');
  });
});

describe('renderLagChart', () => {
  const now = Date.UTC(2026, 0, 2);
  it('plots the highest lag of each 5-minute bucket of the last day', () => {
    const svg = renderLagChart(
      [
        { at: now - 25 * 3600_000, lagSeconds: 9999 }, // older than a day: left out
        { at: now - 3600_000, lagSeconds: 10 },
        { at: now - 3600_000 + 1000, lagSeconds: 40 }, // same bucket: the higher counts
        { at: now - 60_000, lagSeconds: 20 },
      ],
      now,
    ).value;
    expect(svg).toContain('data-points="2"');
    expect(svg).toContain('highest 40 s, latest 20 s');
    expect(svg).not.toContain('9999');
    const points = /<polyline[^>]* points="([^"]+)"/.exec(svg)?.[1]?.split(' ') ?? [];
    expect(points).toHaveLength(2);
    const [first, second] = points.map((p) => p.split(',').map(Number)) as [number[], number[]];
    expect(first[0]).toBeLessThan(second[0] as number); // time runs left to right
    expect(first[1]).toBeLessThan(second[1] as number); // 40 s is drawn higher than 20 s
  });

  it("spreads a history younger than a day over the chart (a demo's minute is many points, not one dot)", () => {
    const minute = [0, 10, 20, 30, 40, 50].map((s) => ({ at: now - 60_000 + s * 1000, lagSeconds: 1 + s / 10 }));
    const svg = renderLagChart(minute, now).value;
    expect(svg).toContain('data-points="6"');
    expect(svg).toContain('23:58 UTC');
  });

  it('says so when there is no data', () => {
    expect(renderLagChart([], now).value).toContain('no sync lag recorded');
  });

  it('formats seconds for people', () => {
    expect([formatSeconds(42), formatSeconds(210), formatSeconds(7200)]).toEqual(['42 s', '3.5 min', '2.0 h']);
  });
});

describe('renderStorePage', () => {
  it('caps long lists and keeps one replay form per shown order', () => {
    const failedOrders = Array.from({ length: LIST_LIMIT + 7 }, (_, i) => ({
      tiktokOrderId: String(1000 + i),
      reasons: [],
      at: i,
      attempts: 1,
    }));
    const page = renderStorePage({ id: 'glow', name: 'Glow', enabled: true }, { ...empty, failedOrders }, { now: 0 });
    expect(page.match(/<form method="post"/g)).toHaveLength(LIST_LIMIT);
    expect(page).toContain('and 7 more');
  });

  it('shows the flash message escaped', () => {
    const page = renderStorePage({ id: 'glow', name: 'Glow', enabled: true }, empty, {
      now: 0,
      flash: { kind: 'error', message: '<b>x</b>' },
    });
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('parseMetricField', () => {
  it('reads the contract fields and skips what it does not know', () => {
    expect(parseMetricField('api_calls:tiktok', '12')).toEqual({ kind: 'api_calls', api: 'tiktok', value: 12 });
    expect(parseMetricField('jobs_failed:orders', '3')).toEqual({ kind: 'jobs_failed', queue: 'orders', value: 3 });
    expect(parseMetricField('sync_lag_seconds:inventory', '4.5')).toEqual({
      kind: 'sync_lag_seconds',
      queue: 'inventory',
      value: 4.5,
    });
    expect(parseMetricField('ai_cost_micros', '1500')).toEqual({ kind: 'ai_cost_micros', value: 1500 });
    for (const [field, value] of [
      ['api_calls:amazon', '1'],
      ['api_calls', '1'],
      ['ai_calls:tiktok', '1'],
      ['jobs_failed:orders:x', '1'],
      ['api_calls:tiktok', 'abc'],
      ['api_calls:tiktok', ''],
      ['api_calls:tiktok', '-1'],
    ] as const) {
      expect(parseMetricField(field, value)).toBeUndefined();
    }
  });
});
