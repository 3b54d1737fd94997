/** The subset of VS Code's LogOutputChannel the vscode-free modules log to. Never pass secret values. */
export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
