import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startAppProcess, type AppProcess } from '@shoptok/testkit';

/** The apps of the fleet the demo runs, each as its own process as in production. */
export type DemoApp = 'scheduler' | 'inventory-worker' | 'product-worker' | 'order-worker' | 'webhooks' | 'dashboard';

const here = dirname(fileURLToPath(import.meta.url));
const appsDir = resolve(here, '../../..');
// Plain JavaScript: it is loaded before tsx's loader.
const orphanGuard = pathToFileURL(resolve(here, 'orphan-guard.mjs')).href;

interface Running {
  app: DemoApp;
  process: AppProcess;
  healthUrl: string;
}

/** The last lines an app printed, to explain why it stopped. */
function tail(output: string, lines = 15): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The demo's app processes: started with one shared environment (the stores file, Redis, the
 * stand-ins' URLs), each in its own process group so that only the demo decides when and in
 * which order they stop; each also stops by itself if the demo dies without stopping it.
 */
export class DemoFleet {
  private readonly running: Running[] = [];
  private stopping = false;

  constructor(
    private readonly options: {
      dir: string;
      env: Record<string, string>;
      /** An app stopped while the demo still needed it. */
      onUnexpectedExit: (app: DemoApp, explanation: string) => void;
    },
  ) {}

  /** Starts one app; `healthPort` is where it answers /healthz (HEALTH_PORT, or the dashboard's port). */
  start(app: DemoApp, healthPort: number, extraEnv: Record<string, string> = {}): void {
    const env = { ...this.options.env, ...extraEnv, NODE_OPTIONS: `--import=${orphanGuard}` };
    const child = startAppProcess(resolve(appsDir, app, 'src/main.ts'), { cwd: this.options.dir, env, detached: true });
    this.running.push({ app, process: child, healthUrl: `http://127.0.0.1:${healthPort}/healthz` });
    void child.exited.then((code) => {
      if (!this.stopping)
        this.options.onUnexpectedExit(app, `${app} stopped (exit code ${code}); its last words:\n${tail(child.output())}`);
    });
  }

  /** Waits until every started app answers /healthz with 200; throws, with the app's output, when one cannot. */
  async ready(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      this.running.map(async ({ app, process: child, healthUrl }) => {
        for (;;) {
          signal?.throwIfAborted();
          if (child.child.exitCode !== null || child.child.signalCode !== null)
            throw new Error(`${app} stopped while starting; its last words:\n${tail(child.output())}`);
          const ok = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) }).then(
            async (res) => (await res.arrayBuffer(), res.ok),
            () => false,
          );
          if (ok) return;
          if (Date.now() > deadline)
            throw new Error(
              `${app} did not become healthy within ${timeoutMs / 1000} s; its last words:\n${tail(child.output())}`,
            );
          await new Promise((r) => setTimeout(r, 200));
        }
      }),
    );
  }

  /** Process ids of the apps still running. */
  pids(): number[] {
    return this.running
      .filter((r) => r.process.child.exitCode === null && r.process.child.signalCode === null)
      .map((r) => r.process.child.pid ?? 0);
  }

  /**
   * SIGTERM to every app (each stops intake, lets active jobs finish or hand them back, and
   * disconnects within its own 25 s deadline); SIGKILL for any still there after 30 s.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.running.map(async ({ process: child }) => {
        const timer = setTimeout(() => void child.kill(), 30_000);
        await child.stop('SIGTERM');
        clearTimeout(timer);
      }),
    );
  }

  /** SIGKILL to every app at once (a second Ctrl-C). */
  kill(): void {
    this.stopping = true;
    for (const { process: child } of this.running)
      if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
  }
}
