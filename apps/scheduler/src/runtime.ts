import { loadConfig, loadConfigOrExit, mergeDotEnv, secretValuesOf, type ShoptokConfig } from '@shoptok/config';
import { createLogger, type Logger } from '@shoptok/logger';

/**
 * The config from `.env` and the environment. At start an invalid config prints its problems
 * and exits; on a reload (`exitOnError: false`) it throws so the running schedules stay.
 */
export function loadAppConfig(options: { exitOnError?: boolean } = {}): ShoptokConfig {
  const env = mergeDotEnv(process.env, process.cwd());
  return options.exitOnError === false ? loadConfig({ env }) : loadConfigOrExit({ env });
}

export function appLogger(config: ShoptokConfig, app: string): Logger {
  return createLogger({ level: config.log.level, file: config.log.file, secretValues: secretValuesOf(config), base: { app } });
}
