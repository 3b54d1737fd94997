/**
 * The Key Vault doctor's checks: each a pure function from what was read
 * (DoctorFacts) to a verdict with what was found, what to do, and the fixes
 * that apply. No I/O and no `vscode` here; diagnose.ts gathers the facts.
 *
 * The chain APIM walks to read a Key Vault named value, in order: its last
 * status; the managed identity it reads with; the identifier (versioned or
 * not); the vault; the vault's permission model and the grant for that
 * identity; the vault's network rules; the secret itself; its length.
 * https://learn.microsoft.com/azure/api-management/api-management-howto-properties#key-vault-secrets
 */
import type { NamedValueInfo } from '../../../protocol/protocol';
import type { ClassifiedError } from '../azure/errors';
import {
  GET_SECRET_DATA_ACTION, permits, type PermissionBlock, type RoleGrant, type SecretFacts, type ServiceFacts, type VaultFacts,
} from '../azure/keyVaultReads';
import { ACCESS_POLICY_WRITER_ROLE, ROLE_ASSIGNMENT_WRITER_ROLE, SECRETS_USER_ROLE_NAME } from '../azure/keyVaultWrites';
import { type SecretIdentifier, versionlessIdentifier } from '../azure/secretIdentifier';

export type CheckId = 'status' | 'identity' | 'identifier' | 'vault' | 'permission' | 'network' | 'secret' | 'length';
export type Outcome = 'pass' | 'fail' | 'warning' | 'unknown';

export const CHECK_TITLES: Record<CheckId, string> = {
  status: "APIM's last status",
  identity: 'Managed identity',
  identifier: 'Secret identifier',
  vault: 'Key Vault',
  permission: 'Permission',
  network: 'Network access',
  secret: 'Secret',
  length: 'Secret length',
};

/** The longest value a named value holds. */
export const MAX_VALUE_LENGTH = 4096;

/** Whether the signed-in user may make a change (from their effective permissions), and which role it takes. */
export type Permission = { allowed: true } | { allowed: false; requiredRole: string } | { allowed: 'unknown'; requiredRole: string };

export type FixProposal =
  | { kind: 'addAccessPolicy'; label: string; change: string; vault: VaultFacts; principalId: string; permission: Permission }
  | { kind: 'assignSecretsUser'; label: string; change: string; vault: VaultFacts; scope: string; principalId: string; permission: Permission }
  | { kind: 'useLatestVersion'; label: string; change: string; secretIdentifier: string; permission: Permission }
  | { kind: 'refresh'; label: string; change: string }
  | { kind: 'checkLength'; label: string; change: string };

export interface CheckResult {
  id: CheckId;
  title: string;
  outcome: Outcome;
  /** What was found, in one or two sentences. */
  found: string;
  /** What to do (failures and warnings), or why it could not be checked. */
  advice?: string;
  fixes: FixProposal[];
}

/** A read that worked, or the classified reason it did not. */
export type Read<T> = { ok: true; value: T } | { ok: false; error: ClassifiedError };

export interface Principal {
  principalId: string;
  /** "the system-assigned identity" / "user-assigned identity id-contoso (client id …)". */
  description: string;
}

export interface DoctorFacts {
  now: number;
  serviceName: string;
  /** The named value as APIM reports it now (fresh GET), or as it is about to be created. */
  namedValue: NamedValueInfo;
  /** Checks before creating: there is no APIM status yet. */
  draft?: boolean;
  identifier?: SecretIdentifier;
  service: Read<ServiceFacts>;
  /** Undefined: not searched (no identifier). `value` undefined: not among the subscriptions searched. */
  vaultSearch?: Read<{ location?: VaultFacts['id']; subscriptions: number; failedSubscriptions: number }>;
  vault?: Read<VaultFacts>;
  roleGrants?: Read<RoleGrant[]>;
  /** Undefined value: no such secret. */
  secret?: Read<SecretFacts | undefined>;
  /** Length through the data plane; undefined when the user did not ask for it. */
  length?: Read<number>;
  callerOnVault?: Read<PermissionBlock[]>;
  callerOnService?: Read<PermissionBlock[]>;
}

const result = (id: CheckId, outcome: Outcome, found: string, advice?: string, fixes: FixProposal[] = []): CheckResult =>
  ({ id, title: CHECK_TITLES[id], outcome, found, ...(advice ? { advice } : {}), fixes });

const couldNotCheck = (id: CheckId, why: string, advice?: string): CheckResult => result(id, 'unknown', why, advice);

function readFailure(error: ClassifiedError): string {
  return error.kind === 'forbidden'
    ? `You may not read this${error.code ? ` (${error.code})` : ''}.`
    : error.userMessage;
}

function fixPermission(blocks: Read<PermissionBlock[]> | undefined, action: string, requiredRole: string): Permission {
  if (!blocks?.ok) return { allowed: 'unknown', requiredRole };
  return permits(blocks.value, action) ? { allowed: true } : { allowed: false, requiredRole };
}

const formatDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace('T', ' ');

// ---- 1. APIM's last status --------------------------------------------------------------------

export function statusCheck(f: DoctorFacts): CheckResult {
  if (f.draft) return result('status', 'unknown', 'Not created yet: APIM fetches the secret when the named value is created.');
  const status = f.namedValue.keyVault?.lastStatus;
  const refresh: FixProposal = {
    kind: 'refresh', label: 'Refresh the secret now',
    change: `Asks ${f.serviceName} to fetch "${f.namedValue.displayName}" from Key Vault again (nothing else changes).`,
  };
  if (!status) return result('status', 'warning', 'APIM has not fetched this secret yet.', 'Refresh it to see whether APIM can read it.', [refresh]);
  const when = status.timeStampUtc ? ` on ${status.timeStampUtc.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}` : '';
  if (status.code === 'Success') return result('status', 'pass', `APIM read the secret${when}.`);
  return result('status', 'fail', `APIM's last fetch failed${when}: ${status.code}${status.message ? ` — ${status.message}` : ''}`,
    'The checks below say why; after fixing, refresh the secret.', [refresh]);
}

// ---- 2. identity ------------------------------------------------------------------------------

export function principalOf(f: DoctorFacts): Principal | undefined {
  if (!f.service.ok) return undefined;
  const clientId = f.namedValue.keyVault?.identityClientId;
  if (clientId) {
    const user = f.service.value.userAssigned.find((u) => u.clientId.toLowerCase() === clientId.toLowerCase());
    return user ? { principalId: user.principalId, description: `user-assigned identity ${user.name} (client id ${user.clientId})` } : undefined;
  }
  const system = f.service.value.systemAssigned;
  return system ? { principalId: system.principalId, description: 'the system-assigned identity' } : undefined;
}

export function identityCheck(f: DoctorFacts): CheckResult {
  if (!f.service.ok) return couldNotCheck('identity', `Could not read ${f.serviceName}: ${f.service.error.userMessage}`);
  const service = f.service.value;
  const clientId = f.namedValue.keyVault?.identityClientId;
  const principal = principalOf(f);
  if (principal) return result('identity', 'pass', `APIM reads the secret with ${principal.description}, principal id ${principal.principalId}.`);
  if (clientId) {
    const others = service.userAssigned.map((u) => `${u.name} (${u.clientId})`);
    return result('identity', 'fail',
      `No user-assigned identity with client id ${clientId} is attached to ${f.serviceName} — APIM reports "Can not find Managed Identity with provided IdentityClientId".`,
      others.length
        ? `Attach that identity to the instance (Security › Managed identities), or edit the named value to use one it has: ${others.join(', ')}${service.systemAssigned ? ', or the system-assigned identity' : ''}.`
        : `Attach that identity to the instance (Security › Managed identities)${service.systemAssigned ? ', or edit the named value to use the system-assigned identity' : ''}.`);
  }
  return result('identity', 'fail', `${f.serviceName} has no system-assigned managed identity, and the named value names no user-assigned one.`,
    'Turn on the system-assigned identity (Security › Managed identities) and grant it access to the vault, or edit the named value to use a user-assigned identity.');
}

// ---- 3. identifier ----------------------------------------------------------------------------

export function identifierCheck(f: DoctorFacts, callerOnService?: Read<PermissionBlock[]>): CheckResult {
  const raw = f.namedValue.keyVault?.secretIdentifier ?? '';
  const id = f.identifier;
  if (!id) {
    return result('identifier', 'fail', `"${raw}" is not a Key Vault secret identifier.`,
      'Use https://<vault>.vault.azure.net/secrets/<name> (without a version, so APIM follows rotation).');
  }
  if (!id.version) return result('identifier', 'pass', `Versionless: APIM picks up each new version of "${id.secret}" within four hours.`);
  const versionless = versionlessIdentifier(id);
  return result('identifier', 'warning',
    `Pinned to version ${id.version}: when the secret rotates, APIM keeps serving this version (automatic rotation is off).`,
    'Point the named value at the secret without a version.', [{
      kind: 'useLatestVersion',
      label: 'Use the latest version',
      change: `Changes the secret identifier of "${f.namedValue.displayName}" from ${raw} to ${versionless} (identity unchanged), then refreshes it.`,
      secretIdentifier: versionless,
      permission: fixPermission(callerOnService, 'Microsoft.ApiManagement/service/namedValues/write', 'API Management Service Contributor'),
    }]);
}

// ---- 4. vault ---------------------------------------------------------------------------------

export function vaultCheck(f: DoctorFacts): CheckResult {
  if (!f.identifier) return couldNotCheck('vault', 'No vault to look for: the identifier is not valid.');
  const name = f.identifier.vault;
  if (!f.vaultSearch) return couldNotCheck('vault', `Did not look for vault "${name}".`);
  if (!f.vaultSearch.ok) return couldNotCheck('vault', `Could not look for vault "${name}": ${f.vaultSearch.error.userMessage}`);
  const search = f.vaultSearch.value;
  if (!search.location) {
    const partial = search.failedSubscriptions ? ` (${search.failedSubscriptions} could not be searched)` : '';
    return result('vault', 'fail',
      `No vault named "${name}" in the ${search.subscriptions} subscription${search.subscriptions === 1 ? '' : 's'} you can see${partial}.`,
      'Either it was deleted or renamed (fix the identifier), or it lives in a subscription your account cannot see: ask its owner for Reader on it, or have them run the doctor. APIM can still read vaults you cannot see.');
  }
  if (!f.vault?.ok) return couldNotCheck('vault', `Found vault "${name}" but could not read it: ${f.vault ? readFailure(f.vault.error) : 'not read'}`);
  const v = f.vault.value;
  return result('vault', 'pass',
    `Vault "${v.name}" in resource group ${v.resourceGroup} (subscription ${v.subscriptionId}); permission model: ${v.rbac ? 'Azure RBAC' : 'access policies'}.`);
}

// ---- 5. permission ----------------------------------------------------------------------------

export function permissionCheck(f: DoctorFacts): CheckResult {
  const principal = principalOf(f);
  if (!principal) return couldNotCheck('permission', 'No identity to check: see the identity check.');
  if (!f.vault?.ok || !f.identifier) return couldNotCheck('permission', 'The vault could not be read: see the vault check.');
  const vault = f.vault.value;
  if (!vault.rbac) {
    const policy = vault.accessPolicies.find((p) => p.objectId.toLowerCase() === principal.principalId.toLowerCase());
    const secrets = policy?.secrets ?? [];
    const canGet = secrets.includes('get') || secrets.includes('all');
    const canList = secrets.includes('list') || secrets.includes('all');
    const fix: FixProposal = {
      kind: 'addAccessPolicy',
      label: 'Grant Get and List by access policy',
      change: `Adds secret permissions Get and List for ${principal.description} (object id ${principal.principalId}) to the access policies of Key Vault "${vault.name}". Other permissions stay as they are.`,
      vault,
      principalId: principal.principalId,
      permission: fixPermission(f.callerOnVault, 'Microsoft.KeyVault/vaults/accessPolicies/write', ACCESS_POLICY_WRITER_ROLE),
    };
    if (canGet && canList) return result('permission', 'pass', `Access policy for ${principal.description} allows secret ${secrets.join(', ')}.`);
    if (canGet) {
      return result('permission', 'warning', `Access policy for ${principal.description} allows secret Get but not List.`,
        'Learn recommends Get and List for API Management; add List.', [fix]);
    }
    return result('permission', 'fail',
      policy
        ? `The access policy for ${principal.description} allows secret ${secrets.length ? secrets.join(', ') : 'nothing'}, not Get (vault uses access policies).`
        : `Vault "${vault.name}" uses access policies and has none for ${principal.description} (object id ${principal.principalId}).`,
      'Give that identity secret Get and List.', [fix]);
  }
  if (!f.roleGrants) return couldNotCheck('permission', 'Role assignments were not read.');
  if (!f.roleGrants.ok) {
    return couldNotCheck('permission', `Could not read the role assignments on vault "${vault.name}": ${readFailure(f.roleGrants.error)}`,
      'Reading role assignments needs Reader (Microsoft.Authorization/roleAssignments/read) on the vault.');
  }
  const grants = f.roleGrants.value;
  const granting = grants.filter((g) => permits(g.permissions, GET_SECRET_DATA_ACTION, true));
  if (granting.length > 0) {
    const g = granting[0];
    const conditional = granting.every((x) => x.condition) ? ' (with a condition the doctor cannot evaluate)' : '';
    return result('permission', conditional ? 'warning' : 'pass',
      `Role "${g.roleName}" assigned to ${principal.description} at ${describeScope(g.scope)} grants reading secrets${conditional}.`,
      conditional ? 'Check that the condition allows this secret.' : undefined);
  }
  const secretScope = `${vault.id}/secrets/${f.identifier.secret}`;
  const permission = fixPermission(f.callerOnVault, 'Microsoft.Authorization/roleAssignments/write', ROLE_ASSIGNMENT_WRITER_ROLE);
  const fixes: FixProposal[] = [
    {
      kind: 'assignSecretsUser', label: `Assign "${SECRETS_USER_ROLE_NAME}" on the secret`,
      change: `Creates a role assignment: "${SECRETS_USER_ROLE_NAME}" for ${principal.description} (object id ${principal.principalId}) on secret "${f.identifier.secret}" of Key Vault "${vault.name}" only.`,
      vault, scope: secretScope, principalId: principal.principalId, permission,
    },
    {
      kind: 'assignSecretsUser', label: `Assign "${SECRETS_USER_ROLE_NAME}" on the vault`,
      change: `Creates a role assignment: "${SECRETS_USER_ROLE_NAME}" for ${principal.description} (object id ${principal.principalId}) on Key Vault "${vault.name}" (every secret in it).`,
      vault, scope: vault.id, principalId: principal.principalId, permission,
    },
  ];
  const others = grants.length ? ` Its roles there (${[...new Set(grants.map((g) => g.roleName))].join(', ')}) do not include ${GET_SECRET_DATA_ACTION}.` : '';
  return result('permission', 'fail',
    `Vault "${vault.name}" uses Azure RBAC and no role assignment of ${principal.description} at the secret, vault, resource group or subscription grants reading secrets.${others}`,
    `Assign "${SECRETS_USER_ROLE_NAME}" to that identity on the secret or the vault.`, fixes);
}

function describeScope(scope: string): string {
  const s = scope.replace(/\/+$/, '');
  if (/\/secrets\/[^/]+$/i.test(s)) return `secret "${s.split('/').pop()}"`;
  if (/\/providers\/[^/]+\/[^/]+\/[^/]+$/i.test(s)) return `vault "${s.split('/').pop()}"`;
  if (/\/resourceGroups\/[^/]+$/i.test(s)) return `resource group "${s.split('/').pop()}"`;
  if (/^\/subscriptions\/[^/]+$/i.test(s)) return `subscription ${s.split('/').pop()}`;
  return s || 'the root scope';
}

// ---- 6. network -------------------------------------------------------------------------------

export function networkCheck(f: DoctorFacts): CheckResult {
  if (!f.vault?.ok) return couldNotCheck('network', 'The vault could not be read: see the vault check.');
  const v = f.vault.value;
  const service = f.service.ok ? f.service.value : undefined;
  const inVnet = service !== undefined && service.virtualNetworkType !== 'None';
  if (v.publicNetworkAccess.toLowerCase() === 'disabled') {
    return result('network', inVnet ? 'warning' : 'fail',
      `Vault "${v.name}" has public network access disabled: only private endpoints reach it${inVnet ? '; the instance is in a virtual network' : ''}.`,
      inVnet
        ? 'Make sure the instance\'s virtual network reaches a private endpoint of the vault (and resolves its private DNS name).'
        : 'Give the vault a private endpoint the gateway can reach, or allow public access with the firewall and "Allow trusted Microsoft services to bypass this firewall".');
  }
  if (v.defaultAction.toLowerCase() !== 'deny') return result('network', 'pass', `Vault "${v.name}" accepts requests from all networks.`);
  if (v.bypass.toLowerCase().includes('azureservices')) {
    return result('network', 'pass', `Vault "${v.name}" denies by default but lets trusted Microsoft services (API Management among them) through.`);
  }
  const ips = service?.publicIpAddresses ?? [];
  const allowed = ips.length > 0 && ips.every((ip) => v.ipRules.some((rule) => rule.split('/')[0] === ip));
  if (allowed) return result('network', 'pass', `Vault "${v.name}" denies by default, but its firewall allows the gateway's addresses (${ips.join(', ')}).`);
  if (inVnet && v.virtualNetworkRules > 0) {
    return result('network', 'warning', `Vault "${v.name}" denies by default and allows ${v.virtualNetworkRules} virtual network rule(s); the instance is in a virtual network.`,
      'Check that the instance\'s subnet is one of the allowed ones.');
  }
  return result('network', 'fail',
    `Vault "${v.name}" denies requests by default and does not let trusted Microsoft services through${ips.length ? `; the gateway's address ${ips.join(', ')} is not allowed` : ''}.`,
    'In the vault\'s Networking settings, select "Allow trusted Microsoft services to bypass this firewall" (as Learn describes for API Management), or use a private endpoint.');
}

// ---- 7. secret --------------------------------------------------------------------------------

export function secretCheck(f: DoctorFacts): CheckResult {
  if (!f.identifier) return couldNotCheck('secret', 'No secret to look for: the identifier is not valid.');
  if (!f.vault?.ok) return couldNotCheck('secret', 'The vault could not be read: see the vault check.');
  if (!f.secret) return couldNotCheck('secret', 'The secret was not read.');
  if (!f.secret.ok) return couldNotCheck('secret', `Could not read secret "${f.identifier.secret}": ${readFailure(f.secret.error)}`);
  const s = f.secret.value;
  const vault = f.vault.value.name;
  if (!s) {
    return result('secret', 'fail', `Vault "${vault}" has no secret named "${f.identifier.secret}" (deleted, or never created).`,
      'Restore it (if soft-deleted) or create it, or fix the identifier.');
  }
  if (!s.enabled) return result('secret', 'fail', `Secret "${s.name}" is disabled.`, 'Enable it in the vault, or point the named value at another secret.');
  const notes: string[] = [];
  if (s.expires && s.expires.getTime() <= f.now) notes.push(`expired on ${formatDate(s.expires)}`);
  if (s.notBefore && s.notBefore.getTime() > f.now) notes.push(`not valid before ${formatDate(s.notBefore)}`);
  if (notes.length > 0) {
    return result('secret', 'warning', `Secret "${s.name}" exists and is enabled, but is ${notes.join(' and ')}.`,
      'Key Vault still returns it, but whoever set the date meant it to be replaced: rotate it and update the dates.');
  }
  const dates = s.expires ? `, expires ${formatDate(s.expires)}` : ', no expiry date';
  const pinned = f.identifier.version ? ' (checked the current version; the named value pins another one)' : '';
  return result('secret', 'pass', `Secret "${s.name}" exists and is enabled${dates}${pinned}.`);
}

// ---- 8. length --------------------------------------------------------------------------------

export function lengthCheck(f: DoctorFacts): CheckResult {
  if (!f.length) {
    return result('length', 'unknown', 'Not checked: this reads the secret through Key Vault with your account.',
      'Only if you agree: the value is read to count its characters and is never shown, logged, cached or sent anywhere.', [{
        kind: 'checkLength', label: 'Check the length…',
        change: `Reads the value of "${f.identifier?.secret ?? f.namedValue.displayName}" from Key Vault with your account, counts its characters and discards it: it is not shown, logged, cached or sent anywhere.`,
      }]);
  }
  if (!f.length.ok) {
    const e = f.length.error;
    const why = e.kind === 'forbidden' ? `Key Vault refused your account (${e.message})` : e.userMessage;
    return couldNotCheck('length', `Could not read the secret with your account: ${why}`,
      'Reading it needs "Key Vault Secrets User" (RBAC) or a Get access policy for you, and a network path to the vault.');
  }
  const n = f.length.value;
  if (n === 0) return result('length', 'fail', 'The secret is empty.', 'Store a value of 1 to 4,096 characters.');
  if (n > MAX_VALUE_LENGTH) {
    return result('length', 'fail', `The secret has ${n.toLocaleString('en')} characters; a named value holds at most ${MAX_VALUE_LENGTH.toLocaleString('en')}.`,
      'Store a shorter value (for a certificate, use an API Management certificate instead of a named value).');
  }
  return result('length', 'pass', `The secret has ${n.toLocaleString('en')} characters (1–4,096 allowed).`);
}

/** Every check, in the order APIM walks the chain. */
export function runChecks(f: DoctorFacts): CheckResult[] {
  return [statusCheck(f), identityCheck(f), identifierCheck(f, f.callerOnService), vaultCheck(f), permissionCheck(f), networkCheck(f), secretCheck(f), lengthCheck(f)];
}
