import * as vscode from 'vscode';
import { allPatterns, patternById } from '../core/analyze';
import type { DocumentStore } from './documents';
import type { Log } from './log';
import { citationQuery, citationsOnLine, classAtLine, completionPlace, findingsOf, insideTripleQuotedString } from './locate';
import { modelHoverMarkdown, modelHoverTarget, snippetCompletions, statementIndent } from './providerAnswers';
import { citationDocumentation, citationHoverMarkdown, citationInsertText, plainTitle, unknownCitationMarkdown } from './render/completion';
import { HOVER_COMMANDS } from './render/hover';
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

/**
 * A provider's answer: `empty` for a request cancelled before or during the work, and for a failure,
 * which is logged once and shown once per session (never a notification per keystroke).
 */
async function answer<T>(log: Log, feature: string, token: vscode.CancellationToken, empty: T, work: () => Promise<T> | T): Promise<T> {
  if (token.isCancellationRequested) return empty;
  const result = await log.guard('provider', `${feature} failed`, work);
  return result === undefined || token.isCancellationRequested ? empty : result;
}

export class ArchLensHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    return answer(this.services.log, 'hover', token, undefined, () => this.hover(document, position, token));
  }

  private async hover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!this.services.settings.hover) return undefined;
    const lineText = document.lineAt(position.line).text;
    const citation = citationsOnLine(lineText).find((c) => position.character >= c.start - 1 && position.character <= c.end + 1);
    if (citation) return this.citationHover(citation.id, position.line, citation, token);
    const analysis = await this.documents.analysis(document, token);
    if (!analysis || token.isCancellationRequested) return undefined;
    const target = modelHoverTarget(analysis, position.line, position.character, lineText);
    if (!target) return undefined;
    const library = await this.services.library();
    if (token.isCancellationRequested) return undefined;
    const markdown = modelHoverMarkdown(target, library, document.uri.toString());
    const range = target.columns ? new vscode.Range(position.line, target.columns.start, position.line, target.columns.end) : document.getWordRangeAtPosition(position);
    return new vscode.Hover(trustedMarkdown(markdown), range);
  }

  private async citationHover(id: string, line: number, at: { start: number; end: number }, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const library = await this.services.library();
    if (token.isCancellationRequested) return undefined;
    const paper = await library.paperAsync(id);
    if (token.isCancellationRequested) return undefined;
    if (!paper && library.indexing) return new vscode.Hover(trustedMarkdown('**ArchLens**: indexing your papers… hover again in a moment.'));
    if (!paper) return new vscode.Hover(trustedMarkdown(unknownCitationMarkdown(id)));
    return new vscode.Hover(trustedMarkdown(citationHoverMarkdown(paper)), new vscode.Range(line, at.start, line, at.end));
  }
}

export class ArchLensCompletionProvider implements vscode.CompletionItemProvider {
  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {}

  provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
    context: vscode.CompletionContext,
  ): Promise<vscode.CompletionItem[] | undefined> {
    return answer(this.services.log, 'completion', token, undefined, () => this.completions(document, position, token, context));
  }

  private async completions(
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
    const indent = statementIndent(linePrefix);
    if (indent === undefined) return undefined;
    const analysis = await this.documents.analysis(document, token);
    if (!analysis || token.isCancellationRequested) return undefined;
    const where = completionPlace(analysis, position.line + 1, indent);
    if (!where) return undefined;
    const library = await this.services.library();
    if (token.isCancellationRequested) return undefined;
    const range = new vscode.Range(position.line, indent, position.line, position.character);
    return snippetCompletions(analysis, where, library).map((completion) => {
      const item = new vscode.CompletionItem({ label: completion.label, description: completion.description }, vscode.CompletionItemKind.Snippet);
      item.insertText = new vscode.SnippetString(completion.snippet);
      item.range = range;
      item.filterText = completion.filterText;
      item.sortText = completion.sortText;
      item.detail = completion.detail;
      item.documentation = trustedMarkdown(completion.documentation);
      return item;
    });
  }

  private async citations(document: vscode.TextDocument, query: string, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionItem[]> {
    const library = await this.services.library();
    if (token.isCancellationRequested) return [];
    let results = query.trim() ? await library.searchAsync(query, { limit: 20 }) : [];
    if (token.isCancellationRequested) return [];
    if (!query.trim()) {
      // Nothing typed yet: the papers for the patterns of the class the comment sits in.
      const analysis = await this.documents.analysis(document, token);
      if (token.isCancellationRequested) return [];
      const cls = analysis ? classAtLine(analysis, position.line + 1) : undefined;
      const patterns = analysis && cls ? findingsOf(analysis, cls).map((f) => patternById(f.pattern)!) : [];
      const seen = new Set<string>();
      results = patterns.flatMap((p) => library.papersFor(p).papers).filter((r) => !seen.has(r.paper.id) && seen.add(r.paper.id));
    }
    const range = new vscode.Range(position.line, position.character - query.length, position.line, position.character);
    return results.map((r, i) => {
      const item = new vscode.CompletionItem({ label: plainTitle(r.paper.title), description: 'paper' }, vscode.CompletionItemKind.Reference);
      item.insertText = citationInsertText(r.paper);
      item.range = range;
      item.filterText = query; // ranked by the paper search, not re-filtered by title
      item.sortText = String(i).padStart(3, '0');
      item.detail = r.paper.id;
      item.documentation = trustedMarkdown(citationDocumentation(r.paper));
      return item;
    });
  }
}

export class ArchLensCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {
    this.disposables.push(
      documents.onDidUpdate(() => this.changed.fire()),
      services.onDidChangeSettings(() => this.changed.fire()),
      // Paper counts change when user papers indexed in the background become searchable.
      services.onDidChangeLibrary(() => this.changed.fire()),
    );
  }

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    return answer(this.services.log, 'code lens', token, [], () => this.lenses(document, token));
  }

  private async lenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.services.settings.codeLens) return [];
    const analysis = await this.documents.analysis(document, token);
    if (!analysis || token.isCancellationRequested || analysis.findings.length === 0) return [];
    const library = await this.services.library();
    if (token.isCancellationRequested) return [];
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
    for (const d of this.disposables) d.dispose();
  }
}

/** `paper: Title [id]` citations become links that open the paper. */
export class CitationLinkProvider implements vscode.DocumentLinkProvider {
  constructor(private readonly log: Log) {}

  provideDocumentLinks(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.DocumentLink[]> {
    return answer(this.log, 'citation links', token, [], () => this.links(document, token));
  }

  private links(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.DocumentLink[] {
    const links: vscode.DocumentLink[] = [];
    if (!document.getText().includes('paper:')) return links;
    for (let line = 0; line < document.lineCount; line++) {
      if (token.isCancellationRequested) return [];
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
  private disposed = false;

  constructor(
    private readonly services: Services,
    private readonly documents: DocumentStore,
  ) {
    this.disposables.push(
      documents.onDidUpdate((uri) => services.log.run('provider', 'diagnostics failed', () => this.refresh(uri))),
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
    // The collection is gone once disposed (deactivation while this analysis was pending).
    if (!analysis || this.disposed) return;
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
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}

/** Quick fixes for pragma problems: the closest id, a reason placeholder, or removing a stray pragma. */
export class PragmaQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly log: Log) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext, token: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    return answer(this.log, 'quick fixes', token, [], () => this.fixes(document, context));
  }

  private fixes(document: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
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

/** The provider objects as registered (the extension's API hands them to tests). */
export interface ArchLensProviders {
  hover: ArchLensHoverProvider;
  completion: ArchLensCompletionProvider;
  codeLens: ArchLensCodeLensProvider;
  links: CitationLinkProvider;
  diagnostics: PragmaDiagnostics;
  quickFixes: PragmaQuickFixes;
}

/** Creates and registers the providers; `registrations` are disposed with the extension. */
export function registerProviders(services: Services, documents: DocumentStore): { providers: ArchLensProviders; registrations: vscode.Disposable[] } {
  const providers: ArchLensProviders = {
    hover: new ArchLensHoverProvider(services, documents),
    completion: new ArchLensCompletionProvider(services, documents),
    codeLens: new ArchLensCodeLensProvider(services, documents),
    links: new CitationLinkProvider(services.log),
    diagnostics: new PragmaDiagnostics(services, documents),
    quickFixes: new PragmaQuickFixes(services.log),
  };
  return {
    providers,
    registrations: [
      vscode.languages.registerHoverProvider(PYTHON, providers.hover),
      vscode.languages.registerCompletionItemProvider(PYTHON, providers.completion, ':', ' '),
      vscode.languages.registerCodeLensProvider(PYTHON, providers.codeLens),
      vscode.languages.registerDocumentLinkProvider(PYTHON, providers.links),
      vscode.languages.registerCodeActionsProvider(PYTHON, providers.quickFixes, { providedCodeActionKinds: PragmaQuickFixes.kinds }),
      // After the registrations: nothing asks a disposed provider.
      providers.codeLens,
      providers.diagnostics,
    ],
  };
}
