// Locating, installing and starting code-server (VS Code 1.100 for the browser, from npm) for the
// integration and UI tests. The npm registry and Debian's apt are the only sources used.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3'; // = VS Code 1.100.3, the last line that runs on Node 20
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(ROOT, '.vscode-test');
const INSTALL_DIR = join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_BIN = join(INSTALL_DIR, 'node_modules', '.bin', 'code-server');
const MARKER = join(INSTALL_DIR, '.installed');

/** Debian packages code-server's native modules build against, plus ripgrep and Chromium for the tests. */
const APT_PACKAGES = ['build-essential', 'pkg-config', 'libkrb5-dev', 'libsecret-1-dev', 'libx11-dev', 'libxkbfile-dev', 'ripgrep', 'chromium'];
const APT_CHECKS = [['/usr/bin/chromium', 'chromium'], ['/usr/bin/rg', 'ripgrep'], ['/usr/include/krb5.h', 'libkrb5-dev'], ['/usr/include/libsecret-1', 'libsecret-1-dev'], ['/usr/include/X11/Xlib.h', 'libx11-dev'], ['/usr/include/X11/extensions/XKBfile.h', 'libxkbfile-dev'], ['/usr/bin/pkg-config', 'pkg-config'], ['/usr/bin/g++', 'build-essential']];

function log(message) {
  process.stderr.write(`[code-server] ${message}\n`);
}

/** Installs the Debian packages the tests need when they are missing (as root, with apt-get). */
export function ensureSystemPackages() {
  const missing = [...new Set(APT_CHECKS.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`missing system packages for the editor tests: ${missing.join(' ')}. Install them with: sudo apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`);
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...APT_PACKAGES], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/**
 * Installs code-server into .vscode-test/ once per version. Its @vscode/ripgrep dependency would
 * download rg from GitHub; its install script looks in a cache under TMPDIR first, which we fill
 * with Debian's rg.
 */
export function ensureCodeServer() {
  ensureSystemPackages();
  if (existsSync(MARKER) && existsSync(CODE_SERVER_BIN)) return CODE_SERVER_BIN;
  rmSync(INSTALL_DIR, { recursive: true, force: true });
  mkdirSync(INSTALL_DIR, { recursive: true });
  const tmp = join(CACHE, 'tmp');
  const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  const rgStage = join(tmp, 'rg-stage');
  mkdirSync(rgStage, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgStage, 'rg'));
  execFileSync('tar', ['-czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', rgStage, 'rg']);
  // npm 11 runs install scripts only for packages the project allows.
  writeFileSync(
    join(INSTALL_DIR, 'package.json'),
    JSON.stringify({ private: true, dependencies: { 'code-server': CODE_SERVER_VERSION }, allowScripts: { 'code-server': true, argon2: true } }, null, 2),
  );
  log(`installing code-server ${CODE_SERVER_VERSION} from npm (about a minute)`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: INSTALL_DIR,
    stdio: 'inherit',
    // code-server's postinstall refuses to run as root unless unsafe_perm is set (npm itself ignores it now).
    env: { ...process.env, TMPDIR: tmp, npm_config_yes: 'true', npm_config_unsafe_perm: 'true', npm_config_update_notifier: 'false' },
  });
  if (!existsSync(CODE_SERVER_BIN)) throw new Error('code-server did not install');
  writeFileSync(MARKER, new Date().toISOString());
  return CODE_SERVER_BIN;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on a free loopback port with fresh user-data and extensions folders; resolves when
 * /healthz answers. `stop()` ends its whole process group (its file watcher outlives a plain kill).
 * Workspace trust is off (`--disable-workspace-trust`: every folder is trusted) unless `workspaceTrust`
 * is true; then a fresh user-data folder trusts nothing, and opening a folder asks with the trust dialog.
 */
export async function startCodeServer({ userDataDir, extensionsDir, workspaceTrust = false, logFile, settings = {} }) {
  const bin = ensureCodeServer();
  const port = await freePort();
  for (const dir of [userDataDir, extensionsDir, join(userDataDir, 'User'), join(userDataDir, 'xdg-config'), join(userDataDir, 'xdg-data')]) mkdirSync(dir, { recursive: true });
  // No welcome page stealing focus; tests add their own settings (a theme, for instance).
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false, ...settings }, null, 2));
  const args = ['--config', '/dev/null', '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (!workspaceTrust) args.push('--disable-workspace-trust');
  const child = spawn(bin, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: join(userDataDir, 'xdg-config'), XDG_DATA_HOME: join(userDataDir, 'xdg-data') },
  });
  let output = '';
  const collect = (d) => {
    output += d.toString();
    if (logFile) writeFileSync(logFile, output);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (Date.now() >= deadline) throw new Error(`code-server did not answer /healthz within 60 s:\n${output}`);
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  return { url, port, stop, output: () => output };
}

/** Installs a .vsix into an extensions folder with code-server's CLI. */
export function installVsix(vsix, extensionsDir, userDataDir) {
  const bin = ensureCodeServer();
  execFileSync(bin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], { stdio: 'inherit' });
}

/** Launches Debian's Chromium headless with the flags this machine's closed network needs. */
export async function launchChromium(profileDir) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'install') {
  console.log(ensureCodeServer());
}
