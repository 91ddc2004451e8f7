import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { waitUntil } from './redis.js';

/** A Redis Cluster of local `redis-server` processes, for tests that must run on a cluster. */
export interface LocalRedisCluster {
  /** `redis+cluster://127.0.0.1:<port>,...`: what shoptok's REDIS_URL takes for a cluster. */
  url: string;
  /** The masters, in the order their slot ranges were given (first has slot 0). */
  nodes: { host: string; port: number }[];
  /** Everything the servers printed (for a failing test's message). */
  output(): string;
  /** Kills every server and removes their directories. Call it in `afterAll`/`finally`. */
  stop(): Promise<void>;
}

const SLOTS = 16_384;

/**
 * Starts `masters` (default 3) `redis-server` processes with `cluster-enabled yes` on free
 * 127.0.0.1 ports, each in its own temp directory, no persistence; splits the 16,384 slots
 * evenly (CLUSTER ADDSLOTSRANGE), joins them (CLUSTER MEET) and resolves once every node
 * reports `cluster_state:ok`. On any failure the servers are stopped before it throws.
 */
export async function startRedisCluster(options: { masters?: number; startTimeoutMs?: number } = {}): Promise<LocalRedisCluster> {
  const masters = options.masters ?? 3;
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const procs: { proc: ChildProcess; exited: Promise<void>; dir: string }[] = [];
  let output = '';
  const stop = async () => {
    await Promise.all(
      procs.map(async ({ proc, exited, dir }) => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      }),
    );
  };
  const admins: Redis[] = [];
  try {
    const nodes: { host: string; port: number }[] = [];
    const busPorts: number[] = [];
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      const dir = mkdtempSync(join(tmpdir(), 'shoptok-cluster-'));
      const args = [
        '--port',
        String(port),
        '--cluster-port',
        String(busPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--daemonize',
        'no',
      ];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000');
      args.push('--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction');
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()).once('error', () => resolve()));
      procs.push({ proc, exited, dir });
      proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      proc.once(
        'error',
        (err) =>
          (output += `\ncould not start redis-server (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed: apt-get install redis-server' : err.message})\n`),
      );
      nodes.push({ host: '127.0.0.1', port });
      busPorts.push(busPort);
    }
    for (const node of nodes) {
      const admin = new Redis({ ...node, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      admin.on('error', () => undefined); // connection refused while the server starts; retried below
      admins.push(admin);
    }
    await waitUntil(
      async () => {
        const pongs = await Promise.all(
          admins.map((a) => (a.status === 'ready' ? a.ping() : a.connect().then(() => a.ping())).catch(() => 'no')),
        );
        return pongs.every((p) => p === 'PONG');
      },
      { timeoutMs, intervalMs: 50, what: 'every cluster node to answer PING' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-2000)}`);
    });
    for (const [i, admin] of admins.entries()) {
      const first = Math.floor((SLOTS * i) / masters);
      const last = Math.floor((SLOTS * (i + 1)) / masters) - 1;
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', String(first), String(last));
      // Distinct epochs, as redis-cli --cluster create sets them, so no node has to win a collision.
      await admin.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
    }
    const [seed] = admins as [Redis];
    // The bus port is not port + 10000 here (that one may be taken), so MEET names it.
    for (const [i, node] of nodes.entries())
      if (i > 0) await seed.call('CLUSTER', 'MEET', node.host, String(node.port), String(busPorts[i]));
    await waitUntil(
      async () => {
        const infos = await Promise.all(admins.map((a) => a.call('CLUSTER', 'INFO') as Promise<string>));
        return infos.every((info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`));
      },
      { timeoutMs, intervalMs: 50, what: 'cluster_state:ok on every node' },
    );
    return {
      url: `redis+cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
      nodes,
      output: () => output,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    for (const admin of admins) admin.disconnect();
  }
}
