export {
  BURST_WINDOW_MS,
  burstWindow,
  jobContract,
  jobContracts,
  jobIdFor,
  jobIds,
  jobSchema,
  parseQueueName,
  queueCatalog,
  queueKeys,
  queueNameFor,
} from './catalog.js';
export type {
  JobContract,
  JobData,
  JobIdOccasion,
  JobIdRule,
  JobInput,
  JobName,
  QueueCatalog,
  QueueDefinition,
  QueueKey,
  RetryClass,
} from './catalog.js';
export { createRedisConnection, dataNodes, isRedisCluster, parseRedisClusterUrl, waitForRedis } from './connection.js';
export type { ConnectionRole, RedisClusterTarget, RedisConnection, RedisConnectionOptions } from './connection.js';
export {
  cappedDelayMs,
  DEFAULT_RETRY_MAX_DELAY_SECONDS,
  DEFAULT_RETRY_OUTAGE_WINDOW_SECONDS,
  defaultJobOptions,
  eventualAttempts,
  retryOptionsFor,
  shoptokBackoffStrategy,
} from './job-options.js';
export type { RetryPolicy } from './job-options.js';
export { InvalidJobPayloadError, QueueFactory } from './producer.js';
export type { AddJobOptions, QueueFactoryOptions, RecurringJobInput } from './producer.js';
export { schedulerIdFor } from './schedule.js';
export { SHUTDOWN_PHASES, ShutdownRegistry } from './shutdown.js';
export type { ShutdownOptions, ShutdownPhase } from './shutdown.js';
export { createStoreWorker, JobStoppedError, stopIfAborted } from './worker.js';
export type { JobContext, JobHandlers, JobLockOptions, JobOutcome, StoreWorkerOptions } from './worker.js';
export { redisHealthCheck, startHealthServer } from './health.js';
export type { HealthCheckResult, HealthChecks, HealthServer } from './health.js';
export { emptySummary, itemFailureSchema, jobProgressSchema, jobSummarySchema, mergeSummaries } from './summary.js';
export type { JobProgress, JobSummary, JobSummaryInput } from './summary.js';
export {
  LAG_HISTORY_MS,
  lagHistoryKey,
  METRIC_APIS,
  METRIC_QUEUES,
  MetricsRecorder,
  metricsKey,
  parseMetricField,
  readLagHistory,
  recordMetric,
  recordSyncLag,
} from './metrics.js';
export type {
  AiUsageEvent,
  ApiCallEvent,
  CounterField,
  GaugeField,
  LagPoint,
  MetricApi,
  MetricField,
  MetricQueue,
  ParsedMetricField,
} from './metrics.js';
