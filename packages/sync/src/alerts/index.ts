export {
  authorizationMessage,
  BURST_REASONS_SHOWN,
  failedJobsLink,
  failureBurstMessage,
  formatDuration,
  shipByMessage,
  storeLink,
} from './messages.js';
export type { AlertLinks, AlertMessage, FailureBurst } from './messages.js';
export { AlertNotifier, alertNotifierFromConfig } from './notifier.js';
export type { AlertNotifierOptions } from './notifier.js';
