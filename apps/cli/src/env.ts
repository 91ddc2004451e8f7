import { ConfigError, loadConfig, mergeDotEnv, type ShoptokConfig } from '@shoptok/config';

/** The environment of this process: `.env` in the working directory, overridden by real variables. */
export function processEnv(): Record<string, string | undefined> {
  return mergeDotEnv(process.env, process.cwd());
}

/**
 * The config of a command (with `--log-level` applied), or undefined after printing the list
 * of problems to stderr: the command then exits with 78 (EX_CONFIG).
 */
export function commandConfig(
  io: { env: Record<string, string | undefined>; stderr: NodeJS.WritableStream },
  logLevel?: string,
): ShoptokConfig | undefined {
  try {
    return loadConfig({ env: logLevel ? { ...io.env, LOG_LEVEL: logLevel } : io.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`${err.message}\n`);
    return undefined;
  }
}
