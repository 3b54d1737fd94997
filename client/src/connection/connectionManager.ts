/**
 * The connection state machine: sign-in state × the instances the workspace
 * folders name (`apimPolicy.instance`, one session per distinct instance),
 * background refresh, and what the language server is told. vscode-free:
 * the adapter feeds it settings and auth changes and renders its state.
 *
 *   signedOut ──sign in──▶ noInstance ──select──▶ loading ──▶ connected
 *                                            │            └──▶ stale (cache / failed refresh) ──refresh──▶ connected
 *                                            └──────────▶ error (nothing known) ──retry──▶ loading
 */
import type { InstanceMetadata } from '../../../protocol/protocol';
import type { AzureAccess } from '../azure/azureAccess';
import { type ClassifiedError, classifyError } from '../azure/errors';
import { normalizeServiceResourceId, validateServiceResourceId } from '../azure/resourceId';
import { type Clock, systemClock } from '../clock';
import { Emitter, type Event } from '../events';
import { InstanceSession, type LoadOutcome, type LoadRequest, type SessionSnapshot } from './instanceSession';
import type { Logger } from './logger';
import { type MetadataSink, toFoldersNotification, toMetadataNotification, toRemovedNotification } from './notifications';
import { RefreshScheduler } from './refreshScheduler';

export type AuthState = 'signedIn' | 'signedOut';
export type ConnectionState = 'signedOut' | 'noInstance' | 'loading' | 'connected' | 'stale' | 'error';

/** A workspace folder (or the window, with `folderUri` undefined) and its `apimPolicy.instance` value. */
export interface FolderInstanceSetting {
  folderUri?: string;
  folderName?: string;
  instance?: string;
}

export interface ConnectionConfiguration {
  folders: FolderInstanceSetting[];
  refreshIntervalMinutes: number;
}

export interface ManagerDeps {
  /** Builds Azure access from the current settings; rejects with AzureAccessError when they are incomplete. */
  createAccess(): Promise<AzureAccess>;
  cacheDir: string;
  sink: MetadataSink;
  log: Logger;
  clock?: Clock;
}

export interface InstanceRefreshResult {
  instanceId: string;
  serviceName: string;
  outcome: LoadOutcome;
}

export class ConnectionManager {
  private auth: AuthState = 'signedOut';
  private authProblem: ClassifiedError | undefined;
  private readonly sessionMap = new Map<string, InstanceSession>();
  private configuration: ConnectionConfiguration = { folders: [], refreshIntervalMinutes: 0 };
  private folderProblems: string[] = [];
  private access: Promise<AzureAccess> | undefined;
  private readonly changeEmitter = new Emitter<void>();
  private readonly scheduler: RefreshScheduler;
  private readonly clock: Clock;
  private subscriptionNames = new Map<string, string>();
  private subscriptionLookup: Promise<void> | undefined;
  private disposed = false;

  readonly onDidChange: Event<void> = this.changeEmitter.event;

  constructor(private readonly deps: ManagerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.scheduler = new RefreshScheduler(this.clock, () => this.backgroundRefresh());
  }

  // ---- state ---------------------------------------------------------------

  get authState(): AuthState {
    return this.auth;
  }

  /** Why the last sign-in attempt or token request failed, if it did. */
  get signInProblem(): ClassifiedError | undefined {
    return this.authProblem;
  }

  get state(): ConnectionState {
    if (this.auth === 'signedOut') return 'signedOut';
    const snapshots = this.snapshots();
    if (snapshots.length === 0) return 'noInstance';
    if (snapshots.some((s) => s.status === 'loading' || s.status === 'idle')) return 'loading';
    if (snapshots.some((s) => s.status === 'error')) return 'error';
    if (snapshots.some((s) => s.status === 'stale')) return 'stale';
    return 'connected';
  }

  /** Invalid `apimPolicy.instance` values, one message per folder. */
  get configurationProblems(): readonly string[] {
    return this.folderProblems;
  }

  get nextRefreshAt(): number | undefined {
    return this.scheduler.nextDueAt;
  }

  sessions(): InstanceSession[] {
    return [...this.sessionMap.values()];
  }

  snapshots(): SessionSnapshot[] {
    return this.sessions().map((s) => s.snapshot);
  }

  session(instanceId: string): InstanceSession | undefined {
    const key = keyOf(instanceId);
    return key ? this.sessionMap.get(key) : undefined;
  }

  /** The session serving a workspace folder (or the only one when the folder names none). */
  sessionForFolder(folderUri: string | undefined): InstanceSession | undefined {
    const configured = this.configuration.folders.find((f) => f.folderUri === folderUri)?.instance;
    const fromFolder = configured ? this.session(configured) : undefined;
    if (fromFolder) return fromFolder;
    const all = this.sessions();
    return all.length === 1 ? all[0] : undefined;
  }

  metadata(instanceId?: string): InstanceMetadata | undefined {
    return (instanceId ? this.session(instanceId) : this.sessions()[0])?.currentMetadata;
  }

  /** Resolves once no load, Key Vault refresh or background lookup is running. */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const busy = this.sessions().filter((s) => s.isBusy);
      if (busy.length === 0 && this.background.size === 0) return;
      await Promise.all([...busy.map((s) => s.whenIdle()), ...this.background]);
    }
  }

  private readonly background = new Set<Promise<unknown>>();

  private track(promise: Promise<unknown>): void {
    this.background.add(promise);
    void promise.finally(() => this.background.delete(promise));
  }

  // ---- inputs --------------------------------------------------------------

  /** Settings that decide credentials or endpoints changed: the next call builds new access and every instance reloads. */
  resetAccess(): void {
    this.access = undefined;
    this.authProblem = undefined;
    this.subscriptionLookup = undefined;
    if (this.auth === 'signedIn') for (const session of this.sessions()) void session.load();
    this.fire();
  }

  setAuthState(state: AuthState, problem?: ClassifiedError): void {
    this.authProblem = problem;
    if (state === this.auth) {
      this.fire();
      return;
    }
    this.auth = state;
    this.deps.log.info(state === 'signedIn' ? 'Signed in.' : `Signed out${problem ? `: ${problem.userMessage}` : '.'}`);
    this.access = undefined;
    this.reconcile();
  }

  /** Display names of subscriptions learnt while selecting an instance, for the tree's descriptions. */
  setSubscriptionName(subscriptionId: string, displayName: string): void {
    this.subscriptionNames.set(subscriptionId.toLowerCase(), displayName);
    for (const session of this.sessions()) {
      if (session.resource.subscriptionId.toLowerCase() === subscriptionId.toLowerCase()) session.subscriptionName = displayName;
    }
    this.fire();
  }

  configure(configuration: ConnectionConfiguration): void {
    this.configuration = configuration;
    this.scheduler.setIntervalMinutes(configuration.refreshIntervalMinutes);
    this.reconcile();
  }

  /** Reloads every instance (or the given one) from Azure. Never rejects. */
  async refresh(request: LoadRequest & { instanceId?: string } = {}): Promise<InstanceRefreshResult[]> {
    const targets = request.instanceId ? [this.session(request.instanceId)].filter((s): s is InstanceSession => !!s) : this.sessions();
    this.scheduler.refreshed();
    return Promise.all(
      targets.map(async (session) => ({ instanceId: session.instanceId, serviceName: session.resource.serviceName, outcome: await session.load(request) })),
    );
  }

  /** Shared Azure access for commands (instance selection); rejects with AzureAccessError. */
  getAccess(): Promise<AzureAccess> {
    if (!this.access) {
      const created = this.deps.createAccess();
      this.access = created;
      created.catch((e: unknown) => {
        if (this.access === created) this.access = undefined;
        this.noteAccessFailure(e);
      });
    }
    return this.access;
  }

  /** Re-sends everything to the language server (after it restarted). */
  republish(): void {
    this.sendFolders();
    for (const session of this.sessions()) session.republish();
  }

  dispose(): void {
    this.disposed = true;
    this.scheduler.dispose();
    for (const session of this.sessions()) session.dispose();
    this.sessionMap.clear();
    this.changeEmitter.dispose();
  }

  // ---- internals -----------------------------------------------------------

  private reconcile(): void {
    if (this.disposed) return;
    const problems: string[] = [];
    const wanted = new Map<string, string>();
    for (const folder of this.configuration.folders) {
      if (!folder.instance) continue;
      const problem = validateServiceResourceId(folder.instance);
      if (problem) {
        problems.push(folder.folderName ? `${folder.folderName}: ${problem}` : problem);
        continue;
      }
      const id = normalizeServiceResourceId(folder.instance);
      wanted.set(id.toLowerCase(), id);
    }
    this.folderProblems = problems;
    if (this.auth === 'signedOut') wanted.clear();

    for (const [key, session] of this.sessionMap) {
      if (wanted.has(key)) continue;
      session.dispose();
      this.sessionMap.delete(key);
      void this.send(() => this.deps.sink.remove(toRemovedNotification(session.instanceId)), 'instanceRemoved');
    }
    this.sendFolders();
    for (const [key, id] of wanted) {
      if (this.sessionMap.has(key)) continue;
      const session = new InstanceSession(id, {
        getAccess: () => this.getAccess(),
        cacheDir: this.deps.cacheDir,
        clock: this.clock,
        log: this.deps.log,
        publish: (metadata, stale) => void this.send(() => this.deps.sink.publish(toMetadataNotification(metadata, stale)), 'instanceMetadata'),
        changed: () => this.fire(),
      });
      session.subscriptionName = this.subscriptionNames.get(session.resource.subscriptionId.toLowerCase());
      this.sessionMap.set(key, session);
      void session.start().then((outcome) => {
        if (outcome.ok) this.learnSubscriptionNames();
      });
    }
    this.fire();
  }

  /**
   * Instances set by hand (or by another machine's settings) come without the
   * subscription's display name: ask ARM once, in the background, so the
   * panel can say "Contoso Production / rg-…" instead of a GUID.
   */
  private learnSubscriptionNames(): void {
    if (this.subscriptionLookup || this.sessions().every((s) => s.subscriptionName)) return;
    const lookup = this.getAccess()
      .then((access) => access.listSubscriptions())
      .then((subscriptions) => {
        for (const sub of subscriptions) this.subscriptionNames.set(sub.subscriptionId.toLowerCase(), sub.displayName);
        let changed = false;
        for (const session of this.sessions()) {
          const name = this.subscriptionNames.get(session.resource.subscriptionId.toLowerCase());
          if (name && !session.subscriptionName) {
            session.subscriptionName = name;
            changed = true;
          }
        }
        if (changed) this.fire();
      })
      .catch((e: unknown) => this.deps.log.trace(`Subscription names not available: ${classifyError(e).message}`));
    this.subscriptionLookup = lookup;
    this.track(lookup);
  }

  private sendFolders(): void {
    const assignments = this.auth === 'signedOut'
      ? []
      : this.configuration.folders
          .filter((f): f is FolderInstanceSetting & { folderUri: string } => !!f.folderUri)
          .map((f) => ({ folderUri: f.folderUri, instanceId: f.instance ? keyCase(f.instance) : undefined }));
    void this.send(() => this.deps.sink.setFolders(toFoldersNotification(assignments)), 'instanceFolders');
  }

  private async backgroundRefresh(): Promise<void> {
    if (this.auth === 'signedOut' || this.sessionMap.size === 0) return;
    this.deps.log.info('Background refresh of instance metadata.');
    const results = await Promise.all(this.sessions().map((s) => s.load()));
    for (const result of results) {
      if (!result.ok && result.error.kind !== 'cancelled') this.noteAccessFailure(result.error);
    }
  }

  private noteAccessFailure(e: unknown): void {
    const error = classifyError(e);
    if (error.kind === 'unauthenticated' || error.kind === 'invalidInput') {
      this.authProblem = error;
      this.fire();
    }
  }

  private async send(action: () => void | Promise<void>, what: string): Promise<void> {
    try {
      await action();
    } catch (e) {
      this.deps.log.warn(`Could not send ${what} to the language server: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private fire(): void {
    if (!this.disposed) this.changeEmitter.fire();
  }
}

function keyOf(instanceId: string): string | undefined {
  try {
    return normalizeServiceResourceId(instanceId).toLowerCase();
  } catch {
    return undefined;
  }
}

/** The normalized spelling sessions use, or the raw value when it does not parse (left out by the folder mapping). */
function keyCase(instanceId: string): string | undefined {
  try {
    return normalizeServiceResourceId(instanceId);
  } catch {
    return undefined;
  }
}
