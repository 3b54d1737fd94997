/**
 * What the demo fixture (emulator/fixtures/demo-instance.json) is built to show about Key Vault named
 * values, written down once for every test layer: which references fail at start and with which status,
 * and the scenario each Key Vault named value stands for.
 */
import * as fs from 'node:fs';
import type { VaultSecretState } from '../../emulator/types';
import * as path from 'node:path';
import { repoRoot } from './repo';

/** Key Vault named values (ARM names) whose first fetch fails, with APIM's status code. */
export const DEMO_FAILING_KEY_VAULT: Readonly<Record<string, string>> = {
  'kv-archive-storage-key': 'VaultNotFound',
  'kv-billing-api-key': 'Forbidden',
  'kv-fraud-model-key': 'Forbidden',
  'kv-legacy-partner-key': 'SecretNotFound',
  'kv-loyalty-api-key': 'Forbidden',
  'kv-webhook-signing-secret': 'SecretDisabled',
  'kv-reporting-api-key': 'ManagedIdentityNotFound',
  'kv-saml-signing-key': 'SecretTooLong',
};

/** Display names of the failing ones, sorted. */
export function demoFailingDisplayNames(): string[] {
  return demoNamedValues().filter((nv) => nv.name in DEMO_FAILING_KEY_VAULT).map((nv) => nv.displayName).sort();
}

interface DemoNamedValue { name: string; displayName: string; keyVault: boolean }

let cache: DemoNamedValue[] | undefined;

/** The demo service's named values as the fixture file lists them. */
export function demoNamedValues(): DemoNamedValue[] {
  if (!cache) {
    const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'emulator', 'fixtures', 'demo-instance.json'), 'utf8')) as {
      services: Array<{ namedValues: Array<{ name: string; properties: { displayName: string; keyVault?: unknown } }> }>;
    };
    cache = fixture.services[0].namedValues.map((nv) => ({ name: nv.name, displayName: nv.properties.displayName, keyVault: nv.properties.keyVault !== undefined }));
  }
  return cache;
}

/** What a test may change in the emulator, in process (RunningEmulator) or through the control endpoints. */
export interface EmulatorControls {
  setVaultState(vault: string, secret: string | null, state: VaultSecretState): unknown;
  attachIdentity(service: string, clientId: string, principalId: string): unknown;
}

/** A secret value tests restore into vaults (carries the leak marker, so leak tests hunt for it too). */
export const RESTORED_DEMO_SECRET = 'SECRET-DO-NOT-LEAK-restored-by-a-test';

/**
 * Fixes every failing demo reference the way its owner would: attach the missing identity, grant access and
 * open the firewalls (a vault-level "ok"), restore, enable or shorten the secrets.
 */
export async function repairEveryDemoKeyVaultFailure(emu: EmulatorControls): Promise<void> {
  await emu.attachIdentity('contoso-apim', '5f4e3d2c-1b0a-4987-a654-3210fedcba98', '6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098');
  for (const vault of ['contoso-kv', 'contoso-billing-kv', 'contoso-old-kv', 'contoso-secure-kv', 'contoso-loyalty-kv']) {
    await emu.setVaultState(vault, null, { status: 'ok' });
  }
  await emu.setVaultState('contoso-kv', 'legacy-partner-key', { status: 'ok', value: RESTORED_DEMO_SECRET });
  await emu.setVaultState('contoso-kv', 'webhook-signing-secret', { status: 'ok' });
  await emu.setVaultState('contoso-kv', 'saml-signing-key', { status: 'ok', value: `${RESTORED_DEMO_SECRET}-short` });
}
