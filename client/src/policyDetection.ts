/**
 * Policies that are not named `*.policy.xml` or `policy.xml`: a command to
 * treat the current file as a policy, and (optionally) detection of
 * `<policies>` / `<fragment>` roots in other XML files.
 */
import * as vscode from 'vscode';
import { POLICY_LANGUAGE_ID } from './languageClient';
import { looksLikePolicy } from './policyRoots';

export { looksLikePolicy } from './policyRoots';

async function treatAsPolicy(document?: vscode.TextDocument): Promise<void> {
  const target = document ?? vscode.window.activeTextEditor?.document;
  if (!target) {
    void vscode.window.showInformationMessage('Open an XML file first, then run "APIM Policy: Treat This File as Policy".');
    return;
  }
  if (target.languageId !== POLICY_LANGUAGE_ID) await vscode.languages.setTextDocumentLanguage(target, POLICY_LANGUAGE_ID);
}

function detectIfEnabled(document: vscode.TextDocument): void {
  const enabled = vscode.workspace.getConfiguration('apimPolicy', document.uri).get<boolean>('detectPolicyRoots', true);
  if (!enabled || document.languageId !== 'xml' || document.uri.scheme === 'git') return;
  if (looksLikePolicy(document.getText())) void vscode.languages.setTextDocumentLanguage(document, POLICY_LANGUAGE_ID);
}

export function registerPolicyDetection(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('apimPolicy.treatAsPolicy', (uri?: vscode.Uri) =>
      treatAsPolicy(uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined),
    ),
    vscode.workspace.onDidOpenTextDocument(detectIfEnabled),
  );
  for (const document of vscode.workspace.textDocuments) detectIfEnabled(document);
}
