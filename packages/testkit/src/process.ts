import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** A TypeScript entry point running as its own process, as in production. */
export interface AppProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once it exits. */
  exited: Promise<number | null>;
  /** Sends SIGTERM and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL, no goodbye (a crash). */
  kill(): Promise<number | null>;
}

/**
 * Starts `entry` (a .ts file) with tsx and the `shoptok-source` condition, in `cwd`, with
 * exactly `env` (plus PATH) and `args`. Call `stop()` or `kill()` in a `finally`. `detached`
 * puts it in a process group of its own (the parent alone decides when it stops).
 */
export function startAppProcess(
  entry: string,
  options: { cwd: string; env: Record<string, string | undefined>; args?: string[]; detached?: boolean },
): AppProcess {
  const tsxLoader = pathToFileURL(createRequire(entry).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--conditions=shoptok-source', '--import', tsxLoader, entry, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the parent, which stops it in order.
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const send = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { child, output: () => output, exited, stop: (signal = 'SIGTERM') => send(signal), kill: () => send('SIGKILL') };
}
