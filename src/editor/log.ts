import * as vscode from 'vscode';
import { notificationText } from './render/notification';

/**
 * The one "ArchLens" log channel, and failures shown to the user once per kind with a way to open the
 * log. Nothing is swallowed: every distinct error is logged with its stack (a failure repeated on every
 * keystroke is logged once and counted).
 */
export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('ArchLens', { log: true });
  private readonly shown = new Set<string>();
  private readonly logged = new Set<string>();
  private disposed = false;
  /** Kinds of the error notifications shown, in order (for tests and diagnostics). */
  readonly shownErrors: string[] = [];
  /** Warning notifications shown, in order (for tests and diagnostics). */
  readonly shownWarnings: string[] = [];
  /** Errors reported, including repeats that were not logged again. */
  errorCount = 0;
  /** Errors written to the log (each distinct one once). */
  loggedErrorCount = 0;

  info(message: string): void {
    if (this.disposed) return;
    this.channel.info(message);
  }

  warn(message: string): void {
    if (this.disposed) return void console.warn(`ArchLens: ${message}`);
    this.channel.warn(message);
  }

  /** Logs an error (once per distinct kind, message and error); shows `userMessage` once per `kind` in this session. */
  error(kind: string, userMessage: string, error?: unknown): void {
    this.errorCount++;
    const reason = error instanceof Error ? error.message : error === undefined ? '' : String(error);
    const key = `${kind}\n${userMessage}\n${reason}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.loggedErrorCount++;
    const text = `${userMessage}${error ? `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : ''}`;
    // After deactivation the channel is gone; the extension host's own log still keeps the error.
    if (this.disposed) return void console.error(`ArchLens: ${text}`);
    this.channel.error(text);
    if (this.shown.has(kind)) return;
    this.shown.add(kind);
    this.shownErrors.push(kind);
    this.notify(vscode.window.showErrorMessage(notificationText(`ArchLens: ${userMessage}`), 'Open Log'));
  }

  /** Logs a warning and shows it once per distinct message (bad settings, bad corpus records); `details` go to the log only. */
  warnOnce(message: string, details: readonly string[] = []): void {
    if (this.disposed) return void console.warn(`ArchLens: ${message}`);
    this.channel.warn(message);
    for (const detail of details) this.channel.warn(`  ${detail}`);
    if (this.shown.has(message)) return;
    this.shown.add(message);
    this.shownWarnings.push(message);
    this.notify(vscode.window.showWarningMessage(notificationText(`ArchLens: ${message}`), 'Open Log'));
  }

  private notify(choice: Thenable<string | undefined>): void {
    choice.then(
      (picked) => {
        if (picked === 'Open Log' && !this.disposed) this.channel.show(true);
      },
      () => undefined,
    );
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

  /** Like `guard`, for event handlers and timers: starts `action` and never lets its promise reject. */
  run(kind: string, userMessage: string, action: () => Promise<unknown> | unknown): void {
    void this.guard(kind, userMessage, action);
  }

  dispose(): void {
    this.disposed = true;
    this.channel.dispose();
  }
}
