/**
 * Editor help for APIOps named value artifacts (`named values/<name>/namedValueInformation.json`):
 * Find All References lists the policies that use the named value, hover shows its live status
 * from the connected instance (the panel's tooltip), and `secretIdentifier` completes from the
 * Key Vault references the instance already has.
 */
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import { APIOPS_NAMED_VALUE_FILE_PATTERN, artifactDisplayName, secretIdentifierValueAt } from '../namedValues/apiops';
import { namedValueTooltip } from '../namedValues/model';
import { searchWorkspaceUsages, usageLocations } from '../namedValues/workspaceUsages';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'json', pattern: APIOPS_NAMED_VALUE_FILE_PATTERN },
  { language: 'jsonc', pattern: APIOPS_NAMED_VALUE_FILE_PATTERN },
];

export function registerNamedValueArtifacts(context: vscode.ExtensionContext, manager: ConnectionManager): void {
  const sessionFor = (document: vscode.TextDocument) => manager.sessionForFolder(vscode.workspace.getWorkspaceFolder(document.uri)?.uri.toString());

  context.subscriptions.push(
    vscode.languages.registerReferenceProvider(SELECTOR, {
      async provideReferences(document, _position, _context, token) {
        const name = artifactDisplayName(document.uri.fsPath, document.getText());
        if (!name) return [];
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return usageLocations(await searchWorkspaceUsages(name, controller.signal));
      },
    }),

    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover(document, position) {
        // Only over the display name's line, so hovers elsewhere in the file stay JSON's own.
        if (!/"displayName"/.test(document.lineAt(position.line).text)) return undefined;
        const name = artifactDisplayName(document.uri.fsPath, document.getText());
        const session = sessionFor(document);
        const nv = name ? session?.findNamedValue(name) : undefined;
        if (!session || !nv) {
          if (!name) return undefined;
          const where = session ? `not on ${session.resource.serviceName} yet (publishing would create it)` : 'not checked: no API Management instance is connected';
          return new vscode.Hover(new vscode.MarkdownString(`Named value **${name}** — ${where}.`));
        }
        const markdown = new vscode.MarkdownString(namedValueTooltip(nv, { now: Date.now() }), true);
        markdown.appendMarkdown(`\n\n*Live status on ${session.resource.serviceName}.*`);
        return new vscode.Hover(markdown);
      },
    }),

    vscode.languages.registerCompletionItemProvider(
      SELECTOR,
      {
        provideCompletionItems(document, position) {
          const text = document.getText();
          const slot = secretIdentifierValueAt(text, document.offsetAt(position));
          const session = sessionFor(document);
          if (!slot || !session) return undefined;
          const range = new vscode.Range(document.positionAt(slot.start), document.positionAt(slot.end));
          const seen = new Map<string, string[]>();
          for (const nv of session.currentMetadata?.namedValues ?? []) {
            const id = nv.keyVault?.secretIdentifier;
            if (id) seen.set(id, [...(seen.get(id) ?? []), nv.displayName]);
          }
          return [...seen].map(([id, users]) => {
            const item = new vscode.CompletionItem(id, vscode.CompletionItemKind.Reference);
            item.range = range;
            item.detail = `used by ${users.join(', ')}`;
            item.documentation = new vscode.MarkdownString(`A Key Vault secret identifier already referenced on ${session.resource.serviceName}. Leave the version off so APIM picks up rotated secrets.`);
            return item;
          });
        },
      },
      '"',
      '/',
    ),
  );
}
