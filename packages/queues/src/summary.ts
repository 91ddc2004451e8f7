import { z } from 'zod';

/** One item a job could not handle, with the reason an operator reads. */
export const itemFailureSchema = z.object({
  item: z.string(),
  reason: z.string(),
  code: z.string().optional(),
});

/**
 * What every sync job returns (its BullMQ return value): counts, failures with reasons, and on
 * a dry run the exact payloads that would have been sent. `pnpm enqueue --wait` and the
 * dashboard read it.
 */
export const jobSummarySchema = z.object({
  seen: z.number().int().nonnegative().default(0),
  changed: z.number().int().nonnegative().default(0),
  pushed: z.number().int().nonnegative().default(0),
  skipped: z.number().int().nonnegative().default(0),
  failed: z.number().int().nonnegative().default(0),
  failures: z.array(itemFailureSchema).default([]),
  skippedReasons: z.record(z.string(), z.number().int()).default({}),
  /** Dry runs: what would have been sent, per API call. */
  wouldSend: z.array(z.object({ api: z.string(), target: z.string(), payload: z.unknown() })).default([]),
  notes: z.array(z.string()).default([]),
});

export type JobSummary = z.output<typeof jobSummarySchema>;
export type JobSummaryInput = z.input<typeof jobSummarySchema>;

/** Job progress as handlers report it: `done` of `total` items in the current phase. */
export const jobProgressSchema = z.object({ phase: z.string(), done: z.number().nonnegative(), total: z.number().nonnegative() });
export type JobProgress = z.infer<typeof jobProgressSchema>;

/** An empty summary to fill in. */
export function emptySummary(): JobSummary {
  return jobSummarySchema.parse({});
}

/** Adds `b` into `a` (for a full sync made of several jobs). */
export function mergeSummaries(a: JobSummary, b: JobSummary): JobSummary {
  const skippedReasons = { ...a.skippedReasons };
  for (const [k, v] of Object.entries(b.skippedReasons)) skippedReasons[k] = (skippedReasons[k] ?? 0) + v;
  return {
    seen: a.seen + b.seen,
    changed: a.changed + b.changed,
    pushed: a.pushed + b.pushed,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
    failures: [...a.failures, ...b.failures],
    skippedReasons,
    wouldSend: [...a.wouldSend, ...b.wouldSend],
    notes: [...a.notes, ...b.notes],
  };
}
