import { emptySummary, type JobContext, type JobSummary } from '@shoptok/queues';

/** A job summary being filled in, with progress reported as it goes. */
export class RunReport {
  readonly summary: JobSummary = emptySummary();

  constructor(private readonly context: Pick<JobContext, 'progress'> | undefined) {}

  skip(reason: string, count = 1): void {
    this.summary.skipped += count;
    this.summary.skippedReasons[reason] = (this.summary.skippedReasons[reason] ?? 0) + count;
  }

  fail(item: string, reason: string, code?: string | number): void {
    this.summary.failed += 1;
    this.summary.failures.push({ item, reason, ...(code === undefined ? {} : { code: String(code) }) });
  }

  wouldSend(api: string, target: string, payload: unknown): void {
    this.summary.wouldSend.push({ api, target, payload });
  }

  note(text: string): void {
    this.summary.notes.push(text);
  }

  async progress(phase: string, done: number, total: number): Promise<void> {
    await this.context?.progress({ phase, done, total });
  }
}

/** The plain message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
