export { loadConfig, readDotEnv } from './load.js';
export type { EnvSource, LoadConfigOptions, ShoptokConfig, StoreConfig } from './load.js';
export { ConfigError, formatConfigProblems } from './problems.js';
export type { ConfigProblem } from './problems.js';
export { envSchema, TIKTOK_AUTH_HOST, TIKTOK_OPEN_API_HOST } from './env.js';
export type { LogLevel } from './env.js';
export { storeFileEntrySchema, storesFileSchema, storeIdSchema } from './stores.js';
export type { StoreFileEntry } from './stores.js';
export { EXIT_CONFIG, loadConfigOrExit, mergeDotEnv, secretValuesOf } from './app.js';
