/**
 * The Policies tree, vscode-free: per instance, its global policy, APIs
 * (revisions, operations), products, policy fragments and workspaces (with
 * their own policy, APIs, products, fragments and named values). Each node
 * owns getTreeItem (a plain description the provider turns into a TreeItem)
 * and getChildren. Children load when first expanded, a page at a time with
 * a "Load more" row; which scopes have a policy comes from one `allPolicies`
 * listing per refresh, never from a request per item.
 */
import type { InstanceDocument, PolicyScope } from '../../../protocol/instanceDocuments';
import type { ApimClientSource } from '../azure/armClient';
import { classifyError } from '../azure/errors';
import {
  type ApiSummary, listApis, listFragments, listOperations, listPolicyScopeKeys, listProducts, listRevisions, listWorkspaceNamedValues, listWorkspaces,
  type NamedItem, type Pages,
} from '../azure/policyListing';
import { describePolicyScope, inWorkspace, policyScopeKey } from '../azure/policyScopes';
import type { NamedValueInfo } from '../../../protocol/protocol';

export interface TreeItemLike {
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  icon: { id: string; color?: string };
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** The instance document a click opens. */
  opens?: InstanceDocument;
  command?: { command: string; title: string; arguments?: unknown[] };
}

export interface PolicyTreeNode {
  readonly id: string;
  readonly parent: PolicyTreeNode | undefined;
  getTreeItem(): TreeItemLike;
  getChildren(): Promise<PolicyTreeNode[]>;
  /** Forget loaded children (or a failure), so the next expansion reads the instance again. */
  reset?(): void;
}

/** Tree item `contextValue`s (menus match them). */
export const POLICY_CONTEXT = {
  instance: 'policyInstance',
  folder: 'policyFolder',
  workspace: 'policyWorkspace',
  withPolicy: 'policyScope.withPolicy',
  withoutPolicy: 'policyScope.withoutPolicy',
  unknownPolicy: 'policyScope.unknown',
  fragment: 'policyScope.fragment',
  namedValue: 'policyNamedValue',
  loadMore: 'policyLoadMore',
  message: 'policyMessage',
} as const;

export interface BrowserContext {
  readonly instanceId: string;
  readonly serviceName: string;
  /** "Contoso Production / rg-contoso-apis". */
  readonly description: string;
  clients(): Promise<ApimClientSource>;
  /** Text the lists are filtered by (on the service), or undefined. */
  readonly filter: string | undefined;
  readonly pageSize: number;
  /** A node's children changed (undefined: the whole tree). */
  changed(node: PolicyTreeNode | undefined): void;
  /** Command ids the rows use. */
  readonly commands: { loadMore: string; retry: string };
}

type FolderKind = 'apis' | 'products' | 'fragments' | 'workspaces' | 'namedValues';

const FOLDER_LABELS: Record<FolderKind, string> = {
  apis: 'APIs', products: 'Products', fragments: 'Policy Fragments', workspaces: 'Workspaces', namedValues: 'Named Values',
};
const FOLDER_ICONS: Record<FolderKind, string> = {
  apis: 'plug', products: 'package', fragments: 'symbol-snippet', workspaces: 'organization', namedValues: 'symbol-constant',
};

/** One instance's root; holds what every node below it shares. */
export class InstanceBrowser implements PolicyTreeNode {
  readonly id: string;
  readonly parent = undefined;
  private policyKeys: Promise<Set<string> | undefined> | undefined;
  private knownKeys: Set<string> | undefined;
  private children: PolicyTreeNode[] | undefined;

  constructor(readonly ctx: BrowserContext) {
    this.id = `policies|${ctx.instanceId.toLowerCase()}`;
  }

  getTreeItem(): TreeItemLike {
    return {
      id: this.id,
      label: this.ctx.serviceName,
      description: this.ctx.description,
      tooltip: `**${this.ctx.serviceName}**\n\nPolicies on the instance. Click one to open it; saving publishes it (checked against its ETag).`,
      icon: { id: 'azure' },
      contextValue: POLICY_CONTEXT.instance,
      collapsible: 'expanded',
    };
  }

  async getChildren(): Promise<PolicyTreeNode[]> {
    if (!this.children) {
      await this.loadPolicyKeys();
      this.children = [
        new ScopeNode(this, this, { kind: 'global' }, 'Global policy', { description: 'all APIs', icon: 'globe' }),
        new FolderNode(this, this, 'apis'),
        new FolderNode(this, this, 'products'),
        new FolderNode(this, this, 'fragments'),
        new FolderNode(this, this, 'workspaces'),
      ];
    }
    return this.children;
  }

  /** Forget everything loaded; the next expansion reads the instance again. */
  reset(): void {
    this.children = undefined;
    this.policyKeys = undefined;
    this.knownKeys = undefined;
  }

  /** Whether the scope has a policy of its own; undefined when the service did not say. */
  hasPolicy(scope: PolicyScope): boolean | undefined {
    return this.knownKeys?.has(policyScopeKey(scope));
  }

  /** After a publish or delete: the icon follows without a reload. */
  notePolicy(scope: PolicyScope, present: boolean): void {
    if (!this.knownKeys) return;
    const key = policyScopeKey(scope);
    if (this.knownKeys.has(key) === present) return;
    if (present) this.knownKeys.add(key);
    else this.knownKeys.delete(key);
    this.ctx.changed(undefined);
  }

  async loadPolicyKeys(): Promise<void> {
    this.policyKeys ??= this.ctx.clients()
      .then((clients) => listPolicyScopeKeys(clients, this.ctx.instanceId))
      .catch(() => undefined); // icons then say "unknown"; browsing still works
    this.knownKeys = await this.policyKeys;
  }

  document(scope: PolicyScope): InstanceDocument {
    return { kind: 'policy', instanceId: this.ctx.instanceId, scope };
  }
}

/** A scope with a policy to open: global, API, revision, operation, product, fragment. */
export class ScopeNode implements PolicyTreeNode {
  readonly id: string;
  private children: PolicyTreeNode[] | undefined;

  constructor(
    readonly browser: InstanceBrowser,
    readonly parent: PolicyTreeNode,
    readonly scope: PolicyScope,
    readonly label: string,
    private readonly look: { description?: string; icon?: string; detail?: string; expandable?: boolean } = {},
  ) {
    this.id = `${browser.id}|${policyScopeKey(scope)}|${scope.kind}`;
  }

  getTreeItem(): TreeItemLike {
    const has = this.scope.kind === 'fragment' ? true : this.browser.hasPolicy(this.scope);
    const state = has === undefined ? 'Whether it has a policy of its own is not known.' : has ? 'Has a policy of its own.' : 'No policy of its own: it inherits from the enclosing scope.';
    return {
      id: this.id,
      label: this.label,
      description: this.look.description,
      tooltip: [`**${this.label}**`, this.look.detail, `${capitalize(describePolicyScope(this.scope))}. ${this.scope.kind === 'fragment' ? '' : state}`].filter(Boolean).join('\n\n'),
      icon: { id: this.look.icon ?? (has === false ? 'file' : 'file-code') },
      contextValue: this.scope.kind === 'fragment' ? POLICY_CONTEXT.fragment
        : has === undefined ? POLICY_CONTEXT.unknownPolicy : has ? POLICY_CONTEXT.withPolicy : POLICY_CONTEXT.withoutPolicy,
      collapsible: this.look.expandable ? 'collapsed' : 'none',
      opens: this.browser.document(this.scope),
    };
  }

  async getChildren(): Promise<PolicyTreeNode[]> {
    if (!this.look.expandable || this.scope.kind !== 'api') return [];
    if (this.children) return this.children;
    const { api, workspace } = this.scope;
    try {
      const clients = await this.browser.ctx.clients();
      const current = !api.includes(';rev=');
      const [operations, revisions] = await Promise.all([
        listOperations(clients, this.browser.ctx.instanceId, api, { workspace }),
        current ? listRevisions(clients, this.browser.ctx.instanceId, api, { workspace }) : Promise.resolve([]),
      ]);
      const children: PolicyTreeNode[] = operations.map((op) => new ScopeNode(this.browser, this, inWorkspace({ kind: 'operation', api, operation: op.name }, workspace), op.displayName, {
        description: `${op.method} ${op.urlTemplate}`.trim(),
        detail: `\`${op.method} ${op.urlTemplate}\``,
      }));
      for (const revision of revisions.filter((r) => !r.isCurrent)) {
        children.push(new ScopeNode(this.browser, this, inWorkspace({ kind: 'api', api: revision.apiName }, workspace), `Revision ${revision.revision}`, {
          description: revision.description ? `not current · ${revision.description}` : 'not current',
          detail: `Revision ${revision.revision} of this API (\`${revision.apiName}\`), not the current one.`,
          expandable: true,
        }));
      }
      if (children.length === 0) children.push(new MessageNode(this.browser, this, 'empty', 'No operations', { icon: 'info' }));
      this.children = children;
    } catch (e) {
      return [MessageNode.forError(this.browser, this, 'operations', e)];
    }
    return this.children;
  }

  reset(): void {
    this.children = undefined;
  }
}

/** APIs, products, fragments, workspaces or a workspace's named values: a paged list. */
export class FolderNode implements PolicyTreeNode {
  readonly id: string;
  private items: PolicyTreeNode[] | undefined;
  private pages: Pages<unknown> | undefined;
  private done = false;
  private loading: Promise<void> | undefined;
  private error: unknown;

  constructor(
    readonly browser: InstanceBrowser,
    readonly parent: PolicyTreeNode,
    readonly kind: FolderKind,
    readonly workspace?: string,
  ) {
    this.id = `${parent.id}|${kind}`;
  }

  getTreeItem(): TreeItemLike {
    const filtered = this.browser.ctx.filter && this.kind !== 'workspaces' && this.kind !== 'namedValues';
    const count = this.items && this.done ? `${this.items.length}` : this.items ? `${this.items.length}+` : undefined;
    return {
      id: this.id,
      label: FOLDER_LABELS[this.kind],
      description: [count, filtered ? `filter: "${this.browser.ctx.filter}"` : undefined].filter(Boolean).join(' · ') || undefined,
      icon: { id: FOLDER_ICONS[this.kind] },
      contextValue: POLICY_CONTEXT.folder,
      collapsible: 'collapsed',
    };
  }

  async getChildren(): Promise<PolicyTreeNode[]> {
    if (!this.items && !this.error) await this.loadMore();
    const rows: PolicyTreeNode[] = [...(this.items ?? [])];
    if (this.error) {
      rows.push(MessageNode.forError(this.browser, this, this.kind, this.error));
    } else if (!this.done) {
      rows.push(new MessageNode(this.browser, this, 'more', 'Load more…', {
        icon: 'ellipsis',
        description: `${this.items?.length ?? 0} shown`,
        contextValue: POLICY_CONTEXT.loadMore,
        command: { command: this.browser.ctx.commands.loadMore, title: 'Load More', arguments: [this] },
      }));
    } else if (rows.length === 0) {
      rows.push(new MessageNode(this.browser, this, 'empty', this.browser.ctx.filter && this.kind !== 'workspaces' && this.kind !== 'namedValues'
        ? `Nothing matches "${this.browser.ctx.filter}"` : `No ${FOLDER_LABELS[this.kind].toLowerCase()}`, { icon: 'info' }));
    }
    return rows;
  }

  reset(): void {
    this.items = undefined;
    this.pages = undefined;
    this.done = false;
    this.error = undefined;
  }

  /** Whether every page has been read. */
  get complete(): boolean {
    return this.done;
  }

  /** Reads the next page (one request) and appends its rows. */
  loadMore(): Promise<void> {
    this.loading ??= this.readPage().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async readPage(): Promise<void> {
    if (this.done) return;
    try {
      const clients = await this.browser.ctx.clients();
      this.pages ??= this.open(clients);
      const page = await this.pages.next();
      const rows = page.items.map((item) => this.row(item)).filter((row): row is PolicyTreeNode => row !== undefined);
      this.items = [...(this.items ?? []), ...rows];
      this.done = !page.more;
      this.error = undefined;
    } catch (e) {
      this.error = e;
    }
    this.browser.ctx.changed(this);
  }

  private open(clients: ApimClientSource): Pages<unknown> {
    const { instanceId, filter, pageSize } = this.browser.ctx;
    const options = { workspace: this.workspace, contains: filter, pageSize };
    switch (this.kind) {
      case 'apis': return listApis(clients, instanceId, options);
      case 'products': return listProducts(clients, instanceId, options);
      case 'fragments': return listFragments(clients, instanceId, options);
      case 'workspaces': return listWorkspaces(clients, instanceId, { pageSize });
      case 'namedValues': return listWorkspaceNamedValues(clients, instanceId, this.workspace ?? '', { pageSize });
    }
  }

  private row(item: unknown): PolicyTreeNode | undefined {
    const workspace = this.workspace;
    switch (this.kind) {
      case 'apis': {
        const api = item as ApiSummary;
        return new ScopeNode(this.browser, this, inWorkspace({ kind: 'api', api: api.name }, workspace), api.displayName, {
          description: api.path !== undefined ? `/${api.path}` : undefined,
          detail: [`\`${api.name}\``, api.revision ? `revision ${api.revision}` : undefined, api.description].filter(Boolean).join(' · '),
          expandable: true,
        });
      }
      case 'products': {
        const product = item as NamedItem;
        return new ScopeNode(this.browser, this, inWorkspace({ kind: 'product', product: product.name }, workspace), product.displayName, { detail: product.description });
      }
      case 'fragments': {
        const fragment = item as NamedItem;
        return new ScopeNode(this.browser, this, inWorkspace({ kind: 'fragment', fragment: fragment.name }, workspace), fragment.name, {
          description: fragment.description, detail: fragment.description, icon: 'symbol-snippet',
        });
      }
      case 'workspaces':
        return new WorkspaceNode(this.browser, this, item as NamedItem);
      case 'namedValues':
        return new NamedValueNode(this.browser, this, item as NamedValueInfo, workspace);
    }
  }
}

export class WorkspaceNode implements PolicyTreeNode {
  readonly id: string;
  private children: PolicyTreeNode[] | undefined;

  constructor(readonly browser: InstanceBrowser, readonly parent: PolicyTreeNode, readonly workspace: NamedItem) {
    this.id = `${parent.id}|${workspace.name.toLowerCase()}`;
  }

  getTreeItem(): TreeItemLike {
    return {
      id: this.id,
      label: this.workspace.displayName,
      description: this.workspace.displayName === this.workspace.name ? this.workspace.description : this.workspace.name,
      tooltip: [`**${this.workspace.displayName}** (workspace \`${this.workspace.name}\`)`, this.workspace.description].filter(Boolean).join('\n\n'),
      icon: { id: 'organization' },
      contextValue: POLICY_CONTEXT.workspace,
      collapsible: 'collapsed',
    };
  }

  async getChildren(): Promise<PolicyTreeNode[]> {
    const ws = this.workspace.name;
    this.children ??= [
      new ScopeNode(this.browser, this, { kind: 'global', workspace: ws }, 'Workspace policy', { description: 'all APIs of the workspace', icon: undefined }),
      new FolderNode(this.browser, this, 'apis', ws),
      new FolderNode(this.browser, this, 'products', ws),
      new FolderNode(this.browser, this, 'fragments', ws),
      new FolderNode(this.browser, this, 'namedValues', ws),
    ];
    return this.children;
  }
}

/** A workspace's named value: opens its read-only definition (no secret values). */
export class NamedValueNode implements PolicyTreeNode {
  readonly id: string;

  constructor(readonly browser: InstanceBrowser, readonly parent: PolicyTreeNode, readonly namedValue: NamedValueInfo, readonly workspace: string | undefined) {
    this.id = `${parent.id}|${namedValue.name.toLowerCase()}`;
  }

  getTreeItem(): TreeItemLike {
    const nv = this.namedValue;
    return {
      id: this.id,
      label: nv.displayName,
      description: nv.kind === 'plain' ? nv.value : nv.kind === 'secret' ? 'secret' : 'Key Vault',
      tooltip: `**{{${nv.displayName}}}**\n\n${nv.kind === 'plain' ? 'Plain value.' : nv.kind === 'secret' ? 'Secret — value hidden.' : 'Key Vault reference.'}`,
      icon: { id: nv.kind === 'plain' ? 'symbol-string' : nv.kind === 'secret' ? 'lock' : 'key' },
      contextValue: POLICY_CONTEXT.namedValue,
      collapsible: 'none',
      opens: { kind: 'named-value', instanceId: this.browser.ctx.instanceId, name: nv.displayName, ...(this.workspace === undefined ? {} : { workspace: this.workspace }) },
    };
  }

  getChildren(): Promise<PolicyTreeNode[]> {
    return Promise.resolve([]);
  }
}

/** A row that is not an item: "Load more…", "nothing matches", or an error with a retry. */
export class MessageNode implements PolicyTreeNode {
  readonly id: string;

  constructor(
    readonly browser: InstanceBrowser,
    readonly parent: PolicyTreeNode,
    key: string,
    readonly label: string,
    private readonly look: { icon: string; color?: string; description?: string; tooltip?: string; contextValue?: string; command?: TreeItemLike['command'] },
  ) {
    this.id = `${parent.id}|#${key}`;
  }

  /** An error row; clicking it (the retry command with the parent) reads the parent's children again. */
  static forError(browser: InstanceBrowser, parent: PolicyTreeNode, what: string, error: unknown): MessageNode {
    const classified = classifyError(error);
    return new MessageNode(browser, parent, `error-${what}`, 'Could not load — click to retry', {
      icon: 'error',
      color: 'problemsErrorIcon.foreground',
      description: classified.userMessage,
      tooltip: classified.userMessage,
      contextValue: POLICY_CONTEXT.message,
      command: { command: browser.ctx.commands.retry, title: 'Retry', arguments: [parent] },
    });
  }

  getTreeItem(): TreeItemLike {
    return {
      id: this.id,
      label: this.label,
      description: this.look.description,
      tooltip: this.look.tooltip,
      icon: { id: this.look.icon, color: this.look.color },
      contextValue: this.look.contextValue ?? POLICY_CONTEXT.message,
      collapsible: 'none',
      command: this.look.command,
    };
  }

  getChildren(): Promise<PolicyTreeNode[]> {
    return Promise.resolve([]);
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
