// Size: the packaged .vsix (built by `npm run package`) and whether the extension bundle is minified.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { run } from './children';
import { note, report, section, skipped } from './report';

/**
 * A bundle counts as minified when its code sits on long lines with almost no indentation: readable
 * output spends a tenth of its bytes on indentation, minified output well under 1% (template strings
 * such as the webview's HTML keep theirs).
 */
function minification(code: string): { minified: boolean; lines: number; averageLine: number; indentation: number } {
  const lines = code.split('\n');
  const indentation = lines.reduce((sum, l) => sum + /^\s*/.exec(l)![0].length, 0) / code.length;
  const averageLine = code.length / lines.length;
  return { minified: averageLine > 500 && indentation < 0.01, lines: lines.length, averageLine, indentation };
}

/**
 * One file's bytes from a zip archive (a .vsix), read through the central directory; stored and deflated
 * entries, no zip64 (a .vsix is far below its limits).
 */
export function readZipEntry(archive: Buffer, name: string): Buffer | undefined {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip archive');
  const count = archive.readUInt16LE(end + 10);
  let entry = archive.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = archive.readUInt16LE(entry + 10);
    const compressed = archive.readUInt32LE(entry + 20);
    const nameLength = archive.readUInt16LE(entry + 28);
    const extraLength = archive.readUInt16LE(entry + 30);
    const commentLength = archive.readUInt16LE(entry + 32);
    const local = archive.readUInt32LE(entry + 42);
    if (archive.toString('utf8', entry + 46, entry + 46 + nameLength) === name) {
      const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
      const data = archive.subarray(start, start + compressed);
      return method === 0 ? data : inflateRawSync(data);
    }
    entry += 46 + nameLength + extraLength + commentLength;
  }
  return undefined;
}

export async function benchSize(root: string): Promise<void> {
  section('8. Size: the .vsix and the production bundle');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const vsix = join(root, `archlens-${version}.vsix`);
  const vsce = join(root, 'node_modules', '.bin', 'vsce');
  if (!existsSync(vsce)) {
    skipped('.vsix size', '≤ 1.5 MB', 'vsce is not installed (npm install)');
  } else {
    // `npm run package`: a production build, then vsce writes archlens-<version>.vsix in the package folder.
    const packaged = await run('npm', ['run', 'package'], { cwd: root });
    if (packaged.code !== 0 || !existsSync(vsix)) {
      skipped('.vsix size', '≤ 1.5 MB', `npm run package failed: ${(packaged.stderr || packaged.stdout.toString()).trim().split('\n').slice(-3).join(' ')}`);
    } else {
      const bytes = statSync(vsix).size;
      note(`npm run package wrote ${vsix} in ${(packaged.wallMs / 1000).toFixed(1)} s`);
      report({ name: '.vsix size', measured: `${(bytes / 1e6).toFixed(2)} MB (${bytes} bytes)`, target: '≤ 1.5 MB', met: bytes <= 1.5e6 });
      // The bundles as shipped, read from the package (dist/ is shared and may be rebuilt meanwhile).
      const archive = readFileSync(vsix);
      const shipped = readZipEntry(archive, 'extension/dist/extension.js');
      for (const other of ['scan-worker.js', 'paper-index-worker.js', 'webview.js']) {
        const code = readZipEntry(archive, `extension/dist/${other}`);
        if (code) note(`${other} in the .vsix: ${describe(minification(code.toString('utf8')), code.length)}`);
      }
      if (shipped) {
        reportMinified('extension.js in the .vsix minified', shipped.toString('utf8'));
        return;
      }
      note('the .vsix holds no extension/dist/extension.js; checking dist/extension.js instead');
    }
  }
  reportMinified('dist/extension.js minified (production build)', readFileSync(join(root, 'dist', 'extension.js'), 'utf8'));
}

function describe(m: ReturnType<typeof minification>, bytes: number): string {
  return `${m.minified ? 'minified' : 'NOT minified'}: ${(bytes / 1e3).toFixed(0)} kB, ${m.lines} lines, ${m.averageLine.toFixed(0)} chars/line, ${(m.indentation * 100).toFixed(2)}% indentation`;
}

function reportMinified(name: string, code: string): void {
  const m = minification(code);
  report({ name, measured: describe(m, code.length), target: 'minified', met: m.minified });
}
