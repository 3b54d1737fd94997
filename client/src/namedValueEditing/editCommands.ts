/**
 * Create Named Value…, Edit Named Value… and Delete Named Value…: quick
 * inputs validated as API Management validates, writes that carry the ETag
 * read (a 412 shows what changed and asks), Key Vault references that keep
 * their Key Vault shape, secrets read only with listValue when asked and
 * edited in a password box (never on disk), the doctor's checks before a Key
 * Vault named value is created, usages shown before a delete. Every write
 * reloads the instance, so the panel, the cache (without values) and the
 * language server follow.
 */
import * as vscode from 'vscode';
import type { NamedValueInfo } from '../../../protocol/protocol';
import type { AzureAccess } from '../azure/azureAccess';
import { listSecretNames, listVaults, readServiceFacts, readVault, scanGate, type ServiceFacts, type VaultLocation } from '../azure/keyVaultReads';
import {
  createNamedValue, deleteNamedValue, type EditableNamedValue, isPreconditionFailed, namedValueExists, type NamedValueDraft, readForEdit,
  updateNamedValue,
} from '../azure/namedValueWrites';
import { identifierFor, parseSecretIdentifier } from '../azure/secretIdentifier';
import type { ConnectionManager } from '../connection/connectionManager';
import type { InstanceSession } from '../connection/instanceSession';
import { COMMANDS } from '../contributions';
import { diagnoseReference, type DoctorReport, summarizeReport } from '../keyVaultDoctor/diagnose';
import { applyFix, isChangingFix } from '../keyVaultDoctor/fixes';
import { TargetResolver } from '../namedValues/targets';
import type { NamedValueNode } from '../namedValues/treeNodes';
import type { UsageSearchResult } from '../namedValues/usages';
import { safeCommand, showAzureError } from '../ui';
import { describeChanges, draftFrom, parseTags, resourceNameFor, validateDisplayName, validateValue } from './validation';
import { NAMED_VALUE_SCHEME, NamedValueFileSystem } from './valueEditor';

export interface EditCommandsDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  manager: ConnectionManager;
  /** The panel's Find Usages (shows the References view). */
  findUsages(target: NamedValueNode): Promise<UsageSearchResult | undefined>;
  /** Shows a diagnosis in the Key Vault Doctor view. */
  showDiagnosis(report: DoctorReport): void;
}

type Kind = NamedValueInfo['kind'];
type Change = (draft: NamedValueDraft) => NamedValueDraft;

export class NamedValueEditCommands {
  /** What the last create / edit / delete did (tests, API). */
  lastWrite: string | undefined;
  private readonly targets: TargetResolver;
  readonly files: NamedValueFileSystem;

  constructor(private readonly deps: EditCommandsDeps) {
    const { context, output } = deps;
    this.targets = new TargetResolver(deps.manager);
    this.files = new NamedValueFileSystem((session, message) => this.afterWrite(session, message));
    const register = <A extends unknown[]>(id: string, handler: (...args: A) => unknown) =>
      context.subscriptions.push(vscode.commands.registerCommand(id, safeCommand(output, id, handler)));
    register(COMMANDS.createNamedValue, (arg?: unknown) => this.create(arg));
    register(COMMANDS.editNamedValue, (arg?: unknown) => this.edit(arg));
    register(COMMANDS.deleteNamedValue, (arg?: unknown) => this.remove(arg));
    context.subscriptions.push(vscode.workspace.registerFileSystemProvider(NAMED_VALUE_SCHEME, this.files, { isCaseSensitive: true }));
  }

  // ---- create ---------------------------------------------------------------

  async create(arg?: unknown): Promise<void> {
    const session = await this.targets.pickSession(arg);
    const existing = session?.currentMetadata?.namedValues;
    if (!session || !existing) return;
    const service = session.resource.serviceName;
    const kinds: Array<vscode.QuickPickItem & { namedValueKind: Kind }> = [
      { label: '$(symbol-string) Plain', detail: 'A value stored in API Management and shown to anyone who can read the instance.', namedValueKind: 'plain' },
      { label: '$(lock) Secret', detail: 'A value stored encrypted in API Management; reading it needs listValue.', namedValueKind: 'secret' },
      { label: '$(key) Key Vault', detail: 'A reference to a Key Vault secret that API Management reads with its managed identity (recommended for secrets).', namedValueKind: 'keyVault' },
    ];
    const kind = await vscode.window.showQuickPick(kinds, { title: `Create a named value in ${service}`, placeHolder: 'What kind of named value?' });
    if (!kind) return;
    const access = await session.access();
    const draft = kind.namedValueKind === 'keyVault' ? await this.askKeyVaultDraft(session, access, existing) : await this.askValueDraft(kind.namedValueKind, service, existing);
    if (!draft) return;
    const name = resourceNameFor(draft.displayName, existing);
    let created: NamedValueInfo;
    try {
      created = await this.progress(`Creating "${draft.displayName}" in ${service}`, async (signal) => {
        if (await namedValueExists(access.clients, session.instanceId, name, { signal })) {
          throw new Error(`A named value with the resource name "${name}" was just created by someone else; reload and try another name.`);
        }
        return createNamedValue(access.clients, session.instanceId, name, draft, { signal });
      });
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `Creating "${draft.displayName}" failed`);
      return;
    }
    const status = created.keyVault?.lastStatus;
    const outcome = created.kind !== 'keyVault' ? '' : status?.code === 'Success' ? ' API Management read the secret.' : ` API Management could not read the secret yet (${status?.code ?? 'no status'}); diagnose it from the panel.`;
    await this.afterWrite(session, `Created named value "${created.displayName}" in ${service}.${outcome}`);
  }

  private async askValueDraft(kind: 'plain' | 'secret', service: string, existing: readonly NamedValueInfo[]): Promise<NamedValueDraft | undefined> {
    const title = `New ${kind} named value in ${service}`;
    const displayName = await vscode.window.showInputBox({
      title, prompt: 'Display name (what policies write inside {{…}})', ignoreFocusOut: true, validateInput: (v) => validateDisplayName(v, existing),
    });
    if (displayName === undefined) return undefined;
    const value = await vscode.window.showInputBox({
      title, prompt: `Value of "${displayName.trim()}" (1 to 4,096 characters, no {{…}})`, password: kind === 'secret', ignoreFocusOut: true, validateInput: validateValue,
    });
    if (value === undefined) return undefined;
    const tags = await this.askTags(title, []);
    if (!tags) return undefined;
    return { kind, displayName: displayName.trim(), tags, value };
  }

  /** Vault → secret (names only) → identity → display name → tags, then the doctor's checks before anything is created. */
  private async askKeyVaultDraft(session: InstanceSession, access: AzureAccess, existing: readonly NamedValueInfo[]): Promise<NamedValueDraft | undefined> {
    const title = `New Key Vault named value in ${session.resource.serviceName}`;
    const vaults = await this.progress('Listing your key vaults', (signal) => this.listAllVaults(access, signal));
    const vaultPick = await vscode.window.showQuickPick(
      vaults.map((v) => ({ label: `$(key) ${v.location.name}`, description: v.location.resourceGroup, detail: v.subscription, location: v.location })),
      { title, placeHolder: 'Which Key Vault? (the vaults in the subscriptions you can see)', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
    );
    if (!vaultPick) return undefined;
    const [vault, secrets, service] = await this.progress(`Reading Key Vault "${vaultPick.location.name}"`, (signal) => Promise.all([
      readVault(access.keyVault, vaultPick.location, { signal }),
      listSecretNames(access.keyVault, vaultPick.location, { signal }),
      readServiceFacts(access.clients, session.instanceId, { signal }),
    ]));
    if (!vault.vaultUri) throw new Error(`Key Vault "${vault.name}" reports no URI for its secrets.`);
    if (secrets.length === 0) {
      void vscode.window.showInformationMessage(`Key Vault "${vault.name}" has no secrets (that you can list).`);
      return undefined;
    }
    const secret = await vscode.window.showQuickPick(secrets.map((s) => ({ label: s.name, description: s.enabled ? undefined : 'disabled', name: s.name })), {
      title, placeHolder: `Which secret of "${vault.name}"? (names only: no value is read)`, ignoreFocusOut: true,
    });
    if (!secret) return undefined;
    const identity = await this.pickIdentity(title, service, undefined);
    if (identity === undefined) return undefined;
    const displayName = await vscode.window.showInputBox({
      title, prompt: 'Display name (what policies write inside {{…}})', value: secret.name.replace(/[^A-Za-z0-9\-._]/g, '-'), ignoreFocusOut: true,
      validateInput: (v) => validateDisplayName(v, existing),
    });
    if (displayName === undefined) return undefined;
    const tags = await this.askTags(title, []);
    if (!tags) return undefined;
    const draft: NamedValueDraft = { kind: 'keyVault', displayName: displayName.trim(), tags, secretIdentifier: identifierFor(vault.vaultUri, secret.name) };
    if (identity) draft.identityClientId = identity;
    return (await this.checkBeforeCreate(session, access, draft)) ? draft : undefined;
  }

  /** The vaults of every subscription the user can see; the listings share one request gate (pager.ts). */
  private async listAllVaults(access: AzureAccess, signal: AbortSignal): Promise<Array<{ location: VaultLocation; subscription: string }>> {
    const subscriptions = await access.listSubscriptions({ signal });
    const gate = scanGate(access.keyVault);
    const lists = await Promise.all(subscriptions.map((s) => listVaults(access.keyVault, s.subscriptionId, { signal, gate })
      .then((vaults) => vaults.map((location) => ({ location, subscription: s.displayName })))
      .catch(() => [])));
    return lists.flat().sort((a, b) => a.location.name.localeCompare(b.location.name));
  }

  /** '' = system-assigned; a client id = user-assigned; undefined = cancelled. */
  private async pickIdentity(title: string, service: ServiceFacts, current: string | undefined): Promise<string | undefined> {
    const items: Array<vscode.QuickPickItem & { clientId: string }> = [];
    if (service.systemAssigned) items.push({ label: '$(shield) System-assigned identity', description: `principal ${service.systemAssigned.principalId}`, clientId: '' });
    for (const u of service.userAssigned) items.push({ label: `$(person) ${u.name}`, description: `client id ${u.clientId}`, detail: `User-assigned identity, principal ${u.principalId}`, clientId: u.clientId });
    if (items.length === 0) {
      void vscode.window.showWarningMessage('The instance has no managed identity: turn on the system-assigned identity or attach a user-assigned one (Security › Managed identities) first.');
      return undefined;
    }
    for (const item of items) if ((current ?? '') === item.clientId) item.picked = true;
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Which identity should API Management read the secret with?', ignoreFocusOut: true });
    return picked?.clientId;
  }

  /** The doctor's checks on the draft; failures are shown, with their fixes, before anything is created. */
  private async checkBeforeCreate(session: InstanceSession, access: AzureAccess, draft: Extract<NamedValueDraft, { kind: 'keyVault' }>): Promise<boolean> {
    const info: NamedValueInfo = { name: draft.displayName, displayName: draft.displayName, kind: 'keyVault', keyVault: { secretIdentifier: draft.secretIdentifier } };
    if (draft.identityClientId && info.keyVault) info.keyVault.identityClientId = draft.identityClientId;
    const report = await this.progress(`Checking "${draft.displayName}" before creating it`, (signal) => diagnoseReference(access, session.instanceId, info, { signal, draft: true }));
    const problems = report.checks.filter((c) => c.outcome === 'fail' || c.outcome === 'warning');
    if (problems.length === 0) return true;
    this.deps.showDiagnosis(report);
    const fix = problems.flatMap((c) => c.fixes).find(isChangingFix);
    const detail = [
      ...problems.map((c) => `• ${c.title}: ${c.found}`),
      ...(fix ? ['', `${fix.label}: ${fix.change}`] : []),
      '', 'The checks are in the Key Vault Doctor view.',
    ].join('\n');
    const choice = await vscode.window.showWarningMessage(
      `"${draft.displayName}": ${summarizeReport(report).text}. API Management would not be able to read the secret.`,
      { modal: true, detail }, ...(fix ? [`${fix.label}, Then Create`] : []), 'Create Anyway',
    );
    if (!choice) return false;
    if (fix && choice !== 'Create Anyway') {
      const done = await this.progress(fix.label, (signal) => applyFix(access, report, fix, signal));
      this.deps.output.info(`Before creating "${draft.displayName}": ${done}`);
    }
    return true;
  }

  // ---- edit -----------------------------------------------------------------

  async edit(arg?: unknown): Promise<void> {
    const target = await this.targets.resolveTarget(arg, 'Edit which named value?');
    if (!target) return;
    const { session } = target;
    const access = await session.access();
    let current: EditableNamedValue;
    try {
      current = await this.progress(`Reading "${target.namedValue.displayName}"`, (signal) => readForEdit(access.clients, session.instanceId, target.namedValue.name, { signal }));
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `Reading "${target.namedValue.displayName}" failed`);
      return;
    }
    const info = current.info;
    type Choice = vscode.QuickPickItem & { id: string };
    const choices: Choice[] = [];
    if (info.kind === 'plain') choices.push({ label: '$(edit) Value', detail: 'Opens the value in an editor; Save writes it (nothing is written to disk).', id: 'plainValue' });
    if (info.kind === 'secret') {
      choices.push({ label: '$(key) Value: Enter a New One…', detail: 'Type the new value in a password box; the current one is not read.', id: 'newSecret' });
      choices.push({ label: '$(eye) Value: Load the Current One…', detail: 'Reads it with listValue (after you confirm) into a password box to change it.', id: 'loadSecret' });
    }
    if (info.kind === 'keyVault') {
      choices.push({ label: '$(key) Key Vault Secret…', detail: `Now ${info.keyVault?.secretIdentifier ?? ''}`, id: 'kvSecret' });
      choices.push({ label: '$(person) Identity…', detail: `Now ${info.keyVault?.identityClientId ? `user-assigned ${info.keyVault.identityClientId}` : 'system-assigned'}`, id: 'kvIdentity' });
    }
    choices.push({ label: '$(symbol-text) Display Name…', detail: `Now "${info.displayName}" — policies that use {{${info.displayName}}} must change too.`, id: 'displayName' });
    choices.push({ label: '$(tag) Tags…', detail: info.tags?.length ? `Now ${info.tags.join(', ')}` : 'No tags', id: 'tags' });
    const picked = await vscode.window.showQuickPick(choices, { title: `Edit "${info.displayName}" (${info.kind === 'keyVault' ? 'Key Vault reference' : info.kind})`, placeHolder: 'What do you want to change?' });
    if (!picked) return;
    if (picked.id === 'plainValue') {
      const document = await vscode.workspace.openTextDocument(this.files.uriFor(session, current));
      await vscode.window.showTextDocument(document, { preview: false });
      return;
    }
    const change = await this.askChange(picked.id, session, access, info);
    if (!change) return;
    await this.write(session, access, current, change);
  }

  private async askChange(id: string, session: InstanceSession, access: AzureAccess, info: NamedValueInfo): Promise<Change | undefined> {
    const title = `Edit "${info.displayName}"`;
    switch (id) {
      case 'displayName': {
        const others = session.currentMetadata?.namedValues ?? [];
        const name = await vscode.window.showInputBox({ title, prompt: 'New display name', value: info.displayName, validateInput: (v) => validateDisplayName(v, others, info.name) });
        return name === undefined || name.trim() === info.displayName ? undefined : (d) => ({ ...d, displayName: name.trim() });
      }
      case 'tags': {
        const tags = await this.askTags(title, info.tags ?? []);
        return tags ? (d) => ({ ...d, tags }) : undefined;
      }
      case 'newSecret':
      case 'loadSecret': {
        let initial = '';
        if (id === 'loadSecret') {
          const go = await vscode.window.showWarningMessage(`Load the current value of "${info.displayName}"?`, {
            modal: true, detail: 'It is read with listValue into a password box, never shown in clear, logged, cached or written to disk.',
          }, 'Load Value');
          if (go !== 'Load Value') return undefined;
          initial = await this.progress(`Reading the value of "${info.displayName}"`, (signal) => session.revealValue(info.name, signal));
        }
        const value = await vscode.window.showInputBox({ title, prompt: 'New value (1 to 4,096 characters, no {{…}})', password: true, value: initial, ignoreFocusOut: true, validateInput: validateValue });
        return value === undefined ? undefined : (d) => (d.kind === 'keyVault' ? d : { ...d, value });
      }
      case 'kvSecret': {
        const vaults = await this.progress('Listing your key vaults', (signal) => this.listAllVaults(access, signal));
        const currentVault = parseSecretIdentifier(info.keyVault?.secretIdentifier ?? '')?.vault;
        const vaultPick = await vscode.window.showQuickPick(vaults.map((v) => ({
          label: `$(key) ${v.location.name}`, description: v.location.resourceGroup, detail: v.subscription, location: v.location, picked: v.location.name.toLowerCase() === currentVault,
        })), { title, placeHolder: 'Which Key Vault?', matchOnDescription: true });
        if (!vaultPick) return undefined;
        const [vault, secrets] = await this.progress(`Reading Key Vault "${vaultPick.location.name}"`, (signal) => Promise.all([
          readVault(access.keyVault, vaultPick.location, { signal }), listSecretNames(access.keyVault, vaultPick.location, { signal }),
        ]));
        const secret = await vscode.window.showQuickPick(secrets.map((s) => ({ label: s.name, description: s.enabled ? undefined : 'disabled' })), { title, placeHolder: 'Which secret? (names only)' });
        if (!secret || !vault.vaultUri) return undefined;
        const identifier = identifierFor(vault.vaultUri, secret.label);
        return (d) => (d.kind === 'keyVault' ? { ...d, secretIdentifier: identifier } : d);
      }
      case 'kvIdentity': {
        const service = await this.progress('Reading the instance\'s identities', (signal) => readServiceFacts(access.clients, session.instanceId, { signal }));
        const identity = await this.pickIdentity(title, service, info.keyVault?.identityClientId);
        if (identity === undefined) return undefined;
        return (d) => {
          if (d.kind !== 'keyVault') return d;
          const { identityClientId: _old, ...rest } = d;
          return identity ? { ...rest, identityClientId: identity } : rest;
        };
      }
      default:
        return undefined;
    }
  }

  /** If-Match with the ETag read; on 412 shows what changed and, if asked, applies the same change to the fresh copy. */
  private async write(session: InstanceSession, access: AzureAccess, current: EditableNamedValue, change: Change): Promise<void> {
    const name = current.info.displayName;
    const attempt = (base: EditableNamedValue) => updateNamedValue(access.clients, session.instanceId, base, change(draftFrom(base.info)));
    try {
      let written: NamedValueInfo;
      try {
        written = await this.progress(`Saving "${name}"`, () => attempt(current));
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
        const fresh = await readForEdit(access.clients, session.instanceId, current.info.name);
        const choice = await vscode.window.showWarningMessage(`"${fresh.info.displayName}" was changed by someone else since you read it.`, {
          modal: true, detail: `Changed: ${describeChanges(current.info, fresh.info).join('; ')}.\n\nApply your change on top of theirs?`,
        }, 'Apply My Change');
        if (choice !== 'Apply My Change') {
          this.lastWrite = `Not saved: "${name}" was changed by someone else.`;
          return;
        }
        written = await this.progress(`Saving "${name}"`, () => attempt(fresh));
      }
      const status = written.kind === 'keyVault' ? ` Key Vault status: ${written.keyVault?.lastStatus?.code ?? 'not fetched yet'}.` : '';
      await this.afterWrite(session, `Saved "${written.displayName}".${status}`);
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `Saving "${name}" failed`);
    }
  }

  // ---- delete ---------------------------------------------------------------

  async remove(arg?: unknown): Promise<void> {
    const target = await this.targets.resolveTarget(arg, 'Delete which named value?');
    if (!target) return;
    const { session, namedValue } = target;
    const access = await session.access();
    let current: EditableNamedValue;
    try {
      current = await this.progress(`Reading "${namedValue.displayName}"`, (signal) => readForEdit(access.clients, session.instanceId, namedValue.name, { signal }));
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `Reading "${namedValue.displayName}" failed`);
      return;
    }
    const usages = await this.deps.findUsages({ kind: 'namedValue', instanceId: session.instanceId, namedValue });
    const count = usages?.usages.length ?? 0;
    const files = new Set(usages?.usages.map((u) => u.file)).size;
    const usageText = count === 0
      ? `No policy in this workspace uses {{${namedValue.displayName}}} (${usages?.filesSearched ?? 0} files searched).`
      : `{{${namedValue.displayName}}} is used ${count} time${count === 1 ? '' : 's'} in ${files} policy file${files === 1 ? '' : 's'} of this workspace (shown in References): deploying them would fail.`;
    const kvNote = namedValue.kind === 'keyVault' ? '\n\nThe Key Vault secret itself is not deleted.' : '';
    const choice = await vscode.window.showWarningMessage(`Delete named value "${namedValue.displayName}" from ${session.resource.serviceName}?`, {
      modal: true, detail: `${usageText}${kvNote}`,
    }, 'Delete');
    if (choice !== 'Delete') return;
    try {
      try {
        await this.progress(`Deleting "${namedValue.displayName}"`, (signal) => deleteNamedValue(access.clients, session.instanceId, current, { signal }));
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
        const fresh = await readForEdit(access.clients, session.instanceId, namedValue.name);
        const again = await vscode.window.showWarningMessage(`"${fresh.info.displayName}" was changed by someone else since you read it.`, {
          modal: true, detail: `Changed: ${describeChanges(current.info, fresh.info).join('; ')}.\n\nDelete it anyway?`,
        }, 'Delete Anyway');
        if (again !== 'Delete Anyway') {
          this.lastWrite = `Not deleted: "${namedValue.displayName}" was changed by someone else.`;
          return;
        }
        await this.progress(`Deleting "${namedValue.displayName}"`, (signal) => deleteNamedValue(access.clients, session.instanceId, fresh, { signal }));
      }
    } catch (e) {
      await showAzureError(e, { output: this.deps.output }, `Deleting "${namedValue.displayName}" failed`);
      return;
    }
    await this.afterWrite(session, `Deleted named value "${namedValue.displayName}" from ${session.resource.serviceName}.`);
  }

  // ---- shared ---------------------------------------------------------------

  private async askTags(title: string, current: string[]): Promise<string[] | undefined> {
    const text = await vscode.window.showInputBox({
      title, prompt: 'Tags, comma-separated (optional)', value: current.join(', '), ignoreFocusOut: true,
      validateInput: (v) => { const parsed = parseTags(v); return 'error' in parsed ? parsed.error : undefined; },
    });
    if (text === undefined) return undefined;
    const parsed = parseTags(text);
    return 'tags' in parsed ? parsed.tags : undefined;
  }

  private progress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return work(controller.signal);
    }));
  }

  /** Reloads the instance: the panel, the offline cache (no values) and the language server follow. */
  private async afterWrite(session: InstanceSession, message: string): Promise<void> {
    this.lastWrite = message;
    this.deps.output.info(message);
    await session.load();
    void vscode.window.showInformationMessage(message);
  }
}
