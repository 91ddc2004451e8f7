export { childLogger, createLogger } from './logger.js';
export type { CreateLoggerOptions, LogContext, Logger } from './logger.js';
export { isSecretKey, REDACTED, redactDeep, scrubSecrets } from './redact.js';
