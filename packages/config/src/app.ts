import { loadConfig, readDotEnv, type EnvSource, type ShoptokConfig } from './load.js';
import { ConfigError } from './problems.js';

/**
 * The environment an app runs with: `.env` in `cwd` overridden by the real environment (the
 * app passes `process.env`; this package never reads it).
 */
export function mergeDotEnv(processEnv: EnvSource, cwd: string): Record<string, string | undefined> {
  return { ...readDotEnv(cwd), ...processEnv };
}

/** Every secret value of a config, so the logger can redact each wherever it would appear. */
export function secretValuesOf(config: ShoptokConfig): string[] {
  const values: (string | undefined)[] = [config.openai.apiKey, config.dashboard.password, config.alerts.webhookUrl];
  for (const store of config.stores) {
    values.push(
      store.shopify.accessToken,
      store.shopify.apiSecret,
      store.tiktok.appSecret,
      store.tiktok.accessToken,
      store.tiktok.refreshToken,
      store.alertWebhookUrl,
    );
  }
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Exit code of a process stopped by its configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * For an app's `main` only: the config, or the list of problems on stderr (no stack trace)
 * and exit code 78.
 */
export function loadConfigOrExit(options: { env: EnvSource; cwd?: string; requireStores?: boolean }): ShoptokConfig {
  try {
    return loadConfig(options);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}
