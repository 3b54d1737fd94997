/**
 * Shared pieces of the client tests: a metadata sink that records what the
 * language server would receive, a fake clock, demo metadata, and the
 * emulator setup through the extension's own settings path.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  InstanceFoldersNotification,
  InstanceMetadata,
  InstanceMetadataNotification,
  InstanceRemovedNotification,
  KeyVaultStatus,
  NamedValueInfo,
} from '../../protocol/protocol';
import type { Clock } from '../../client/src/clock';
import { createAccessFromSettings } from '../../client/src/connection/accessFactory';
import { ConnectionManager } from '../../client/src/connection/connectionManager';
import type { Logger } from '../../client/src/connection/logger';
import type { MetadataSink } from '../../client/src/connection/notifications';
import { readConnectionSettings } from '../../client/src/settings';
import { startEmulator } from '../../emulator';
import type { EmulatorOptions, RunningEmulator } from '../../emulator';
import { waitFor as poll } from '../harness/wait';

export type SinkEvent =
  | { type: 'metadata'; params: InstanceMetadataNotification.Params }
  | { type: 'folders'; params: InstanceFoldersNotification.Params }
  | { type: 'removed'; params: InstanceRemovedNotification.Params };

/** Records every notification, as JSON text too, so tests can search it for planted secrets. */
export class RecordingSink implements MetadataSink {
  readonly events: SinkEvent[] = [];

  publish(params: InstanceMetadataNotification.Params): void {
    this.events.push({ type: 'metadata', params: JSON.parse(JSON.stringify(params)) as InstanceMetadata });
  }

  setFolders(params: InstanceFoldersNotification.Params): void {
    this.events.push({ type: 'folders', params: JSON.parse(JSON.stringify(params)) as InstanceFoldersNotification.Params });
  }

  remove(params: InstanceRemovedNotification.Params): void {
    this.events.push({ type: 'removed', params: { ...params } });
  }

  metadata(): InstanceMetadata[] {
    return this.events.flatMap((e) => (e.type === 'metadata' ? [e.params] : []));
  }

  lastMetadata(): InstanceMetadata | undefined {
    return this.metadata().at(-1);
  }

  text(): string {
    return JSON.stringify(this.events);
  }
}

/** Logger that keeps every line (to search for secrets) and never prints. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  trace(message: string): void {
    this.lines.push(`trace ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

/** Timers that run only when the test advances time. */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.parse('2026-01-15T10:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = target;
  }
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Polls until `condition` holds or the deadline passes. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  await poll(condition, { timeoutMs, intervalMs: 10, description: what });
}

/** Fast retries so fault tests finish quickly; the production Retry-After cap stays. */
export const FAST_RETRY = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, lroPollIntervalMs: 30 };

/** The settings a user pastes for the emulator (service principal with the secret from SecretStorage). */
export function emulatorSettings(emu: RunningEmulator): Record<string, unknown> {
  return {
    'apimPolicy.cloud': 'custom',
    'apimPolicy.customCloud.armEndpoint': emu.url,
    'apimPolicy.customCloud.authorityHost': emu.url,
    'apimPolicy.auth': 'servicePrincipal',
    'apimPolicy.servicePrincipal.tenantId': emu.tenantId,
    'apimPolicy.servicePrincipal.clientId': emu.clientId,
    'apimPolicy.extraCaCertificates': [emu.caFile],
    'apimPolicy.instance': emu.instanceId,
  };
}

export interface ManagerSetup {
  emu: RunningEmulator;
  manager: ConnectionManager;
  sink: RecordingSink;
  log: MemoryLogger;
  cacheDir: string;
  clock?: Clock;
  dispose(): Promise<void>;
}

/** A ConnectionManager wired exactly like the extension's, with settings read from a plain object. */
export async function managerFor(emu: RunningEmulator, options: { cacheDir?: string; clock?: Clock; settings?: Record<string, unknown> } = {}): Promise<Omit<ManagerSetup, 'emu'>> {
  const cacheDir = options.cacheDir ?? (await tempDir('apim-client-cache-'));
  const sink = new RecordingSink();
  const log = new MemoryLogger();
  const values = { ...emulatorSettings(emu), ...options.settings };
  const manager = new ConnectionManager({
    createAccess: async () => {
      const { settings } = readConnectionSettings((key) => values[key]);
      const parts = await createAccessFromSettings(settings, { servicePrincipalSecret: emu.clientSecret, logger: (line) => log.trace(line), retry: FAST_RETRY });
      return parts.access;
    },
    cacheDir,
    sink,
    log,
    clock: options.clock,
  });
  return {
    manager,
    sink,
    log,
    cacheDir,
    clock: options.clock,
    dispose: async () => {
      manager.dispose();
      await fs.rm(cacheDir, { recursive: true, force: true });
    },
  };
}

export async function startQuietEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ quiet: true, lroDurationMs: 60, ...options });
}

/** An emulator and a signed-in manager connected to its demo instance, loaded (the usual start of a suite). */
export async function connectedToEmulator(options: EmulatorOptions = {}): Promise<ManagerSetup> {
  const emu = await startQuietEmulator(options);
  const setup = await managerFor(emu);
  setup.manager.setAuthState('signedIn');
  setup.manager.configure({ folders: [{ folderUri: 'file:///ws', instance: emu.instanceId }], refreshIntervalMinutes: 0 });
  await setup.manager.whenIdle();
  return { ...setup, emu, dispose: async () => { await setup.dispose(); await emu.stop(); } };
}

/** Demo metadata written for these tests: every kind and Key Vault state. */
export function sampleMetadata(): InstanceMetadata {
  const kv = (name: string, displayName: string, status?: KeyVaultStatus, identityClientId?: string): NamedValueInfo => ({
    name,
    displayName,
    kind: 'keyVault',
    keyVault: {
      secretIdentifier: `https://contoso-kv.vault.azure.net/secrets/${displayName}`,
      ...(identityClientId ? { identityClientId } : {}),
      ...(status ? { lastStatus: status } : {}),
    },
  });
  return {
    instanceId: '/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg-contoso-apis/providers/Microsoft.ApiManagement/service/contoso-apim',
    displayName: 'contoso-apim',
    namedValues: [
      { name: 'zeta', displayName: 'Zeta-URL', kind: 'plain', value: 'https://zeta.contoso.example/api/v1/orders?expand=lines&includeArchived=true' },
      { name: 'nv-alpha', displayName: 'alpha', kind: 'plain', value: 'a', tags: ['cors', 'frontend'] },
      { name: 'item10', displayName: 'item10', kind: 'plain', value: '10' },
      { name: 'item9', displayName: 'item9', kind: 'plain', value: '9' },
      { name: 'backend-key', displayName: 'Backend-Key', kind: 'secret', tags: ['partner'] },
      kv('kv-ok', 'payment-key', { code: 'Success', timeStampUtc: '2026-01-15T09:55:00Z' }, '9e8d7c6b-5a49-4838-a726-1504f3e2d1c0'),
      kv('kv-denied', 'billing-key', { code: 'Forbidden', message: "Key Vault 'contoso-kv' refused access (needs 'Key Vault Secrets User').", timeStampUtc: '2026-01-15T07:00:00Z' }),
      kv('kv-missing', 'archive-key', { code: 'SecretNotFound', message: 'No secret named archive-key.', timeStampUtc: '2026-01-14T10:00:00Z' }),
      kv('kv-new', 'fresh-key'),
    ],
    backends: [{ name: 'orders', url: 'https://orders.contoso.example' }],
    policyFragments: [{ name: 'cors-defaults', description: 'Shared CORS' }],
    loggers: [{ name: 'appinsights', loggerType: 'applicationInsights' }],
  };
}
