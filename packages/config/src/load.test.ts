import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, readDotEnv } from './index.js';

const singleStoreEnv = {
  SHOPIFY_STORE: 'glow-beauty',
  SHOPIFY_TOKEN: 'shpat_test_token_123456',
  TIKTOK_APP_KEY: 'app-key-1',
  TIKTOK_SECRET: 'app-secret-1',
  TIKTOK_ACCESS_TOKEN: 'ROW_access_1',
};

function problemsOf(fn: () => unknown): { setting: string; problem: string; example?: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'shoptok-config-'));
}

describe('loadConfig: single-store .env of the original bot', () => {
  it('gives the original defaults and keeps the store as "default"', () => {
    const config = loadConfig({ env: singleStoreEnv });
    expect(config.stores).toHaveLength(1);
    const [store] = config.stores;
    expect(store?.id).toBe('default');
    expect(store?.shopify.domain).toBe('glow-beauty.myshopify.com');
    expect(store?.syncIntervalSeconds).toBe(300);
    expect(store?.batchSize).toBe(100);
    expect(config.retry).toEqual({ maxRetries: 3, backoffSeconds: 2, maxDelaySeconds: 900, outageWindowSeconds: 28_800 });
    expect(config.openai.model).toBe('gpt-4o-mini');
    expect(config.tiktok.apiBase).toBe('https://open-api.tiktokglobalshop.com');
    expect(config.tiktok.authBase).toBe('https://auth.tiktok-shops.com');
    expect(config.log).toEqual({ level: 'info', file: 'sync_bot.log', maxBytes: 10 * 1024 * 1024, maxFiles: 5 });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.dryRun).toBe(false);
    expect(store?.mode).toBe('preview'); // the safe default: nothing is written until go-live
    expect(loadConfig({ env: { ...singleStoreEnv, STORE_MODE: 'Live' } }).stores[0]?.mode).toBe('live');
    expect(problemsOf(() => loadConfig({ env: { ...singleStoreEnv, STORE_MODE: 'on' } }))).toEqual([
      expect.objectContaining({ setting: 'STORE_MODE', problem: 'must be preview or live' }),
    ]);
  });

  it('accepts SHOPIFY_ACCESS_TOKEN as an alias of SHOPIFY_TOKEN', () => {
    const { SHOPIFY_TOKEN, ...rest } = singleStoreEnv;
    const config = loadConfig({ env: { ...rest, SHOPIFY_ACCESS_TOKEN: SHOPIFY_TOKEN } });
    expect(config.stores[0]?.shopify.accessToken).toBe(SHOPIFY_TOKEN);
  });

  it('takes the alert timings, and refuses ones out of range', () => {
    expect(
      loadConfig({
        env: { ...singleStoreEnv, ALERT_SHIP_BY_HOURS: '12', ALERT_AUTH_EXPIRY_DAYS: '30', ALERT_BURST_MINUTES: '5' },
      }).alerts,
    ).toEqual({ webhookUrl: undefined, shipByHours: 12, authExpiryDays: 30, burstMinutes: 5 });
    const problems = problemsOf(() =>
      loadConfig({ env: { ...singleStoreEnv, ALERT_SHIP_BY_HOURS: '0', ALERT_BURST_MINUTES: 'often' } }),
    );
    expect(problems.map((p) => `${p.setting}: ${p.problem}`).sort()).toEqual([
      'ALERT_BURST_MINUTES: must be a whole number',
      'ALERT_SHIP_BY_HOURS: must be at least 1',
    ]);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ env: { ...singleStoreEnv, OPENAI_API_KEY: '', SYNC_INTERVAL: '', OPENAI_BASE_URL: ' ' } });
    expect(config.openai.apiKey).toBeUndefined();
    expect(config.openai.baseUrl).toBeUndefined();
    expect(config.stores[0]?.syncIntervalSeconds).toBe(300);
  });

  it('reports every missing setting at once, each with an example', () => {
    const problems = problemsOf(() => loadConfig({ env: {} }));
    expect(problems.map((p) => p.setting)).toEqual([
      'SHOPIFY_STORE',
      'SHOPIFY_TOKEN',
      'TIKTOK_APP_KEY',
      'TIKTOK_SECRET',
      'TIKTOK_ACCESS_TOKEN',
    ]);
    for (const p of problems) expect(p.example).toMatch(/=/);
  });

  it('reports malformed values together with missing ones, in plain words', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          SYNC_INTERVAL: 'five minutes',
          BATCH_SIZE: '0',
          RETRY_BACKOFF: '-1',
          RETRY_MAX_DELAY: 'a while',
          RETRY_OUTAGE_WINDOW: '0',
          LOG_LEVEL: 'loud',
          REDIS_URL: 'localhost:6379',
          DRY_RUN: 'maybe',
          SHOPIFY_STORE: 'https://shop.example.com',
        },
      }),
    );
    const bySetting = Object.fromEntries(problems.map((p) => [p.setting, p.problem]));
    expect(bySetting.SYNC_INTERVAL).toBe('must be a whole number');
    expect(bySetting.BATCH_SIZE).toBe('must be at least 1');
    expect(bySetting.RETRY_BACKOFF).toBe('must be at least 0.1 seconds');
    expect(bySetting.RETRY_MAX_DELAY).toBe('must be a number of seconds');
    expect(bySetting.RETRY_OUTAGE_WINDOW).toBe('must be at least 1 second');
    expect(bySetting.LOG_LEVEL).toMatch(/must be one of fatal, error/);
    expect(bySetting.REDIS_URL).toBe(
      'must be a redis:// or rediss:// URL (a Redis Cluster: redis+cluster://host1:port,host2:port)',
    );
    expect(bySetting.DRY_RUN).toBe('must be true or false');
    expect(bySetting.SHOPIFY_STORE).toMatch(/myshopify\.com domain/);
    // Missing settings are reported in the same run.
    expect(bySetting.TIKTOK_APP_KEY).toBe('is missing');
  });

  it('takes a Redis Cluster as redis+cluster://host:port,host:port and explains a malformed one without echoing a password', () => {
    expect(loadConfig({ env: { ...singleStoreEnv, REDIS_URL: 'redis+cluster://10.0.0.1:6379,10.0.0.2:6380' } }).redisUrl).toBe(
      'redis+cluster://10.0.0.1:6379,10.0.0.2:6380',
    );
    expect(loadConfig({ env: { ...singleStoreEnv, REDIS_URL: 'rediss+cluster://:s3cret@redis-0.redis:6379/' } }).redisUrl).toBe(
      'rediss+cluster://:s3cret@redis-0.redis:6379/',
    );
    const problemOf = (url: string) =>
      problemsOf(() => loadConfig({ env: { ...singleStoreEnv, REDIS_URL: url } })).find((p) => p.setting === 'REDIS_URL');
    expect(problemOf('redis+cluster://10.0.0.1:6379,10.0.0.2')?.problem).toBe(
      'a Redis Cluster URL lists its nodes as host:port separated by commas; not host:port: "10.0.0.2"',
    );
    expect(problemOf('redis+cluster://10.0.0.1:6379/2')?.problem).toMatch(
      /takes no database number, path or query \(a cluster has only database 0\)/,
    );
    expect(problemOf('redis+cluster://')?.problem).toMatch(/lists its nodes as host:port/);
    const withPassword = problemOf('redis+cluster://:hunter2@10.0.0.1:6379,nohost');
    expect(withPassword?.problem).toMatch(/lists its nodes as host:port/);
    expect(withPassword?.problem).not.toContain('hunter2');
    expect(problemOf('redis+cluster://:pa/ss@10.0.0.1:6379')?.problem).not.toContain('ss@');
    expect(problemOf('redis+cluster://x')?.example).toContain('redis+cluster://');
  });

  it('reports conflicting aliases and the Partner Center URL of the original bot', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          ...singleStoreEnv,
          SHOPIFY_ACCESS_TOKEN: 'shpat_other_value_999',
          TIKTOK_API_BASE: 'https://partner.tiktokshop.com/api',
        },
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]?.problem).toMatch(/both set, to different values/);
    expect(problems[1]?.setting).toBe('TIKTOK_API_BASE');
    expect(problems[1]?.problem).toContain('https://open-api.tiktokglobalshop.com');
  });

  it('reports a cross-field problem beside a malformed value (one typo never hides the rest)', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          ...singleStoreEnv,
          SYNC_INTERVAL: '5m',
          TIKTOK_API_BASE: 'https://partner.tiktokshop.com/api',
          DASHBOARD_PASSWORD: 'short',
        },
      }),
    );
    expect(problems.map((p) => p.setting)).toEqual(['SYNC_INTERVAL', 'TIKTOK_API_BASE', 'DASHBOARD_PASSWORD']);
  });

  it('formats the problems as a list without a stack trace', () => {
    try {
      loadConfig({ env: { SHOPIFY_STORE: 'glow' } });
      throw new Error('expected a ConfigError');
    } catch (err) {
      const message = (err as Error).message;
      expect(message.split('\n')[0]).toBe('shoptok cannot start: 4 problems in the configuration');
      expect(message).toContain('  - TIKTOK_APP_KEY: is missing. Example: TIKTOK_APP_KEY=');
      expect(message).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });

  it('refuses a dashboard reachable beyond this machine without credentials', () => {
    expect(loadConfig({ env: singleStoreEnv }).dashboard).toMatchObject({ host: '127.0.0.1', port: 3000 });
    const problems = problemsOf(() =>
      loadConfig({ env: { ...singleStoreEnv, DASHBOARD_HOST: '0.0.0.0', DASHBOARD_PASSWORD: 'short' } }),
    );
    expect(problems.map((p) => p.problem)).toEqual([
      'the dashboard listens on 0.0.0.0, beyond this machine, so it needs DASHBOARD_USERNAME and DASHBOARD_PASSWORD (or bind it to 127.0.0.1)',
      'is shorter than 12 characters',
    ]);
    const ok = loadConfig({
      env: { ...singleStoreEnv, DASHBOARD_HOST: '0.0.0.0', DASHBOARD_USERNAME: 'ops', DASHBOARD_PASSWORD: 'a-long-password-1' },
    });
    expect(ok.dashboard.username).toBe('ops');
  });

  it('does not need stores for commands that talk to none', () => {
    expect(loadConfig({ env: {}, requireStores: false }).stores).toEqual([]);
  });
});

describe('loadConfig: stores file', () => {
  const storesYaml = `
stores:
  - id: glow-beauty
    shopify: { store: glow-beauty.myshopify.com, tokenEnv: GLOW_SHOPIFY_TOKEN }
    tiktok: { accessTokenEnv: GLOW_TT_ACCESS, refreshTokenEnv: GLOW_TT_REFRESH, shopCipher: ROW_glow }
    syncInterval: 120
    rules: { inventory: { bufferUnits: 2 } }
  - id: oak-home
    shopify: { store: oak-home, tokenEnv: OAK_SHOPIFY_TOKEN, apiSecretEnv: OAK_SHOPIFY_SECRET }
    tiktok: { appKeyEnv: OAK_TT_KEY, appSecretEnv: OAK_TT_SECRET, refreshTokenEnv: OAK_TT_REFRESH }
`;
  const storesEnv = {
    TIKTOK_APP_KEY: 'shared-app',
    TIKTOK_SECRET: 'shared-secret-xyz',
    GLOW_SHOPIFY_TOKEN: 'shpat_glow_123456',
    GLOW_TT_ACCESS: 'ROW_glow_access',
    GLOW_TT_REFRESH: 'ROW_glow_refresh',
    OAK_SHOPIFY_TOKEN: 'shpat_oak_123456',
    OAK_SHOPIFY_SECRET: 'oak-webhook-secret',
    OAK_TT_KEY: 'oak-app',
    OAK_TT_SECRET: 'oak-secret-xyz',
    OAK_TT_REFRESH: 'ROW_oak_refresh',
    SYNC_INTERVAL: '600',
  };

  it('takes a store that names no TikTok token (connected later by `shoptok connect tiktok`) and its market', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'stores.yaml'),
      `stores:\n  - id: new-brand\n    shopify: { store: new-brand, tokenEnv: GLOW_SHOPIFY_TOKEN }\n    tiktok: { region: gb }\n`,
    );
    const config = loadConfig({ env: { ...storesEnv, STORES_FILE: 'stores.yaml' }, cwd: dir });
    expect(config.stores[0]?.tiktok).toMatchObject({ accessToken: undefined, refreshToken: undefined, region: 'GB' });
    writeFileSync(
      join(dir, 'stores.yaml'),
      `stores:\n  - id: new-brand\n    shopify: { store: new-brand, tokenEnv: GLOW_SHOPIFY_TOKEN }\n    tiktok: { region: Britain }\n`,
    );
    expect(() => loadConfig({ env: { ...storesEnv, STORES_FILE: 'stores.yaml' }, cwd: dir })).toThrow(
      'must be a two-letter market code such as GB or US',
    );
  });

  it('reads several stores from YAML, each with its secrets taken by variable name', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'stores.yaml'), storesYaml);
    const config = loadConfig({ env: { ...storesEnv, STORES_FILE: 'stores.yaml' }, cwd: dir });
    expect(config.stores.map((s) => s.id)).toEqual(['glow-beauty', 'oak-home']);
    const [glow, oak] = config.stores;
    expect(glow?.tiktok).toEqual({
      appKey: 'shared-app',
      appSecret: 'shared-secret-xyz',
      accessToken: 'ROW_glow_access',
      refreshToken: 'ROW_glow_refresh',
      shopCipher: 'ROW_glow',
    });
    expect(glow?.syncIntervalSeconds).toBe(120);
    expect(glow?.rules.inventory.bufferUnits).toBe(2);
    expect(oak?.shopify).toEqual({
      domain: 'oak-home.myshopify.com',
      accessToken: 'shpat_oak_123456',
      apiSecret: 'oak-webhook-secret',
      apiBase: undefined,
    });
    expect(oak?.tiktok.appKey).toBe('oak-app');
    expect(oak?.syncIntervalSeconds).toBe(600);
  });

  it('starts a store without a mode in preview, and is dry when DRY_RUN or the store says so (a store dryRun: false never overrides DRY_RUN)', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'stores.yaml'),
      `${storesYaml.replace('    syncInterval: 120', '    syncInterval: 120\n    dryRun: false\n    mode: live')}`,
    );
    const dry = loadConfig({ env: { ...storesEnv, STORES_FILE: 'stores.yaml', DRY_RUN: 'true' }, cwd: dir });
    expect(dry.stores.map((s) => [s.id, s.mode, s.dryRun])).toEqual([
      ['glow-beauty', 'live', true],
      ['oak-home', 'preview', true],
    ]);
    const wet = loadConfig({ env: { ...storesEnv, STORES_FILE: 'stores.yaml' }, cwd: dir });
    expect(wet.stores.map((s) => s.dryRun)).toEqual([false, false]);
    writeFileSync(join(dir, 'bad.yaml'), storesYaml.replace('    syncInterval: 120', '    mode: on'));
    expect(problemsOf(() => loadConfig({ env: { ...storesEnv, STORES_FILE: 'bad.yaml' }, cwd: dir }))).toEqual([
      expect.objectContaining({ setting: 'bad.yaml: stores[0].mode', problem: 'must be preview or live' }),
    ]);
  });

  it("checks each store's rules with the rest, naming the exact setting", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'stores.yaml'),
      `- id: glow\n  shopify: { store: glow, tokenEnv: GLOW_SHOPIFY_TOKEN }\n  tiktok: { accessTokenEnv: GLOW_TT_ACCESS }\n  rules: { inventory: { bufferUnits: -2, bufferPercnt: 5 } }\n`,
    );
    const problems = problemsOf(() => loadConfig({ env: { ...storesEnv, STORES_FILE: 'stores.yaml' }, cwd: dir }));
    const bySetting = Object.fromEntries(problems.map((p) => [p.setting, p.problem]));
    expect(Object.keys(bySetting).sort()).toEqual([
      'stores.yaml: stores[0] (glow).rules.inventory',
      'stores.yaml: stores[0] (glow).rules.inventory.bufferUnits',
    ]);
    expect(bySetting['stores.yaml: stores[0] (glow).rules.inventory']).toBe('has unknown setting(s) bufferPercnt');
  });

  it('gives each store its own alert webhook when the file names one, and checks it is a URL', () => {
    const dir = tempDir();
    const file = (urlEnv: string) =>
      `- id: glow\n  alertWebhookUrlEnv: ${urlEnv}\n  shopify: { store: glow, tokenEnv: GLOW_SHOPIFY_TOKEN }\n  tiktok: { accessTokenEnv: GLOW_TT_ACCESS }\n- id: oak\n  shopify: { store: oak, tokenEnv: OAK_SHOPIFY_TOKEN }\n  tiktok: { refreshTokenEnv: OAK_TT_REFRESH }\n`;
    writeFileSync(join(dir, 'stores.yaml'), file('GLOW_ALERTS_URL'));
    const env = {
      ...storesEnv,
      STORES_FILE: 'stores.yaml',
      GLOW_ALERTS_URL: 'https://hooks.slack.com/services/T1/B1/glow',
      ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T1/B1/all',
    };
    const config = loadConfig({ env, cwd: dir });
    expect(config.stores.map((s) => s.alertWebhookUrl)).toEqual(['https://hooks.slack.com/services/T1/B1/glow', undefined]);
    expect(config.alerts).toEqual({
      webhookUrl: 'https://hooks.slack.com/services/T1/B1/all',
      shipByHours: 6,
      authExpiryDays: 14,
      burstMinutes: 15,
    });
    const problems = problemsOf(() => loadConfig({ env: { ...env, GLOW_ALERTS_URL: 'not a url' }, cwd: dir }));
    expect(problems.map((p) => `${p.setting}: ${p.problem}`)).toEqual([
      'stores.yaml: stores[0] (glow).alertWebhookUrlEnv: names GLOW_ALERTS_URL, whose value is not an http(s) URL',
    ]);
  });

  it('reads a JSON stores file too', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'stores.json'),
      JSON.stringify([
        { id: 'one', shopify: { store: 'one', tokenEnv: 'GLOW_SHOPIFY_TOKEN' }, tiktok: { accessTokenEnv: 'GLOW_TT_ACCESS' } },
      ]),
    );
    const config = loadConfig({ env: { ...storesEnv, STORES_FILE: join(dir, 'stores.json') } });
    expect(config.stores[0]?.shopify.domain).toBe('one.myshopify.com');
  });

  it('lists every problem of the file: unknown keys, secrets written inline, unset variables, duplicates', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'stores.yaml'),
      `
- id: glow
  shopify: { store: glow, tokenEnv: MISSING_TOKEN_VAR }
  tiktok: { accessTokenEnv: GLOW_TT_ACCESS }
- id: glow
  shopify: { store: other, tokenEnv: GLOW_SHOPIFY_TOKEN }
  tiktok: { accessTokenEnv: NOPE_ACCESS }
`,
    );
    const problems = problemsOf(() => loadConfig({ env: { ...storesEnv, STORES_FILE: 'stores.yaml' }, cwd: dir }));
    const text = problems.map((p) => `${p.setting}: ${p.problem}`);
    expect(text).toEqual([
      'stores.yaml: stores[0] (glow).shopify.tokenEnv: names the environment variable MISSING_TOKEN_VAR, which is not set',
      'stores.yaml: stores[1] (glow).id: "glow" is used by another store; ids must be unique',
      'stores.yaml: stores[1] (glow).tiktok: neither NOPE_ACCESS is set in the environment (or leave both out and run: shoptok connect tiktok --store glow)',
    ]);

    writeFileSync(
      join(dir, 'inline.yaml'),
      `stores:\n  - id: Bad Id\n    shopify: { store: x, token: shpat_abcdefabcdef1234 }\n    tiktok: {}\n`,
    );
    const inline = problemsOf(() => loadConfig({ env: { ...storesEnv, STORES_FILE: 'inline.yaml' }, cwd: dir }));
    const inlineText = inline.map((p) => `${p.setting}: ${p.problem}`);
    expect(inlineText).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^inline.yaml: stores\[0\]\.id: must be 1-40 lower-case/),
        expect.stringMatching(
          /^inline.yaml: stores\[0\]\.shopify\.token: is not a known setting; secrets never go in the stores file/,
        ),
        expect.stringMatching(/^inline.yaml: stores\[0\]\.shopify\.tokenEnv: /),
      ]),
    );
    // The secret value itself is never echoed back.
    expect(inlineText.join('\n')).not.toContain('shpat_abcdefabcdef1234');
  });

  it('says plainly when the file is missing or unreadable', () => {
    const dir = tempDir();
    expect(problemsOf(() => loadConfig({ env: { STORES_FILE: 'nope.yaml' }, cwd: dir }))[0]?.problem).toMatch(
      /names nope.yaml, which does not exist/,
    );
    writeFileSync(join(dir, 'broken.json'), '{ "stores": [ ');
    expect(problemsOf(() => loadConfig({ env: { STORES_FILE: 'broken.json' }, cwd: dir }))[0]?.problem).toMatch(
      /could not be read as JSON/,
    );
  });
});

describe('readDotEnv', () => {
  it('parses a .env file and returns nothing when there is none', () => {
    const dir = tempDir();
    expect(readDotEnv(dir)).toEqual({});
    writeFileSync(join(dir, '.env'), '# comment\nSHOPIFY_STORE=glow\nOPENAI_MODEL="gpt-4o"\n');
    expect(readDotEnv(dir)).toEqual({ SHOPIFY_STORE: 'glow', OPENAI_MODEL: 'gpt-4o' });
  });
});

describe('loadConfig: settings that must mean what they say (issue 19)', () => {
  it('takes the single store rules from RULES_FILE (YAML) or STORE_RULES (JSON), and refuses both at once', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rules.yaml'), 'inventory:\n  bufferUnits: 3\norders:\n  importSampleOrders: false\n');
    const fromFile = loadConfig({ env: { ...singleStoreEnv, RULES_FILE: 'rules.yaml' }, cwd: dir }).stores[0]?.rules;
    expect(fromFile?.inventory.bufferUnits).toBe(3);
    expect(fromFile?.orders.importSampleOrders).toBe(false);
    const fromJson = loadConfig({ env: { ...singleStoreEnv, STORE_RULES: '{"inventory":{"bufferPercent":10}}' } }).stores[0];
    expect(fromJson?.rules.inventory.bufferPercent).toBe(10);
    expect(loadConfig({ env: singleStoreEnv }).stores[0]?.rules.inventory.bufferUnits).toBe(0);

    const both = problemsOf(() =>
      loadConfig({ env: { ...singleStoreEnv, RULES_FILE: 'rules.yaml', STORE_RULES: '{}' }, cwd: dir }),
    );
    expect(both.map((p) => p.setting)).toEqual(['STORE_RULES']);
    const typo = problemsOf(() => loadConfig({ env: { ...singleStoreEnv, STORE_RULES: '{"inventory":{"bufer":1}}' } }));
    expect(typo.map((p) => `${p.setting}: ${p.problem}`)).toEqual(['STORE_RULES: rules.inventory: has unknown setting(s) bufer']);
    const broken = problemsOf(() => loadConfig({ env: { ...singleStoreEnv, STORE_RULES: '{inventory' } }));
    expect(broken[0]?.problem).toMatch(/^could not be read/);
  });

  it('refuses RULES_FILE or STORE_RULES beside a stores file: each store there has its own rules', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'stores.yaml'),
      'stores:\n  - id: a\n    shopify: { store: a, tokenEnv: A_TOKEN }\n    tiktok: { accessTokenEnv: A_TT }\n',
    );
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          STORES_FILE: 'stores.yaml',
          A_TOKEN: 'shpat_a',
          A_TT: 'ROW_a',
          TIKTOK_APP_KEY: 'k',
          TIKTOK_SECRET: 's',
          STORE_RULES: '{}',
        },
        cwd: dir,
      }),
    );
    expect(problems).toEqual([expect.objectContaining({ setting: 'STORE_RULES', problem: expect.stringContaining('"rules:"') })]);
  });

  it('refuses importStatuses UNPAID (orders are created paid) and listing DRAFT or ARCHIVED products (they never sell)', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          ...singleStoreEnv,
          STORE_RULES: JSON.stringify({
            orders: { importStatuses: ['UNPAID', 'AWAITING_SHIPMENT'] },
            listing: { filters: { statuses: ['ACTIVE', 'DRAFT', 'ARCHIVED'] } },
          }),
        },
      }),
    );
    expect(problems.map((p) => p.setting).sort()).toEqual([
      'STORE_RULES: rules.listing.filters.statuses',
      'STORE_RULES: rules.orders.importStatuses',
    ]);
    expect(problems.find((p) => p.setting.endsWith('importStatuses'))?.problem).toMatch(
      /^UNPAID is refused: the buyer has not paid/,
    );
    expect(problems.find((p) => p.setting.endsWith('statuses'))?.problem).toMatch(/^DRAFT and ARCHIVED refused/);
    // ON_HOLD (paid, still cancellable) and UNLISTED stay allowed.
    const allowed = loadConfig({
      env: {
        ...singleStoreEnv,
        STORE_RULES: '{"orders":{"importStatuses":["ON_HOLD"]},"listing":{"filters":{"statuses":["ACTIVE","UNLISTED"]}}}',
      },
    }).stores[0]?.rules;
    expect(allowed?.orders.importStatuses).toEqual(['ON_HOLD']);
  });

  it('LOG_FILE=off turns the log file off; WEBHOOKS_PORT is the intake port, apart from HEALTH_PORT', () => {
    expect(loadConfig({ env: { ...singleStoreEnv, LOG_FILE: 'off' } }).log.file).toBeUndefined();
    expect(loadConfig({ env: { ...singleStoreEnv, LOG_FILE: 'NONE' } }).log.file).toBeUndefined();
    expect(loadConfig({ env: { ...singleStoreEnv, LOG_FILE: '' } }).log.file).toBe('sync_bot.log');
    const defaults = loadConfig({ env: singleStoreEnv });
    expect({ webhooks: defaults.webhooksPort, health: defaults.healthPort }).toEqual({ webhooks: 8090, health: 0 });
    const set = loadConfig({ env: { ...singleStoreEnv, WEBHOOKS_PORT: '9000', HEALTH_PORT: '8080' } });
    expect({ webhooks: set.webhooksPort, health: set.healthPort }).toEqual({ webhooks: 9000, health: 8080 });
  });
});
