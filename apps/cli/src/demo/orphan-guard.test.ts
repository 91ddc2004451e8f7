import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { waitUntil } from '@shoptok/testkit';

const guard = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), 'orphan-guard.mjs')).href;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('orphan guard of the demo apps', () => {
  it('an app whose parent dies without stopping it gets SIGTERM within seconds', async () => {
    // parent -> app (guarded, detached, stays up until SIGTERM); the parent prints the app's pid and dies.
    const app = `process.on('SIGTERM', () => process.exit(0)); setInterval(() => undefined, 1000);`;
    const parentScript = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', ${JSON.stringify(app)}], { detached: true, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '--import=${guard}' } });
      child.unref();
      setTimeout(() => { process.stdout.write(child.pid + ' ' + (child.exitCode === null ? 'up' : 'down')); process.exit(0); }, 1500);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => parent.on('exit', r));
    const [pidText, state] = out.split(' ');
    const pid = Number(pidText);
    expect({ pid: pid > 0, state }).toEqual({ pid: true, state: 'up' }); // it started, guard loaded, and outlived its parent
    try {
      await waitUntil(() => !alive(pid), { timeoutMs: 10_000, what: 'the orphaned app to stop' });
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 20_000);
});
