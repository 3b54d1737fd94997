/**
 * Diagnose Key Vault Reference and its fixes, from every place the issue
 * asks for: the Named Values panel's context menu, the hover link, a quick
 * fix on `key-vault-refresh-failed`, and the palette (Key Vault named values,
 * failing first). The diagnosis runs with cancellable progress and lands in
 * the Key Vault Doctor view; each fix that changes Azure asks first in a
 * modal that says exactly what will change, then refreshes the secret so the
 * panel, the status bar and the language server show the new status.
 */
import * as vscode from 'vscode';
import { DiagnoseKeyVaultReferenceCommand } from '../../../protocol/commands';
import type { ConnectionManager } from '../connection/connectionManager';
import type { InstanceSession } from '../connection/instanceSession';
import { COMMANDS, CONTEXT_KEYS, KEY_VAULT_DOCTOR_VIEW_ID } from '../contributions';
import { POLICY_LANGUAGE_ID } from '../languageClient';
import { keyVaultPickRows } from '../namedValues/refreshFlow';
import { TargetResolver } from '../namedValues/targets';
import { safeCommand, showAzureError } from '../ui';
import type { FixProposal } from './checks';
import { diagnose, type DoctorReport, summarizeReport } from './diagnose';
import { DoctorTreeProvider } from './doctorView';
import { applyFix, isChangingFix } from './fixes';
import { allFixes, type DoctorNode, findFix, type FixTarget } from './presentation';

export const KEY_VAULT_REFRESH_FAILED = 'key-vault-refresh-failed';

export interface DoctorCommandsDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  manager: ConnectionManager;
}

export class KeyVaultDoctorCommands {
  readonly tree = new DoctorTreeProvider();
  readonly treeView: vscode.TreeView<DoctorNode>;
  /** What the last fix did and how the reference stands afterwards (tests, API). */
  lastFixMessage: string | undefined;
  private readonly targets: TargetResolver;
  /** Named values whose length the user agreed to check in this window (re-runs keep checking it). */
  private readonly lengthConsent = new Set<string>();

  constructor(private readonly deps: DoctorCommandsDeps) {
    const { context, output } = deps;
    this.targets = new TargetResolver(deps.manager);
    this.treeView = vscode.window.createTreeView(KEY_VAULT_DOCTOR_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    const register = <A extends unknown[]>(id: string, handler: (...args: A) => unknown) =>
      context.subscriptions.push(vscode.commands.registerCommand(id, safeCommand(output, id, handler)));
    register(COMMANDS.diagnoseKeyVaultReference, (arg?: unknown) => this.diagnoseCommand(arg));
    register(COMMANDS.applyKeyVaultFix, (arg?: unknown) => this.applyFixCommand(arg));
    register(COMMANDS.rerunKeyVaultDiagnosis, () => this.rerun());
    context.subscriptions.push(
      this.tree,
      this.treeView,
      vscode.languages.registerCodeActionsProvider({ language: POLICY_LANGUAGE_ID }, new DiagnoseQuickFix(deps.manager), {
        providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
      }),
    );
  }

  get report(): DoctorReport | undefined {
    return this.tree.report;
  }

  // ---- diagnose -------------------------------------------------------------

  async diagnoseCommand(arg?: unknown): Promise<DoctorReport | undefined> {
    const target = await this.pickKeyVaultTarget(arg);
    if (!target) return undefined;
    return this.run(target.session, target.name, this.lengthConsent.has(consentKey(target.session, target.name)));
  }

  /** Panel item, `{ instanceId, name }`, a name, or a pick of the Key Vault named values (failing first). */
  private async pickKeyVaultTarget(arg: unknown): Promise<{ session: InstanceSession; name: string } | undefined> {
    if (arg !== undefined && !(typeof arg === 'string' && this.deps.manager.session(arg))) {
      const target = await this.targets.resolveTarget(arg, '');
      if (!target) return undefined;
      if (target.namedValue.kind !== 'keyVault') {
        void vscode.window.showInformationMessage(`"${target.namedValue.displayName}" is not a Key Vault reference; only those can be diagnosed.`);
        return undefined;
      }
      return { session: target.session, name: target.namedValue.name };
    }
    const session = await this.targets.pickSession(arg);
    if (!session) return undefined;
    const rows = keyVaultPickRows(session.currentMetadata, session.snapshot.refreshing, Date.now());
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(`${session.resource.serviceName} has no Key Vault named values.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(rows.map(({ picked: _picked, ...row }) => row), {
      title: `Diagnose a Key Vault reference of ${session.resource.serviceName}`,
      placeHolder: 'Pick the Key Vault named value to diagnose (failing ones first)',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return picked ? { session, name: picked.name } : undefined;
  }

  private async run(session: InstanceSession, name: string, checkLength: boolean): Promise<DoctorReport | undefined> {
    const displayName = session.findNamedValue(name)?.displayName ?? name;
    let report: DoctorReport;
    try {
      report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Diagnosing Key Vault reference "${displayName}"`, cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          const access = await session.access();
          return diagnose(access, session.instanceId, name, { signal: controller.signal, checkLength, onProgress: (message) => progress.report({ message }) });
        },
      );
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `Diagnosing "${displayName}" failed`);
      return undefined;
    }
    this.show(report);
    return report;
  }

  /** Shows a diagnosis made elsewhere (the checks Create Named Value runs first). */
  showReport(report: DoctorReport): void {
    this.show(report);
  }

  private show(report: DoctorReport): void {
    this.tree.show(report);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.doctorHasReport, true).then(undefined, () => undefined);
    const summary = summarizeReport(report);
    this.deps.output.info(`Key Vault doctor: ${report.displayName} on ${report.serviceName}: ${summary.text}.`);
    for (const check of report.checks) if (check.outcome !== 'pass') this.deps.output.info(`  ${check.title} (${check.outcome}): ${check.found}`);
    void this.reveal();
  }

  private async reveal(): Promise<void> {
    try {
      await vscode.commands.executeCommand(`${KEY_VAULT_DOCTOR_VIEW_ID}.focus`);
      const root = this.tree.root;
      if (root) await this.treeView.reveal(root, { select: true, focus: true, expand: true });
    } catch (e) {
      this.deps.output.trace(`Revealing the Key Vault Doctor view failed: ${String(e)}`);
    }
  }

  async rerun(): Promise<DoctorReport | undefined> {
    const report = this.report;
    const session = report && this.deps.manager.session(report.instanceId);
    if (!report || !session) {
      return this.diagnoseCommand();
    }
    if (report.facts.draft) {
      void vscode.window.showInformationMessage(`"${report.displayName}" does not exist yet: these were the checks before creating it. Run Create Named Value again.`);
      return undefined;
    }
    return this.run(session, report.name, this.lengthConsent.has(consentKey(session, report.name)));
  }

  // ---- fixes ----------------------------------------------------------------

  async applyFixCommand(arg?: unknown): Promise<void> {
    const report = this.report;
    if (!report) {
      void vscode.window.showInformationMessage('Diagnose a Key Vault reference first; its fixes are offered from the result.');
      return;
    }
    const session = this.deps.manager.session(report.instanceId);
    if (!session) {
      void vscode.window.showWarningMessage(`${report.serviceName} is no longer connected; select it again to apply fixes.`);
      return;
    }
    // A fix row's target (Enter / click), a row from the context menu, or a pick from the palette.
    const node = arg as DoctorNode | undefined;
    const fix = isFixTarget(arg) ? findFix(report, arg)?.fix
      : node?.kind === 'fix' ? node.fix
        : await this.pickFix(report, node?.kind === 'check' ? node.check.id : undefined);
    if (!fix) return;
    if (fix.kind === 'refresh') {
      await this.refreshAndRerun(session, report, undefined);
      return;
    }
    if (fix.kind === 'checkLength') {
      const go = await vscode.window.showWarningMessage(`Read the secret of "${report.displayName}" to check its length?`, { modal: true, detail: fix.change }, 'Check Length');
      if (go !== 'Check Length') return;
      this.lengthConsent.add(consentKey(session, report.name));
      await this.run(session, report.name, true);
      return;
    }
    if (!isChangingFix(fix)) return;
    const permission = fix.permission;
    const detail = `${fix.change}\n\nThen "${report.displayName}" is refreshed and diagnosed again.` +
      (permission.allowed === false ? `\n\nYour account does not seem to have the "${permission.requiredRole}" role this needs; Azure will likely refuse.` : '');
    const choice = await vscode.window.showWarningMessage(`${fix.label}?`, { modal: true, detail }, permission.allowed === false ? 'Try Anyway' : 'Apply');
    if (!choice) return;
    let done: string;
    try {
      done = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: fix.label, cancellable: true },
        async (_progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          return applyFix(await session.access(), report, fix, controller.signal);
        },
      );
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `${fix.label} failed`);
      return;
    }
    this.deps.output.info(`Key Vault doctor: ${done}`);
    if (report.facts.draft) {
      this.lastFixMessage = `${done} Create "${report.displayName}" now.`;
      void vscode.window.showInformationMessage(this.lastFixMessage);
      return;
    }
    await this.refreshAndRerun(session, report, done);
  }

  private async pickFix(report: DoctorReport, onlyCheck?: string): Promise<FixProposal | undefined> {
    const fixes = allFixes(report).filter((f) => !onlyCheck || f.check.id === onlyCheck);
    if (fixes.length === 0) {
      void vscode.window.showInformationMessage(`The diagnosis of "${report.displayName}" offers no fixes.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      fixes.map((f) => ({ label: f.fix.label, description: f.check.title, detail: f.fix.change, fix: f.fix })),
      { title: `Fix the Key Vault reference "${report.displayName}"`, placeHolder: 'Pick a fix (you are asked to confirm before anything changes)', matchOnDetail: true },
    );
    return picked?.fix;
  }

  /** Asks APIM to fetch the secret again (panel, status bar and server follow), then diagnoses again. */
  private async refreshAndRerun(session: InstanceSession, report: DoctorReport, done: string | undefined): Promise<void> {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Refreshing "${report.displayName}"`, cancellable: true },
      (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return session.refreshSecrets([report.name], { signal: controller.signal });
      },
    );
    const status = session.findNamedValue(report.name)?.keyVault?.lastStatus;
    const after = await this.run(session, report.name, this.lengthConsent.has(consentKey(session, report.name)));
    const failure = summary.failed[0];
    const grantPending = done && /role|access polic/i.test(done) && status?.code !== 'Success'
      ? ' Access changes can take a few minutes to reach Key Vault: refresh again in a moment.' : '';
    const message = status?.code === 'Success'
      ? `${done ? `${done} ` : ''}"${report.displayName}" refreshed: APIM reads the secret now.${after ? ` ${summarizeReport(after).text}.` : ''}`
      : `${done ? `${done} ` : ''}"${report.displayName}" still fails: ${failure?.code ?? status?.code ?? 'unknown'}.${grantPending}`;
    this.lastFixMessage = message;
    if (status?.code === 'Success') void vscode.window.showInformationMessage(message);
    else void vscode.window.showWarningMessage(message);
  }
}

function consentKey(session: InstanceSession, name: string): string {
  return `${session.instanceId.toLowerCase()}/${name.toLowerCase()}`;
}

function isFixTarget(value: unknown): value is FixTarget {
  const v = value as { checkId?: unknown; fixIndex?: unknown } | undefined;
  return typeof v === 'object' && v !== null && typeof v.checkId === 'string' && typeof v.fixIndex === 'number';
}

/** "Diagnose Key Vault reference" on the `key-vault-refresh-failed` warning at a use site. */
class DiagnoseQuickFix implements vscode.CodeActionProvider {
  constructor(private readonly manager: ConnectionManager) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const session = this.manager.sessionForFolder(folder?.uri.toString());
    if (!session) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
      if (code !== KEY_VAULT_REFRESH_FAILED) continue;
      const name = document.getText(diagnostic.range).replace(/^\{\{|\}\}$/g, '').trim();
      const namedValue = session.findNamedValue(name);
      if (!namedValue) continue;
      const action = new vscode.CodeAction(`Diagnose Key Vault reference "${namedValue.displayName}"…`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      const args: DiagnoseKeyVaultReferenceCommand.Args = { instanceId: session.instanceId, name: namedValue.name };
      action.command = { command: DiagnoseKeyVaultReferenceCommand.id, title: action.title, arguments: [args] };
      actions.push(action);
    }
    return actions;
  }
}
