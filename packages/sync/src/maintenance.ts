import type { JobContext, JobSummary } from '@shoptok/queues';
import type { StoreServices } from './services.js';
import { RunReport } from './summary.js';

const DAY_MS = 86_400_000;

/**
 * `token-refresh`: makes sure the shop's access token is fresh (refreshing ahead of expiry, one
 * process at a time) and warns while there is time to act when the seller's authorization
 * (the refresh token) is about to end.
 */
export async function runTokenRefresh(
  svc: StoreServices,
  _data: { dryRun: boolean },
  ctx?: Pick<JobContext, 'progress'>,
  now: () => number = Date.now,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  await svc.tiktok.tokens.accessToken();
  const tokens = await svc.tiktok.tokens.read();
  report.summary.seen = 1;
  if (tokens && tokens.refreshTokenExpiresAt > 0) {
    const daysLeft = Math.floor((tokens.refreshTokenExpiresAt - now()) / DAY_MS);
    if (daysLeft <= 30) {
      report.note(
        `the TikTok authorization of store ${svc.storeId} ends in ${daysLeft} day(s): the seller must authorize the app again`,
      );
      svc.logger.warn({ daysLeft }, 'tiktok authorization about to expire');
    }
    if (svc.alerts && tokens.refreshTokenExpiresAt - now() <= svc.alerts.authExpiryLeadMs) {
      await svc.alerts.authorizationExpiring(svc.storeId, tokens.refreshTokenExpiresAt, now());
    }
  }
  return report.summary;
}
