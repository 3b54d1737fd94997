/**
 * Shared setup for the Azure access layer tests: an in-process emulator,
 * options wired to it, a guard against unhandled rejections, and the list of
 * planted secret values to hunt for.
 */
import * as assert from 'node:assert/strict';
import { startEmulator } from '../../emulator';
import type { EmulatorOptions, RunningEmulator } from '../../emulator';
import {
  type AzureAccessOptions,
  createCredential,
  resolveCloud,
  type RetrySettings,
  type TokenCredential,
} from '../../client/src/azure';
import { waitFor as poll } from '../harness/wait';

export interface EmulatorSetup {
  emu: RunningEmulator;
  options: AzureAccessOptions;
  credential: TokenCredential;
  logLines: string[];
}

/** Fast retries for tests; the Retry-After cap keeps its production value so the cap logic runs for real. */
export const FAST_RETRY: Partial<RetrySettings> = { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 100, lroPollIntervalMs: 40 };

export async function startSetup(emulatorOptions: EmulatorOptions = {}, retry: Partial<RetrySettings> = FAST_RETRY): Promise<EmulatorSetup> {
  const emu = await startEmulator({ quiet: true, ...emulatorOptions });
  const logLines: string[] = [];
  const options: AzureAccessOptions = {
    cloud: resolveCloud({ cloud: 'custom', customArmEndpoint: emu.url, customAuthorityHost: emu.url }),
    extraCaCertificates: [emu.caPem],
    retry,
    logger: (line) => logLines.push(line),
  };
  const credential = createCredential({
    kind: 'servicePrincipal',
    servicePrincipal: { tenantId: emu.tenantId, clientId: emu.clientId, clientSecret: emu.clientSecret },
    ...options,
  });
  return { emu, options, credential, logLines };
}

/**
 * Records unhandled rejections for the duration of a suite; `assertNone`
 * fails the test that left one behind.
 */
export class UnhandledRejectionGuard {
  readonly seen: unknown[] = [];
  private readonly handler = (reason: unknown) => {
    this.seen.push(reason);
  };

  install(): void {
    process.on('unhandledRejection', this.handler);
  }

  uninstall(): void {
    process.off('unhandledRejection', this.handler);
  }

  /** Lets pending microtasks and timers of the previous step run, then checks. */
  async assertNone(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(this.seen.map(String), [], 'unhandled promise rejections occurred');
  }
}

/**
 * Mocha hooks for a suite: installs an UnhandledRejectionGuard for the suite
 * and fails any test that leaves an unhandled rejection behind.
 */
export function guardRejections(): UnhandledRejectionGuard {
  const guard = new UnhandledRejectionGuard();
  before(() => guard.install());
  after(() => guard.uninstall());
  afterEach(() => guard.assertNone());
  return guard;
}

/** Polls `condition` until true or the deadline passes. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await poll(condition, { timeoutMs, intervalMs: 10, description: what });
}

/**
 * Every secret the emulator holds: any string carrying the planted marker
 * anywhere in its state (named values, vault secrets, logger credentials,
 * cache connection strings…), the values of secret named values and vault
 * secrets even without the marker, and the service principal's secret.
 */
export function plantedSecrets(emu: RunningEmulator): string[] {
  const found = new Set<string>([emu.clientSecret]);
  const seen = new Set<unknown>();
  const collectMarked = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('SECRET-DO-NOT-LEAK')) found.add(value);
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const items = value instanceof Map ? [...value.values()] : Object.values(value as Record<string, unknown>);
    for (const item of items) collectMarked(item);
  };
  collectMarked(emu.state);
  for (const service of emu.state.services) {
    for (const record of service.namedValues.values()) {
      if (record.properties.secret === true && typeof record.properties.value === 'string') found.add(record.properties.value);
      if (record.keyVaultValue) found.add(record.keyVaultValue);
    }
  }
  for (const vault of emu.state.vaults.values()) {
    for (const secret of vault.secrets.values()) found.add(secret.value);
  }
  return [...found];
}

/** The planted secrets that occur in `text`. */
export function leakedIn(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret));
}
