import { ConfigError, loadConfig, readDotEnv, type ShoptokConfig } from '@shoptok/config';
import { createLogger, type Logger } from '@shoptok/logger';

/** The environment of this process: `.env` in the working directory, overridden by real variables. */
export function processEnv(cwd = process.cwd()): Record<string, string | undefined> {
  return { ...readDotEnv(cwd), ...process.env };
}

/** Every secret value in the config, so the logger can redact them wherever they appear. */
export function secretValuesOf(config: ShoptokConfig): string[] {
  const values: (string | undefined)[] = [config.openai.apiKey];
  for (const store of config.stores) {
    values.push(store.shopify.accessToken, store.shopify.apiSecret, store.tiktok.appSecret, store.tiktok.accessToken, store.tiktok.refreshToken);
  }
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/**
 * Loads the config or prints the list of problems (no stack trace) and exits with code 78
 * (EX_CONFIG).
 */
export function loadConfigOrExit(options: { requireStores?: boolean; env?: Record<string, string | undefined> } = {}): ShoptokConfig {
  try {
    return loadConfig({ env: options.env ?? processEnv(), requireStores: options.requireStores ?? true });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

/** The root logger of a CLI run. */
export function cliLogger(config: ShoptokConfig, level?: string): Logger {
  return createLogger({ level: level ?? config.log.level, file: config.log.file, secretValues: secretValuesOf(config), base: { app: 'cli' } });
}
