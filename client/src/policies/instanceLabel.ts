/**
 * Tells the instance's copy apart from local files: while an instance
 * document is the active editor, the status bar says whose it is, that
 * saving publishes it, or that it is a read-only snapshot.
 */
import * as vscode from 'vscode';
import { INSTANCE_SCHEME, parseInstanceDocumentPath } from '../../../protocol/instanceDocuments';
import { describePolicyScope } from '../azure/policyScopes';

export interface InstanceLabel {
  text: string;
  tooltip: string;
}

/** What the label says for `uri`, or undefined for documents that are not instance documents. */
export function instanceLabel(uri: vscode.Uri): InstanceLabel | undefined {
  if (uri.scheme !== INSTANCE_SCHEME) return undefined;
  const target = parseInstanceDocumentPath(uri.path);
  if (!target) return undefined;
  const service = target.instanceId.split('/').pop() ?? target.instanceId;
  if (target.kind === 'named-value') {
    return { text: `$(lock) ${service}: named value (read-only)`, tooltip: `The definition of named value "${target.name}" on ${service}, without any secret value.` };
  }
  const what = describePolicyScope(target.scope);
  if (uri.query) return { text: `$(lock) ${service}: instance version (read-only)`, tooltip: `A read-only copy of ${what} as it is on ${service}.` };
  return {
    text: `$(cloud) ${service}: live policy`,
    tooltip: `This is ${what} on ${service}, not a local file. Saving publishes it to the instance, checked against the version you opened.`,
  };
}

export function registerInstanceLabel(context: vscode.ExtensionContext): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('apimPolicy.instanceDocument', vscode.StatusBarAlignment.Left, 50);
  item.name = 'APIM instance document';
  const update = () => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const label = uri && instanceLabel(uri);
    if (!label) {
      item.hide();
      return;
    }
    item.text = label.text;
    item.tooltip = label.tooltip;
    item.show();
  };
  context.subscriptions.push(item, vscode.window.onDidChangeActiveTextEditor(update));
  update();
  return item;
}
