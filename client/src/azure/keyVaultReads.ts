/**
 * What the Key Vault doctor reads, each as one small function over the real
 * SDKs returning plain records: the instance's managed identities and
 * outbound addresses, the vaults the signed-in user can see, one vault's
 * permission model and network rules, a secret's ARM metadata (never its
 * value), the role assignments of a principal that cover a secret with what
 * their roles grant, and the signed-in user's own permissions. Only
 * `measureSecretLength` touches a secret value: it returns a number.
 * Listings page through pager.ts: a scan over many subscriptions shares one
 * RequestGate, so it keeps to the request bound and slows down on 429s.
 * Every function rejects with AzureAccessError only.
 */
import { type ApimClientSource, resolveClient } from './armClient';
import type { CallOptions } from './discovery';
import { toAzureAccessError } from './errors';
import type { KeyVaultClients } from './keyVaultClients';
import { DEFAULT_PARALLEL_REQUESTS, listAll, RequestGate, sdkPagedSource } from './pager';
import { parseServiceResourceId } from './resourceId';

export type { CallOptions } from './discovery';

/** A listing's call options: the gate of the scan it belongs to (a gate of its own when absent). */
export interface ListCallOptions extends CallOptions {
  gate?: RequestGate;
}

/** A gate for one scan, bounded by the `apimPolicy.maxParallelRequests` the clients were made with. */
export function scanGate(clients: KeyVaultClients): RequestGate {
  return new RequestGate(clients.options.parallelRequests ?? DEFAULT_PARALLEL_REQUESTS);
}

function listThrough<T>(clients: KeyVaultClients, call: ListCallOptions, list: Parameters<typeof sdkPagedSource<T>>[0]): Promise<T[]> {
  return listAll(sdkPagedSource(list), call.gate ?? scanGate(clients), call.signal ?? new AbortController().signal);
}

export const GET_SECRET_DATA_ACTION = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';
export const VAULT_TYPE = 'Microsoft.KeyVault/vaults';

// ---- the instance ----------------------------------------------------------------------------

export interface UserAssignedIdentity {
  resourceId: string;
  /** Last segment of the resource id. */
  name: string;
  clientId: string;
  principalId: string;
}

export interface ServiceFacts {
  systemAssigned?: { principalId: string; tenantId?: string };
  userAssigned: UserAssignedIdentity[];
  /** Addresses the gateway calls out from. */
  publicIpAddresses: string[];
  /** `None`, `External` or `Internal`. */
  virtualNetworkType: string;
}

export async function readServiceFacts(source: ApimClientSource, instanceId: string, call: CallOptions = {}): Promise<ServiceFacts> {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  try {
    const service = await handle.client.apiManagementService.get(id.resourceGroup, id.serviceName, { abortSignal: call.signal });
    const identity = service.identity;
    const facts: ServiceFacts = {
      userAssigned: Object.entries(identity?.userAssignedIdentities ?? {}).flatMap(([resourceId, u]) =>
        u.clientId && u.principalId ? [{ resourceId, name: resourceId.split('/').pop() ?? resourceId, clientId: u.clientId, principalId: u.principalId }] : []),
      publicIpAddresses: service.publicIPAddresses ?? [],
      virtualNetworkType: service.virtualNetworkType ?? 'None',
    };
    if (identity && /SystemAssigned/i.test(identity.type) && identity.principalId) {
      facts.systemAssigned = { principalId: identity.principalId, tenantId: identity.tenantId };
    }
    return facts;
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', instanceId, endpoint: handle.armEndpoint });
  }
}

// ---- vaults ----------------------------------------------------------------------------------

export interface VaultLocation {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
}

function locate(id: string, name: string): VaultLocation | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(id);
  return m ? { id, name, subscriptionId: m[1], resourceGroup: m[2] } : undefined;
}

/** The Key Vaults of one subscription (resource lookup through Azure Resource Manager). */
export async function listVaults(clients: KeyVaultClients, subscriptionId: string, call: ListCallOptions = {}): Promise<VaultLocation[]> {
  try {
    const resources = await listThrough(clients, call, (o) => clients.resources(subscriptionId).resources.list({ ...o, filter: `resourceType eq '${VAULT_TYPE}'` }));
    const found = resources.flatMap((resource) => {
      const location = resource.id && resource.name ? locate(resource.id, resource.name) : undefined;
      return location ? [location] : [];
    });
    return found.sort((a, b) => a.name.localeCompare(b.name));
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', endpoint: clients.armEndpoint });
  }
}

export interface VaultFacts extends VaultLocation {
  tenantId: string;
  /** Data-plane base URL (`https://{name}.vault.azure.net/`). */
  vaultUri?: string;
  rbac: boolean;
  accessPolicies: Array<{ objectId: string; secrets: string[] }>;
  publicNetworkAccess: string;
  defaultAction: string;
  bypass: string;
  ipRules: string[];
  virtualNetworkRules: number;
}

export async function readVault(clients: KeyVaultClients, location: VaultLocation, call: CallOptions = {}): Promise<VaultFacts> {
  try {
    const vault = await clients.keyVault(location.subscriptionId).vaults.get(location.resourceGroup, location.name, { abortSignal: call.signal });
    const p = vault.properties;
    return {
      ...location,
      tenantId: p.tenantId,
      vaultUri: p.vaultUri,
      rbac: p.enableRbacAuthorization === true,
      accessPolicies: (p.accessPolicies ?? []).map((a) => ({ objectId: a.objectId, secrets: (a.permissions.secrets ?? []).map((x) => x.toLowerCase()) })),
      publicNetworkAccess: p.publicNetworkAccess ?? 'Enabled',
      defaultAction: p.networkAcls?.defaultAction ?? 'Allow',
      bypass: p.networkAcls?.bypass ?? 'AzureServices',
      ipRules: (p.networkAcls?.ipRules ?? []).map((r) => r.value),
      virtualNetworkRules: p.networkAcls?.virtualNetworkRules?.length ?? 0,
    };
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', target: location.name, endpoint: clients.armEndpoint });
  }
}

export interface SecretFacts {
  name: string;
  enabled: boolean;
  notBefore?: Date;
  expires?: Date;
  updated?: Date;
  /** The current version's id, from ARM's secretUriWithVersion. */
  currentVersion?: string;
}

/** The secret's attributes through ARM (no value); undefined when the vault has no such secret. */
export async function readSecretFacts(clients: KeyVaultClients, vault: VaultLocation, secretName: string, call: CallOptions = {}): Promise<SecretFacts | undefined> {
  try {
    const secret = await clients.keyVault(vault.subscriptionId).secrets.get(vault.resourceGroup, vault.name, secretName, { abortSignal: call.signal });
    const attributes = secret.properties.attributes;
    const facts: SecretFacts = { name: secret.name ?? secretName, enabled: attributes?.enabled !== false };
    if (attributes?.notBefore) facts.notBefore = attributes.notBefore;
    if (attributes?.expires) facts.expires = attributes.expires;
    if (attributes?.updated) facts.updated = attributes.updated;
    const version = secret.properties.secretUriWithVersion?.split('/').pop();
    if (version) facts.currentVersion = version;
    return facts;
  } catch (e) {
    const error = toAzureAccessError(e, { operation: 'read', target: secretName, endpoint: clients.armEndpoint });
    if (error.kind === 'notFound') return undefined;
    throw error;
  }
}

/** Names of a vault's secrets through ARM (no values), for pickers. */
export async function listSecretNames(clients: KeyVaultClients, vault: VaultLocation, call: ListCallOptions = {}): Promise<Array<{ name: string; enabled: boolean }>> {
  try {
    const secrets = await listThrough(clients, call, (o) => clients.keyVault(vault.subscriptionId).secrets.list(vault.resourceGroup, vault.name, o));
    const names = secrets.flatMap((secret) => (secret.name ? [{ name: secret.name, enabled: secret.properties.attributes?.enabled !== false }] : []));
    return names.sort((a, b) => a.name.localeCompare(b.name));
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', target: vault.name, endpoint: clients.armEndpoint });
  }
}

// ---- Azure RBAC ------------------------------------------------------------------------------

export interface PermissionBlock {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleGrant {
  assignmentId: string;
  scope: string;
  roleDefinitionId: string;
  roleName: string;
  permissions: PermissionBlock[];
  condition?: string;
}

/** `/subscriptions/…` without the leading slash: how the SDK's `{scope}` path parameter expects it. */
function scopeParameter(scope: string): string {
  return scope.replace(/^\/+/, '');
}

function toBlock(p: { actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }): PermissionBlock {
  return { actions: p.actions ?? [], notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] };
}

/**
 * The role assignments of `principalId` that apply to `targetScope` (at it or
 * above: subscription, resource group, vault, secret), each with the
 * permissions its role definition grants, read from the definition itself.
 */
export async function readRoleGrants(clients: KeyVaultClients, vault: VaultLocation, targetScope: string, principalId: string, call: CallOptions = {}): Promise<RoleGrant[]> {
  const auth = clients.authorization(vault.subscriptionId);
  try {
    const grants: RoleGrant[] = [];
    const definitions = new Map<string, { roleName: string; permissions: PermissionBlock[] }>();
    const pages = auth.roleAssignments.listForScope(scopeParameter(vault.id), { filter: `principalId eq '${principalId}'`, abortSignal: call.signal });
    for await (const assignment of pages) {
      const scope = assignment.scope ?? '';
      if (!assignment.roleDefinitionId || !covers(scope, targetScope)) continue;
      let definition = definitions.get(assignment.roleDefinitionId.toLowerCase());
      if (!definition) {
        const role = await auth.roleDefinitions.getById(scopeParameter(assignment.roleDefinitionId), { abortSignal: call.signal });
        definition = { roleName: role.roleName ?? assignment.roleDefinitionId.split('/').pop() ?? '', permissions: (role.permissions ?? []).map(toBlock) };
        definitions.set(assignment.roleDefinitionId.toLowerCase(), definition);
      }
      const grant: RoleGrant = {
        assignmentId: assignment.id ?? '', scope, roleDefinitionId: assignment.roleDefinitionId, roleName: definition.roleName, permissions: definition.permissions,
      };
      if (assignment.condition) grant.condition = assignment.condition;
      grants.push(grant);
    }
    return grants;
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', target: vault.name, endpoint: clients.armEndpoint });
  }
}

/** What the signed-in user may do on a resource (its effective management and data actions). */
export async function readCallerPermissions(clients: KeyVaultClients, resourceId: string, call: CallOptions = {}): Promise<PermissionBlock[]> {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i.exec(resourceId);
  if (!m) throw toAzureAccessError(new Error(`'${resourceId}' is not a resource id.`), { operation: 'read' });
  const [, subscriptionId, resourceGroup, namespace, rest] = m;
  const parts = rest.split('/');
  // A nested type (service/x) has parent path and type: parentResourcePath is everything before the last pair.
  const resourceName = parts.pop() ?? '';
  const resourceType = parts.pop() ?? '';
  const parentResourcePath = parts.join('/');
  try {
    const blocks: PermissionBlock[] = [];
    const pages = clients.authorization(subscriptionId).permissions.listForResource(resourceGroup, namespace, parentResourcePath, resourceType, resourceName, { abortSignal: call.signal });
    for await (const p of pages) blocks.push(toBlock(p));
    return blocks;
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', endpoint: clients.armEndpoint });
  }
}

/** Whether an assignment at `scope` applies at `target` (same scope or below). */
export function covers(scope: string, target: string): boolean {
  const s = scope.replace(/\/+$/, '').toLowerCase();
  const t = target.replace(/\/+$/, '').toLowerCase();
  return s === '' || s === '/' || t === s || t.startsWith(`${s}/`);
}

/** ARM action patterns: `*` matches anything; case does not matter. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

/** A block grants an action when it lists it and its own "not" list does not take it back. */
export function permits(blocks: readonly PermissionBlock[], action: string, data = false): boolean {
  return blocks.some((b) =>
    (data ? b.dataActions : b.actions).some((p) => actionMatches(p, action)) &&
    !(data ? b.notDataActions : b.notActions).some((p) => actionMatches(p, action)));
}

// ---- data plane ------------------------------------------------------------------------------

/**
 * Reads the secret through the Key Vault data plane with the signed-in user's
 * credential and returns only its length. The value stays inside this
 * function: it is not returned, logged, cached or sent anywhere.
 */
export async function measureSecretLength(clients: KeyVaultClients, vaultUri: string, secretName: string, version: string | undefined, call: CallOptions = {}): Promise<number> {
  try {
    const secret = await clients.secrets(vaultUri).getSecret(secretName, { version, abortSignal: call.signal });
    return secret.value?.length ?? 0;
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', target: secretName, endpoint: safeOrigin(vaultUri) });
  }
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
