import * as vscode from 'vscode';
import { ArchitectureView } from './architectureView';
import { DOC_SCHEME, ExplanationDocuments, registerCommands } from './commands';
import { DocumentStore } from './documents';
import { Log } from './log';
import { PAPER_PANEL_VIEW, PaperPanel } from './paperPanel';
import { PatternStatus } from './statusBar';
import { registerProviders } from './providers';
import { Services } from './services';

/** What activation returns: handles for tests and for other extensions to read findings. */
export interface ArchLensApi {
  documents: DocumentStore;
  architecture: ArchitectureView;
  services: Services;
  panel: PaperPanel;
}

/** Registrations only: the wasm grammar and the paper index load on first need. */
export function activate(context: vscode.ExtensionContext): ArchLensApi {
  const log = new Log();
  try {
    const services = new Services(context, log);
    const documents = new DocumentStore(services);
    const view = new ArchitectureView(documents);
    const explanations = new ExplanationDocuments(services, documents);
    const panel = new PaperPanel(services, documents);
    context.subscriptions.push(
      panel,
      vscode.window.registerWebviewViewProvider(PAPER_PANEL_VIEW, panel),
      new PatternStatus(services, documents),
      log,
      services,
      documents,
      view,
      explanations,
      vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, explanations),
      ...registerProviders(services, documents),
      ...registerCommands({ services, documents, view, explanations, panel }),
    );
    return { documents, architecture: view, services, panel };
  } catch (error) {
    log.error('activate', 'could not start', error);
    throw error;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
