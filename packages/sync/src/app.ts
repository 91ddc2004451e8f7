import { loadConfig, loadConfigOrExit, mergeDotEnv, secretValuesOf, type EnvSource, type ShoptokConfig } from '@shoptok/config';
import { createLogger, type Logger } from '@shoptok/logger';
import { ShutdownRegistry } from '@shoptok/queues';

/** What every long-running app starts with. */
export interface AppBoot {
  config: ShoptokConfig;
  logger: Logger;
  shutdown: ShutdownRegistry;
  /** Reads `.env` and the stores file again (SIGHUP); throws a ConfigError instead of exiting. */
  reloadConfig(): ShoptokConfig;
}

/**
 * An app's root logger from its config: LOG_LEVEL, LOG_FILE rotated per LOG_FILE_MAX_MB and
 * LOG_FILE_MAX_FILES, every secret of the config redacted.
 */
export function createAppLogger(config: ShoptokConfig, app: string): Logger {
  return createLogger({
    level: config.log.level,
    file: config.log.file,
    rotation: { maxBytes: config.log.maxBytes, maxFiles: config.log.maxFiles },
    secretValues: secretValuesOf(config),
    base: { app },
  });
}

/**
 * The first lines of every app's `main`: the config from `.env` plus the environment the app
 * passes in (an invalid one prints its problems and exits 78), the root logger with every
 * secret redacted, and the shutdown registry listening for SIGTERM/SIGINT.
 */
export function bootApp(app: string, processEnv: EnvSource, cwd: string): AppBoot {
  const config = loadConfigOrExit({ env: mergeDotEnv(processEnv, cwd) });
  const logger = createAppLogger(config, app);
  const shutdown = new ShutdownRegistry({ logger });
  shutdown.listen();
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  return { config, logger, shutdown, reloadConfig: () => loadConfig({ env: mergeDotEnv(processEnv, cwd) }) };
}
