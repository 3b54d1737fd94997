/** Extension entry point: wires the language client, commands, views and the Azure connection. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';
import { registerPolicyDetection } from './policyDetection';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ languageClient: LanguageClient }> {
  const output = vscode.window.createOutputChannel('APIM Policy', { log: true });
  context.subscriptions.push(output);
  registerPolicyDetection(context);
  client = createLanguageClient(context, output);
  await client.start();
  return { languageClient: client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
