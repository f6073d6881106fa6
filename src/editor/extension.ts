import * as vscode from 'vscode';
import { ArchitectureView } from './architectureView';
import { DOC_SCHEME, ExplanationDocuments, registerCommands, workspaceScanner, type WorkspaceScan } from './commands';
import { DocumentStore } from './documents';
import { Log } from './log';
import { PAPER_PANEL_VIEW, PaperPanel } from './paperPanel';
import { PatternStatus } from './statusBar';
import { registerProviders, type ArchLensProviders } from './providers';
import { Services } from './services';

/** What activation returns: handles for tests and for other extensions to read findings. */
export interface ArchLensApi {
  documents: DocumentStore;
  architecture: ArchitectureView;
  services: Services;
  panel: PaperPanel;
  /** Scans the workspace into the Architecture view; cancel through the token. Progress comes every 10 files. */
  scanWorkspace: (token?: vscode.CancellationToken, onProgress?: (done: number, total: number) => void) => Promise<WorkspaceScan>;
  /** The registered provider objects (tests call them with their own cancellation tokens). */
  providers: ArchLensProviders;
  /** The `archlens:` explanation documents' content provider. */
  explanations: ExplanationDocuments;
  log: Log;
}

/** Registrations only: the wasm grammar and the paper index load on first need. */
export function activate(context: vscode.ExtensionContext): ArchLensApi {
  const log = new Log();
  try {
    const services = new Services(context, log);
    const documents = new DocumentStore(services);
    const view = new ArchitectureView(documents, log);
    const explanations = new ExplanationDocuments(services, documents);
    const panel = new PaperPanel(services, documents);
    const { providers, registrations } = registerProviders(services, documents);
    // VS Code disposes these in order on deactivation: registrations and the views first (nothing asks
    // them or updates them any more), then the documents (timers cleared, pending analyses answered with
    // nothing), then the services (parser and workers released), and the log last, so every step above
    // can still report a failure.
    context.subscriptions.push(
      ...registerCommands({ services, documents, view, explanations, panel }),
      ...registrations,
      vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, explanations),
      vscode.window.registerWebviewViewProvider(PAPER_PANEL_VIEW, panel),
      panel,
      new PatternStatus(services, documents),
      view,
      explanations,
      documents,
      services,
      log,
    );
    return { documents, architecture: view, services, panel, scanWorkspace: workspaceScanner(services, view), providers, explanations, log };
  } catch (error) {
    log.error('activate', 'could not start', error);
    throw error;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions, in the order pushed above.
}
