export { childLogger, createLogger, rotatedLogFiles } from './logger.js';
export type { CreateLoggerOptions, LogContext, Logger, LogRotation } from './logger.js';
export { isSecretKey, REDACTED, redactDeep, scrubSecrets } from './redact.js';
