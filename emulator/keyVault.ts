// Simulated Azure Key Vault behind Key Vault named values: resolves a secretIdentifier the way APIM does —
// with the service's managed identity, through the vault's network rules and permission model — and records
// the outcome the way APIM does in properties.keyVault.lastStatus. The data plane reuses the same checks.
import { ensureRoleAssignment, GET_SECRET_DATA_ACTION, isAllowed, SECRETS_USER_ROLE_ID } from './authorization';
import { isObject } from './http';
import { MAX_NAMED_VALUE_LENGTH, newSecret, rotateSecret, secretScope, vaultId } from './keyVaultArm';
import type { EmulatorState, NamedValueRecord, SecretVersion, ServiceRecord, VaultRecord, VaultSecretState } from './types';

export interface KeyVaultStatus { code: string; message?: string; timeStampUtc: string }

export type SecretResolution =
  | { ok: true; value: string }
  | { ok: false; code: string; message: string };

/** ARM timestamps carry 7 fractional digits (e.g. 2020-09-11T00:54:31.8024882Z). */
export function armTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export interface ParsedSecretIdentifier { vault: string; host: string; origin: string; secret: string; version?: string }

/** Splits `https://{vault}.vault.azure.net/secrets/{name}[/{version}]` into vault (the host's first label), secret and version. */
export function parseSecretIdentifier(identifier: string): ParsedSecretIdentifier | undefined {
  let url: URL;
  try {
    url = new URL(identifier);
  } catch {
    return undefined;
  }
  const match = /^\/secrets\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (url.protocol !== 'https:' || !match) return undefined;
  const parsed: ParsedSecretIdentifier = {
    vault: url.hostname.split('.')[0].toLowerCase(),
    host: url.hostname,
    origin: url.origin.toLowerCase(),
    secret: decodeURIComponent(match[1]),
  };
  if (match[2]) parsed.version = match[2].toLowerCase();
  return parsed;
}

/** The vault an identifier points at: the one whose data-plane origin it uses, else the one its host names. */
export function vaultFor(state: EmulatorState, parsed: ParsedSecretIdentifier): VaultRecord | undefined {
  for (const vault of state.vaults.values()) {
    if (new URL(vault.dataPlaneUri).origin.toLowerCase() === parsed.origin) return vault;
  }
  return state.vaults.get(parsed.vault);
}

/** The object id APIM reads Key Vault with for this named value, or why it has none. */
export function apimPrincipal(service: ServiceRecord, identityClientId: string | undefined): { principalId: string; who: string } | { code: string; message: string } {
  const identity = isObject(service.identity) ? service.identity : {};
  if (identityClientId) {
    const users = isObject(identity.userAssignedIdentities) ? Object.values(identity.userAssignedIdentities) : [];
    const match = users.find((u) => isObject(u) && typeof u.clientId === 'string' && u.clientId.toLowerCase() === identityClientId.toLowerCase());
    if (isObject(match) && typeof match.principalId === 'string') {
      return { principalId: match.principalId.toLowerCase(), who: `user-assigned identity with client id '${identityClientId}'` };
    }
    return {
      code: 'ManagedIdentityNotFound',
      message: `Can not find Managed Identity with provided IdentityClientId : ${identityClientId}. Attach that user-assigned identity to the service or use another one.`,
    };
  }
  const type = typeof identity.type === 'string' ? identity.type : '';
  if (/SystemAssigned/i.test(type) && typeof identity.principalId === 'string') {
    return { principalId: identity.principalId.toLowerCase(), who: "the service's system-assigned identity" };
  }
  return { code: 'ManagedIdentityNotFound', message: `Service '${service.name}' has no system-assigned managed identity to read Key Vault with.` };
}

/** The public addresses APIM calls from (its outbound IPs). */
function serviceAddresses(service: ServiceRecord): string[] {
  const ips = service.properties.publicIPAddresses;
  return Array.isArray(ips) ? ips.filter((ip): ip is string => typeof ip === 'string') : [];
}

export interface AccessDenial { status: 403; code: string; innerCode: string; message: string }

/**
 * Whether `principalId`, calling from `from` (a trusted Azure service with these addresses, or a client
 * address), may read `secretName`: network rules first, then the forced-denial knob, then the vault's
 * permission model (RBAC data action or an access policy with secret Get).
 */
export function secretReadDenial(
  state: EmulatorState, vault: VaultRecord, principalId: string, secretName: string, from: { trustedService: boolean; addresses: string[] },
): AccessDenial | undefined {
  const addressText = from.addresses[0] ?? 'unknown';
  if (vault.publicNetworkAccess === 'Disabled') {
    return { status: 403, code: 'Forbidden', innerCode: 'ForbiddenByConnection',
      message: 'Public network access is disabled and request is not from a trusted service nor via an approved private link.' };
  }
  const acl = vault.networkAcls;
  const allowedByIp = from.addresses.length > 0 && from.addresses.every((a) => acl.ipRules.some((rule) => rule.split('/')[0] === a));
  if (acl.defaultAction === 'Deny' && !(from.trustedService && acl.bypass === 'AzureServices') && !allowedByIp) {
    return { status: 403, code: 'Forbidden', innerCode: 'ForbiddenByFirewall',
      message: `Client address is not authorized and caller is not a trusted service. Client address: ${addressText}` };
  }
  if (vault.accessDenied) {
    return { status: 403, code: 'Forbidden', innerCode: 'ForbiddenByPolicy', message: `Access to vault '${vault.name}' is denied for every caller.` };
  }
  if (vault.enableRbacAuthorization) {
    if (isAllowed(state, principalId, secretScope(vault, secretName), GET_SECRET_DATA_ACTION, true)) return undefined;
    return { status: 403, code: 'Forbidden', innerCode: 'ForbiddenByRbac',
      message: `Caller is not authorized to perform action on resource. Caller: oid=${principalId}; Action: '${GET_SECRET_DATA_ACTION}'; ` +
        `Resource: '${secretScope(vault, secretName).toLowerCase()}'. Assignment: (not found).` };
  }
  const policy = vault.accessPolicies.find((p) => p.objectId === principalId.toLowerCase());
  if (policy?.permissions.secrets.some((s) => s === 'get' || s === 'all')) return undefined;
  return { status: 403, code: 'Forbidden', innerCode: 'ForbiddenByPolicy',
    message: `The user, group or application 'oid=${principalId}' does not have secrets get permission on key vault '${vault.name};location=${vault.location}'.` };
}

export function findSecretVersion(vault: VaultRecord, secretName: string, version: string | undefined): SecretVersion | undefined {
  const secret = vault.secrets.get(secretName.toLowerCase());
  if (!secret || version === undefined || version === secret.version) return secret;
  return secret.olderVersions.find((v) => v.version === version);
}

export function resolveSecret(state: EmulatorState, service: ServiceRecord, secretIdentifier: string, identityClientId: string | undefined): SecretResolution {
  const parsed = parseSecretIdentifier(secretIdentifier);
  if (!parsed) {
    return { ok: false, code: 'InvalidSecretIdentifier', message: `'${secretIdentifier}' is not a Key Vault secret identifier (expected https://<vault>.vault.azure.net/secrets/<name>).` };
  }
  const principal = apimPrincipal(service, identityClientId);
  if ('code' in principal) return { ok: false, ...principal };
  const vault = vaultFor(state, parsed);
  if (!vault || !vault.reachable) {
    return {
      ok: false,
      code: 'VaultNotFound',
      message: `Could not reach Key Vault '${parsed.host}': the host name did not resolve or the network path is blocked. ` +
        'Check the vault name, its firewall / private endpoint settings and the gateway network.',
    };
  }
  const denial = secretReadDenial(state, vault, principal.principalId, parsed.secret, { trustedService: true, addresses: serviceAddresses(service) });
  if (denial) {
    return {
      ok: false,
      code: 'Forbidden',
      message: `Key Vault '${vault.name}' refused to return secret '${parsed.secret}' to ${principal.who} (${denial.innerCode}): ${denial.message}`,
    };
  }
  const secret = findSecretVersion(vault, parsed.secret, parsed.version);
  if (!secret) {
    const what = parsed.version ? `version '${parsed.version}' of secret '${parsed.secret}'` : `secret named '${parsed.secret}'`;
    return { ok: false, code: 'SecretNotFound', message: `Key Vault '${vault.name}' has no ${what} (it may have been deleted or renamed).` };
  }
  if (!secret.enabled) {
    return {
      ok: false,
      code: 'SecretDisabled',
      message: `Secret '${parsed.secret}' in Key Vault '${vault.name}' is disabled; enable it or point the named value at another secret.`,
    };
  }
  if (secret.value.length > MAX_NAMED_VALUE_LENGTH) {
    return {
      ok: false,
      code: 'SecretTooLong',
      message: `Secret '${parsed.secret}' in Key Vault '${vault.name}' is longer than the ${MAX_NAMED_VALUE_LENGTH} characters a named value can hold.`,
    };
  }
  return { ok: true, value: secret.value };
}

function serviceOf(state: EmulatorState, record: NamedValueRecord): ServiceRecord | undefined {
  return state.services.find((s) => s.namedValues.get(record.name.toLowerCase()) === record);
}

/** Re-reads a Key Vault named value's secret and records the outcome in lastStatus. Returns the failure, if any. */
export function refreshNamedValueFromVault(
  state: EmulatorState,
  record: NamedValueRecord,
  now = new Date(),
  service: ServiceRecord | undefined = serviceOf(state, record),
): { code: string; message: string } | undefined {
  const keyVault = record.properties.keyVault;
  if (!isObject(keyVault) || typeof keyVault.secretIdentifier !== 'string' || !service) return undefined;
  const identity = typeof keyVault.identityClientId === 'string' && keyVault.identityClientId !== '' ? keyVault.identityClientId : undefined;
  const result = resolveSecret(state, service, keyVault.secretIdentifier, identity);
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

/**
 * What a vault admin does to make a vault work for the instances that use it: reachable, no forced denial,
 * public access with the trusted-services bypass, and read access for every identity whose named values
 * point at it (a Key Vault Secrets User assignment on RBAC vaults, Get and List on access-policy vaults).
 */
function repairVault(state: EmulatorState, vault: VaultRecord): void {
  vault.reachable = true;
  vault.accessDenied = false;
  vault.publicNetworkAccess = 'Enabled';
  vault.networkAcls.bypass = 'AzureServices';
  for (const service of state.services) {
    for (const record of service.namedValues.values()) {
      const kv = record.properties.keyVault;
      if (!isObject(kv) || typeof kv.secretIdentifier !== 'string') continue;
      const parsed = parseSecretIdentifier(kv.secretIdentifier);
      if (!parsed || vaultFor(state, parsed) !== vault) continue;
      const principal = apimPrincipal(service, typeof kv.identityClientId === 'string' && kv.identityClientId ? kv.identityClientId : undefined);
      if ('code' in principal) continue;
      if (vault.enableRbacAuthorization) {
        ensureRoleAssignment(state, vaultId(vault), SECRETS_USER_ROLE_ID, principal.principalId);
        continue;
      }
      const policy = vault.accessPolicies.find((p) => p.objectId === principal.principalId);
      if (!policy) {
        vault.accessPolicies.push({ tenantId: state.tenantId, objectId: principal.principalId, permissions: { secrets: ['get', 'list'], keys: [], certificates: [] } });
      } else {
        policy.permissions.secrets = [...new Set([...policy.permissions.secrets, 'get', 'list'])];
      }
    }
  }
}

/** Applies a vault-level (secret = null) or secret-level state change. */
export function applyVaultState(state: EmulatorState, vaultName: string, secretName: string | null, change: VaultSecretState): void {
  const key = vaultName.toLowerCase();
  const vault = state.vaults.get(key);
  if (!vault) throw new RangeError(`vault '${vaultName}' does not exist in the emulator`);
  if (secretName === null) {
    switch (change.status) {
      case 'ok': repairVault(state, vault); return;
      case 'unreachable': vault.reachable = false; return;
      case 'accessDenied': vault.reachable = true; vault.accessDenied = true; return;
      default: throw new RangeError(`'${change.status}' applies to a secret, not to a whole vault`);
    }
  }
  const secretKey = secretName.toLowerCase();
  const existing = vault.secrets.get(secretKey);
  switch (change.status) {
    case 'ok': {
      if (existing) {
        if (change.value !== undefined) rotateSecret(existing, change.value);
        existing.enabled = true;
        return;
      }
      if (change.value === undefined) throw new RangeError(`secret '${secretName}' does not exist yet: give it a value`);
      vault.secrets.set(secretKey, newSecret(secretName, change.value));
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

/** Attaches a user-assigned managed identity to a service (what fixes a named value whose identity is gone). */
export function attachUserAssignedIdentity(state: EmulatorState, serviceName: string, clientId: string, principalId: string): void {
  const service = state.services.find((s) => s.name.toLowerCase() === serviceName.toLowerCase());
  if (!service) throw new RangeError(`service '${serviceName}' does not exist in the emulator`);
  const identity = isObject(service.identity) ? service.identity : {};
  const users = isObject(identity.userAssignedIdentities) ? identity.userAssignedIdentities : {};
  const resourceId = `/subscriptions/${service.subscriptionId}/resourceGroups/${service.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${clientId.slice(0, 8)}`;
  users[resourceId] = { principalId: principalId.toLowerCase(), clientId: clientId.toLowerCase() };
  const type = typeof identity.type === 'string' && /SystemAssigned/i.test(identity.type) ? 'SystemAssigned, UserAssigned' : 'UserAssigned';
  service.identity = { ...identity, type, userAssignedIdentities: users };
}

export function isVaultSecretState(value: unknown): value is VaultSecretState {
  if (!isObject(value) || typeof value.status !== 'string') return false;
  if (!['ok', 'missing', 'disabled', 'accessDenied', 'unreachable'].includes(value.status)) return false;
  return value.value === undefined || (value.status === 'ok' && typeof value.value === 'string');
}
