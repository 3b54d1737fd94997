/**
 * Renders `apim-policy-readonly:` documents (the targets of the server's
 * go-to-definition and of the panel's Go to Definition) and updates open
 * ones when the metadata changes.
 */
import * as vscode from 'vscode';
import { READONLY_SCHEME } from '../../protocol/virtualDocuments';
import type { ConnectionManager } from './connection/connectionManager';
import { parseVirtualDocumentParts, renderVirtualDocument } from './virtualDocumentContent';

export class ReadonlyDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  /** Per instance: the metadata object last rendered, and fragment XML fetched for it. */
  private readonly seen = new Map<string, { metadata: object | undefined; fragments: Map<string, Promise<string>> }>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly manager: ConnectionManager) {
    this.subscription = manager.onDidChange(() => this.onManagerChange());
  }

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = parseVirtualDocumentParts(uri.path, uri.query);
    if (!target) return Promise.resolve(`Not an APIM read-only document: ${uri.toString(true)}\n`);
    const session = this.manager.session(target.instanceId);
    const entry = this.entryFor(target.instanceId, session?.currentMetadata);
    return renderVirtualDocument(
      target,
      session && {
        instanceId: session.instanceId,
        findNamedValue: (name) => session.findNamedValue(name),
        getFragmentXml: (name) => {
          let pending = entry.fragments.get(name);
          if (!pending) {
            pending = session.getFragmentXml(name);
            entry.fragments.set(name, pending);
            pending.catch(() => entry.fragments.delete(name)); // retry next time
          }
          return pending;
        },
      },
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  private entryFor(instanceId: string, metadata: object | undefined) {
    const key = instanceId.toLowerCase();
    let entry = this.seen.get(key);
    if (!entry) {
      entry = { metadata, fragments: new Map() };
      this.seen.set(key, entry);
    }
    return entry;
  }

  private onManagerChange(): void {
    const changed = new Set<string>();
    for (const [key, entry] of this.seen) {
      const metadata = this.manager.session(key)?.currentMetadata;
      if (metadata === entry.metadata) continue;
      entry.metadata = metadata;
      entry.fragments.clear();
      changed.add(key);
    }
    if (changed.size === 0) return;
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== READONLY_SCHEME) continue;
      const target = parseVirtualDocumentParts(document.uri.path, document.uri.query);
      if (target && changed.has(target.instanceId.toLowerCase())) this.changeEmitter.fire(document.uri);
    }
  }
}

export function registerReadonlyDocuments(context: vscode.ExtensionContext, manager: ConnectionManager): ReadonlyDocumentProvider {
  const provider = new ReadonlyDocumentProvider(manager);
  context.subscriptions.push(provider, vscode.workspace.registerTextDocumentContentProvider(READONLY_SCHEME, provider));
  return provider;
}
