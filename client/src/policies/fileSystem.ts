/**
 * `apim-instance:` documents: the instance's policies and fragments as
 * editable documents (nothing is written to disk), named values' read-only
 * definitions, and read-only snapshots (`?snapshot=n`) for diffs.
 *
 * Reading keeps the ETag the text came with; saving publishes with If-Match
 * set to it (see publish.ts). The mtime VS Code sees changes only when the
 * text we hold changes (a publish, or a reload of a document without unsaved
 * edits), so VS Code's own "file is newer" check never fires on its own: the
 * instance's changes are caught by the ETag instead.
 */
import * as vscode from 'vscode';
import { INSTANCE_SCHEME, type InstanceDocument, parseInstanceDocumentPath, type PolicyScope } from '../../../protocol/instanceDocuments';
import { classifyError } from '../azure/errors';
import { allWorkspaceNamedValues } from '../azure/policyListing';
import { readPolicy } from '../azure/policies';
import { describePolicyScope } from '../azure/policyScopes';
import type { ConnectionManager } from '../connection/connectionManager';
import { inheritingPolicy } from './inheritingPolicy';
import { missingNamedValueJson, namedValueDefinitionJson } from './namedValueDocument';
import { type PublishOutcome, type PublishPrompts, publishPolicy } from './publish';

interface Entry {
  text: string;
  /** Undefined: the scope has no policy yet; saving creates it. */
  etag: string | undefined;
  description?: string;
  ctime: number;
  mtime: number;
}

export interface PolicyFileSystemDeps {
  manager: ConnectionManager;
  /** The `apimPolicy.policies.confirmPublish` setting. */
  confirmPublish(): boolean;
  /** Questions to the person while publishing `uri`. */
  prompts(uri: vscode.Uri): PublishPrompts;
  /** Where APIM's validation problems are shown. */
  problems: vscode.DiagnosticCollection;
  /** A scope gained or lost its policy (the tree's icons follow). */
  policyChanged(instanceId: string, scope: PolicyScope, present: boolean): void;
  log: vscode.LogOutputChannel;
}

const MAX_SNAPSHOTS = 50;

export class PolicyFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly snapshots = new Map<string, string>();
  private snapshotCounter = 0;
  /** The last publish through a save, for the API (tests) and the log. */
  lastPublish: { uri: string; outcome: PublishOutcome } | undefined;

  constructor(private readonly deps: PolicyFileSystemDeps) {}

  dispose(): void {
    this.changeEmitter.dispose();
  }

  // ---- FileSystemProvider ---------------------------------------------------------------

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const snapshot = this.snapshots.get(uri.toString());
    if (snapshot !== undefined) return readOnlyStat(snapshot);
    const target = this.target(uri);
    if (target.kind === 'named-value') return readOnlyStat(await this.namedValueText(target));
    const entry = await this.entry(uri, target);
    return { type: vscode.FileType.File, ctime: entry.ctime, mtime: entry.mtime, size: Buffer.byteLength(entry.text) };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const snapshot = this.snapshots.get(uri.toString());
    if (snapshot !== undefined) return Buffer.from(snapshot, 'utf8');
    const target = this.target(uri);
    if (target.kind === 'named-value') return Buffer.from(await this.namedValueText(target), 'utf8');
    return Buffer.from((await this.entry(uri, target)).text, 'utf8');
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    if (this.snapshots.has(uri.toString()) || uri.query) throw vscode.FileSystemError.NoPermissions('This is a read-only copy of the instance\'s version.');
    const target = this.target(uri);
    if (target.kind !== 'policy') throw vscode.FileSystemError.NoPermissions('Named values are not edited here.');
    const entry = await this.entry(uri, target);
    const text = Buffer.from(content).toString('utf8');
    const session = this.deps.manager.session(target.instanceId);
    const serviceName = session?.resource.serviceName ?? target.instanceId.split('/').pop() ?? target.instanceId;
    const access = await this.deps.manager.getAccess();
    this.deps.problems.delete(uri);
    const what = describePolicyScope(target.scope);
    const outcome = await publishPolicy(access.clients, {
      instanceId: target.instanceId, serviceName, scope: target.scope, text, baseEtag: entry.etag, description: entry.description,
      confirm: this.deps.confirmPublish(),
    }, this.deps.prompts(uri));
    this.lastPublish = { uri: uri.toString(), outcome };
    this.deps.log.info(`Publish of ${what} to ${serviceName}: ${outcome.kind}${outcome.kind === 'conflict' ? ` (${outcome.choice})` : ''}.`);
    switch (outcome.kind) {
      case 'published':
        this.remember(uri, { text, etag: outcome.etag, description: entry.description });
        this.deps.policyChanged(target.instanceId, target.scope, true);
        return;
      case 'cancelled':
        throw new vscode.FileSystemError(`Not published: you chose not to publish to ${serviceName}. Your text is kept.`);
      case 'conflict':
        if (outcome.choice === 'merge') {
          // The instance's version is now the base: the next save overwrites it only if it has not changed again.
          entry.etag = outcome.theirs.etag;
          throw new vscode.FileSystemError(`Not published: ${what} changed on ${serviceName}. Merge what you need from the instance's version (left in the diff) into yours, then save again.`);
        }
        throw new vscode.FileSystemError(`Not published: ${what} changed on ${serviceName} since you opened it. Your text is kept unsaved.`);
      case 'rejected': {
        this.showProblems(uri, outcome);
        const more = outcome.problems.length > 1 ? ` (and ${outcome.problems.length - 1} more; see the Problems panel)` : '';
        throw new vscode.FileSystemError(`API Management rejected ${what}: ${outcome.problems[0]?.message ?? outcome.error.message}${more}. Your text is kept.`);
      }
      case 'scopeMissing':
        throw new vscode.FileSystemError(`Not published: ${outcome.missing} no longer exists on ${serviceName}.`);
      case 'failed':
        throw new vscode.FileSystemError(`Not published: ${outcome.error.userMessage} Your text is kept; save again to retry.`);
    }
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Instance documents have no folders to create.');
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Use "APIM Policy: Delete Policy…" to delete a policy on the instance.');
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Instance policies cannot be renamed.');
  }

  // ---- for commands ------------------------------------------------------------------------

  /** A read-only document holding `text` (the instance's version at some moment), for diffs. */
  snapshot(of: vscode.Uri, text: string): vscode.Uri {
    const uri = of.with({ query: `snapshot=${++this.snapshotCounter}` });
    this.snapshots.set(uri.toString(), text);
    if (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value as string);
    return uri;
  }

  /** The ETag an open document's text is based on (undefined: no policy yet), if it was read. */
  baseEtag(uri: vscode.Uri): string | undefined {
    return this.entries.get(keyOf(uri))?.etag;
  }

  /**
   * Reads the instance again for documents without unsaved edits and shows what changed; documents with
   * unsaved edits keep their base (a save then meets the conflict and offers the diff).
   */
  async reloadClean(uris: readonly vscode.Uri[]): Promise<number> {
    const dirty = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => keyOf(d.uri)));
    let changed = 0;
    await Promise.all(uris.map(async (uri) => {
      const key = keyOf(uri);
      const target = parseInstanceDocumentPath(uri.path);
      if (dirty.has(key) || target?.kind !== 'policy' || uri.query) return;
      const before = this.entries.get(key);
      try {
        const fresh = await this.fetch(target);
        if (before && before.etag === fresh.etag && before.text === fresh.text) return;
        this.remember(uri, fresh);
        changed++;
      } catch (e) {
        this.deps.log.warn(`Could not reload ${uri.toString(true)}: ${classifyError(e).userMessage}`);
      }
    }));
    return changed;
  }

  /** After a delete: the document (if open and clean) shows the inheriting default again. */
  forget(uri: vscode.Uri): void {
    this.entries.delete(keyOf(uri));
    this.changeEmitter.fire([{ type: vscode.FileChangeType.Changed, uri: uri.with({ query: '' }) }]);
  }

  // ---- internals ---------------------------------------------------------------------------

  private target(uri: vscode.Uri): InstanceDocument {
    const target = parseInstanceDocumentPath(uri.path);
    if (!target) throw vscode.FileSystemError.FileNotFound(uri);
    return target;
  }

  private async entry(uri: vscode.Uri, target: InstanceDocument & { kind: 'policy' }): Promise<Entry> {
    const key = keyOf(uri);
    const known = this.entries.get(key);
    if (known) return known;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.fetch(target).then((fresh) => this.remember(uri, fresh, false));
      this.loading.set(key, pending);
      void pending.then(() => this.loading.delete(key), () => this.loading.delete(key));
    }
    return pending;
  }

  private async fetch(target: InstanceDocument & { kind: 'policy' }): Promise<Omit<Entry, 'ctime' | 'mtime'>> {
    const session = this.deps.manager.session(target.instanceId);
    if (!session) {
      throw vscode.FileSystemError.Unavailable(`The instance ${target.instanceId.split('/').pop()} is not connected: sign in and select it (APIM Policy: Select Instance…).`);
    }
    let read;
    try {
      const access = await this.deps.manager.getAccess();
      read = await readPolicy(access.clients, target.instanceId, target.scope);
    } catch (e) {
      throw vscode.FileSystemError.Unavailable(`Could not read ${describePolicyScope(target.scope)}: ${classifyError(e).userMessage}`);
    }
    if (read.kind === 'scopeMissing') throw vscode.FileSystemError.FileNotFound(`${read.missing} does not exist on ${session.resource.serviceName}.`);
    if (read.kind === 'absent') return { text: inheritingPolicy(target.scope), etag: undefined };
    return { text: read.text, etag: read.etag, description: read.description };
  }

  /** Stores what we now hold for `uri`; a later version gets a later mtime, and open editors reload. */
  private remember(uri: vscode.Uri, fresh: Omit<Entry, 'ctime' | 'mtime'>, announce = true): Entry {
    const key = keyOf(uri);
    const before = this.entries.get(key);
    const now = Date.now();
    const entry: Entry = { ...fresh, ctime: before?.ctime ?? now, mtime: Math.max(now, (before?.mtime ?? 0) + 1) };
    this.entries.set(key, entry);
    if (announce && before) this.changeEmitter.fire([{ type: vscode.FileChangeType.Changed, uri: uri.with({ query: '' }) }]);
    return entry;
  }

  private async namedValueText(target: InstanceDocument & { kind: 'named-value' }): Promise<string> {
    const session = this.deps.manager.session(target.instanceId);
    if (!session) return missingNamedValueJson(target.name, 'cannot be shown: its instance is not connected; select it and sign in.');
    if (target.workspace === undefined) {
      const nv = session.findNamedValue(target.name);
      return nv ? namedValueDefinitionJson(nv, session.instanceId) : missingNamedValueJson(target.name, "is not in the instance's metadata; refresh the named values.");
    }
    try {
      const access = await this.deps.manager.getAccess();
      const values = await allWorkspaceNamedValues(access.clients, target.instanceId, target.workspace);
      const nv = values.find((v) => v.displayName.toLowerCase() === target.name.toLowerCase() || v.name.toLowerCase() === target.name.toLowerCase());
      return nv ? namedValueDefinitionJson(nv, session.instanceId, target.workspace) : missingNamedValueJson(target.name, `is not in workspace "${target.workspace}".`);
    } catch (e) {
      return missingNamedValueJson(target.name, `could not be read: ${classifyError(e).userMessage}`);
    }
  }

  private showProblems(uri: vscode.Uri, outcome: PublishOutcome & { kind: 'rejected' }): void {
    this.deps.problems.set(uri, outcome.problems.map((p) => {
      const range = new vscode.Range(p.line, p.character, p.line, p.character + p.length);
      const diagnostic = new vscode.Diagnostic(range, p.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'API Management (on publish)';
      diagnostic.code = outcome.error.code ?? 'ValidationError';
      return diagnostic;
    }));
  }
}

function keyOf(uri: vscode.Uri): string {
  return uri.with({ query: '', fragment: '' }).toString();
}

function readOnlyStat(text: string): vscode.FileStat {
  return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: Buffer.byteLength(text), permissions: vscode.FilePermission.Readonly };
}

export function registerPolicyFileSystem(context: vscode.ExtensionContext, deps: PolicyFileSystemDeps): PolicyFileSystem {
  const provider = new PolicyFileSystem(deps);
  context.subscriptions.push(provider, vscode.workspace.registerFileSystemProvider(INSTANCE_SCHEME, provider, { isCaseSensitive: false }));
  return provider;
}
