/**
 * What `activate()` returns — for in-host integration tests and for other
 * extensions. Everything here is read-mostly; changes go through commands
 * (`vscode.commands.executeCommand(COMMANDS.x, …)`) like a user's would.
 *
 * Typical in-host test:
 *   const api = (await vscode.extensions.getExtension(id)!.activate()) as ApimPolicyExtensionApi;
 *   await api.connection.ready;
 *   await vscode.workspace.getConfiguration().update('apimPolicy.instance', emu.instanceId, ConfigurationTarget.Workspace);
 *   await api.connection.whenIdle();                    // loads finished (no sleeps)
 *   const [root] = api.namedValues.getChildren();       // the instance node
 *   const items = api.namedValues.getChildren(root).map((n) => api.namedValues.getTreeItem(n));
 */
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { InstanceMetadata } from '../../protocol/protocol';
import type { AuthState, ConnectionManager, ConnectionState, InstanceRefreshResult } from './connection/connectionManager';
import type { DoctorReport } from './keyVaultDoctor/diagnose';
import type { DoctorNode } from './keyVaultDoctor/presentation';
import type { SessionSnapshot } from './connection/instanceSession';
import type { MetadataSent } from './connection/languageClientSink';
import type { StatusBarPresentation } from './namedValues/instanceModel';
import type { FilterMode } from './namedValues/model';
import type { RefreshReport } from './namedValues/refreshFlow';
import type { NamedValuesTreeNode } from './namedValues/treeNodes';
import type { UsageSearchResult } from './namedValues/usages';
import type { PolicyCommandOutcome } from './policies/commands';
import type { PublishOutcome } from './policies/publish';
import type { InstanceBrowser, PolicyTreeNode } from './policies/treeModel';

export interface ConnectionApi {
  /** 'signedOut' | 'noInstance' | 'loading' | 'connected' | 'stale' | 'error' */
  readonly state: ConnectionState;
  readonly authState: AuthState;
  /** Settles when the first sign-in check and configuration are done. */
  readonly ready: Promise<void>;
  /** One snapshot per connected instance (metadata, stale marker, errors, running refreshes). */
  snapshots(): SessionSnapshot[];
  /** Current metadata of an instance (default: the first), as sent to the server (no secret values). */
  metadata(instanceId?: string): InstanceMetadata | undefined;
  /** Fires on every state change (load start/end, Key Vault refresh, sign-in). */
  readonly onDidChange: vscode.Event<void>;
  /** Reload every instance from Azure (no UI). */
  refresh(): Promise<InstanceRefreshResult[]>;
  /** Resolves when no load or Key Vault refresh is running. */
  whenIdle(): Promise<void>;
  /** The state machine itself, for assertions beyond the above. */
  readonly manager: ConnectionManager;
}

export interface NamedValuesApi {
  readonly treeProvider: vscode.TreeDataProvider<NamedValuesTreeNode>;
  readonly treeView: vscode.TreeView<NamedValuesTreeNode>;
  /** Roots (instances) without an argument, an instance's rows with one. */
  getChildren(element?: NamedValuesTreeNode): NamedValuesTreeNode[];
  /** The TreeItem VS Code renders, tooltip resolved. */
  getTreeItem(element: NamedValuesTreeNode): vscode.TreeItem;
  readonly filter: FilterMode;
  setFilter(mode: FilterMode): void;
  /** Summary of the last Key Vault refresh command. */
  readonly lastRefreshReport: RefreshReport | undefined;
  /** Result of the last Find Usages command. */
  readonly lastUsageSearch: UsageSearchResult | undefined;
  /** What the last Create / Edit / Delete Named Value did. */
  readonly lastWrite: string | undefined;
}

export interface KeyVaultDoctorApi {
  readonly treeView: vscode.TreeView<DoctorNode>;
  /** The diagnosis the Key Vault Doctor view shows (no secret values: at most a length). */
  readonly report: DoctorReport | undefined;
  /** What the last fix did and how the reference stood after the refresh. */
  readonly lastFixMessage: string | undefined;
  getChildren(element?: DoctorNode): DoctorNode[];
  getTreeItem(element: DoctorNode): vscode.TreeItem;
}

export interface PoliciesApi {
  readonly treeProvider: vscode.TreeDataProvider<PolicyTreeNode>;
  readonly treeView: vscode.TreeView<PolicyTreeNode>;
  /** One root per connected instance. */
  roots(): InstanceBrowser[];
  /** Roots without an argument; a node's children (loading them from the instance if needed) with one. */
  getChildren(element?: PolicyTreeNode): Promise<PolicyTreeNode[]>;
  getTreeItem(element: PolicyTreeNode): vscode.TreeItem;
  /** What Filter Policies… does with the text ('' shows everything). */
  setFilter(text: string | undefined): Promise<void>;
  /** The last save of an instance document (a publish) and how it ended. */
  readonly lastPublish: { uri: string; outcome: PublishOutcome } | undefined;
  /** How the last Compare / Publish / Pull / Delete command ended. */
  readonly lastOutcome: PolicyCommandOutcome | undefined;
  /** The ETag an open instance document is based on. */
  baseEtag(uri: vscode.Uri): string | undefined;
  /** APIM's validation problems from the last rejected publishes. */
  readonly problems: vscode.DiagnosticCollection;
}

export interface StatusBarApi {
  readonly item: vscode.StatusBarItem;
  /** Text, tooltip, warning flag and command as last rendered. */
  readonly presentation: StatusBarPresentation;
}

export interface StartupApi {
  /** `Date.now()` when `activate()` began. */
  readonly activatedAt: number;
  /** Every instance-metadata notification that reached the language server, oldest first (the last 50). */
  readonly metadataSent: readonly MetadataSent[];
}

export interface ApimPolicyExtensionApi {
  /** Undefined when the language server could not start (the panel still works). */
  readonly languageClient: LanguageClient | undefined;
  readonly startup: StartupApi;
  readonly connection: ConnectionApi;
  readonly namedValues: NamedValuesApi;
  readonly keyVaultDoctor: KeyVaultDoctorApi;
  readonly policies: PoliciesApi;
  readonly statusBar: StatusBarApi;
}
