// Child processes the benchmark times from outside: the CLI and ast-grep, with wall time, output and the
// child's peak memory.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildRun {
  wallMs: number;
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** Peak resident set of the process (all its threads), when it was measured. */
  maxRssBytes?: number;
}

/** Runs a command to completion; wall time runs from spawn to exit. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ wallMs: performance.now() - started, code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
  });
}

/**
 * Runs a Node script with a preloaded hook that writes the process's peak RSS when it exits. Worker
 * threads share the process, so the figure covers the whole scan pool. On Linux the peak is `VmHWM` from
 * /proc/self/status: `getrusage`'s maxrss survives exec, so a child spawned by this (large) benchmark
 * process would report the benchmark's own peak (1,057 MB for a scan that /usr/bin/time measured at 127 MB).
 */
export async function runNodeMeasuringRss(script: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<ChildRun> {
  const folder = mkdtempSync(join(tmpdir(), 'archlens-bench-rss-'));
  try {
    const hook = join(folder, 'rss-hook.js');
    const result = join(folder, 'rss.txt');
    writeFileSync(
      hook,
      `process.on('exit', () => {
  const fs = require('node:fs');
  let bytes = process.resourceUsage().maxRSS * 1024;
  try {
    const kb = /VmHWM:\\s*(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (kb) bytes = Number(kb[1]) * 1024;
  } catch {}
  fs.writeFileSync(${JSON.stringify(result)}, String(bytes));
});
`,
    );
    const child = await run(process.execPath, [...nodeFlags, '--require', hook, script, ...args]);
    if (existsSync(result)) child.maxRssBytes = Number(readFileSync(result, 'utf8'));
    return child;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The ast-grep binary of `@ast-grep/cli`'s platform package. The package's postinstall (which would link
 * it as `node_modules/.bin/ast-grep`) does not run under npm 11, so the platform package is found
 * directly. Returns a reason instead when it is not installed.
 */
export function astGrepBinary(root: string): { path: string } | { missing: string } {
  const require = createRequire(join(root, 'package.json'));
  const os = platform();
  const names =
    os === 'linux'
      ? [`@ast-grep/cli-linux-${arch()}-gnu`, `@ast-grep/cli-linux-${arch()}-musl`]
      : os === 'win32'
        ? [`@ast-grep/cli-win32-${arch()}-msvc`]
        : [`@ast-grep/cli-${os}-${arch()}`];
  for (const name of names) {
    try {
      const folder = join(require.resolve(`${name}/package.json`), '..');
      for (const binary of ['ast-grep', 'ast-grep.exe']) if (existsSync(join(folder, binary))) return { path: join(folder, binary) };
    } catch {
      // not this one
    }
  }
  return { missing: `no ast-grep binary for ${os}-${arch()} (looked for ${names.join(', ')}); run \`npm install -D @ast-grep/cli\`` };
}
