/**
 * The Get Started walkthrough (`contributes.walkthroughs` in package.json): the command that opens
 * it, and the two context key pulses its steps wait for (see progress.ts) — fed by the visible
 * editors and by a completion middleware on the language client.
 */
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { COMMANDS, WALKTHROUGH_ID } from '../contributions';
import { POLICY_LANGUAGE_ID } from '../languageClient';
import { WalkthroughProgress } from './progress';

export interface Walkthrough {
  /** For the language client's options: notes completions without changing them. */
  middleware: Middleware;
}

type Register = (id: string, handler: () => unknown) => void;

export function registerWalkthrough(context: vscode.ExtensionContext, register: Register): Walkthrough {
  const progress = new WalkthroughProgress((key, value) => vscode.commands.executeCommand('setContext', key, value));
  const noteEditors = (editors: readonly vscode.TextEditor[]) => {
    if (editors.some((editor) => editor.document.languageId === POLICY_LANGUAGE_ID)) progress.policyShown().catch(() => undefined);
  };
  noteEditors(vscode.window.visibleTextEditors);
  context.subscriptions.push(
    vscode.window.onDidChangeVisibleTextEditors(noteEditors),
    // A file switched to the policy language in place (Treat This File as Policy, root detection).
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (document.languageId === POLICY_LANGUAGE_ID) noteEditors(vscode.window.visibleTextEditors);
    }),
  );
  register(COMMANDS.openWalkthrough, () => vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false));

  return {
    middleware: {
      provideCompletionItem: async (document, position, completionContext, token, next) => {
        const result = await next(document, position, completionContext, token);
        if (result) progress.completionAnswered(Array.isArray(result) ? result : result.items).catch(() => undefined);
        return result;
      },
    },
  };
}
