/** What a stand-in schedules for later (retries, jobs, delayed answers): every timer stops at once on close. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private isStopped = false;

  get stopped(): boolean {
    return this.isStopped;
  }

  /** Runs `fn` after `ms` unless stopped by then. */
  later(ms: number, fn: () => void): void {
    if (this.isStopped) return;
    const t = setTimeout(() => {
      this.pending.delete(t);
      if (!this.isStopped) fn();
    }, ms);
    this.pending.add(t);
  }

  stop(): void {
    this.isStopped = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}
