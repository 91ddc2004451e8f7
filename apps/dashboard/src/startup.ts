import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/** True for an address only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(h)) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}

/**
 * Why the dashboard must not start with these settings, or undefined when it may: without
 * both credentials it may only listen on loopback.
 */
export function credentialsProblem(dashboard: {
  host: string;
  username: string | undefined;
  password: string | undefined;
}): string | undefined {
  const hasCredentials = Boolean(dashboard.username) && Boolean(dashboard.password);
  if (hasCredentials || isLoopbackHost(dashboard.host)) return undefined;
  return `DASHBOARD_HOST=${dashboard.host} makes the dashboard reachable beyond this machine, so it needs DASHBOARD_USERNAME and DASHBOARD_PASSWORD (or set DASHBOARD_HOST=127.0.0.1).`;
}
