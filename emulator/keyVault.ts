// Simulated Azure Key Vault behind Key Vault named values: resolves a secretIdentifier against the vaults in
// emulator state and reports the outcome the way APIM records it in properties.keyVault.lastStatus.
import type { EmulatorState, NamedValueRecord, VaultRecord, VaultSecretState } from './types';
import { isObject } from './http';

export interface KeyVaultStatus { code: string; message?: string; timeStampUtc: string }

export type SecretResolution =
  | { ok: true; value: string }
  | { ok: false; code: string; message: string };

/** ARM timestamps carry 7 fractional digits (e.g. 2020-09-11T00:54:31.8024882Z). */
export function armTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** Splits `https://{vault}.vault.azure.net/secrets/{name}[/{version}]` into vault and secret names. */
export function parseSecretIdentifier(identifier: string): { vault: string; host: string; secret: string } | undefined {
  let url: URL;
  try {
    url = new URL(identifier);
  } catch {
    return undefined;
  }
  const match = /^\/secrets\/([^/]+)(?:\/[^/]+)?\/?$/.exec(url.pathname);
  if (url.protocol !== 'https:' || !match) return undefined;
  return { vault: url.hostname.split('.')[0].toLowerCase(), host: url.hostname, secret: decodeURIComponent(match[1]) };
}

export function resolveSecret(
  vaults: Map<string, VaultRecord>,
  secretIdentifier: string,
  identityClientId: string | undefined,
): SecretResolution {
  const parsed = parseSecretIdentifier(secretIdentifier);
  if (!parsed) {
    return { ok: false, code: 'InvalidSecretIdentifier', message: `'${secretIdentifier}' is not a Key Vault secret identifier (expected https://<vault>.vault.azure.net/secrets/<name>).` };
  }
  const vault = vaults.get(parsed.vault);
  if (!vault || !vault.reachable) {
    return {
      ok: false,
      code: 'VaultNotFound',
      message: `Could not reach Key Vault '${parsed.host}': the host name did not resolve or the network path is blocked. ` +
        'Check the vault name, its firewall / private endpoint settings and the gateway network.',
    };
  }
  const who = identityClientId ? `user-assigned identity with client id '${identityClientId}'` : 'the service\'s system-assigned identity';
  if (vault.accessDenied) {
    return {
      ok: false,
      code: 'Forbidden',
      message: `Key Vault '${parsed.vault}' refused to return secret '${parsed.secret}' to ${who}. ` +
        "Give that identity the 'Key Vault Secrets User' role (or a 'Get' secret access policy).",
    };
  }
  const secret = vault.secrets.get(parsed.secret.toLowerCase());
  if (!secret) {
    return {
      ok: false,
      code: 'SecretNotFound',
      message: `Key Vault '${parsed.vault}' has no secret named '${parsed.secret}' (it may have been deleted or renamed).`,
    };
  }
  if (!secret.enabled) {
    return {
      ok: false,
      code: 'SecretDisabled',
      message: `Secret '${parsed.secret}' in Key Vault '${parsed.vault}' is disabled; enable it or point the named value at another secret.`,
    };
  }
  return { ok: true, value: secret.value };
}

/** Re-reads a Key Vault named value's secret and records the outcome in lastStatus. Returns the failure, if any. */
export function refreshNamedValueFromVault(
  vaults: Map<string, VaultRecord>,
  record: NamedValueRecord,
  now = new Date(),
): { code: string; message: string } | undefined {
  const keyVault = record.properties.keyVault;
  if (!isObject(keyVault) || typeof keyVault.secretIdentifier !== 'string') return undefined;
  const identity = typeof keyVault.identityClientId === 'string' ? keyVault.identityClientId : undefined;
  const result = resolveSecret(vaults, keyVault.secretIdentifier, identity);
  if (result.ok) {
    record.keyVaultValue = result.value;
    keyVault.lastStatus = { code: 'Success', timeStampUtc: armTimestamp(now) } satisfies KeyVaultStatus;
    return undefined;
  }
  keyVault.lastStatus = { code: result.code, message: result.message, timeStampUtc: armTimestamp(now) } satisfies KeyVaultStatus;
  return { code: result.code, message: result.message };
}

export function isKeyVaultRefreshFailed(record: NamedValueRecord): boolean {
  const keyVault = record.properties.keyVault;
  if (!isObject(keyVault)) return false;
  const lastStatus = keyVault.lastStatus;
  return isObject(lastStatus) && typeof lastStatus.code === 'string' && lastStatus.code !== 'Success';
}

/** Applies a vault-level (secret = null) or secret-level state change. */
export function applyVaultState(state: EmulatorState, vaultName: string, secretName: string | null, change: VaultSecretState): void {
  const key = vaultName.toLowerCase();
  let vault = state.vaults.get(key);
  if (!vault) {
    vault = { reachable: true, accessDenied: false, secrets: new Map() };
    state.vaults.set(key, vault);
  }
  if (secretName === null) {
    switch (change.status) {
      case 'ok': vault.reachable = true; vault.accessDenied = false; return;
      case 'unreachable': vault.reachable = false; return;
      case 'accessDenied': vault.reachable = true; vault.accessDenied = true; return;
      default: throw new RangeError(`'${change.status}' applies to a secret, not to a whole vault`);
    }
  }
  const secretKey = secretName.toLowerCase();
  const existing = vault.secrets.get(secretKey);
  switch (change.status) {
    case 'ok': {
      const value = change.value ?? existing?.value;
      if (value === undefined) throw new RangeError(`secret '${secretName}' does not exist yet: give it a value`);
      vault.secrets.set(secretKey, { value, enabled: true });
      return;
    }
    case 'missing': vault.secrets.delete(secretKey); return;
    case 'disabled':
      if (!existing) throw new RangeError(`secret '${secretName}' does not exist`);
      existing.enabled = false;
      return;
    default: throw new RangeError(`'${change.status}' applies to a whole vault: pass secret = null`);
  }
}

export function isVaultSecretState(value: unknown): value is VaultSecretState {
  if (!isObject(value) || typeof value.status !== 'string') return false;
  if (!['ok', 'missing', 'disabled', 'accessDenied', 'unreachable'].includes(value.status)) return false;
  return value.value === undefined || (value.status === 'ok' && typeof value.value === 'string');
}
