/** Starts the language server (dist/server.js) over IPC and connects it to policy documents. */
import * as vscode from 'vscode';
import type { LanguageClientOptions, Middleware, ServerOptions } from 'vscode-languageclient/node';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import { SERVER_LINKED_COMMANDS } from '../../protocol/commands';

export const POLICY_LANGUAGE_ID = 'apim-policy';

export function createLanguageClient(context: vscode.ExtensionContext, outputChannel: vscode.LogOutputChannel, middleware?: Middleware): LanguageClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: POLICY_LANGUAGE_ID }],
    outputChannel,
    middleware,
    // Hovers may link to these commands (and no others): the Key Vault doctor on a {{named value}}.
    markdown: { isTrusted: { enabledCommands: [...SERVER_LINKED_COMMANDS] } },
    synchronize: {
      configurationSection: 'apimPolicy',
      // APIOps artifacts that "go to definition" can jump to.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/namedValueInformation.json'),
        vscode.workspace.createFileSystemWatcher('**/policy.xml'),
      ],
    },
  };
  return new LanguageClient('apimPolicy', 'APIM Policy Language Server', serverOptions, clientOptions);
}
