import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersPing, freePort } from './ports.js';

/** A `redis-server` of the test's own, on a free loopback port, that the test may stop and start. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** Its data directory (AOF files live here), removed by `close`. */
  dir: string;
  /** Stops the server: SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once it exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /**
   * Starts it again on the same port and directory; resolves once it answers PING (AOF loaded).
   * `empty`: deletes its data files first, as a Redis without persistence (or with a lost volume) comes back.
   */
  start(options?: { empty?: boolean }): Promise<void>;
  /** Everything the server printed (for a failing test's message). */
  output(): string;
  /** Stops it (SIGKILL if needed) and removes its directory. Call it in `afterAll`/`finally`. */
  close(): Promise<void>;
}

export interface PrivateRedisOptions {
  /**
   * `aof`: as docker-compose.yml runs Redis (`--appendonly yes --appendfsync everysec`,
   * `noeviction`): a restart keeps every write older than about one second.
   * `none`: no AOF and no snapshot, so a restart comes back empty.
   */
  persistence: 'aof' | 'none';
  /** How long `start` waits for PING to answer (default 15 s). */
  startTimeoutMs?: number;
}

/**
 * Starts a private `redis-server` (never the shared one) on a free 127.0.0.1 port with its own
 * directory under the temp folder. Fails with a clear message when `redis-server` is missing.
 */
export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'shoptok-redis-'));
  const persistence =
    options.persistence === 'aof'
      ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
      : ['--appendonly', 'no', '--save', ''];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--maxmemory-policy',
    'noeviction',
    ...persistence,
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const start = async (startOptions: { empty?: boolean } = {}): Promise<void> => {
    if (child) throw new Error(`the private redis-server on port ${port} is already running`);
    if (startOptions.empty) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    void exited.then(() => {
      if (child === proc) child = undefined;
    });
    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    for (;;) {
      const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 50, undefined))]);
      if (failed) {
        const hint =
          (failed as NodeJS.ErrnoException).code === 'ENOENT'
            ? ' (redis-server is not installed: apt-get install redis-server)'
            : '';
        throw new Error(`could not start redis-server${hint}: ${failed.message}`);
      }
      if (child !== proc) throw new Error(`redis-server exited at start on port ${port}:\n${output.slice(-2000)}`);
      if (await answersPing(port)) return;
      if (Date.now() > deadline)
        throw new Error(`redis-server on port ${port} did not answer PING in time:\n${output.slice(-2000)}`);
    }
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    start,
    output: () => output,
    async close() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
