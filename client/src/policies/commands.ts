/**
 * Policy commands: Open Instance Policy… (quick pick over scopes), Compare
 * with / Publish to / Pull from Instance for local APIOps files, Delete
 * Policy…, Refresh Policies, Filter Policies… and the tree's "Load more".
 *
 * Commands take what the view or a menu passes (a tree node, a resource
 * URI) or nothing (the active editor, else a quick pick). Compare, Publish,
 * Pull and Delete also take `{ confirm: false }` as their last argument to
 * skip the confirmation, for tests and automation; the outcome of the last
 * run is kept on `lastOutcome` for them too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { INSTANCE_SCHEME, type InstanceDocument, instanceDocumentUri, parseInstanceDocumentPath, type PolicyScope } from '../../../protocol/instanceDocuments';
import type { ApimClientSource } from '../azure/armClient';
import { AzureAccessError, classifyError } from '../azure/errors';
import { deletePolicy, readPolicy } from '../azure/policies';
import { listApis, listFragments, listOperations, listProducts, listRevisions, listWorkspaces, type Pages } from '../azure/policyListing';
import { describePolicyScope, inWorkspace } from '../azure/policyScopes';
import type { ConnectionManager } from '../connection/connectionManager';
import type { InstanceSession } from '../connection/instanceSession';
import { CONTEXT_KEYS } from '../contributions';
import { showAzureError } from '../ui';
import { apiOpsScope, ARTIFACT_FOLDERS } from './apiops';
import type { PolicyFileSystem } from './fileSystem';
import { publishPolicy, type PublishOutcome } from './publish';
import { publishPrompts } from './publishUi';
import type { FolderNode, PolicyTreeNode } from './treeModel';
import type { PoliciesTreeProvider } from './treeProvider';

export interface PolicyCommandDeps {
  manager: ConnectionManager;
  fileSystem: PolicyFileSystem;
  tree: PoliciesTreeProvider;
  treeView: vscode.TreeView<PolicyTreeNode>;
  problems: vscode.DiagnosticCollection;
  output: vscode.LogOutputChannel;
}

/** Where a local APIOps file deploys to. */
export interface ApiOpsTarget {
  file: vscode.Uri;
  session: InstanceSession;
  scope: PolicyScope;
  instanceUri: vscode.Uri;
}

export type PolicyCommandOutcome =
  | { command: 'compare'; shown: boolean; instanceHasPolicy: boolean }
  | { command: 'publish'; outcome: PublishOutcome | { kind: 'notConfirmed' } }
  | { command: 'pull'; pulled: boolean; reason?: string }
  | { command: 'delete'; deleted: boolean; reason?: string }
  /** A local file whose scope is not on the instance (the message names what is missing). */
  | { command: 'compare' | 'publish' | 'pull'; scopeMissing: string };

interface CommandOptions {
  confirm?: boolean;
}

export class PolicyCommands {
  lastOutcome: PolicyCommandOutcome | undefined;

  constructor(private readonly deps: PolicyCommandDeps) {}

  // ---- open ----------------------------------------------------------------------------------

  async openInstancePolicy(arg?: unknown): Promise<vscode.TextEditor | undefined> {
    const document = documentOf(arg) ?? (await this.pickDocument());
    if (!document) return undefined;
    const uri = vscode.Uri.parse(instanceDocumentUri(document));
    return vscode.window.showTextDocument(uri, { preview: false });
  }

  private async pickDocument(): Promise<InstanceDocument | undefined> {
    const session = await this.pickSession('Open a policy of which instance?');
    if (!session) return undefined;
    const clients = (await this.deps.manager.getAccess()).clients;
    const scope = await pickScope(clients, session, undefined);
    return scope ? { kind: 'policy', instanceId: session.instanceId, scope } : undefined;
  }

  private async pickSession(title: string): Promise<InstanceSession | undefined> {
    const sessions = this.deps.manager.sessions();
    if (sessions.length === 0) {
      void vscode.window.showWarningMessage('No API Management instance is connected: sign in and select one first.', 'Select Instance').then((choice) => {
        if (choice) void vscode.commands.executeCommand('apimPolicy.selectInstance');
      });
      return undefined;
    }
    if (sessions.length === 1) return sessions[0];
    const picked = await vscode.window.showQuickPick(sessions.map((s) => ({ label: s.resource.serviceName, description: s.resource.resourceGroup, session: s })), { title });
    return picked?.session;
  }

  // ---- APIOps files ----------------------------------------------------------------------------

  /** The scope and instance of a local policy.xml, or a message saying why there is none. */
  async apiOpsTarget(arg?: unknown): Promise<ApiOpsTarget | undefined> {
    const file = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!file || file.scheme === INSTANCE_SCHEME) {
      void vscode.window.showWarningMessage('Open a local policy.xml of an APIOps repository first (apis/<api>/policy.xml, products/<product>/policy.xml, …).');
      return undefined;
    }
    const segments = file.path.split('/').filter((s) => s !== '');
    const located = apiOpsScope(segments, (n) => {
      const folder = file.with({ path: `/${segments.slice(0, n).join('/')}` });
      if (segments[n - 1]?.toLowerCase() === 'apimartifacts') return true;
      return ARTIFACT_FOLDERS.some((name) => existsOnDisk(vscode.Uri.joinPath(folder, name)));
    });
    if (!located) {
      void vscode.window.showWarningMessage(`${path.basename(file.path)} is not in the APIOps layout (apis/<api>/policy.xml, apis/<api>/operations/<operation>/policy.xml, products/<product>/policy.xml, policy fragments/<fragment>/policy.xml, workspaces/<workspace>/…), so its scope on the instance is unknown.`);
      return undefined;
    }
    const folder = vscode.workspace.getWorkspaceFolder(file);
    const session = this.deps.manager.sessionForFolder(folder?.uri.toString());
    if (!session) {
      void vscode.window.showWarningMessage('No API Management instance is connected for this folder: sign in and select one (APIM Policy: Select Instance…).', 'Select Instance').then((choice) => {
        if (choice) void vscode.commands.executeCommand('apimPolicy.selectInstance');
      });
      return undefined;
    }
    const instanceUri = vscode.Uri.parse(instanceDocumentUri({ kind: 'policy', instanceId: session.instanceId, scope: located.scope }));
    return { file, session, scope: located.scope, instanceUri };
  }

  async compareWithInstance(arg?: unknown): Promise<void> {
    const target = await this.apiOpsTarget(arg);
    if (!target) return;
    const read = await this.readForFile(target, 'compare');
    if (!read) return;
    const hasPolicy = read.kind === 'found';
    const left = this.deps.fileSystem.snapshot(target.instanceUri, hasPolicy ? read.text : '');
    const title = `${relativeName(target.file)}: ${target.session.resource.serviceName} ↔ local${hasPolicy ? '' : ' (no policy on the instance)'}`;
    await vscode.commands.executeCommand('vscode.diff', left, target.file, title, { preview: false });
    this.lastOutcome = { command: 'compare', shown: true, instanceHasPolicy: hasPolicy };
  }

  async publishToInstance(arg?: unknown, options: CommandOptions = {}): Promise<void> {
    const target = await this.apiOpsTarget(arg);
    if (!target) return;
    const read = await this.readForFile(target, 'publish');
    if (!read) return;
    const document = await vscode.workspace.openTextDocument(target.file);
    const service = target.session.resource.serviceName;
    const what = describePolicyScope(target.scope);
    if (options.confirm !== false) {
      // The diff first, so the question is asked about something seen.
      const left = this.deps.fileSystem.snapshot(target.instanceUri, read.kind === 'found' ? read.text : '');
      await vscode.commands.executeCommand('vscode.diff', left, target.file, `${relativeName(target.file)}: ${service} ↔ local`, { preview: false });
      const choice = await vscode.window.showWarningMessage(`Publish ${relativeName(target.file)} as ${what} on ${service}?`,
        { modal: true, detail: read.kind === 'found' ? 'The diff shows what changes on the instance.' : 'The instance has no policy there yet; this creates it.' }, 'Publish');
      if (choice !== 'Publish') {
        this.lastOutcome = { command: 'publish', outcome: { kind: 'notConfirmed' } };
        return;
      }
    }
    const clients = (await this.deps.manager.getAccess()).clients;
    this.deps.problems.delete(target.file);
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Publishing ${what} to ${service}…` }, () =>
      publishPolicy(clients, {
        instanceId: target.session.instanceId, serviceName: service, scope: target.scope, text: document.getText(),
        baseEtag: read.kind === 'found' ? read.etag : undefined, description: read.kind === 'found' ? read.description : undefined, confirm: false,
      }, publishPrompts(this.deps.fileSystem, target.file, target.instanceUri)));
    this.lastOutcome = { command: 'publish', outcome };
    await this.reportPublish(target, document, outcome);
  }

  private async reportPublish(target: ApiOpsTarget, document: vscode.TextDocument, outcome: PublishOutcome): Promise<void> {
    const service = target.session.resource.serviceName;
    const what = describePolicyScope(target.scope);
    switch (outcome.kind) {
      case 'published':
        this.deps.tree.notePolicy(target.session.instanceId, target.scope, true);
        await this.deps.fileSystem.reloadClean([target.instanceUri]);
        void vscode.window.showInformationMessage(`Published ${relativeName(target.file)} as ${what} on ${service}${outcome.overwrote ? ' (over the newer version there, as you chose)' : ''}.`);
        return;
      case 'conflict':
        void vscode.window.showWarningMessage(outcome.choice === 'merge'
          ? `Not published: take what you need from ${service}'s version (left in the diff) into the local file, then publish again.`
          : `Not published: ${what} changed on ${service}; the local file is unchanged.`);
        return;
      case 'rejected': {
        this.deps.problems.set(document.uri, outcome.problems.map((p) => {
          const diagnostic = new vscode.Diagnostic(new vscode.Range(p.line, p.character, p.line, p.character + p.length), p.message, vscode.DiagnosticSeverity.Error);
          diagnostic.source = 'API Management (on publish)';
          diagnostic.code = outcome.error.code ?? 'ValidationError';
          return diagnostic;
        }));
        void vscode.window.showErrorMessage(`API Management rejected ${relativeName(target.file)}: ${outcome.problems.map((p) => p.message).join(' · ')}`);
        return;
      }
      case 'scopeMissing':
        void vscode.window.showErrorMessage(`Not published: ${outcome.missing} does not exist on ${service}.`);
        return;
      case 'failed':
        await showAzureError(new AzureAccessError(outcome.error), { output: this.deps.output }, 'Not published');
        return;
      case 'cancelled':
        return;
    }
  }

  async pullFromInstance(arg?: unknown, options: CommandOptions = {}): Promise<void> {
    const target = await this.apiOpsTarget(arg);
    if (!target) return;
    const read = await this.readForFile(target, 'pull');
    if (!read) return;
    const service = target.session.resource.serviceName;
    if (read.kind !== 'found') {
      this.lastOutcome = { command: 'pull', pulled: false, reason: 'no policy on the instance' };
      void vscode.window.showInformationMessage(`${capitalize(describePolicyScope(target.scope))} has no policy of its own on ${service}; nothing to pull.`);
      return;
    }
    const document = await vscode.workspace.openTextDocument(target.file);
    if (document.getText() === read.text) {
      this.lastOutcome = { command: 'pull', pulled: false, reason: 'already the same' };
      void vscode.window.showInformationMessage(`${relativeName(target.file)} is already what ${service} has.`);
      return;
    }
    if (options.confirm !== false) {
      const choice = await vscode.window.showWarningMessage(`Replace ${relativeName(target.file)} with ${describePolicyScope(target.scope)} from ${service}?`,
        { modal: true, detail: 'The replacement is an ordinary edit: Undo brings your text back.' }, 'Replace');
      if (choice !== 'Replace') {
        this.lastOutcome = { command: 'pull', pulled: false, reason: 'not confirmed' };
        return;
      }
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), read.text);
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied) await vscode.window.showTextDocument(document, { preview: false });
    this.lastOutcome = { command: 'pull', pulled: applied };
  }

  /** Reads the instance's version for a local file; says so and returns undefined when the scope is not there. */
  private async readForFile(target: ApiOpsTarget, command: 'compare' | 'publish' | 'pull') {
    const clients = (await this.deps.manager.getAccess()).clients;
    const read = await readPolicy(clients, target.session.instanceId, target.scope);
    if (read.kind === 'scopeMissing') {
      this.lastOutcome = { command, scopeMissing: read.missing };
      void vscode.window.showErrorMessage(`${capitalize(read.missing)} does not exist on ${target.session.resource.serviceName}, so ${relativeName(target.file)} has no counterpart there.`);
      return undefined;
    }
    return read;
  }

  // ---- delete, refresh, filter ----------------------------------------------------------------

  async deletePolicy(arg?: unknown, options: CommandOptions = {}): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const document = documentOf(arg) ?? (active?.scheme === INSTANCE_SCHEME ? documentOf(active) : undefined) ?? (await this.pickDocument());
    if (!document || document.kind !== 'policy') return;
    const session = this.deps.manager.session(document.instanceId);
    if (!session) return;
    const service = session.resource.serviceName;
    const what = describePolicyScope(document.scope);
    if (document.scope.kind === 'fragment') {
      void vscode.window.showWarningMessage('Fragments are deleted with the portal or your deployment pipeline: other policies may include them.');
      return;
    }
    const clients = (await this.deps.manager.getAccess()).clients;
    const read = await readPolicy(clients, document.instanceId, document.scope);
    if (read.kind !== 'found') {
      this.lastOutcome = { command: 'delete', deleted: false, reason: read.kind === 'absent' ? 'no policy' : read.missing };
      void vscode.window.showInformationMessage(read.kind === 'absent' ? `${capitalize(what)} has no policy of its own on ${service}.` : `${capitalize(read.missing)} does not exist on ${service}.`);
      return;
    }
    if (options.confirm !== false) {
      const choice = await vscode.window.showWarningMessage(`Delete ${what} on ${service}?`,
        { modal: true, detail: 'The scope then inherits everything from the enclosing scope. This cannot be undone here; the text stays in any open editor.' }, 'Delete');
      if (choice !== 'Delete') {
        this.lastOutcome = { command: 'delete', deleted: false, reason: 'not confirmed' };
        return;
      }
    }
    try {
      await deletePolicy(clients, document.instanceId, document.scope, read.etag);
    } catch (e) {
      this.lastOutcome = { command: 'delete', deleted: false, reason: classifyError(e).kind };
      await showAzureError(e, { output: this.deps.output }, `Not deleted`);
      return;
    }
    this.lastOutcome = { command: 'delete', deleted: true };
    this.deps.tree.notePolicy(document.instanceId, document.scope, false);
    const uri = vscode.Uri.parse(instanceDocumentUri(document));
    if (!vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.toString() === uri.toString())) this.deps.fileSystem.forget(uri);
    void vscode.window.showInformationMessage(`Deleted ${what} on ${service}.`);
  }

  async refreshPolicies(node?: PolicyTreeNode): Promise<void> {
    this.deps.tree.refresh(isTreeNode(node) ? node : undefined);
    if (isTreeNode(node)) return;
    const open = vscode.workspace.textDocuments.map((d) => d.uri).filter((u) => u.scheme === INSTANCE_SCHEME && !u.query);
    const changed = await this.deps.fileSystem.reloadClean(open);
    if (changed > 0) void vscode.window.showInformationMessage(`${changed} open instance ${changed === 1 ? 'policy was' : 'policies were'} changed on the instance and reloaded.`);
  }

  async filterPolicies(text?: unknown): Promise<void> {
    const value = typeof text === 'string' ? text : await vscode.window.showInputBox({
      title: 'Filter Policies',
      prompt: 'List only APIs, products and fragments whose name contains this text (empty shows all)',
      value: this.deps.tree.filter ?? '',
    });
    if (value === undefined) return;
    this.deps.tree.setFilter(value);
    this.deps.treeView.description = this.deps.tree.filter ? `filter: "${this.deps.tree.filter}"` : undefined;
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.policiesFiltered, this.deps.tree.filter !== undefined);
  }

  async loadMore(node?: unknown): Promise<void> {
    if (isTreeNode(node) && 'loadMore' in node) await (node as FolderNode).loadMore();
  }
}

// ---- quick picks ---------------------------------------------------------------------------------

interface ScopeItem extends vscode.QuickPickItem {
  choose?: () => Promise<PolicyScope | undefined>;
}

/** Global policy, APIs (then an API's operations and revisions), products, fragments and workspaces; filled as pages arrive. */
async function pickScope(clients: ApimClientSource, session: InstanceSession, workspace: string | undefined): Promise<PolicyScope | undefined> {
  const instanceId = session.instanceId;
  const where = workspace === undefined ? session.resource.serviceName : `workspace "${workspace}"`;
  const sections: Array<{ label: string; pages: () => Pages<unknown>; item: (value: unknown) => ScopeItem }> = [
    {
      label: 'APIs',
      pages: () => listApis(clients, instanceId, { workspace }),
      item: (value) => {
        const api = value as { name: string; displayName: string; path?: string };
        return { label: `$(plug) ${api.displayName}`, description: api.path !== undefined ? `/${api.path}` : api.name, choose: () => pickInApi(clients, session, workspace, api.name, api.displayName) };
      },
    },
    {
      label: 'Products',
      pages: () => listProducts(clients, instanceId, { workspace }),
      item: (value) => {
        const product = value as { name: string; displayName: string };
        return { label: `$(package) ${product.displayName}`, description: 'product', choose: () => Promise.resolve(inWorkspace({ kind: 'product', product: product.name }, workspace)) };
      },
    },
    {
      label: 'Policy fragments',
      pages: () => listFragments(clients, instanceId, { workspace }),
      item: (value) => {
        const fragment = value as { name: string; description?: string };
        return { label: `$(symbol-snippet) ${fragment.name}`, description: fragment.description ?? 'fragment', choose: () => Promise.resolve(inWorkspace({ kind: 'fragment', fragment: fragment.name }, workspace)) };
      },
    },
  ];
  if (workspace === undefined) {
    sections.push({
      label: 'Workspaces',
      pages: () => listWorkspaces(clients, instanceId),
      item: (value) => {
        const ws = value as { name: string; displayName: string };
        return { label: `$(organization) ${ws.displayName}`, description: 'workspace', choose: () => pickScope(clients, session, ws.name) };
      },
    });
  }
  const first: ScopeItem = workspace === undefined
    ? { label: '$(globe) Global policy', description: 'all APIs', choose: () => Promise.resolve({ kind: 'global' }) }
    : { label: '$(globe) Workspace policy', description: `all APIs of ${where}`, choose: () => Promise.resolve({ kind: 'global' as const, workspace }) };
  const chosen = await progressivePick(`Open a policy of ${where}`, 'Type to filter APIs, products, fragments…', [first], sections);
  return chosen?.choose?.();
}

async function pickInApi(clients: ApimClientSource, session: InstanceSession, workspace: string | undefined, api: string, displayName: string): Promise<PolicyScope | undefined> {
  const [operations, revisions] = await Promise.all([
    listOperations(clients, session.instanceId, api, { workspace }),
    api.includes(';rev=') ? Promise.resolve([]) : listRevisions(clients, session.instanceId, api, { workspace }),
  ]);
  const items: ScopeItem[] = [
    { label: `$(file-code) API policy`, description: displayName, choose: () => Promise.resolve(inWorkspace({ kind: 'api', api }, workspace)) },
    { label: 'Operations', kind: vscode.QuickPickItemKind.Separator },
    ...operations.map((op): ScopeItem => ({
      label: op.displayName, description: `${op.method} ${op.urlTemplate}`, choose: () => Promise.resolve(inWorkspace({ kind: 'operation', api, operation: op.name }, workspace)),
    })),
  ];
  const others = revisions.filter((r) => !r.isCurrent);
  if (others.length > 0) {
    items.push({ label: 'Revisions', kind: vscode.QuickPickItemKind.Separator });
    for (const revision of others) {
      items.push({ label: `$(history) Revision ${revision.revision}`, description: revision.description ?? 'not current', choose: () => pickInApi(clients, session, workspace, revision.apiName, `${displayName} (revision ${revision.revision})`) });
    }
  }
  const chosen = await vscode.window.showQuickPick(items, { title: `${displayName}: open which policy?`, matchOnDescription: true });
  return chosen?.choose?.();
}

/** A quick pick that shows `first` at once and each section's pages as they arrive (busy until all are in). */
function progressivePick(title: string, placeholder: string, first: ScopeItem[], sections: Array<{ label: string; pages: () => Pages<unknown>; item: (value: unknown) => ScopeItem }>): Promise<ScopeItem | undefined> {
  const pick = vscode.window.createQuickPick<ScopeItem>();
  pick.title = title;
  pick.placeholder = placeholder;
  pick.matchOnDescription = true;
  pick.busy = true;
  const sectionItems = sections.map(() => [] as ScopeItem[]);
  const render = () => {
    const active = pick.activeItems;
    pick.items = [...first, ...sections.flatMap((section, i) => (sectionItems[i].length ? [{ label: section.label, kind: vscode.QuickPickItemKind.Separator }, ...sectionItems[i]] : []))];
    pick.activeItems = active.filter((a) => pick.items.includes(a));
  };
  render();
  let closed = false;
  void Promise.all(sections.map(async (section, i) => {
    const pages = section.pages();
    for (;;) {
      if (closed) return;
      const page = await pages.next();
      sectionItems[i].push(...page.items.map(section.item));
      render();
      if (!page.more) return;
    }
  })).catch((e: unknown) => {
    pick.placeholder = `Some items could not be loaded: ${classifyError(e).userMessage}`;
  }).finally(() => {
    pick.busy = false;
  });
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]);
      pick.hide();
    });
    pick.onDidHide(() => {
      closed = true;
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

// ---- arguments -----------------------------------------------------------------------------------

function isTreeNode(value: unknown): value is PolicyTreeNode {
  return typeof value === 'object' && value !== null && typeof (value as { getTreeItem?: unknown }).getTreeItem === 'function';
}

/** An instance document from a tree node, an InstanceDocument, or an `apim-instance:` URI (object or string). */
function documentOf(arg: unknown): InstanceDocument | undefined {
  if (isTreeNode(arg)) return arg.getTreeItem().opens;
  if (arg instanceof vscode.Uri) return arg.scheme === INSTANCE_SCHEME ? parseInstanceDocumentPath(arg.path) : undefined;
  if (typeof arg === 'string' && arg.startsWith(`${INSTANCE_SCHEME}:`)) return parseInstanceDocumentPath(vscode.Uri.parse(arg).path);
  if (typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'policy' && typeof (arg as { instanceId?: unknown }).instanceId === 'string') {
    return arg as InstanceDocument;
  }
  return undefined;
}

function relativeName(file: vscode.Uri): string {
  return vscode.workspace.asRelativePath(file, false);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** APIOps repositories are local folders; elsewhere only a folder named `apimartifacts` counts as a root. */
function existsOnDisk(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && fs.existsSync(uri.fsPath);
}
