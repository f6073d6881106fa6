import * as vscode from 'vscode';
import { patternById } from '../core/analyze';
import type { DocumentStore } from './documents';
import type { Services } from './services';

/** The active file's pattern count in the status bar; a click opens the Architecture view. */
export class PatternStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('archlens.patterns', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private disposed = false;

  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {
    this.item.name = 'ArchLens patterns';
    this.item.command = { command: 'archlens.architecture.focus', title: 'Show the Architecture view' };
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      documents.onDidUpdate((uri) => {
        if (uri.toString() === vscode.window.activeTextEditor?.document.uri.toString()) this.refresh();
      }),
      services.onDidChangeSettings(() => this.refresh()),
    );
    this.refresh();
  }

  private refresh(): void {
    this.services.log.run('statusBar', 'the status bar could not be updated', () => this.update());
  }

  private async update(): Promise<void> {
    if (this.disposed) return;
    const document = vscode.window.activeTextEditor?.document;
    if (!this.services.settings.statusBar || !document || document.languageId !== 'python') {
      this.item.hide();
      return;
    }
    const analysis = await this.documents.analysis(document);
    // Deactivated while analysing: the item is gone.
    if (!analysis || this.disposed || document !== vscode.window.activeTextEditor?.document) return;
    const count = analysis.findings.length;
    const names = [...new Set(analysis.findings.map((f) => patternById(f.pattern)?.name ?? f.pattern))];
    this.item.text = `$(symbol-structure) ${count} pattern${count === 1 ? '' : 's'}`;
    this.item.tooltip = count === 0 ? 'ArchLens: no architecture patterns in this file' : `ArchLens: ${names.join(', ')} — click for the Architecture view`;
    this.item.accessibilityInformation = { label: `ArchLens: ${count} architecture pattern${count === 1 ? '' : 's'} in this file`, role: 'button' };
    this.item.show();
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}
