/** Stable scheduler id of one recurring job: `<store>-<job>` (same id, same schedule, on every replica). */
export function schedulerIdFor(store: string, jobName: string): string {
  return `${store}-${jobName}`;
}
