import * as vscode from 'vscode';
import { patternById, type FileAnalysis, type PatternFinding } from '../core/analyze';
import type { DocumentStore } from './documents';
import type { Log } from './log';
import { parseEvidence } from './render/hover';

/** A node of the Architecture view: a file (workspace scan), a class, a pattern or an evidence line. */
export type ArchitectureNode =
  | { kind: 'file'; uri: string; classes: ClassResult[] }
  | { kind: 'class'; uri: string; name: string | null; line: number; findings: PatternFinding[] }
  | { kind: 'pattern'; uri: string; finding: PatternFinding }
  | { kind: 'evidence'; uri: string; line: number; text: string }
  | { kind: 'message'; text: string };

export interface ClassResult {
  name: string | null;
  line: number;
  findings: PatternFinding[];
}

/** Groups a file's findings by class, in source order. */
export function classesOf(findings: PatternFinding[]): ClassResult[] {
  const byLine = new Map<number, ClassResult>();
  for (const f of findings) {
    const entry = byLine.get(f.line) ?? { name: f.class, line: f.line, findings: [] };
    entry.findings.push(f);
    byLine.set(f.line, entry);
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}

/**
 * The Architecture view: the active file's classes → patterns → evidence, or, after Scan Workspace, every
 * scanned file with findings. Selecting an evidence line (or a class) reveals it in the editor.
 */
export class ArchitectureView implements vscode.TreeDataProvider<ArchitectureNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ArchitectureNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private active: { uri: string; analysis: FileAnalysis } | undefined;
  private workspace: Map<string, ClassResult[]> | undefined;
  private disposed = false;
  readonly view: vscode.TreeView<ArchitectureNode>;

  constructor(
    private readonly documents: DocumentStore,
    private readonly log: Log,
  ) {
    this.view = vscode.window.createTreeView('archlens.architecture', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      documents.onDidUpdate((uri) => {
        if (uri.toString() === vscode.window.activeTextEditor?.document.uri.toString()) this.refresh();
      }),
    );
    this.refresh();
  }

  private refresh(): void {
    this.log.run('architectureView', 'the Architecture view could not be updated', () => this.refreshActive());
  }

  /** Shows a workspace scan's results (files with findings) instead of the active file. */
  showWorkspace(results: Map<string, PatternFinding[]>): void {
    if (this.disposed) return;
    this.workspace = new Map([...results].filter(([, f]) => f.length > 0).map(([uri, f]) => [uri, classesOf(f)]));
    this.view.description = `${this.workspace.size} file${this.workspace.size === 1 ? '' : 's'} with patterns`;
    this.changed.fire(undefined);
  }

  /** Back to the active file. */
  showActiveFile(): void {
    if (this.disposed) return;
    this.workspace = undefined;
    this.view.description = undefined;
    this.refresh();
  }

  get showingWorkspace(): boolean {
    return this.workspace !== undefined;
  }

  private async refreshActive(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    const analysis = document ? await this.documents.analysis(document) : undefined;
    if (this.disposed) return;
    this.active = document && analysis ? { uri: document.uri.toString(), analysis } : undefined;
    if (!this.workspace) this.changed.fire(undefined);
  }

  getChildren(node?: ArchitectureNode): ArchitectureNode[] {
    if (!node) {
      if (this.workspace) {
        if (this.workspace.size === 0) return [{ kind: 'message', text: 'No patterns found in the workspace.' }];
        return [...this.workspace].map(([uri, classes]) => ({ kind: 'file', uri, classes }));
      }
      if (!this.active) return [];
      const classes = classesOf(this.active.analysis.findings);
      if (classes.length === 0) return [{ kind: 'message', text: 'No architecture patterns in this file.' }];
      return classes.map((c) => ({ kind: 'class', uri: this.active!.uri, ...c }));
    }
    switch (node.kind) {
      case 'file':
        return node.classes.map((c) => ({ kind: 'class', uri: node.uri, ...c }));
      case 'class':
        return node.findings.map((finding) => ({ kind: 'pattern', uri: node.uri, finding }));
      case 'pattern':
        return node.finding.evidence
          .map(parseEvidence)
          .filter((e) => e !== null)
          .map((e) => ({ kind: 'evidence', uri: node.uri, line: e!.line, text: e!.text }));
      default:
        return [];
    }
  }

  getTreeItem(node: ArchitectureNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message':
        return new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      case 'file': {
        const item = new vscode.TreeItem(vscode.Uri.parse(node.uri), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = vscode.workspace.asRelativePath(vscode.Uri.parse(node.uri), false).replace(/[^/]*$/, '');
        item.tooltip = `${node.classes.length} class${node.classes.length === 1 ? '' : 'es'} with patterns`;
        item.contextValue = 'file';
        return item;
      }
      case 'class': {
        const item = new vscode.TreeItem(node.name ?? 'functional model', vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.findings.map((f) => patternById(f.pattern)?.name ?? f.pattern).join(' · ');
        item.iconPath = new vscode.ThemeIcon('symbol-class');
        item.command = revealCommand(node.uri, node.line);
        item.contextValue = 'class';
        item.accessibilityInformation = { label: `${node.name ?? 'functional model'}: ${item.description}` };
        return item;
      }
      case 'pattern': {
        const name = patternById(node.finding.pattern)?.name ?? node.finding.pattern;
        const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${Math.round(node.finding.confidence * 100)}%`;
        item.tooltip = new vscode.MarkdownString().appendText(`${name} (${node.finding.pattern}), confidence ${Math.round(node.finding.confidence * 100)}%`);
        item.iconPath = new vscode.ThemeIcon('symbol-structure');
        item.contextValue = 'pattern';
        item.id = `${node.uri}#${node.finding.line}/${node.finding.pattern}`;
        return item;
      }
      case 'evidence': {
        const item = new vscode.TreeItem(`L${node.line}`, vscode.TreeItemCollapsibleState.None);
        item.description = node.text;
        item.tooltip = node.text;
        item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot');
        item.command = revealCommand(node.uri, node.line);
        return item;
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}

function revealCommand(uri: string, line: number): vscode.Command {
  return { command: 'archlens.revealLine', title: 'Reveal line', arguments: [uri, line] };
}
