/**
 * Named value commands (panel, palette and tests): refresh, Key Vault
 * refresh, filter, copy / insert reference, reveal, go to definition, find
 * usages. Decisions live in the vscode-free modules next to this one; this
 * file only talks to VS Code. Each handler ends in a message, never in an
 * unhandled rejection (`safeCommand`).
 */
import * as vscode from 'vscode';
import type { NamedValueInfo } from '../../../protocol/protocol';
import { instanceDocumentUri } from '../../../protocol/instanceDocuments';
import type { ConnectionController } from '../connection/connectionController';
import type { InstanceSession } from '../connection/instanceSession';
import { COMMANDS, CONTEXT_KEYS, NAMED_VALUES_VIEW_ID } from '../contributions';
import { POLICY_LANGUAGE_ID } from '../languageClient';
import { safeCommand, showAzureError } from '../ui';
import { APIOPS_NAMED_VALUE_GLOB, matchApiOpsNamedValue } from './apiops';
import { FILTER_LABELS, FILTER_MODES, type FilterMode, isKeyVaultFailed, namedValueReference } from './model';
import { failedKeyVaultNames, keyVaultPickRows, REFRESH_CONCURRENCY, refreshProgressMessage, type RefreshReport, summarizeRefresh } from './refreshFlow';
import { isInstanceNode, isNamedValueNode, type NamedValuesTreeNode } from './treeNodes';
import type { NamedValuesTreeProvider } from './treeProvider';
import { type NamedValueTarget, TargetResolver } from './targets';
import type { UsageSearchResult } from './usages';
import { searchWorkspaceUsages, usageLocations, WORKSPACE_EXCLUDE_GLOB } from './workspaceUsages';


export interface NamedValueCommandsDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  controller: ConnectionController;
  tree: NamedValuesTreeProvider;
  treeView: vscode.TreeView<NamedValuesTreeNode>;
}

export class NamedValueCommands {
  /** Result of the last Key Vault refresh, for tests and the API. */
  lastRefreshReport: RefreshReport | undefined;
  /** Result of the last Find Usages, for tests and the API. */
  lastUsageSearch: UsageSearchResult | undefined;

  private readonly targets: TargetResolver;

  constructor(private readonly deps: NamedValueCommandsDeps) {
    const { context, output } = deps;
    this.targets = new TargetResolver(deps.controller.manager);
    const register = <A extends unknown[]>(id: string, handler: (...args: A) => unknown) =>
      context.subscriptions.push(vscode.commands.registerCommand(id, safeCommand(output, id, handler)));
    register(COMMANDS.refreshNamedValues, (arg?: unknown) => this.refreshNamedValues(arg));
    register(COMMANDS.refreshKeyVaultSecret, (arg?: unknown, selection?: unknown) => this.refreshKeyVaultSecret(arg, selection));
    register(COMMANDS.refreshFailedKeyVaultSecrets, (arg?: unknown) => this.refreshFailed(arg));
    register(COMMANDS.filterNamedValues, (mode?: unknown) => this.chooseFilter(mode));
    register(COMMANDS.showFailedNamedValues, () => this.showFailed());
    register(COMMANDS.copyReference, (arg?: unknown) => this.copyReference(arg));
    register(COMMANDS.insertReference, (arg?: unknown) => this.insertReference(arg));
    register(COMMANDS.revealValue, (arg?: unknown) => this.revealValue(arg));
    register(COMMANDS.goToDefinition, (arg?: unknown) => this.goToDefinition(arg));
    register(COMMANDS.findUsages, (arg?: unknown) => this.findUsages(arg));
    this.applyFilter(deps.tree.filter);
    context.subscriptions.push(deps.controller.manager.onDidChange(() => this.updateViewDescription()));
  }

  private get manager() {
    return this.deps.controller.manager;
  }

  private pickSession(arg?: unknown): Promise<InstanceSession | undefined> {
    return this.targets.pickSession(arg);
  }

  private resolveTarget(arg: unknown, placeHolder: string, accept?: (nv: NamedValueInfo) => boolean): Promise<NamedValueTarget | undefined> {
    return this.targets.resolveTarget(arg, placeHolder, accept);
  }

  // ---- refresh ---------------------------------------------------------------

  async refreshNamedValues(arg?: unknown): Promise<void> {
    if (this.manager.sessions().length === 0) {
      await this.pickSession();
      return;
    }
    const instanceId = typeof arg === 'string' ? arg : isInstanceNode(arg) ? arg.instanceId : undefined;
    const results = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Refreshing named values', cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return this.manager.refresh({
          instanceId,
          signal: controller.signal,
          onProgress: (p) => progress.report({ message: p.message }),
        });
      },
    );
    for (const result of results) {
      if (result.outcome.ok) continue;
      const { error, keptMetadata } = result.outcome;
      await showAzureError(
        error,
        { output: this.deps.output, retry: () => this.refreshNamedValues(result.instanceId) },
        `Refreshing ${result.serviceName} failed${keptMetadata ? ' (showing the last known data)' : ''}`,
      );
    }
  }

  async refreshKeyVaultSecret(arg?: unknown, selection?: unknown): Promise<void> {
    // From the panel: the clicked item, or every selected Key Vault item.
    const nodes = (Array.isArray(selection) && selection.length > 1 ? selection : [arg]).filter(isNamedValueNode).filter((n) => n.namedValue.kind === 'keyVault');
    if (nodes.length > 0) {
      const session = this.manager.session(nodes[0].instanceId);
      if (session) await this.runSecretRefresh(session, nodes.filter((n) => n.instanceId === session.instanceId).map((n) => n.namedValue.name));
      return;
    }
    if (typeof arg === 'string' && !this.manager.session(arg)) {
      const target = await this.resolveTarget(arg, '');
      if (target?.namedValue.kind === 'keyVault') await this.runSecretRefresh(target.session, [target.namedValue.name]);
      else if (target) void vscode.window.showWarningMessage(`"${target.namedValue.displayName}" is not a Key Vault reference.`);
      return;
    }
    const session = await this.pickSession(arg);
    if (!session) return;
    const rows = keyVaultPickRows(session.currentMetadata, session.snapshot.refreshing, Date.now());
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(`${session.resource.serviceName} has no Key Vault named values.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(rows, {
      canPickMany: true,
      title: `Refresh Key Vault secrets of ${session.resource.serviceName}`,
      placeHolder: 'Pick the named values to refresh (failing ones are preselected)',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked || picked.length === 0) return;
    await this.runSecretRefresh(session, picked.map((row) => row.name));
  }

  async refreshFailed(arg?: unknown): Promise<void> {
    const sessions = isInstanceNode(arg) || typeof arg === 'string' ? [await this.pickSession(arg)].filter((s): s is InstanceSession => !!s) : this.manager.sessions();
    if (sessions.length === 0) {
      await this.pickSession();
      return;
    }
    let any = false;
    for (const session of sessions) {
      const names = failedKeyVaultNames(session.currentMetadata);
      if (names.length === 0) continue;
      any = true;
      await this.runSecretRefresh(session, names);
    }
    if (!any) void vscode.window.showInformationMessage('No Key Vault secrets are failing.');
  }

  /** Refreshes with progress "3 of 12 — name", cancellable, then shows the summary. */
  private async runSecretRefresh(session: InstanceSession, names: string[]): Promise<RefreshReport> {
    const displayName = (name: string) => session.findNamedValue(name)?.displayName ?? name;
    const summary = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: names.length === 1 ? `Refreshing Key Vault secret "${displayName(names[0])}"` : `Refreshing ${names.length} Key Vault secrets`,
        cancellable: true,
      },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: `0 of ${names.length}` });
        return session.refreshSecrets(names, {
          signal: controller.signal,
          concurrency: REFRESH_CONCURRENCY,
          onProgress: (done, total, name) => progress.report({ message: refreshProgressMessage(done, total, displayName(name)), increment: 100 / total }),
        });
      },
    );
    const report = summarizeRefresh(summary, session.currentMetadata);
    this.lastRefreshReport = report;
    if (report.detail) this.deps.output.info(`${report.message}\n${report.detail}`);
    this.showRefreshReport(session, report).catch((e: unknown) => this.deps.output.error(`Showing the refresh summary failed: ${String(e)}`));
    return report;
  }

  private async showRefreshReport(session: InstanceSession, report: RefreshReport): Promise<void> {
    if (report.severity === 'info') {
      void vscode.window.showInformationMessage(report.message);
      return;
    }
    const first = report.stillFailing[0];
    const text = report.stillFailing.length === 1 && first ? `${report.message} ${first.displayName}: ${first.advice}` : report.message;
    const choice = await vscode.window.showWarningMessage(text, 'Show Details', 'Retry Failed');
    if (choice === 'Show Details') {
      await vscode.window.showWarningMessage(report.message, { modal: true, detail: report.detail });
    } else if (choice === 'Retry Failed') {
      await this.refreshFailed(session.instanceId);
    }
  }

  // ---- filter ----------------------------------------------------------------

  async chooseFilter(mode?: unknown): Promise<void> {
    if (typeof mode === 'string' && (FILTER_MODES as readonly string[]).includes(mode)) {
      this.applyFilter(mode as FilterMode);
      return;
    }
    const current = this.deps.tree.filter;
    const picked = await vscode.window.showQuickPick(
      FILTER_MODES.map((m) => ({ label: `${m === current ? '$(check)' : '$(blank)'} ${FILTER_LABELS[m]}`, mode: m })),
      { placeHolder: 'Show which named values?' },
    );
    if (picked) this.applyFilter(picked.mode);
  }

  applyFilter(mode: FilterMode): void {
    this.deps.tree.filter = mode;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.filter, mode).then(undefined, () => undefined);
    this.updateViewDescription();
  }

  private updateViewDescription(): void {
    const mode = this.deps.tree.filter;
    this.deps.treeView.description = mode === 'all' ? undefined : `${mode === 'keyVault' ? 'Key Vault only' : 'Failed only'} (${this.deps.tree.shownCount()})`;
  }

  async showFailed(): Promise<void> {
    const failing = this.manager.sessions().some((s) => s.currentMetadata?.namedValues.some(isKeyVaultFailed));
    if (failing) this.applyFilter('failed');
    await vscode.commands.executeCommand(`${NAMED_VALUES_VIEW_ID}.focus`);
  }

  // ---- item actions ----------------------------------------------------------

  async copyReference(arg?: unknown): Promise<void> {
    const target = await this.resolveTarget(arg, 'Copy the reference of which named value?');
    if (!target) return;
    const reference = namedValueReference(target.namedValue);
    await vscode.env.clipboard.writeText(reference);
    vscode.window.setStatusBarMessage(`Copied ${reference}`, 3000);
  }

  async insertReference(arg?: unknown): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Open a policy file to insert a named value reference into.');
      return;
    }
    const target = await this.resolveTarget(arg, 'Insert a reference to which named value?');
    if (!target) return;
    if (editor.document.languageId !== POLICY_LANGUAGE_ID && editor.document.languageId !== 'xml') {
      const go = await vscode.window.showWarningMessage(`The active file is not a policy (${editor.document.languageId}). Insert anyway?`, 'Insert');
      if (!go) return;
    }
    const reference = namedValueReference(target.namedValue);
    await editor.edit((edit) => {
      for (const selection of editor.selections) edit.replace(selection, reference);
    });
  }

  async revealValue(arg?: unknown): Promise<void> {
    const target = await this.resolveTarget(arg, 'Reveal the value of which secret?', (nv) => nv.kind !== 'plain');
    if (!target) return;
    const { session, namedValue } = target;
    if (namedValue.kind === 'plain') {
      await vscode.window.showInformationMessage(`"${namedValue.displayName}" is a plain named value`, { modal: true, detail: namedValue.value ?? '' });
      return;
    }
    const choice = await vscode.window.showWarningMessage(
      `Reveal the value of "${namedValue.displayName}"?`,
      {
        modal: true,
        detail: `This fetches the ${namedValue.kind === 'keyVault' ? 'Key Vault secret' : 'secret'} from ${session.resource.serviceName} (listValue, needs the API Management Service Contributor role). ` +
          'It is shown once or copied; it is not logged, cached or sent to the language server. Make sure nobody is watching your screen.',
      },
      'Show Value',
      'Copy to Clipboard',
    );
    if (!choice) return;
    let value: string;
    try {
      value = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Fetching "${namedValue.displayName}"…`, cancellable: true }, (_p, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return session.revealValue(namedValue.name, controller.signal);
      });
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `Revealing "${namedValue.displayName}" failed`);
      return;
    }
    if (choice === 'Copy to Clipboard') {
      await vscode.env.clipboard.writeText(value);
      void vscode.window.showInformationMessage(`The value of "${namedValue.displayName}" is on the clipboard.`);
      return;
    }
    const again = await vscode.window.showInformationMessage(`Value of "${namedValue.displayName}"`, { modal: true, detail: value }, 'Copy to Clipboard');
    if (again) await vscode.env.clipboard.writeText(value);
  }

  async goToDefinition(arg?: unknown): Promise<void> {
    const target = await this.resolveTarget(arg, 'Go to the definition of which named value?');
    if (!target) return;
    const { namedValue, session } = target;
    const files = await vscode.workspace.findFiles(APIOPS_NAMED_VALUE_GLOB, WORKSPACE_EXCLUDE_GLOB, 2000);
    for (const file of files) {
      let text: string;
      try {
        text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
      } catch {
        continue;
      }
      const match = matchApiOpsNamedValue(file.fsPath, text, namedValue.displayName);
      if (!match) continue;
      const document = await vscode.workspace.openTextDocument(file);
      const position = document.positionAt(match.offset);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position) });
      return;
    }
    const uri = vscode.Uri.parse(instanceDocumentUri({ kind: 'named-value', instanceId: session.instanceId, name: namedValue.displayName }));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
  }

  async findUsages(arg?: unknown): Promise<UsageSearchResult | undefined> {
    const target = await this.resolveTarget(arg, 'Find usages of which named value?');
    if (!target) return undefined;
    const reference = namedValueReference(target.namedValue);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Searching for ${reference}`, cancellable: true },
      async (_p, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return searchWorkspaceUsages(target.namedValue.displayName, controller.signal);
      },
    );
    this.lastUsageSearch = result;
    if (result.usages.length === 0) {
      void vscode.window.showInformationMessage(`No usages of ${reference} in ${result.filesSearched} policy file${result.filesSearched === 1 ? '' : 's'}.`);
      return result;
    }
    const locations = usageLocations(result);
    const first = locations[0];
    const editor = await vscode.window.showTextDocument(first.uri, { preserveFocus: false, preview: true, selection: first.range });
    await vscode.commands.executeCommand('editor.action.showReferences', editor.document.uri, first.range.start, locations);
    return result;
  }
}
