/**
 * One API Management instance as the client sees it: its metadata (fresh,
 * or from the offline cache with a "stale since" time), the load in flight,
 * the last error, and the Key Vault refreshes running. Loads are
 * cache-then-network; a failed load keeps whatever metadata was known. Every
 * change bumps `version`, publishes the metadata (sanitized) to the language
 * server when it changed, and notifies the owner.
 */
import type { InstanceMetadata, NamedValueInfo } from '../../../protocol/protocol';
import type { AzureAccess } from '../azure/azureAccess';
import { AzureAccessError, type ClassifiedError, classifyError } from '../azure/errors';
import type { RefreshSummary } from '../azure/keyVault';
import { loadMetadataCache, saveMetadataCache } from '../azure/metadataCache';
import type { InstanceExtras, LoadProgress } from '../azure/metadataLoader';
import { normalizeServiceResourceId, parseServiceResourceId, type ServiceResourceId } from '../azure/resourceId';
import type { Clock } from '../clock';
import type { Logger } from './logger';

export type SessionStatus = 'idle' | 'loading' | 'ready' | 'stale' | 'error';

export interface SessionSnapshot {
  instanceId: string;
  resource: ServiceResourceId;
  subscriptionName?: string;
  status: SessionStatus;
  /** Current metadata; `stale` is true when it is not from a successful load of this session's latest attempt. */
  metadata?: InstanceMetadata;
  stale: boolean;
  /** When the shown metadata was fetched from Azure (ISO), if known. */
  dataTime?: string;
  /** When the last successful network load finished (ISO). */
  loadedAt?: string;
  loading: boolean;
  progress?: string;
  /** The last load failure; cleared by a successful load. */
  lastError?: ClassifiedError;
  /** Identities of the service (client ids, "system"), from the last fresh load. */
  identities?: string[];
  /** ARM names of Key Vault named values whose refresh is running. */
  refreshing: ReadonlySet<string>;
  /** ARM-level failures of the last refresh attempt per named value (the vault status stays the last known one). */
  refreshErrors: ReadonlyMap<string, ClassifiedError>;
  version: number;
}

export interface SessionDeps {
  getAccess(): Promise<AzureAccess>;
  cacheDir: string;
  clock: Clock;
  log: Logger;
  /** Sends metadata to the language server. */
  publish(metadata: InstanceMetadata, stale: boolean): void;
  changed(): void;
}

export interface LoadRequest {
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
}

export type LoadOutcome =
  | { ok: true }
  | { ok: false; error: ClassifiedError; /** metadata is still shown (cache or earlier load) */ keptMetadata: boolean };

export interface SecretRefreshRequest {
  signal?: AbortSignal;
  concurrency?: number;
  onProgress?: (done: number, total: number, name: string) => void;
}

export class InstanceSession {
  readonly instanceId: string;
  readonly resource: ServiceResourceId;
  subscriptionName: string | undefined;

  private metadata: InstanceMetadata | undefined;
  private stale = false;
  private dataTime: string | undefined;
  private loadedAt: string | undefined;
  private extras: InstanceExtras | undefined;
  private lastError: ClassifiedError | undefined;
  private progress: string | undefined;
  private inflight: { promise: Promise<LoadOutcome>; controller: AbortController } | undefined;
  private readonly refreshing = new Set<string>();
  private readonly refreshErrors = new Map<string, ClassifiedError>();
  private readonly running = new Set<Promise<unknown>>();
  private version = 0;
  private disposed = false;

  constructor(
    instanceId: string,
    private readonly deps: SessionDeps,
  ) {
    this.instanceId = normalizeServiceResourceId(instanceId);
    this.resource = parseServiceResourceId(this.instanceId);
  }

  get snapshot(): SessionSnapshot {
    const snapshot: SessionSnapshot = {
      instanceId: this.instanceId,
      resource: this.resource,
      status: this.status,
      stale: this.stale,
      loading: this.inflight !== undefined,
      refreshing: new Set(this.refreshing),
      refreshErrors: new Map(this.refreshErrors),
      version: this.version,
    };
    if (this.subscriptionName) snapshot.subscriptionName = this.subscriptionName;
    if (this.metadata) snapshot.metadata = this.metadata;
    if (this.dataTime) snapshot.dataTime = this.dataTime;
    if (this.loadedAt) snapshot.loadedAt = this.loadedAt;
    if (this.progress) snapshot.progress = this.progress;
    if (this.lastError) snapshot.lastError = this.lastError;
    if (this.extras) snapshot.identities = this.extras.service.identities;
    return snapshot;
  }

  get status(): SessionStatus {
    if (this.metadata) return this.stale ? 'stale' : 'ready';
    if (this.inflight) return 'loading';
    return this.lastError ? 'error' : 'idle';
  }

  get currentMetadata(): InstanceMetadata | undefined {
    return this.metadata;
  }

  isRefreshing(name: string): boolean {
    return this.refreshing.has(name);
  }

  refreshErrorFor(name: string): ClassifiedError | undefined {
    return this.refreshErrors.get(name);
  }

  get isBusy(): boolean {
    return this.running.size > 0;
  }

  /** Resolves when no load or refresh of this session is running. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Cache first (shown as stale at once), then the network. */
  async start(request: LoadRequest = {}): Promise<LoadOutcome> {
    await this.track(this.loadFromCache());
    return this.load(request);
  }

  /** Shows cached metadata when nothing fresher is known; true when the cache had it. */
  async loadFromCache(): Promise<boolean> {
    const cached = await loadMetadataCache(this.deps.cacheDir, this.instanceId).catch((e: unknown) => ({ ok: false as const, reason: String(e), file: '' }));
    if (this.disposed) return false;
    if (!cached.ok) {
      this.deps.log.trace(`No usable metadata cache for ${this.resource.serviceName}: ${cached.reason}`);
      return false;
    }
    if (this.metadata && !this.stale) return true; // a fresh load won the race
    this.metadata = { ...cached.metadata, stale: true };
    this.stale = true;
    this.dataTime = cached.savedAt;
    this.deps.log.info(`Showing cached metadata of ${this.resource.serviceName} (saved ${cached.savedAt}, ${cached.metadata.namedValues.length} named values).`);
    this.changed(true);
    return true;
  }

  /** Loads from Azure; concurrent calls share one load. Never rejects. */
  load(request: LoadRequest = {}): Promise<LoadOutcome> {
    if (this.disposed) return Promise.resolve({ ok: false, error: cancelledError(), keptMetadata: !!this.metadata });
    if (this.inflight) {
      linkAbort(request.signal, this.inflight.controller);
      return this.inflight.promise;
    }
    const controller = new AbortController();
    linkAbort(request.signal, controller);
    const promise = this.runLoad(controller.signal, request.onProgress).finally(() => {
      this.inflight = undefined;
      this.progress = undefined;
      if (!this.disposed) this.changed(false);
    });
    this.inflight = { promise, controller };
    this.changed(false);
    return this.track(promise);
  }

  private async runLoad(signal: AbortSignal, onProgress: LoadRequest['onProgress']): Promise<LoadOutcome> {
    const started = this.deps.clock.now();
    try {
      const access = await this.deps.getAccess();
      const { metadata, extras } = await access.loadInstanceMetadata(this.instanceId, {
        signal,
        onProgress: (p) => {
          this.progress = p.message;
          try {
            onProgress?.(p);
          } catch {
            // progress UI must not break the load
          }
        },
      });
      if (this.disposed) return { ok: false, error: cancelledError(), keptMetadata: false };
      for (const partError of extras.partErrors) {
        this.deps.log.warn(`${this.resource.serviceName}: ${partError.part} not loaded: ${partError.error.userMessage}`);
      }
      this.metadata = metadata;
      this.extras = extras;
      this.stale = false;
      this.loadedAt = new Date(this.deps.clock.now()).toISOString();
      this.dataTime = this.loadedAt;
      this.lastError = undefined;
      this.refreshErrors.clear();
      this.deps.log.info(
        `Loaded ${this.resource.serviceName}: ${metadata.namedValues.length} named values, ${metadata.backends.length} backends, ` +
          `${metadata.policyFragments.length} fragments, ${metadata.loggers.length} loggers in ${this.deps.clock.now() - started} ms.`,
      );
      this.changed(true);
      await this.saveCache();
      return { ok: true };
    } catch (e) {
      const error = classifyError(e, { operation: 'read', instanceId: this.instanceId });
      if (this.disposed) return { ok: false, error, keptMetadata: false };
      if (error.kind === 'cancelled') {
        this.deps.log.info(`Loading ${this.resource.serviceName} was cancelled.`);
        return { ok: false, error, keptMetadata: !!this.metadata };
      }
      this.lastError = error;
      const kept = !!this.metadata;
      this.deps.log.warn(
        `Loading ${this.resource.serviceName} failed (${error.kind}${error.status ? ` ${error.status}` : ''}${error.code ? ` ${error.code}` : ''}): ${error.message}` +
          (kept ? ' — keeping the last known metadata.' : ''),
      );
      if (kept && !this.stale) {
        // What we show is no longer confirmed by the instance: mark it stale so the UI and the server say so.
        this.stale = true;
        this.metadata = { ...(this.metadata as InstanceMetadata), stale: true };
        this.changed(true);
      }
      return { ok: false, error, keptMetadata: kept };
    }
  }

  /**
   * Refreshes Key Vault named values (APIM re-reads the secrets) and merges
   * the outcome: new statuses replace the old; an ARM-level failure keeps the
   * last known status and is remembered per named value. Never rejects.
   */
  refreshSecrets(names: readonly string[], request: SecretRefreshRequest = {}): Promise<RefreshSummary> {
    return this.track(this.runRefreshSecrets(names, request));
  }

  private async runRefreshSecrets(names: readonly string[], request: SecretRefreshRequest): Promise<RefreshSummary> {
    const unique = [...new Set(names)];
    for (const name of unique) this.refreshing.add(name);
    this.changed(false);
    let summary: RefreshSummary;
    try {
      const access = await this.deps.getAccess();
      summary = await access.refreshMany(this.instanceId, unique, {
        signal: request.signal,
        concurrency: request.concurrency,
        onProgress: request.onProgress,
      });
    } catch (e) {
      const error = classifyError(e, { operation: 'refreshSecret', instanceId: this.instanceId });
      summary = error.kind === 'cancelled'
        ? { refreshed: [], failed: [], cancelled: unique }
        : { refreshed: [], failed: unique.map((name) => ({ name, code: error.code ?? error.kind, message: error.message, userMessage: error.userMessage, error })), cancelled: [] };
    } finally {
      for (const name of unique) this.refreshing.delete(name);
    }
    if (this.disposed) return summary;

    const updates = new Map<string, NamedValueInfo>();
    for (const info of summary.refreshed) updates.set(info.name.toLowerCase(), info);
    for (const failure of summary.failed) {
      if (failure.namedValue) {
        updates.set(failure.namedValue.name.toLowerCase(), failure.namedValue);
        this.refreshErrors.delete(failure.name);
      } else if (failure.error) {
        this.refreshErrors.set(failure.name, failure.error);
      }
    }
    for (const info of summary.refreshed) this.refreshErrors.delete(info.name);
    this.deps.log.info(
      `Key Vault refresh on ${this.resource.serviceName}: ${summary.refreshed.length} refreshed, ${summary.failed.length} failing, ${summary.cancelled.length} cancelled.`,
    );
    for (const failure of summary.failed) this.deps.log.warn(`  ${failure.name}: ${failure.code} — ${failure.message}`);

    if (updates.size > 0 && this.metadata) {
      this.metadata = {
        ...this.metadata,
        namedValues: this.metadata.namedValues.map((nv) => updates.get(nv.name.toLowerCase()) ?? nv),
      };
      this.changed(true);
      await this.saveCache();
    } else {
      this.changed(false);
    }
    return summary;
  }

  /** The Azure access this session reads and writes through (doctor, named value edits). */
  access(): Promise<AzureAccess> {
    return this.deps.getAccess();
  }

  async getFragmentXml(name: string, signal?: AbortSignal): Promise<string> {
    const access = await this.deps.getAccess();
    return access.getFragmentXml(this.instanceId, name, { signal });
  }

  /** The value is handed to the caller only: not stored, not logged. */
  async revealValue(name: string, signal?: AbortSignal): Promise<string> {
    const access = await this.deps.getAccess();
    this.deps.log.info(`Revealing the value of named value "${name}" on ${this.resource.serviceName} (value not logged).`);
    return access.revealValue(this.instanceId, name, { signal });
  }

  findNamedValue(nameOrDisplayName: string): NamedValueInfo | undefined {
    const wanted = nameOrDisplayName.toLowerCase();
    const list = this.metadata?.namedValues ?? [];
    return list.find((nv) => nv.displayName.toLowerCase() === wanted) ?? list.find((nv) => nv.name.toLowerCase() === wanted);
  }

  /** Re-sends the current metadata (e.g. after the language server restarted). */
  republish(): void {
    if (this.metadata && !this.disposed) this.deps.publish(this.metadata, this.stale);
  }

  dispose(): void {
    this.disposed = true;
    this.inflight?.controller.abort();
  }

  private changed(metadataChanged: boolean): void {
    if (this.disposed) return;
    this.version++;
    if (metadataChanged && this.metadata) {
      try {
        this.deps.publish(this.metadata, this.stale);
      } catch (e) {
        this.deps.log.error(`Sending metadata to the language server failed: ${String(e)}`);
      }
    }
    this.deps.changed();
  }

  private async saveCache(): Promise<void> {
    if (!this.metadata) return;
    try {
      await saveMetadataCache(this.deps.cacheDir, this.metadata, new Date(this.deps.clock.now()));
    } catch (e) {
      this.deps.log.warn(`Could not write the metadata cache: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }
}

function linkAbort(signal: AbortSignal | undefined, controller: AbortController): void {
  if (!signal) return;
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
}

function cancelledError(): ClassifiedError {
  return new AzureAccessError({ kind: 'cancelled', message: 'The operation was cancelled.', userMessage: 'Cancelled.', retryable: false }).classification;
}
