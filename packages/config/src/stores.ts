import { z } from 'zod';
import type { ConfigProblem } from './problems.js';

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'must be the NAME of an environment variable (A-Z, 0-9, _), not its value' });

/** `my-brand`, `my-brand.myshopify.com` or `https://my-brand.myshopify.com/` all mean `my-brand.myshopify.com`. */
export const shopifyDomainSchema = z
  .string({ error: 'is missing' })
  .trim()
  .transform((v) =>
    v
      .replace(/^https?:\/\//, '')
      .replace(/\/.*$/, '')
      .toLowerCase(),
  )
  .transform((v) => (v.includes('.') ? v : `${v}.myshopify.com`))
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, { error: "must be the store's myshopify.com domain" }));

/** Store ids end up in queue names, job ids and Redis keys: keep them short and plain. */
export const storeIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
  error: 'must be 1-40 lower-case letters, digits or "-", starting with a letter or digit',
});

/**
 * One Shopify-store/TikTok-shop pair in the stores file. Secrets are never written here:
 * each is named by the environment variable that holds it (`*Env`).
 */
export const storeFileEntrySchema = z.strictObject({
  id: storeIdSchema,
  name: z.string().optional(),
  enabled: z.boolean().default(true),
  shopify: z.strictObject({
    store: shopifyDomainSchema,
    tokenEnv: envVarName,
    apiSecretEnv: envVarName.optional(),
    /** Only for a proxy or a stand-in (overrides SHOPIFY_API_BASE for this store). */
    apiBase: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  }),
  tiktok: z.strictObject({
    appKeyEnv: envVarName.default('TIKTOK_APP_KEY'),
    appSecretEnv: envVarName.default('TIKTOK_SECRET'),
    accessTokenEnv: envVarName.optional(),
    refreshTokenEnv: envVarName.optional(),
    shopCipher: z.string().trim().min(1).optional(),
    /** The TikTok shop's market, e.g. `GB` or `US`: connecting refuses a shop of another market. */
    region: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, { error: 'must be a two-letter market code such as GB or US' })
      .transform((v) => v.toUpperCase())
      .optional(),
  }),
  syncInterval: z.number().int().min(10).max(86_400).optional(),
  batchSize: z.number().int().min(1).max(1_000).optional(),
  dryRun: z.boolean().optional(),
  /** `preview` (the default: write nothing, record what would be sent) or `live`; `shoptok go-live` switches at run time. */
  mode: z.enum(['preview', 'live'], { error: 'must be preview or live' }).optional(),
  /** The environment variable holding this store's own Slack-compatible alert webhook (overrides ALERT_WEBHOOK_URL). */
  alertWebhookUrlEnv: envVarName.optional(),
  /** Per-store sync rules (inventory buffer, order policy, carriers, listing); checked by `storeRulesSchema`. */
  rules: z.unknown().optional(),
});

/** `{ stores: [...] }`, or the bare list. */
export const storesFileSchema = z.preprocess(
  (doc) => (Array.isArray(doc) ? { stores: doc } : doc),
  z.strictObject(
    { stores: z.array(storeFileEntrySchema).min(1, { error: 'must list at least one store' }) },
    { error: 'must be a list of stores, or an object with a "stores" list' },
  ),
);

export type StoreFileEntry = z.infer<typeof storeFileEntrySchema>;

const SECRET_LOOKING_KEYS = /(token|secret|password|api_?key)$/i;

/** Problems for a stores file that did not parse, worded for the person who wrote it. */
export function storesIssuesToProblems(file: string, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const where = issue.path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
      '',
    );
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const secretHint = SECRET_LOOKING_KEYS.test(key)
          ? `; secrets never go in the stores file: put the value in an environment variable and name it with ${key}Env`
          : '';
        problems.push({ setting: `${file}: ${where ? `${where}.` : ''}${key}`, problem: `is not a known setting${secretHint}` });
      }
      continue;
    }
    problems.push({ setting: `${file}: ${where || '(top level)'}`, problem: issue.message });
  }
  return problems;
}
