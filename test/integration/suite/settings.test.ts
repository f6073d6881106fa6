import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../../src/editor/settings';
import { api, closeAll, eventually, open, positionOf, workspaceUri } from './helpers';

async function readIfPresent(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}

describe('Settings', () => {
  afterEach(closeAll);

  it('invalid values fall back to their defaults with one warning; valid values still apply', async () => {
    const archlens = await api();
    const { services, documents, log } = archlens;
    const editor = await open('models/moe_block.py');
    const all = await eventually(() => documents.analysis(editor.document));
    assert.ok(all.findings.some((f) => f.pattern !== 'mixture-of-experts'), 'the file has other patterns too');
    const settingsFile = workspaceUri('.vscode/settings.json');
    const original = await readIfPresent(settingsFile);
    const warned = log.shownWarnings.length;
    try {
      // One write, as a user saving settings.json: three invalid values and two valid ones.
      const values = {
        'archlens.minConfidence': 'high',
        'archlens.maxFileSize': -5,
        'archlens.patterns': ['not-a-pattern', 'mixture-of-experts'],
        'archlens.debounceMs': 300,
        'archlens.features.codeLens': false,
      };
      await vscode.workspace.fs.writeFile(settingsFile, new TextEncoder().encode(JSON.stringify(values, null, 2)));
      await eventually(() => services.settings.debounceMs === 300);
      const settings = services.settings;
      assert.equal(settings.minConfidence, DEFAULT_SETTINGS.minConfidence);
      assert.equal(settings.maxFileSize, DEFAULT_SETTINGS.maxFileSize);
      assert.deepEqual(settings.patterns, ['mixture-of-experts'], 'the unknown id is dropped, the known one kept');
      assert.equal(settings.codeLens, false);

      // The valid values take effect: only the enabled pattern is found, and no lenses are offered.
      const filtered = await eventually(async () => {
        const analysis = await documents.analysis(editor.document);
        return analysis && analysis.findings.length > 0 && analysis.findings.every((f) => f.pattern === 'mixture-of-experts') && analysis;
      });
      assert.ok(filtered.findings.some((f) => f.class === 'SparseMoE'));
      assert.deepEqual(await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri), []);
      // Reading the settings again (edits, hovers) warns no more.
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# touched\n'));
      await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, positionOf(editor.document, 'class SparseMoE', 8));
      await eventually(async () => (await documents.analysis(editor.document))?.model !== filtered.model);

      const warnings = log.shownWarnings.slice(warned);
      assert.equal(warnings.length, 1, `one warning, not:\n${warnings.join('\n')}`);
      assert.match(warnings[0], /^3 settings have invalid values/);
      for (const name of ['archlens.minConfidence', 'archlens.maxFileSize', 'archlens.patterns']) assert.ok(warnings[0].includes(name), `${name} is named`);
      assert.ok(!warnings[0].includes('debounceMs') && !warnings[0].includes('codeLens'), 'valid settings are not named');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      if (original) await vscode.workspace.fs.writeFile(settingsFile, original);
      else await vscode.workspace.fs.delete(settingsFile);
      await eventually(() => services.settings.debounceMs === DEFAULT_SETTINGS.debounceMs && services.settings.patterns.length === 0);
    }
    // Restored: every pattern again, and no warning for the defaults.
    await eventually(async () => (await documents.analysis(editor.document))?.findings.some((f) => f.pattern !== 'mixture-of-experts'));
    assert.equal(log.shownWarnings.length, warned + 1);
  });
});
