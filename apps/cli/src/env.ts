import { loadConfigOrExit, mergeDotEnv, secretValuesOf, type ShoptokConfig } from '@shoptok/config';
import { createLogger, type Logger } from '@shoptok/logger';

/** The environment of this process: `.env` in the working directory, overridden by real variables. */
export function processEnv(): Record<string, string | undefined> {
  return mergeDotEnv(process.env, process.cwd());
}

/** The config of this run, or the list of problems and exit code 78. */
export function cliConfig(options: { requireStores?: boolean } = {}): ShoptokConfig {
  return loadConfigOrExit({ env: processEnv(), requireStores: options.requireStores });
}

/** The root logger of a CLI run. */
export function cliLogger(config: ShoptokConfig, level?: string): Logger {
  return createLogger({ level: level ?? config.log.level, file: config.log.file, secretValues: secretValuesOf(config), base: { app: 'cli' } });
}
