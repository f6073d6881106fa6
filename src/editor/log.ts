import * as vscode from 'vscode';

/**
 * The one "ArchLens" log channel, and failures shown to the user once per kind with a way to open the
 * log. Nothing is swallowed: every error is logged with its stack.
 */
export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('ArchLens', { log: true });
  private readonly shown = new Set<string>();

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  /** Logs an error; shows `userMessage` once per `kind` in this session. */
  error(kind: string, userMessage: string, error?: unknown): void {
    this.channel.error(`${userMessage}${error ? `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : ''}`);
    if (this.shown.has(kind)) return;
    this.shown.add(kind);
    void vscode.window.showErrorMessage(`ArchLens: ${userMessage}`, 'Open Log').then((choice) => {
      if (choice === 'Open Log') this.channel.show(true);
    });
  }

  /** Shows a warning once per distinct message (bad settings, bad corpus records) and logs it. */
  warnOnce(message: string): void {
    this.channel.warn(message);
    if (this.shown.has(message)) return;
    this.shown.add(message);
    void vscode.window.showWarningMessage(`ArchLens: ${message}`, 'Open Log').then((choice) => {
      if (choice === 'Open Log') this.channel.show(true);
    });
  }

  /** Runs `action`, logging (and showing once) any failure instead of letting it escape to VS Code. */
  async guard<T>(kind: string, userMessage: string, action: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof vscode.CancellationError) return undefined;
      this.error(kind, userMessage, error);
      return undefined;
    }
  }

  dispose(): void {
    this.channel.dispose();
  }
}
