/** Showing Azure errors with buttons that fix them; never throws (command handlers end here). */
import * as vscode from 'vscode';
import type { ClassifiedError } from './azure/errors';
import { classifyError } from './azure/errors';
import { COMMANDS } from './contributions';
import { errorActions } from './errorActions';

export interface ErrorUiContext {
  output: vscode.LogOutputChannel;
  /** What "Retry" does; without it no Retry button is offered. */
  retry?: () => unknown;
}

/** "message (HTTP 403, AuthorizationFailed)" unless the message already names the code. */
export function describeError(error: ClassifiedError): string {
  const facts = [error.status ? `HTTP ${error.status}` : undefined, error.code && !error.userMessage.includes(error.code) ? error.code : undefined].filter(Boolean);
  return facts.length ? `${error.userMessage} (${facts.join(', ')})` : error.userMessage;
}

export async function showAzureError(e: unknown, context: ErrorUiContext, prefix?: string): Promise<void> {
  const error = classifyError(e);
  if (error.kind === 'cancelled') return;
  const text = `${prefix ? `${prefix}: ` : ''}${describeError(error)}`;
  context.output.warn(text);
  const actions = errorActions(error, !!context.retry);
  const choice = await vscode.window.showErrorMessage(text, ...actions);
  try {
    switch (choice) {
      case 'Sign In':
        await vscode.commands.executeCommand(COMMANDS.signIn);
        break;
      case 'Select Instance':
        await vscode.commands.executeCommand(COMMANDS.selectInstance);
        break;
      case 'Open Settings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'apimPolicy');
        break;
      case 'Retry':
        await context.retry?.();
        break;
      case 'Show Log':
        context.output.show(true);
        break;
      default:
        break;
    }
  } catch (followUp) {
    context.output.error(`Follow-up action failed: ${String(followUp)}`);
  }
}

/** Wraps a command handler so a failure becomes a message, never an unhandled rejection. */
export function safeCommand<A extends unknown[]>(output: vscode.LogOutputChannel, name: string, handler: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (e) {
      output.error(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      await showAzureError(e, { output }, name);
    }
  };
}
