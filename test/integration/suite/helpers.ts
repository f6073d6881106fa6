import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArchLensApi } from '../../../src/editor/extension';

export const EXTENSION_ID = 'archlens.archlens';

export function workspaceUri(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

export async function open(relative: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relative));
  return vscode.window.showTextDocument(document);
}

export async function api(): Promise<ArchLensApi> {
  const extension = vscode.extensions.getExtension<ArchLensApi>(EXTENSION_ID);
  assert.ok(extension, 'ArchLens is installed');
  return extension.activate();
}

/** Polls until `probe` returns a truthy value (or throws the last assertion after `timeoutMs`). */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw lastError ?? new Error('condition not met in time');
}

export function positionOf(document: vscode.TextDocument, text: string, offset = 0): vscode.Position {
  const index = document.getText().indexOf(text);
  assert.ok(index >= 0, `'${text}' is in ${document.uri.path}`);
  return document.positionAt(index + offset);
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

export async function closeAll(): Promise<void> {
  // A quick pick left open by a failed test would swallow the next test's accept.
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Runs a command that shows a quick pick and accepts its active item until `done` holds. The pick opens
 * asynchronously, so the first accepts may land before it is there; on a busy machine an accept can also
 * land while the pick has no active item yet, which closes it with nothing chosen and ends the command —
 * then the command is run again.
 */
export async function pickThrough(command: string, args: unknown[], done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let finished = false;
    const run = Promise.resolve(vscode.commands.executeCommand(command, ...args)).then(
      () => (finished = true),
      () => (finished = true),
    );
    while (!finished && Date.now() < deadline) {
      if (await done()) break;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The command's own work after the pick (opening, revealing) may still be under way.
    if (await eventually(done, 2_000).then(() => true, () => false)) {
      await run;
      return;
    }
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await run;
  }
  throw new Error(`${command}: the quick pick did not lead to the expected effect in time`);
}
