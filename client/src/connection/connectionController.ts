/**
 * VS Code side of the connection: settings → Azure access, sign-in state,
 * workspace folders → instances, context keys for `when` clauses, and the
 * Sign In / Sign Out / Set Service Principal Secret / Select Tenant commands.
 * The state machine itself lives in the vscode-free ConnectionManager.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveCloud, type ResolvedCloud } from '../azure/clouds';
import { AzureAccessError, type ClassifiedError, classifyError } from '../azure/errors';
import { credentialConfigured, vscodeAuthProviderId } from '../auth/credentialFactory';
import { hasVscodeSession, signInWithVscodeAccount, VscodeAccountCredential } from '../auth/vscodeCredential';
import { CONNECTION_SECURITY_SETTINGS, CONTEXT_KEYS, servicePrincipalSecretKey, SETTINGS } from '../contributions';
import { type ConnectionSettings, readConnectionSettings } from '../settings';
import { showAzureError } from '../ui';
import { type AccessParts, createAccessFromSettings } from './accessFactory';
import { type AuthState, ConnectionManager, type FolderInstanceSetting } from './connectionManager';
import { LatestDecision } from './latestDecision';
import type { MetadataSink } from './notifications';

const SIGNED_OUT_KEY = 'apimPolicy.signedOut';
const SUBSCRIPTION_NAMES_KEY = 'apimPolicy.subscriptionNames';
/** Settings whose change needs new credentials / endpoints. */
/** Settings baked into the Azure access object: changing one builds a new one. */
const ACCESS_SETTINGS = [...CONNECTION_SECURITY_SETTINGS, SETTINGS.maxParallelRequests];

export class ConnectionController implements vscode.Disposable {
  readonly manager: ConnectionManager;
  /** Settles when the first sign-in check and configuration are done. */
  readonly ready: Promise<void>;
  private readonly disposables: vscode.Disposable[] = [];
  private lastParts: Promise<AccessParts> | undefined;
  private reportedProblems = new Set<string>();
  private readonly authDecision = new LatestDecision();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    sink: MetadataSink,
  ) {
    this.manager = new ConnectionManager({
      createAccess: async () => {
        this.lastParts = this.createAccessParts();
        return (await this.lastParts).access;
      },
      cacheDir: path.join(context.globalStorageUri.fsPath, 'metadata-cache'),
      sink,
      log: output,
    });
    const names = context.globalState.get<Record<string, string>>(SUBSCRIPTION_NAMES_KEY) ?? {};
    for (const [id, name] of Object.entries(names)) this.manager.setSubscriptionName(id, name);

    this.disposables.push(
      { dispose: () => this.manager.dispose() },
      this.manager.onDidChange(() => this.updateContextKeys()),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.configure()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.manager.resetAccess();
        this.recheckAuth();
      }),
      vscode.authentication.onDidChangeSessions((e) => {
        const settings = this.readSettings();
        if (settings.auth !== 'vscode') return;
        if (e.provider.id === 'microsoft' || e.provider.id === 'microsoft-sovereign-cloud') this.recheckAuth();
      }),
      context.secrets.onDidChange((e) => {
        if (e.key.startsWith('apimPolicy.servicePrincipal.')) {
          this.manager.resetAccess();
          this.recheckAuth();
        }
      }),
    );
    this.ready = this.initialize();
  }

  private async initialize(): Promise<void> {
    try {
      this.configure();
      await this.updateAuthState();
    } catch (e) {
      this.output.error(`Connecting failed: ${String(e)}`);
    }
    this.updateContextKeys();
  }

  // ---- settings --------------------------------------------------------------

  /** Connection settings; in an untrusted workspace, workspace values of security-relevant keys are ignored. */
  readSettings(): ConnectionSettings {
    const config = vscode.workspace.getConfiguration();
    const trusted = vscode.workspace.isTrusted;
    const { settings, problems } = readConnectionSettings((key) => {
      if (!trusted && CONNECTION_SECURITY_SETTINGS.includes(key)) {
        const inspected = config.inspect(key);
        return inspected?.globalValue ?? inspected?.defaultValue;
      }
      return config.get(key);
    });
    this.reportProblems(problems);
    return settings;
  }

  private configure(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const entries: FolderInstanceSetting[] = folders.length
      ? folders.map((folder) => ({
          folderUri: folder.uri.toString(),
          folderName: folder.name,
          instance: stringOrUndefined(vscode.workspace.getConfiguration('apimPolicy', folder.uri).get('instance')),
        }))
      : [{ instance: stringOrUndefined(vscode.workspace.getConfiguration('apimPolicy').get('instance')) }];
    this.manager.configure({ folders: entries, refreshIntervalMinutes: this.readSettings().refreshIntervalMinutes });
    for (const problem of this.manager.configurationProblems) this.reportProblems([`${SETTINGS.instance}: ${problem}`], true);
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration('apimPolicy')) return;
    if (ACCESS_SETTINGS.some((key) => e.affectsConfiguration(key))) {
      this.reportedProblems.clear();
      this.lastParts = undefined;
      this.manager.resetAccess();
      this.recheckAuth();
    }
    if (e.affectsConfiguration(SETTINGS.instance) || e.affectsConfiguration(SETTINGS.refreshIntervalMinutes)) this.configure();
  }

  private reportProblems(problems: readonly string[], asNotification = false): void {
    for (const problem of problems) {
      if (this.reportedProblems.has(problem)) continue;
      this.reportedProblems.add(problem);
      this.output.warn(problem);
      if (asNotification) {
        void vscode.window.showWarningMessage(problem, 'Open Settings', 'Select Instance').then((choice) => {
          if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS.instance);
          if (choice === 'Select Instance') void vscode.commands.executeCommand('apimPolicy.selectInstance');
        });
      }
    }
  }

  // ---- access ----------------------------------------------------------------

  private async createAccessParts(): Promise<AccessParts> {
    const settings = this.readSettings();
    const sp = settings.servicePrincipal;
    const secret = settings.auth === 'servicePrincipal' && sp.tenantId && sp.clientId
      ? await this.context.secrets.get(servicePrincipalSecretKey(sp.tenantId, sp.clientId))
      : undefined;
    const parts = await createAccessFromSettings(settings, {
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      servicePrincipalSecret: secret,
      vscodeAccount: (providerId, _cloud, tenant) => new VscodeAccountCredential(providerId, tenant),
      // HTTP-level lines (method, URL without secrets, status, ms) at trace level only.
      logger: (line) => this.output.trace(line),
    });
    this.reportProblems(parts.problems, true);
    this.output.info(`Azure: cloud ${parts.cloud.name} (${parts.cloud.armEndpoint}), sign-in via ${settings.auth}${parts.caCount ? `, ${parts.caCount} extra CA certificate(s)` : ''}.`);
    return parts;
  }

  /** updateAuthState from event handlers: failures are logged, never left unhandled. */
  private recheckAuth(): void {
    this.updateAuthState().catch((e: unknown) => this.output.error(`Checking the sign-in state failed: ${classifyError(e).message}`));
  }

  /**
   * Decides signed in / out without prompting. Checks overlap (a settings file saved twice, the
   * VS Code account asked while the first answer is pending), so only the newest check — or a
   * later Sign In / Sign Out — decides: an answer that arrives late for settings that have
   * since changed must not sign the user out.
   */
  async updateAuthState(): Promise<void> {
    await this.authDecision.run(() => this.decideAuthState(), ([state, problem]) => this.manager.setAuthState(state, problem));
  }

  /** An explicit decision (Sign In / Sign Out) that checks still in flight must not overturn. */
  private setAuthStateNow(state: AuthState, problem?: ClassifiedError): void {
    this.authDecision.impose(() => this.manager.setAuthState(state, problem));
  }

  private async decideAuthState(): Promise<[AuthState, ClassifiedError?]> {
    if (this.context.globalState.get<boolean>(SIGNED_OUT_KEY)) return ['signedOut'];
    const settings = this.readSettings();
    let cloud: ResolvedCloud;
    try {
      cloud = resolveCloud(settings.cloud);
    } catch (e) {
      return ['signedOut', classifyError(e)];
    }
    if (settings.auth === 'vscode') {
      const providerId = vscodeAuthProviderId(cloud);
      if (!providerId) {
        return ['signedOut', invalidInput(`The VS Code account cannot sign in to a custom cloud; set "${SETTINGS.auth}" to servicePrincipal, environment, azureCli or default.`)];
      }
      const signedIn = await hasVscodeSession(providerId, cloud.armScope, settings.tenant);
      return [signedIn ? 'signedIn' : 'signedOut'];
    }
    const sp = settings.servicePrincipal;
    const hasSecret = settings.auth === 'servicePrincipal' && !!sp.tenantId && !!sp.clientId
      && !!(await this.context.secrets.get(servicePrincipalSecretKey(sp.tenantId, sp.clientId)));
    const configured = credentialConfigured(settings, hasSecret);
    return [configured.ready ? 'signedIn' : 'signedOut', configured.reason ? invalidInput(configured.reason) : undefined];
  }

  // ---- commands --------------------------------------------------------------

  async signIn(): Promise<boolean> {
    await this.context.globalState.update(SIGNED_OUT_KEY, undefined);
    const settings = this.readSettings();
    let cloud: ResolvedCloud;
    try {
      cloud = resolveCloud(settings.cloud);
    } catch (e) {
      await showAzureError(e, { output: this.output });
      return false;
    }
    if (settings.auth === 'vscode') {
      const providerId = vscodeAuthProviderId(cloud);
      if (!providerId) {
        await showAzureError(invalidInputError(`The VS Code account cannot sign in to a custom cloud (${cloud.armEndpoint}); set "${SETTINGS.auth}" to servicePrincipal, environment, azureCli or default.`), { output: this.output });
        return false;
      }
      try {
        const account = await signInWithVscodeAccount(providerId, cloud.armScope, settings.tenant);
        this.output.info(`Signed in to Azure as ${account}.`);
      } catch (e) {
        // The user closed the sign-in prompt or VS Code could not sign in.
        this.output.warn(`Sign-in did not complete: ${e instanceof Error ? e.message : String(e)}`);
        void vscode.window.showWarningMessage(`Sign-in did not complete: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      }
      this.manager.resetAccess();
      this.setAuthStateNow('signedIn');
      return true;
    }
    if (settings.auth === 'servicePrincipal') {
      const sp = settings.servicePrincipal;
      if (!sp.tenantId || !sp.clientId) {
        const choice = await vscode.window.showWarningMessage(
          `Signing in with a service principal needs "${SETTINGS.servicePrincipalTenantId}" and "${SETTINGS.servicePrincipalClientId}".`,
          'Open Settings',
        );
        if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'apimPolicy.servicePrincipal');
        return false;
      }
      const hasSecret = !!(await this.context.secrets.get(servicePrincipalSecretKey(sp.tenantId, sp.clientId)));
      if (!sp.certificatePath && !hasSecret && !(await this.setServicePrincipalSecret())) return false;
    }
    // Non-interactive methods: prove the credential works by asking for a token.
    this.manager.resetAccess();
    this.lastParts = undefined;
    const verified = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Signing in to Azure (${settings.auth})…` },
      async () => {
        try {
          await this.manager.getAccess();
          const parts = await (this.lastParts ?? this.createAccessParts());
          await parts.credential.getToken(parts.cloud.armScope);
          return undefined;
        } catch (e) {
          return classifyError(e, { operation: 'signIn', endpoint: cloud.authorityHost });
        }
      },
    );
    if (verified) {
      this.setAuthStateNow('signedOut', verified);
      if (settings.auth === 'azureCli') {
        const choice = await vscode.window.showErrorMessage(`${verified.userMessage} Run "az login" in a terminal, then sign in again.`, 'Open Terminal');
        if (choice) {
          const terminal = vscode.window.createTerminal('Azure CLI sign-in');
          terminal.show();
          terminal.sendText(settings.tenant ? `az login --tenant ${quoteShell(settings.tenant)}` : 'az login', false);
        }
      } else {
        await showAzureError(verified, { output: this.output, retry: () => this.signIn() }, 'Sign-in failed');
      }
      return false;
    }
    this.output.info(`Signed in to Azure with ${settings.auth}.`);
    this.setAuthStateNow('signedIn');
    return true;
  }

  async signOut(): Promise<void> {
    await this.context.globalState.update(SIGNED_OUT_KEY, true);
    this.setAuthStateNow('signedOut');
    const settings = this.readSettings();
    const note = settings.auth === 'vscode'
      ? ' Your Microsoft account stays signed in to VS Code (manage it from the Accounts menu).'
      : settings.auth === 'servicePrincipal'
        ? ' The stored service principal secret is kept; "Set Service Principal Secret" replaces it.'
        : '';
    void vscode.window.showInformationMessage(`APIM Policy signed out of Azure.${note}`);
  }

  /** Stores the client secret in SecretStorage (OS keychain); `secret` lets tests skip the input box. */
  async setServicePrincipalSecret(secret?: string): Promise<boolean> {
    const sp = this.readSettings().servicePrincipal;
    if (!sp.tenantId || !sp.clientId) {
      const choice = await vscode.window.showWarningMessage(
        `Set "${SETTINGS.servicePrincipalTenantId}" and "${SETTINGS.servicePrincipalClientId}" first.`,
        'Open Settings',
      );
      if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'apimPolicy.servicePrincipal');
      return false;
    }
    const value = typeof secret === 'string' ? secret : await vscode.window.showInputBox({
      title: 'APIM Policy: Service Principal Secret',
      prompt: `Client secret of ${sp.clientId} (tenant ${sp.tenantId}). Stored in the OS keychain through VS Code's secret storage, never in settings.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'The secret cannot be empty.'),
    });
    if (!value) return false;
    await this.context.secrets.store(servicePrincipalSecretKey(sp.tenantId, sp.clientId), value);
    await this.context.globalState.update(SIGNED_OUT_KEY, undefined);
    this.output.info(`Stored a client secret for service principal ${sp.clientId} (value not logged).`);
    this.manager.resetAccess();
    await this.updateAuthState();
    return true;
  }

  async selectTenant(): Promise<void> {
    const current = this.readSettings().tenant;
    const items: Array<vscode.QuickPickItem & { value?: string }> = [
      { label: '$(home) Home tenant', description: 'the tenant your account belongs to', value: '' },
      { label: '$(edit) Enter a tenant id or domain…' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'APIM Policy: Select Tenant', placeHolder: current ? `Current: ${current}` : 'Current: home tenant' });
    if (!picked) return;
    let tenant = picked.value;
    if (tenant === undefined) {
      tenant = await vscode.window.showInputBox({
        title: 'Tenant',
        prompt: 'Microsoft Entra tenant id (GUID) or domain, e.g. contoso.onmicrosoft.com',
        value: current,
        validateInput: (v) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v.trim()) || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v.trim()) ? undefined : 'Enter a GUID or a domain name.'),
      });
      if (tenant === undefined) return;
    }
    await vscode.workspace.getConfiguration().update(SETTINGS.tenant, tenant.trim() || undefined, vscode.ConfigurationTarget.Global);
  }

  rememberSubscriptionName(subscriptionId: string, displayName: string): void {
    this.manager.setSubscriptionName(subscriptionId, displayName);
    const names = { ...(this.context.globalState.get<Record<string, string>>(SUBSCRIPTION_NAMES_KEY) ?? {}), [subscriptionId.toLowerCase()]: displayName };
    void this.context.globalState.update(SUBSCRIPTION_NAMES_KEY, names);
  }

  private updateContextKeys(): void {
    const snapshots = this.manager.snapshots();
    const failed = snapshots.reduce((sum, s) => sum + (s.metadata?.namedValues.filter((nv) => nv.kind === 'keyVault' && nv.keyVault?.lastStatus && nv.keyVault.lastStatus.code !== 'Success').length ?? 0), 0);
    const set = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value).then(undefined, () => undefined);
    set(CONTEXT_KEYS.state, this.manager.state);
    set(CONTEXT_KEYS.signedIn, this.manager.authState === 'signedIn');
    set(CONTEXT_KEYS.hasMetadata, snapshots.some((s) => !!s.metadata));
    set(CONTEXT_KEYS.failedKeyVaultCount, failed);
    set(CONTEXT_KEYS.auth, this.readSettings().auth);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function invalidInputError(message: string): AzureAccessError {
  return new AzureAccessError({ kind: 'invalidInput', message, userMessage: message, retryable: false });
}

function invalidInput(message: string): ClassifiedError {
  return invalidInputError(message).classification;
}

function quoteShell(value: string): string {
  return /^[\w.-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
