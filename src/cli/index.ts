#!/usr/bin/env node
import { runCli } from './main';

declare const ARCHLENS_VERSION: string;

runCli(process.argv.slice(2), { out: (t) => process.stdout.write(t + '\n'), write: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') }, typeof ARCHLENS_VERSION === 'string' ? ARCHLENS_VERSION : 'dev').then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`archlens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
