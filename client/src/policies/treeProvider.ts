/**
 * The Policies view: one root per connected instance (see treeModel.ts for
 * what is below it). Turns the nodes' plain descriptions into TreeItems; a
 * click opens the scope's instance document.
 */
import * as vscode from 'vscode';
import { instanceDocumentUri, type PolicyScope } from '../../../protocol/instanceDocuments';
import type { ConnectionManager } from '../connection/connectionManager';
import { COMMANDS } from '../contributions';
import { InstanceBrowser, type PolicyTreeNode } from './treeModel';

export const DEFAULT_POLICY_PAGE_SIZE = 100;

export class PoliciesTreeProvider implements vscode.TreeDataProvider<PolicyTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<PolicyTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly browsers = new Map<string, InstanceBrowser>();
  private filterText: string | undefined;
  private readonly subscription: { dispose(): void };
  private sessionKeys = '';

  constructor(
    private readonly manager: ConnectionManager,
    private readonly pageSize: () => number,
  ) {
    this.subscription = manager.onDidChange(() => {
      // Only a change in which instances are connected (or sign-in) changes the roots.
      const keys = this.manager.authState === 'signedOut' ? '' : this.manager.sessions().map((s) => s.instanceId.toLowerCase()).join('|');
      if (keys === this.sessionKeys) return;
      this.sessionKeys = keys;
      this.changeEmitter.fire(undefined);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  get filter(): string | undefined {
    return this.filterText;
  }

  /** Lists APIs, products and fragments whose name contains `text` (on the service); undefined shows all. */
  setFilter(text: string | undefined): void {
    const next = text?.trim() ? text.trim() : undefined;
    if (next === this.filterText) return;
    this.filterText = next;
    this.browsers.clear();
    this.changeEmitter.fire(undefined);
  }

  roots(): InstanceBrowser[] {
    if (this.manager.authState === 'signedOut') return [];
    return this.manager.sessions().map((session) => {
      const key = session.instanceId.toLowerCase();
      let browser = this.browsers.get(key);
      if (!browser) {
        browser = new InstanceBrowser({
          instanceId: session.instanceId,
          serviceName: session.resource.serviceName,
          description: `${session.subscriptionName ?? session.resource.subscriptionId} / ${session.resource.resourceGroup}`,
          clients: async () => (await this.manager.getAccess()).clients,
          filter: this.filterText,
          pageSize: this.pageSize(),
          changed: (node) => this.changeEmitter.fire(node),
          commands: { loadMore: COMMANDS.loadMorePolicies, retry: COMMANDS.refreshPolicies },
        });
        this.browsers.set(key, browser);
      }
      return browser;
    });
  }

  browser(instanceId: string): InstanceBrowser | undefined {
    return this.roots().find((b) => b.ctx.instanceId.toLowerCase() === instanceId.toLowerCase());
  }

  getChildren(element?: PolicyTreeNode): PolicyTreeNode[] | Promise<PolicyTreeNode[]> {
    return element ? element.getChildren() : this.roots();
  }

  getParent(element: PolicyTreeNode): PolicyTreeNode | undefined {
    return element.parent;
  }

  getTreeItem(element: PolicyTreeNode): vscode.TreeItem {
    const like = element.getTreeItem();
    const collapsible = like.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded
      : like.collapsible === 'collapsed' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(like.label, collapsible);
    item.id = like.id;
    item.description = like.description;
    if (like.tooltip) item.tooltip = new vscode.MarkdownString(like.tooltip);
    item.iconPath = new vscode.ThemeIcon(like.icon.id, like.icon.color ? new vscode.ThemeColor(like.icon.color) : undefined);
    item.contextValue = like.contextValue;
    if (like.opens) {
      const uri = vscode.Uri.parse(instanceDocumentUri(like.opens));
      item.resourceUri = uri;
      item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { preview: true }] };
    } else if (like.command) {
      item.command = like.command;
    }
    return item;
  }

  /** Icons follow a publish or delete without reloading the tree. */
  notePolicy(instanceId: string, scope: PolicyScope, present: boolean): void {
    this.browsers.get(instanceId.toLowerCase())?.notePolicy(scope, present);
  }

  /** Reads everything again from the instance, or the given node's children. */
  refresh(node?: PolicyTreeNode): void {
    if (node) {
      node.reset?.();
      this.changeEmitter.fire(node);
      return;
    }
    for (const browser of this.browsers.values()) browser.reset();
    this.changeEmitter.fire(undefined);
  }
}
