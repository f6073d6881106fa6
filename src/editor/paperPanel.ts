import * as vscode from 'vscode';
import { patternById, type PatternFinding } from '../core/analyze';
import type { Paper } from '../core/corpus/types';
import type { RankedPaper } from '../core/knowledge/paper-index';
import type { PatternDefinition } from '../core/patterns/_types';
import { isSafeExternalUrl, parseFromWebview, type ModelView, type PaperDetail, type PaperSummary, type PatternBrief, type ToWebview } from '../shared/messages';
import type { DocumentStore } from './documents';
import { classAtLine, findingsOf } from './locate';
import { stripCitations } from './render/hover';
import { panelHtml } from './render/panel';
import type { Services } from './services';

export const PAPER_PANEL_VIEW = 'archlens.papers';

function brief(pattern: PatternDefinition): PatternBrief {
  const card = pattern.knowledge;
  return {
    id: pattern.id,
    name: pattern.name,
    summary: card ? stripCitations(card.summary) : '',
    pros: card?.pros.map(stripCitations) ?? [],
    cons: card?.cons.map(stripCitations) ?? [],
  };
}

function summary(result: RankedPaper): PaperSummary {
  return {
    id: result.paper.id,
    title: result.paper.title,
    tags: result.paper.tags.filter((t) => t !== 'off-topic'),
    matched: Object.entries(result.matched).map(([term, fields]) => ({ term, fields })),
    score: Math.round(result.score * 100) / 100,
  };
}

/** A nonce for the panel's script tag (the CSP allows only that script). */
function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64');
}

/**
 * The paper panel: a webview view in ArchLens's activity-bar container. Search with instant results,
 * abstracts with the matched terms highlighted, related patterns with their trade-offs, and a model view
 * (a class's patterns, trade-offs and papers) when opened from a hover or a code lens.
 */
export class PaperPanel implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  /** Messages for a webview that has not said it is ready yet (or is not resolved yet). */
  private readonly pending: ToWebview[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {
    // A large user corpus finishes indexing after the panel may have searched without it: show its papers.
    this.disposables.push(services.onDidChangeLibrary(() => void this.services.log.guard('panel', 'the paper panel failed', () => this.refreshResults())));
  }

  /** Runs the shown search again (its answer may have changed), unless the panel has moved on meanwhile. */
  private async refreshResults(): Promise<void> {
    const shown = this.current;
    if (shown?.type !== 'results' || !shown.query.trim()) return;
    const library = await this.services.library();
    const papers = (await library.searchAsync(shown.query, { limit: 40 })).map(summary);
    if (this.current === shown) this.post({ type: 'results', query: shown.query, papers });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const extension = this.services.context.extensionUri;
    view.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(extension, 'media'), vscode.Uri.joinPath(extension, 'dist')],
    };
    view.webview.html = this.html(view.webview);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
      }),
    );
  }

  private html(webview: vscode.Webview): string {
    const extension = this.services.context.extensionUri;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(extension, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(extension, 'media', 'panel.css'));
    return panelHtml({ cspSource: webview.cspSource, scriptUri: script.toString(), styleUri: style.toString(), nonce: nonce() });
  }

  /** What the panel was last asked to show (for tests and for other commands). */
  current: { type: 'results'; query: string; paperIds: string[] } | { type: 'paper'; id: string } | { type: 'model'; className: string } | undefined;

  private post(message: ToWebview): void {
    if (message.type === 'results') this.current = { type: 'results', query: message.query, paperIds: message.papers.map((p) => p.id) };
    else if (message.type === 'paper') this.current = { type: 'paper', id: message.paper.id };
    else if (message.type === 'model') this.current = { type: 'model', className: message.model.className };
    if (this.view && this.ready) void this.view.webview.postMessage(message);
    else this.pending.push(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw);
    if (!message) {
      this.services.log.warn(`paper panel: ignored a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    await this.services.log.guard('panel', 'the paper panel failed', async () => {
      switch (message.type) {
        case 'ready': {
          this.ready = true;
          for (const queued of this.pending.splice(0)) void this.view?.webview.postMessage(queued);
          break;
        }
        case 'search': {
          const library = await this.services.library();
          const papers = message.query.trim() ? (await library.searchAsync(message.query, { limit: 40 })).map(summary) : [];
          this.post({ type: 'results', query: message.query, papers });
          break;
        }
        case 'openPaper':
          await this.showPaper(message.id, message.highlight);
          break;
        case 'openExternal':
          if (isSafeExternalUrl(message.url)) await vscode.env.openExternal(vscode.Uri.parse(message.url, true));
          break;
        case 'revealEvidence':
          await vscode.commands.executeCommand('archlens.revealLine', message.file, message.line);
          break;
        case 'openModel':
          await this.showModel(vscode.Uri.parse(message.file), message.line);
          break;
      }
    });
  }

  /** Brings the panel into view (resolving it if it was never opened). */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${PAPER_PANEL_VIEW}.focus`);
  }

  /** Shows a paper's abstract (with terms highlighted) and its related patterns. */
  async showPaper(id: string, highlight: string[] = []): Promise<boolean> {
    const library = await this.services.library();
    const paper = await library.paperAsync(id);
    if (!paper) {
      void vscode.window.showWarningMessage(`ArchLens: no paper with id '${id}' in the corpus.`);
      return false;
    }
    await this.reveal();
    this.post({ type: 'paper', paper: this.detail(paper, highlight) });
    return true;
  }

  private detail(paper: Paper, highlight: string[]): PaperDetail {
    const related = paper.tags
      .filter((t) => t.startsWith('pattern:'))
      .map((t) => patternById(t.slice('pattern:'.length)))
      .filter((p): p is PatternDefinition => p !== undefined);
    return {
      id: paper.id,
      title: paper.title,
      abstract: paper.abstract,
      urls: paper.urls.filter(isSafeExternalUrl),
      tags: paper.tags.filter((t) => t !== 'off-topic'),
      source: paper.source ?? 'bundled',
      highlight,
      relatedPatterns: related.map(brief),
    };
  }

  /** Shows the model at a line: its patterns with confidence, evidence, trade-offs and papers. */
  async showModel(uri: vscode.Uri, line: number): Promise<boolean> {
    const document = await vscode.workspace.openTextDocument(uri);
    const analysis = await this.documents.analysis(document);
    const cls = analysis ? classAtLine(analysis, line) : undefined;
    if (!analysis || !cls) return false;
    const library = await this.services.library();
    const patterns = findingsOf(analysis, cls)
      .map((finding: PatternFinding) => {
        const pattern = patternById(finding.pattern);
        if (!pattern) return undefined;
        const papers = library.papersFor(pattern);
        return { ...brief(pattern), confidence: finding.confidence, evidence: finding.evidence, papers: papers.papers.map(summary), ...(papers.note ? { note: papers.note } : {}) };
      })
      .filter((p) => p !== undefined);
    const model: ModelView = { className: cls.name ?? 'Functional model', file: uri.toString(), line: cls.line, patterns };
    await this.reveal();
    this.post({ type: 'model', model });
    return true;
  }

  /** Runs a search in the panel, as if typed. */
  async search(query: string): Promise<void> {
    const library = await this.services.library();
    await this.reveal();
    this.post({ type: 'results', query, papers: (await library.searchAsync(query, { limit: 40 })).map(summary) });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
