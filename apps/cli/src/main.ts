#!/usr/bin/env node
import { processEnv } from './env.js';
import { runDoctorCommand } from './commands/doctor.js';

const USAGE = `shoptok <command> [options]

Commands:
  doctor            check the config, Redis and the queues of every store
`;

/** The CLI entry: dispatches to one command module and exits with its code. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: processEnv() };
  switch (command) {
    case 'doctor':
      return runDoctorCommand(io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`unknown command "${command}" (arguments: ${rest.join(' ')})\n\n${USAGE}`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`shoptok: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
