import type { Logger } from '@shoptok/logger';

/** Shutdown runs in this order: stop taking work, finish work, flush, disconnect. */
export const SHUTDOWN_PHASES = ['intake', 'workers', 'flush', 'connections'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

interface Step {
  phase: ShutdownPhase;
  name: string;
  run: () => Promise<unknown> | unknown;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Whole shutdown must finish within this; `worker.close()` has no deadline of its own. */
  deadlineMs?: number;
}

/**
 * The one shutdown registry of a process. Exit code: 0 clean, 1 a step failed, 2 the
 * deadline passed (jobs still active come back as stalled and run again elsewhere).
 */
export class ShutdownRegistry {
  private readonly steps: Step[] = [];
  private running: Promise<number> | undefined;

  constructor(private readonly options: ShutdownOptions) {}

  add(phase: ShutdownPhase, name: string, run: Step['run']): void {
    this.steps.push({ phase, name, run });
  }

  /** Runs every step once, phase by phase; later calls get the same result. */
  shutdown(reason: string): Promise<number> {
    this.running ??= this.runSteps(reason);
    return this.running;
  }

  /** SIGTERM/SIGINT start the shutdown; the process exits with its code. A second signal exits at once. */
  listen(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.running) {
        this.options.logger.warn({ signal }, 'second signal: exiting now');
        exit(130);
        return;
      }
      void this.shutdown(signal).then(exit);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  private async runSteps(reason: string): Promise<number> {
    const { logger, deadlineMs = 25_000 } = this.options;
    logger.info({ reason, deadlineMs }, 'shutting down');
    let failed = false;
    const work = (async () => {
      for (const phase of SHUTDOWN_PHASES) {
        const steps = this.steps.filter((s) => s.phase === phase);
        await Promise.all(
          steps.map(async (step) => {
            try {
              await step.run();
            } catch (err) {
              failed = true;
              logger.error({ err, step: step.name, phase }, 'shutdown step failed');
            }
          }),
        );
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMs);
    });
    const outcome = await Promise.race([work.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting with work unfinished (it will be retried)');
      return 2;
    }
    logger.info('shut down cleanly');
    return failed ? 1 : 0;
  }
}
