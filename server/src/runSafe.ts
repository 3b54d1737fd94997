/**
 * Every request handler runs through `runSafe`: a failure is logged and
 * answered with an empty result instead of crashing the server, and a
 * cancelled request is answered as cancelled.
 */
import type { CancellationToken } from 'vscode-languageserver';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';

export interface Logger {
  error(message: string): void;
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}

export function runSafe<T>(logger: Logger, name: string, token: CancellationToken, fallback: T, work: () => T): T | ResponseError<void> {
  if (token.isCancellationRequested) return cancelled();
  try {
    const result = work();
    return token.isCancellationRequested ? cancelled() : result;
  } catch (error) {
    logger.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return fallback;
  }
}

export async function runSafeAsync<T>(logger: Logger, name: string, token: CancellationToken, fallback: T, work: () => Promise<T>): Promise<T | ResponseError<void>> {
  if (token.isCancellationRequested) return cancelled();
  try {
    const result = await work();
    return token.isCancellationRequested ? cancelled() : result;
  } catch (error) {
    logger.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return fallback;
  }
}
