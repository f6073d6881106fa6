import * as vscode from 'vscode';
import { allPatterns, patternById, type FileAnalysis } from '../core/analyze';
import { missingCompanions } from '../core/companions';
import type { PaperLibrary } from '../core/knowledge/library';
import type { DocumentStore } from './documents';
import { citationQuery, citationsOnLine, classAtLine, completionPlace, findingsCitingLine, findingsOf, insideTripleQuotedString, onClassName } from './locate';
import { HOVER_COMMANDS, hoverMarkdown, stripCitations } from './render/hover';
import { commandLink, escapeMarkdown, inlineCode } from './render/markdown';
import { BUILDING_BLOCKS, blockSnippet, widthName } from './render/snippets';
import { lensTitle } from './render/lens';
import type { Services } from './services';

const PYTHON: vscode.DocumentSelector = [{ language: 'python' }];

/** Trusted Markdown that may run only ArchLens's own commands. */
function trustedMarkdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text);
  md.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
  md.supportHtml = false;
  return md;
}

export class ArchLensHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!this.services.settings.hover) return undefined;
    const lineText = document.lineAt(position.line).text;
    const citation = citationsOnLine(lineText).find((c) => position.character >= c.start - 1 && position.character <= c.end + 1);
    if (citation) return this.citationHover(citation.id, position.line, citation, token);
    const analysis = await this.documents.analysis(document, token);
    if (!analysis || token.isCancellationRequested || analysis.findings.length === 0) return undefined;
    const line = position.line + 1;
    const cls = classAtLine(analysis, line);
    if (!cls) return undefined;
    let findings = findingsOf(analysis, cls);
    if (line === cls.line) {
      if (!onClassName(lineText, cls, position.character)) return undefined;
    } else {
      // On an evidence line: the findings that cite it, and only over the code (not blank space).
      findings = findingsCitingLine(analysis, line).filter((f) => f.line === cls.line);
      const firstCode = lineText.search(/\S/);
      if (findings.length === 0 || position.character < firstCode) return undefined;
    }
    if (findings.length === 0) return undefined;
    const library = await this.services.library();
    if (token.isCancellationRequested) return undefined;
    const markdown = hoverMarkdown({
      className: cls.name,
      findings,
      uri: document.uri.toString(),
      pattern: patternById,
      papers: (id) => library.papersFor(patternById(id)!),
      hoveredLine: line === cls.line ? undefined : line,
    });
    const range = line === cls.line ? document.getWordRangeAtPosition(position) : new vscode.Range(position.line, lineText.search(/\S/), position.line, lineText.length);
    return new vscode.Hover(trustedMarkdown(markdown), range);
  }

  private async citationHover(id: string, line: number, at: { start: number; end: number }, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const library = await this.services.library();
    if (token.isCancellationRequested) return undefined;
    const paper = library.paper(id);
    if (!paper) return new vscode.Hover(trustedMarkdown(`**ArchLens**: no paper with id ${inlineCode(id)} in the corpus.`));
    const abstract = paper.abstract.length > 900 ? `${paper.abstract.slice(0, 900)}…` : paper.abstract;
    const text = `**${escapeMarkdown(paper.title)}**\n\n${escapeMarkdown(abstract)}\n\n${commandLink('Open abstract', 'archlens.openPaper', [paper.id])}`;
    return new vscode.Hover(trustedMarkdown(text), new vscode.Range(line, at.start, line, at.end));
  }
}

export class ArchLensCompletionProvider implements vscode.CompletionItemProvider {
  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {}

  async provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
    context: vscode.CompletionContext,
  ): Promise<vscode.CompletionItem[] | undefined> {
    if (!this.services.settings.completions) return undefined;
    const linePrefix = document.lineAt(position.line).text.slice(0, position.character);
    const before = document.getText(new vscode.Range(new vscode.Position(Math.max(0, position.line - 400), 0), position));
    const query = citationQuery(linePrefix, insideTripleQuotedString(before));
    if (query !== undefined) return this.citations(document, query, position, token);
    // Trigger characters (':' and ' ') are only for citations: typing them elsewhere offers nothing.
    if (context.triggerKind === vscode.CompletionTriggerKind.TriggerCharacter) return undefined;
    // Building blocks only where a statement starts: never inside expressions, never after a dot.
    const statement = /^(\s*)([A-Za-z_]\w*)?$/.exec(linePrefix);
    if (!statement) return undefined;
    const analysis = await this.documents.analysis(document, token);
    if (!analysis || token.isCancellationRequested) return undefined;
    const where = completionPlace(analysis, position.line + 1, statement[1].length);
    if (!where) return undefined;
    const library = await this.services.library();
    const framework = where.cls?.framework ?? fileFramework(analysis);
    const names = where.cls ? [...where.cls.methods.flatMap((m) => m.params), ...Object.keys(where.cls.fields)] : [];
    const width = widthName(names);
    const range = new vscode.Range(position.line, statement[1].length, position.line, position.character);
    const items: vscode.CompletionItem[] = [];
    for (const block of BUILDING_BLOCKS) {
      const snippet = blockSnippet(block, framework, where.place, width);
      if (!snippet) continue;
      const pattern = patternById(block.pattern);
      const item = new vscode.CompletionItem({ label: block.label, description: 'ArchLens' }, vscode.CompletionItemKind.Snippet);
      item.insertText = new vscode.SnippetString(snippet);
      item.range = range;
      item.filterText = `${block.label} ${block.keywords}`;
      item.sortText = `~archlens ${block.label}`; // after the language server's own items
      item.detail = `${pattern?.name ?? block.pattern} building block (${framework === 'unknown' ? 'pytorch' : framework})`;
      item.documentation = trustedMarkdown(this.blockDocs(block.pattern, library));
      items.push(item);
    }
    if (where.cls && where.place === 'forward') {
      const present = findingsOf(analysis, where.cls).map((f) => f.pattern);
      for (const companion of missingCompanions(where.cls, present)) {
        const snippet = companion.snippets[framework === 'unknown' || framework === 'equinox' ? 'pytorch' : framework];
        if (!snippet) continue;
        const item = new vscode.CompletionItem({ label: companion.label, description: 'ArchLens · missing piece' }, vscode.CompletionItemKind.Snippet);
        item.insertText = new vscode.SnippetString(snippet);
        item.range = range;
        item.filterText = `${companion.label} ${companion.pattern}`;
        item.sortText = `~archlens0 ${companion.label}`;
        item.detail = `Commonly paired with ${patternById(companion.pattern)?.name.toLowerCase() ?? companion.pattern}`;
        const paper = companion.paper ? library.paper(companion.paper) : undefined;
        item.documentation = trustedMarkdown(`${escapeMarkdown(companion.reason)}${paper ? `\n\nSee ${escapeMarkdown(paper.title)} — ${commandLink('Open abstract', 'archlens.openPaper', [paper.id])}` : ''}`);
        items.push(item);
      }
    }
    return items;
  }

  private blockDocs(patternId: string, library: PaperLibrary): string {
    const pattern = patternById(patternId);
    const card = pattern?.knowledge;
    if (!pattern || !card) return '';
    const papers = library.papersFor(pattern, 3).papers;
    return [
      `**${escapeMarkdown(pattern.name)}** — ${escapeMarkdown(stripCitations(card.summary))}`,
      ...card.pros.slice(0, 2).map((p) => `- **+** ${escapeMarkdown(stripCitations(p))}`),
      ...card.cons.slice(0, 2).map((c) => `- **−** ${escapeMarkdown(stripCitations(c))}`),
      papers.length > 0 ? `Papers: ${papers.map((r) => escapeMarkdown(r.paper.title)).join('; ')}` : '',
    ].join('\n\n');
  }

  private async citations(document: vscode.TextDocument, query: string, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionItem[]> {
    const library = await this.services.library();
    if (token.isCancellationRequested) return [];
    let results = query.trim() ? library.search(query, { limit: 20 }) : [];
    if (!query.trim()) {
      // Nothing typed yet: the papers for the patterns of the class the comment sits in.
      const analysis = await this.documents.analysis(document, token);
      const cls = analysis ? classAtLine(analysis, position.line + 1) : undefined;
      const patterns = analysis && cls ? findingsOf(analysis, cls).map((f) => patternById(f.pattern)!) : [];
      const seen = new Set<string>();
      results = patterns.flatMap((p) => library.papersFor(p).papers).filter((r) => !seen.has(r.paper.id) && seen.add(r.paper.id));
    }
    const range = new vscode.Range(position.line, position.character - query.length, position.line, position.character);
    return results.map((r, i) => {
      const item = new vscode.CompletionItem({ label: r.paper.title, description: 'paper' }, vscode.CompletionItemKind.Reference);
      item.insertText = `${r.paper.title} [${r.paper.id}]`;
      item.range = range;
      item.filterText = query; // ranked by the paper search, not re-filtered by title
      item.sortText = String(i).padStart(3, '0');
      item.detail = r.paper.id;
      item.documentation = trustedMarkdown(escapeMarkdown(r.paper.abstract.slice(0, 600)) + (r.paper.abstract.length > 600 ? '…' : ''));
      return item;
    });
  }
}

function fileFramework(analysis: FileAnalysis) {
  const paths = [...(analysis.model.imports?.values() ?? [])];
  if (paths.some((p) => p.startsWith('flax'))) return 'flax' as const;
  if (paths.some((p) => p.startsWith('keras') || p.startsWith('tensorflow'))) return 'keras' as const;
  return 'pytorch' as const;
}

export class ArchLensCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {
    documents.onDidUpdate(() => this.changed.fire());
    services.onDidChangeSettings(() => this.changed.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.services.settings.codeLens) return [];
    const analysis = await this.documents.analysis(document, token);
    if (!analysis || token.isCancellationRequested || analysis.findings.length === 0) return [];
    const library = await this.services.library();
    const lenses: vscode.CodeLens[] = [];
    for (const cls of analysis.model.classes) {
      const findings = findingsOf(analysis, cls);
      if (findings.length === 0) continue;
      const paperIds = new Set(findings.flatMap((f) => library.papersFor(patternById(f.pattern)!).papers.map((p) => p.paper.id)));
      const range = new vscode.Range(cls.line - 1, 0, cls.line - 1, 0);
      lenses.push(
        new vscode.CodeLens(range, {
          title: lensTitle(findings.map((f) => patternById(f.pattern)?.name ?? f.pattern), paperIds.size),
          tooltip: 'ArchLens: explain this model — patterns, evidence, trade-offs and papers',
          command: 'archlens.explainModel',
          arguments: [document.uri.toString(), cls.line],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** `paper: Title [id]` citations become links that open the paper. */
export class CitationLinkProvider implements vscode.DocumentLinkProvider {
  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    const links: vscode.DocumentLink[] = [];
    if (!document.getText().includes('paper:')) return links;
    for (let line = 0; line < document.lineCount; line++) {
      const text = document.lineAt(line).text;
      if (!text.includes('paper:')) continue;
      for (const c of citationsOnLine(text)) {
        const link = new vscode.DocumentLink(new vscode.Range(line, c.start, line, c.end), vscode.Uri.parse(`command:archlens.openPaper?${encodeURIComponent(JSON.stringify([c.id]))}`));
        link.tooltip = 'Open the paper in ArchLens';
        links.push(link);
      }
    }
    return links;
  }
}

/** Pragma problems as diagnostics, refreshed whenever a document's analysis changes. */
export class PragmaDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('archlens');
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {
    this.disposables.push(
      documents.onDidUpdate((uri) => void this.refresh(uri)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      services.onDidChangeSettings(() => {
        if (!this.services.settings.diagnostics) this.collection.clear();
      }),
    );
  }

  private async refresh(uri: vscode.Uri): Promise<void> {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!document) return;
    if (!this.services.settings.diagnostics) {
      this.collection.delete(uri);
      return;
    }
    const analysis = await this.documents.analysis(document);
    if (!analysis) return;
    this.collection.set(
      uri,
      analysis.pragmaProblems.map((p) => {
        const diagnostic = new vscode.Diagnostic(new vscode.Range(p.line - 1, p.column, p.line - 1, p.endColumn), p.message, p.code === 'outside-class' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'ArchLens';
        diagnostic.code = p.code;
        return diagnostic;
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Quick fixes for pragma problems: the closest id, a reason placeholder, or removing a stray pragma. */
export class PragmaQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const known = allPatterns().map((p) => p.id);
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'ArchLens') continue;
      const line = document.lineAt(diagnostic.range.start.line);
      if (diagnostic.code === 'unknown-pattern') {
        const bad = document.getText(diagnostic.range);
        const suggestions = /did you mean (.*)\?/.exec(diagnostic.message)?.[1].match(/'([a-z-]+)'/g)?.map((s) => s.slice(1, -1)) ?? [];
        for (const id of suggestions.filter((s) => known.includes(s))) {
          const action = new vscode.CodeAction(`Change '${bad}' to '${id}'`, vscode.CodeActionKind.QuickFix);
          action.edit = new vscode.WorkspaceEdit();
          action.edit.replace(document.uri, diagnostic.range, id);
          action.diagnostics = [diagnostic];
          action.isPreferred = true;
          actions.push(action);
        }
      } else if (diagnostic.code === 'missing-reason') {
        const action = new vscode.CodeAction('Add a reason to the ignore pragma', vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        const end = line.range.end;
        action.edit.insert(document.uri, end, `${line.text.trimEnd().endsWith('--') ? ' ' : ' -- '}explain why this finding is wrong`);
        action.diagnostics = [diagnostic];
        action.isPreferred = true;
        actions.push(action);
      }
      if (diagnostic.code === 'outside-class' || diagnostic.code === 'unknown-pattern' || diagnostic.code === 'empty') {
        const hash = line.text.indexOf('#');
        const action = new vscode.CodeAction('Remove the archlens pragma', vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        const onlyComment = line.text.slice(0, hash).trim() === '';
        action.edit.delete(document.uri, onlyComment ? line.rangeIncludingLineBreak : new vscode.Range(line.lineNumber, line.text.slice(0, hash).trimEnd().length, line.lineNumber, line.text.length));
        action.diagnostics = [diagnostic];
        actions.push(action);
      }
    }
    return actions;
  }
}

export function registerProviders(services: Services, documents: DocumentStore): vscode.Disposable[] {
  const lenses = new ArchLensCodeLensProvider(services, documents);
  return [
    vscode.languages.registerHoverProvider(PYTHON, new ArchLensHoverProvider(services, documents)),
    vscode.languages.registerCompletionItemProvider(PYTHON, new ArchLensCompletionProvider(services, documents), ':', ' '),
    lenses,
    vscode.languages.registerCodeLensProvider(PYTHON, lenses),
    vscode.languages.registerDocumentLinkProvider(PYTHON, new CitationLinkProvider()),
    new PragmaDiagnostics(services, documents),
    vscode.languages.registerCodeActionsProvider(PYTHON, new PragmaQuickFixes(), { providedCodeActionKinds: PragmaQuickFixes.kinds }),
  ];
}
