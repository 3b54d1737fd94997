/**
 * The Named Values tree: one root per connected instance, its named values
 * below. Nodes are cheap objects made once per metadata object and filter;
 * TreeItems are built when VS Code asks, and tooltips (the costly part) only
 * when hovered (`resolveTreeItem`). No network call happens here.
 */
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import type { InstanceSession } from '../connection/instanceSession';
import { COMMANDS, CONTEXT_VALUES } from '../contributions';
import { presentInstance } from './instanceModel';
import { type FilterMode, NamedValueListModel, namedValueTooltip, presentNamedValue } from './model';
import type { InstanceNode, MessageNode, NamedValueNode, NamedValuesTreeNode } from './treeNodes';

interface InstanceCache {
  metadata: object | undefined;
  model: NamedValueListModel | undefined;
  nodes: Map<FilterMode, NamedValueNode[]>;
  version: number;
}

export class NamedValuesTreeProvider implements vscode.TreeDataProvider<NamedValuesTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<NamedValuesTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly roots = new Map<string, InstanceNode>();
  private readonly caches = new Map<string, InstanceCache>();
  private filterMode: FilterMode = 'all';
  private readonly subscription: { dispose(): void };

  constructor(private readonly manager: ConnectionManager) {
    this.subscription = manager.onDidChange(() => this.onManagerChange());
  }

  get filter(): FilterMode {
    return this.filterMode;
  }

  set filter(mode: FilterMode) {
    if (mode === this.filterMode) return;
    this.filterMode = mode;
    this.changeEmitter.fire(undefined);
  }

  /** Named values shown for an instance under the current filter (for the view's description). */
  shownCount(instanceId?: string): number {
    let total = 0;
    for (const session of this.manager.sessions()) {
      if (instanceId && session.instanceId !== instanceId) continue;
      total += this.cacheFor(session).model?.items(this.filterMode).length ?? 0;
    }
    return total;
  }

  getChildren(element?: NamedValuesTreeNode): NamedValuesTreeNode[] {
    if (!element) {
      if (this.manager.authState === 'signedOut') return [];
      return this.manager.sessions().map((s) => this.rootFor(s.instanceId));
    }
    if (element.kind !== 'instance') return [];
    const session = this.manager.session(element.instanceId);
    if (!session) return [];
    return [...this.messagesFor(session), ...this.nodesFor(session)];
  }

  getParent(element: NamedValuesTreeNode): NamedValuesTreeNode | undefined {
    return element.kind === 'instance' ? undefined : this.roots.get(element.instanceId);
  }

  getTreeItem(element: NamedValuesTreeNode): vscode.TreeItem {
    const now = Date.now();
    if (element.kind === 'instance') {
      const session = this.manager.session(element.instanceId);
      const item = new vscode.TreeItem(session?.resource.serviceName ?? element.instanceId, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `instance|${element.instanceId}`;
      item.contextValue = CONTEXT_VALUES.instance;
      if (session) {
        const p = presentInstance(session.snapshot, now);
        item.label = p.label;
        item.description = p.description;
        item.tooltip = markdown(p.tooltip);
        item.iconPath = themeIcon(p.icon);
      }
      return item;
    }
    if (element.kind === 'message') {
      const item = new vscode.TreeItem(element.label, vscode.TreeItemCollapsibleState.None);
      item.id = `message|${element.instanceId}|${element.key}`;
      item.description = element.description;
      item.tooltip = element.tooltip;
      item.iconPath = themeIcon(element.icon);
      item.contextValue = CONTEXT_VALUES.message;
      if (element.command) item.command = element.command;
      return item;
    }
    const session = this.manager.session(element.instanceId);
    const refreshing = session?.isRefreshing(element.namedValue.name) ?? false;
    const p = presentNamedValue(element.namedValue, refreshing);
    const item = new vscode.TreeItem(p.label, vscode.TreeItemCollapsibleState.None);
    item.id = `nv|${element.instanceId}|${element.namedValue.name}`;
    item.description = p.description;
    item.iconPath = themeIcon(p.icon);
    item.contextValue = p.contextValue;
    item.accessibilityInformation = { label: p.accessibilityLabel };
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, element: NamedValuesTreeNode): vscode.TreeItem {
    if (element.kind !== 'namedValue') return item;
    const session = this.manager.session(element.instanceId);
    item.tooltip = markdown(
      namedValueTooltip(element.namedValue, {
        now: Date.now(),
        refreshing: session?.isRefreshing(element.namedValue.name),
        refreshError: session?.refreshErrorFor(element.namedValue.name),
      }),
    );
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  private rootFor(instanceId: string): InstanceNode {
    let node = this.roots.get(instanceId);
    if (!node) {
      node = { kind: 'instance', instanceId };
      this.roots.set(instanceId, node);
    }
    return node;
  }

  private cacheFor(session: InstanceSession): InstanceCache {
    const metadata = session.currentMetadata;
    let cache = this.caches.get(session.instanceId);
    if (!cache || cache.metadata !== metadata) {
      cache = { metadata, model: metadata ? new NamedValueListModel(metadata) : undefined, nodes: new Map(), version: -1 };
      this.caches.set(session.instanceId, cache);
    }
    return cache;
  }

  private nodesFor(session: InstanceSession): NamedValueNode[] {
    const cache = this.cacheFor(session);
    if (!cache.model) return [];
    let nodes = cache.nodes.get(this.filterMode);
    if (!nodes) {
      nodes = cache.model.items(this.filterMode).map((namedValue) => ({ kind: 'namedValue' as const, instanceId: session.instanceId, namedValue }));
      cache.nodes.set(this.filterMode, nodes);
    }
    return nodes;
  }

  private messagesFor(session: InstanceSession): MessageNode[] {
    const snapshot = session.snapshot;
    const messages: MessageNode[] = [];
    if (snapshot.lastError && !snapshot.loading) {
      const error = snapshot.lastError;
      messages.push({
        kind: 'message',
        instanceId: session.instanceId,
        key: 'error',
        label: snapshot.metadata ? 'Could not refresh — showing the last known data' : 'Could not load the instance',
        description: [error.status ? `HTTP ${error.status}` : undefined, error.code].filter(Boolean).join(' ') || error.kind,
        tooltip: `${error.userMessage}\n\nClick to retry.`,
        icon: { id: 'warning', color: 'problemsWarningIcon.foreground' },
        command: { command: COMMANDS.refreshNamedValues, title: 'Retry', arguments: [session.instanceId] },
      });
    }
    const model = this.cacheFor(session).model;
    if (model && model.items(this.filterMode).length === 0) {
      const label = this.filterMode === 'all' ? 'No named values' : this.filterMode === 'keyVault' ? 'No Key Vault references' : 'No failing Key Vault secrets';
      messages.push({
        kind: 'message',
        instanceId: session.instanceId,
        key: 'empty',
        label,
        icon: { id: 'info' },
        ...(this.filterMode !== 'all'
          ? { description: 'click to show all', command: { command: COMMANDS.filterNamedValues, title: 'Show All', arguments: ['all'] } }
          : {}),
      });
    }
    return messages;
  }

  private onManagerChange(): void {
    // Drop caches of removed instances; refresh only roots whose session changed.
    const live = new Set(this.manager.sessions().map((s) => s.instanceId));
    let structural = false;
    for (const id of [...this.roots.keys()]) {
      if (!live.has(id)) {
        this.roots.delete(id);
        this.caches.delete(id);
        structural = true;
      }
    }
    if (structural || live.size !== this.roots.size || this.manager.authState === 'signedOut') {
      this.changeEmitter.fire(undefined);
      return;
    }
    for (const session of this.manager.sessions()) {
      const cache = this.cacheFor(session);
      const version = session.snapshot.version;
      if (cache.version !== version) {
        cache.version = version;
        this.changeEmitter.fire(this.rootFor(session.instanceId));
      }
    }
  }
}

function themeIcon(icon: { id: string; color?: string }): vscode.ThemeIcon {
  return icon.color ? new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color)) : new vscode.ThemeIcon(icon.id);
}

function markdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text, true);
  md.isTrusted = false;
  return md;
}
