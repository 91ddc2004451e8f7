// The files an operator deploys with must agree with the config schema and the Compose spec.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { envSchema, loadConfig } from './index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);

/** The Compose spec schema as dclint ships it (its `$schema` names draft-07 without the `#`). */
function composeValidator() {
  const schemaPath = join(dirname(require.resolve('dclint/package.json')), 'schemas/compose.schema.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(schema);
}

describe('deployment files', () => {
  it('docker-compose.yml is valid against the Compose spec schema', () => {
    const validate = composeValidator();
    const compose = parseYaml(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as Record<
      string,
      unknown
    >;
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);

    // What the issue asks of Redis: persistence and no eviction.
    const redis = (compose.services as Record<string, { command?: string[] }>).redis;
    expect(redis?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
  });

  it('a compose file with a typo is refused by the same check (the check can fail)', () => {
    const validate = composeValidator();
    expect(validate({ services: { redis: { image: 'redis', comand: ['x'] } } })).toBe(false);
  });

  it('.env.example documents exactly the variables the config reads', () => {
    const example = parseEnv(readFileSync(join(repoRoot, '.env.example'), 'utf8'));
    const documented = Object.keys(example).sort();
    const known = Object.keys(envSchema.shape)
      .filter((k) => k !== 'SHOPIFY_ACCESS_TOKEN')
      .sort();
    expect(documented).toEqual(known);
    // Shipped values are placeholders or defaults, and they parse.
    expect(envSchema.safeParse(example).success).toBe(true);
  });

  it('docs/stores.example.yaml loads once the variables it names are set', () => {
    const env: Record<string, string> = {
      STORES_FILE: join(repoRoot, 'docs/stores.example.yaml'),
      TIKTOK_APP_KEY: 'app-key',
      TIKTOK_SECRET: 'app-secret-value',
      GLOW_SHOPIFY_TOKEN: 'shpat_glow',
      GLOW_SHOPIFY_API_SECRET: 'glow-webhook-secret',
      GLOW_TIKTOK_ACCESS_TOKEN: 'ROW_a',
      GLOW_TIKTOK_REFRESH_TOKEN: 'ROW_r',
      GLOW_ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/glow',
      OAK_SHOPIFY_TOKEN: 'shpat_oak',
      OAK_TIKTOK_APP_KEY: 'oak-key',
      OAK_TIKTOK_SECRET: 'oak-secret-value',
      OAK_TIKTOK_REFRESH_TOKEN: 'ROW_oak',
    };
    expect(loadConfig({ env }).stores.map((s) => s.id)).toEqual(['glow-beauty', 'oak-home']);
  });
});
