// Runs jest once over every workspace package (ES modules need --experimental-vm-modules),
// then prints the plain line CI reads: `N passed, N failed, N skipped`, from jest's JSON.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jestBin = require.resolve('jest/bin/jest');
const report = '.reports/jest.json';
mkdirSync('.reports', { recursive: true });
rmSync(report, { force: true });

const args = [jestBin, '--ci', '--json', `--outputFile=${report}`, ...process.argv.slice(2)];
const nodeOptions = [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning']
  .filter(Boolean)
  .join(' ');
const run = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions } });

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  skipped = results.numPendingTests + results.numTodoTests;
  // A suite that cannot even load has no failed test of its own: count it as one failure.
  failed =
    results.numFailedTests + results.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
} else {
  failed = 1;
}
const exitCode = run.status ?? 1;
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode);
