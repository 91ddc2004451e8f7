import { spawn, type ChildProcess } from 'node:child_process';
import { answersPing, freePort } from '@shoptok/testkit';

/** The Redis the demo uses, and how to let go of it. */
export interface DemoRedis {
  url: string;
  /** Where it came from, for the first line of the demo. */
  origin: string;
  /** Stops a private redis-server (nothing to do for one the demo did not start). */
  stop(): Promise<void>;
  /** At once, without waiting (a second Ctrl-C, or the process exiting). */
  kill(): void;
}

export const NO_REDIS_MESSAGE = `the demo needs Redis and none could be found or started:
  - set REDIS_URL to a Redis you have (the demo writes only keys under its own prefix), or
  - install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)
    and run the demo again: it starts a private one for itself, or
  - run one in Docker: docker run -p 6379:6379 redis:7
(npm start installs Debian's redis-server by itself when run as root.)`;

/**
 * The configured Redis (REDIS_URL), else one answering on 127.0.0.1:6379 (`localPort`), else a private
 * `redis-server` on a free loopback port (no persistence, stopped with the demo). Undefined when
 * none of them is possible.
 */
export async function provideDemoRedis(
  configuredUrl: string | undefined,
  options: { localPort?: number } = {},
): Promise<DemoRedis | undefined> {
  const nothingToStop = { stop: async () => undefined, kill: () => undefined };
  const localPort = options.localPort ?? 6379;
  if (configuredUrl)
    return { url: configuredUrl, origin: `${configuredUrl.replace(/\/\/[^@/]*@/, '//***@')} (REDIS_URL)`, ...nothingToStop };
  if (await answersPing(localPort))
    return { url: `redis://127.0.0.1:${localPort}`, origin: `redis://127.0.0.1:${localPort}`, ...nothingToStop };
  return startPrivateRedis();
}

async function startPrivateRedis(): Promise<DemoRedis | undefined> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    // Its own process group: Ctrl-C must not take Redis away before the workers have closed.
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      { stdio: 'ignore', detached: true },
    );
  } catch {
    return undefined;
  }
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false)); // ENOENT: not installed
    child.once('spawn', () => resolve(true));
  });
  if (!started) return undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // Whatever ends this process, the private Redis goes with it.
  process.once('exit', kill);
  const deadline = Date.now() + 5_000;
  while (!(await answersPing(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      kill();
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    origin: `a private redis-server on port ${port}, stopped with the demo`,
    kill,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(kill, 5_000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', kill);
    },
  };
}

export { answersPing, freePort };
