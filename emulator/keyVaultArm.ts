// Key Vaults as Azure Resource Manager shows them (Microsoft.KeyVault/vaults and their secrets' metadata,
// access policy updates) and the generic resource lookup (`/subscriptions/{id}/resources`). Secret values
// never leave through ARM: only the data plane (keyVaultDataPlane.ts) returns them.
import { createHash, randomBytes } from 'node:crypto';
import { normalizeScope, requireAction } from './authorization';
import { ArmError, isObject, json, parseJsonBody, type EmulatorResponse } from './http';
import { serializeService, serviceId } from './armResources';
import type {
  EmulatorState, FixtureSecret, FixtureVault, InstanceFixture, JsonObject, SecretRecord, SecretVersion, ServiceRecord,
  VaultAccessPolicy, VaultRecord,
} from './types';

export const KEY_VAULT_API_VERSIONS = ['2019-09-01', '2021-10-01', '2022-07-01', '2023-02-01', '2023-07-01', '2024-11-01', '2025-05-01', '2026-02-01'];
export const RESOURCES_API_VERSIONS = ['2021-04-01', '2022-09-01', '2024-03-01', '2024-07-01', '2024-11-01', '2025-03-01', '2025-04-01'];
export const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
/** The longest value a named value may hold; APIM cannot use a longer Key Vault secret. */
export const MAX_NAMED_VALUE_LENGTH = 4096;
/** Creation time of fixture secrets (Unix seconds): fixed so versions and dates are stable across resets. */
const FIXTURE_SECRET_TIME = Date.parse('2025-06-02T08:00:00Z') / 1000;

// ---- building -------------------------------------------------------------------------------

/** Every object id the services' managed identities use (system and user-assigned). */
export function servicePrincipalIds(services: ServiceRecord[]): string[] {
  const ids: string[] = [];
  for (const s of services) {
    const identity = s.identity;
    if (!isObject(identity)) continue;
    if (typeof identity.principalId === 'string') ids.push(identity.principalId.toLowerCase());
    for (const user of Object.values(isObject(identity.userAssignedIdentities) ? identity.userAssignedIdentities : {})) {
      if (isObject(user) && typeof user.principalId === 'string') ids.push(user.principalId.toLowerCase());
    }
  }
  return ids;
}

export function buildVaults(fixture: InstanceFixture, services: ServiceRecord[], tenantId: string, callerObjectId: string): Map<string, VaultRecord> {
  const vaults = new Map<string, VaultRecord>();
  const firstService = services[0];
  for (const [name, v] of Object.entries(fixture.vaults ?? {})) {
    vaults.set(name.toLowerCase(), buildVault(name, v, {
      subscriptionId: fixture.subscriptions[0].subscriptionId,
      resourceGroup: firstService?.resourceGroup ?? 'rg-keyvaults',
      location: firstService?.location ?? 'West Europe',
      tenantId,
      openTo: [...servicePrincipalIds(services), callerObjectId.toLowerCase()],
    }));
  }
  return vaults;
}

interface VaultDefaults { subscriptionId: string; resourceGroup: string; location: string; tenantId: string; openTo: string[] }

function buildVault(name: string, v: FixtureVault, d: VaultDefaults): VaultRecord {
  const rbac = v.enableRbacAuthorization === true;
  // A vault that says nothing about permissions lets every known identity read (see FixtureVault).
  const policies: VaultAccessPolicy[] = v.accessPolicies
    ? v.accessPolicies.map((p) => ({
      tenantId: p.tenantId ?? d.tenantId,
      objectId: p.objectId.toLowerCase(),
      permissions: { secrets: p.permissions.secrets ?? [], keys: p.permissions.keys ?? [], certificates: p.permissions.certificates ?? [] },
    }))
    : rbac ? [] : d.openTo.map((objectId) => ({ tenantId: d.tenantId, objectId, permissions: { secrets: ['get', 'list'], keys: [], certificates: [] } }));
  const secrets = new Map<string, SecretRecord>();
  for (const [secretName, s] of Object.entries(v.secrets ?? {})) secrets.set(secretName.toLowerCase(), buildSecret(name, secretName, s));
  return {
    name,
    dataPlaneUri: `https://${name.toLowerCase()}.vault.azure.net/`,
    reachable: v.reachable !== false,
    accessDenied: v.accessDenied === true,
    subscriptionId: v.subscriptionId ?? d.subscriptionId,
    resourceGroup: v.resourceGroup ?? d.resourceGroup,
    location: v.location ?? d.location,
    enableRbacAuthorization: rbac,
    accessPolicies: policies,
    publicNetworkAccess: v.publicNetworkAccess ?? 'Enabled',
    networkAcls: {
      defaultAction: v.networkAcls?.defaultAction ?? 'Allow',
      bypass: v.networkAcls?.bypass ?? 'AzureServices',
      ipRules: v.networkAcls?.ipRules ?? [],
    },
    secrets,
  };
}

/** Pads with a visible, repeating filler so a long fixture secret still carries its leak marker at the start. */
function padded(value: string, length: number | undefined): string {
  if (length === undefined || value.length >= length) return value;
  const filler = '-0123456789abcdefghijklmnopqrstuvwxyz';
  return (value + filler.repeat(Math.ceil(length / filler.length))).slice(0, length);
}

function stableVersion(vault: string, secret: string): string {
  return createHash('md5').update(`${vault.toLowerCase()}/${secret.toLowerCase()}`).digest('hex');
}

function seconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`invalid emulator fixture: '${iso}' is not a date`);
  return Math.floor(ms / 1000);
}

function buildSecret(vault: string, name: string, s: FixtureSecret): SecretRecord {
  const olderVersions: SecretVersion[] = (s.olderVersions ?? []).map((o, i) => ({
    version: o.version.toLowerCase(), value: o.value, enabled: o.enabled !== false,
    created: FIXTURE_SECRET_TIME - 86_400 * (30 * ((s.olderVersions?.length ?? 0) - i)), updated: FIXTURE_SECRET_TIME,
  }));
  const record: SecretRecord = {
    name,
    version: (s.version ?? stableVersion(vault, name)).toLowerCase(),
    value: padded(s.value, s.padToLength),
    enabled: s.enabled !== false,
    created: FIXTURE_SECRET_TIME,
    updated: FIXTURE_SECRET_TIME,
    olderVersions,
  };
  const notBefore = seconds(s.notBefore);
  const expires = seconds(s.expires);
  if (notBefore !== undefined) record.notBefore = notBefore;
  if (expires !== undefined) record.expires = expires;
  if (s.contentType !== undefined) record.contentType = s.contentType;
  return record;
}

/** A new current version (rotation): the old current one moves to the older versions. */
export function rotateSecret(secret: SecretRecord, value: string): void {
  const now = Math.floor(Date.now() / 1000);
  const { name: _name, olderVersions: _older, ...current } = secret;
  secret.olderVersions.push(current);
  secret.version = randomBytes(16).toString('hex');
  secret.value = value;
  secret.enabled = true;
  secret.created = now;
  secret.updated = now;
  delete secret.notBefore;
  delete secret.expires;
}

export function newSecret(name: string, value: string): SecretRecord {
  const now = Math.floor(Date.now() / 1000);
  return { name, version: randomBytes(16).toString('hex'), value, enabled: true, created: now, updated: now, olderVersions: [] };
}

// ---- ids and wire shapes ----------------------------------------------------------------------

export function vaultId(v: VaultRecord): string {
  return `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/${VAULT_TYPE}/${v.name}`;
}

function vaultJson(tenantId: string, v: VaultRecord): JsonObject {
  return {
    id: vaultId(v),
    name: v.name,
    type: VAULT_TYPE,
    location: v.location,
    tags: {},
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId,
      accessPolicies: v.accessPolicies,
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: v.enableRbacAuthorization,
      vaultUri: v.dataPlaneUri,
      provisioningState: 'Succeeded',
      publicNetworkAccess: v.publicNetworkAccess,
      networkAcls: {
        bypass: v.networkAcls.bypass,
        defaultAction: v.networkAcls.defaultAction,
        ipRules: v.networkAcls.ipRules.map((value) => ({ value })),
        virtualNetworkRules: [],
      },
    },
  };
}

function secretJson(v: VaultRecord, s: SecretRecord): JsonObject {
  const attributes: JsonObject = { enabled: s.enabled, created: s.created, updated: s.updated };
  if (s.notBefore !== undefined) attributes.nbf = s.notBefore;
  if (s.expires !== undefined) attributes.exp = s.expires;
  const properties: JsonObject = {
    attributes,
    secretUri: `${v.dataPlaneUri}secrets/${s.name}`,
    secretUriWithVersion: `${v.dataPlaneUri}secrets/${s.name}/${s.version}`,
  };
  if (s.contentType !== undefined) properties.contentType = s.contentType;
  return { id: `${vaultId(v)}/secrets/${s.name}`, name: s.name, type: `${VAULT_TYPE}/secrets`, location: v.location, properties };
}

// ---- routes ----------------------------------------------------------------------------------

export interface ProviderRequest {
  method: string;
  url: URL;
  body: string;
  caller?: string;
  baseUrl: string;
}

function checkVersion(req: ProviderRequest, supported: string[]): void {
  const version = req.url.searchParams.get('api-version');
  if (!version) throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  if (!supported.includes(version)) {
    throw new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid. The supported versions are '${supported.join(',')}'.`);
  }
}

function visibleSubscription(state: EmulatorState, subscriptionId: string): void {
  if (!state.subscriptions.some((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())) {
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  }
}

const eq = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** `segs` = the path split into segments, starting with `subscriptions`. Undefined when the path is not a vault path. */
export function handleKeyVaultArm(state: EmulatorState, req: ProviderRequest, segs: string[]): EmulatorResponse | undefined {
  const sub = segs[1];
  let rg: string | undefined;
  let i = 2;
  if (eq(segs[2], 'resourceGroups')) {
    rg = segs[3];
    i = 4;
  }
  if (!(eq(segs[i], 'providers') && eq(segs[i + 1], 'Microsoft.KeyVault') && eq(segs[i + 2], 'vaults'))) return undefined;
  checkVersion(req, KEY_VAULT_API_VERSIONS);
  visibleSubscription(state, sub);
  const [vaultName, child, childName, ...extra] = segs.slice(i + 3);
  const inScope = (v: VaultRecord) => eq(v.subscriptionId, sub) && (rg === undefined || eq(v.resourceGroup, rg));
  if (vaultName === undefined) {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    return json(200, { value: [...state.vaults.values()].filter(inScope).map((v) => vaultJson(state.tenantId, v)) });
  }
  const vault = state.vaults.get(vaultName.toLowerCase());
  if (rg === undefined || !vault || !inScope(vault)) {
    throw new ArmError(404, 'ResourceNotFound', `The Resource '${VAULT_TYPE}/${vaultName}' under resource group '${rg ?? ''}' was not found.`);
  }
  if (extra.length > 0) throw unknownRoute(req);
  if (child === undefined) {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    return json(200, vaultJson(state.tenantId, vault));
  }
  if (eq(child, 'secrets')) {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    if (childName === undefined) {
      return json(200, skipTokenPage([...vault.secrets.values()].map((s) => secretJson(vault, s)), req, SECRETS_PAGE_SIZE));
    }
    const secret = vault.secrets.get(childName.toLowerCase());
    if (!secret) throw new ArmError(404, 'ResourceNotFound', `The Resource '${VAULT_TYPE}/${vault.name}/secrets/${childName}' under resource group '${rg}' was not found.`);
    return json(200, secretJson(vault, secret));
  }
  if (eq(child, 'accessPolicies') && childName !== undefined) {
    if (req.method !== 'PUT') throw methodNotAllowed(req);
    return updateAccessPolicies(state, req, vault, childName.toLowerCase());
  }
  throw unknownRoute(req);
}

function updateAccessPolicies(state: EmulatorState, req: ProviderRequest, vault: VaultRecord, kind: string): EmulatorResponse {
  if (!['add', 'replace', 'remove'].includes(kind)) {
    throw new ArmError(400, 'BadRequest', `The access policy update kind '${kind}' is not valid; use add, replace or remove.`);
  }
  requireAction(state, req.caller, vaultId(vault), 'Microsoft.KeyVault/vaults/accessPolicies/write');
  const body = parseJsonBody(req.body);
  const list = isObject(body) && isObject(body.properties) && Array.isArray(body.properties.accessPolicies) ? body.properties.accessPolicies : undefined;
  if (!list) throw new ArmError(400, 'BadRequest', 'properties.accessPolicies must be an array.');
  const incoming: VaultAccessPolicy[] = list.map((p: unknown) => {
    if (!isObject(p) || typeof p.objectId !== 'string' || !isObject(p.permissions)) {
      throw new ArmError(400, 'BadRequest', 'Each access policy needs objectId and permissions.');
    }
    const perms = p.permissions;
    const names = (k: string) => (Array.isArray(perms[k]) ? (perms[k] as unknown[]).filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase()) : []);
    return {
      tenantId: typeof p.tenantId === 'string' ? p.tenantId : state.tenantId,
      objectId: p.objectId.toLowerCase(),
      permissions: { secrets: names('secrets'), keys: names('keys'), certificates: names('certificates') },
    };
  });
  for (const policy of incoming) {
    const existing = vault.accessPolicies.find((p) => p.objectId === policy.objectId);
    if (!existing) {
      if (kind !== 'remove') vault.accessPolicies.push(policy);
      continue;
    }
    for (const key of ['secrets', 'keys', 'certificates'] as const) {
      const current = new Set(existing.permissions[key]);
      if (kind === 'add') policy.permissions[key].forEach((x) => current.add(x));
      else if (kind === 'remove') policy.permissions[key].forEach((x) => current.delete(x));
      existing.permissions[key] = kind === 'replace' ? policy.permissions[key] : [...current];
    }
  }
  vault.accessPolicies = vault.accessPolicies.filter((p) => kind !== 'remove' || Object.values(p.permissions).some((x) => x.length > 0));
  return json(200, {
    id: `${vaultId(vault)}/accessPolicies/${kind}`,
    name: kind,
    type: `${VAULT_TYPE}/accessPolicies`,
    properties: { accessPolicies: vault.accessPolicies },
  });
}

/**
 * `GET /subscriptions/{id}[/resourceGroups/{rg}]/resources` with `$filter` on resourceType and name (eq,
 * joined by and): the vaults and API Management services the caller can see.
 */
export function handleResourceList(state: EmulatorState, req: ProviderRequest, segs: string[]): EmulatorResponse | undefined {
  const sub = segs[1];
  const rg = eq(segs[2], 'resourceGroups') ? segs[3] : undefined;
  const last = rg === undefined ? 2 : 4;
  if (!eq(segs[last], 'resources') || segs.length !== last + 1) return undefined;
  checkVersion(req, RESOURCES_API_VERSIONS);
  visibleSubscription(state, sub);
  if (req.method !== 'GET') throw methodNotAllowed(req);
  const tests: Array<(r: JsonObject) => boolean> = [];
  const filter = req.url.searchParams.get('$filter');
  for (const clause of filter?.trim() ? filter.split(/\s+and\s+/i) : []) {
    const m = /^\s*(resourceType|name)\s+eq\s+'([^']*)'\s*$/i.exec(clause);
    if (!m) throw new ArmError(400, 'InvalidFilterInQueryString', `The $filter '${filter ?? ''}' is not supported by the emulator; use resourceType eq '…' and/or name eq '…'.`);
    const field = m[1].toLowerCase() === 'name' ? 'name' : 'type';
    tests.push((r) => eq(r[field] as string, m[2]));
  }
  const inScope = (subscriptionId: string, resourceGroup: string) => eq(subscriptionId, sub) && (rg === undefined || eq(resourceGroup, rg));
  const resources: JsonObject[] = [
    ...[...state.vaults.values()].filter((v) => inScope(v.subscriptionId, v.resourceGroup))
      .map((v) => ({ id: vaultId(v), name: v.name, type: VAULT_TYPE, location: v.location, tags: {} })),
    ...state.services.filter((s) => inScope(s.subscriptionId, s.resourceGroup))
      .map((s) => { const body = serializeService(s); return { id: serviceId(s), name: s.name, type: body.type, location: s.location, tags: s.tags }; }),
  ];
  return json(200, skipTokenPage(resources.filter((r) => tests.every((t) => t(r))), req, RESOURCES_PAGE_SIZE));
}

/** Default page sizes: Key Vault lists secrets 25 at a time; the generic resource list pages by 1,000. */
export const SECRETS_PAGE_SIZE = 25;
export const RESOURCES_PAGE_SIZE = 1000;

/**
 * One page of a Key Vault or resource listing as these providers page: `$top` sets the page size, and
 * nextLink carries an opaque `$skiptoken` (here the offset) with the rest of the original query.
 */
function skipTokenPage(items: JsonObject[], req: ProviderRequest, defaultSize: number): JsonObject {
  const q = req.url.searchParams;
  const count = (name: string, raw: string | null, min: number): number | undefined => {
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new ArmError(400, 'InvalidParameter', `The value '${raw}' of ${name} is not valid.`);
    return Number(raw);
  };
  const size = count('$top', q.get('$top'), 1) ?? defaultSize;
  const skip = count('$skiptoken', q.get('$skiptoken'), 0) ?? 0;
  const body: JsonObject = { value: items.slice(skip, skip + size) };
  if (skip + size < items.length) {
    const next = new URL(req.url.pathname, req.baseUrl);
    for (const [k, v] of q) if (k !== '$skiptoken') next.searchParams.append(k, v);
    next.searchParams.set('$skiptoken', String(skip + size));
    body.nextLink = next.toString();
  }
  return body;
}

function methodNotAllowed(req: ProviderRequest): ArmError {
  return new ArmError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported for '${req.url.pathname}'.`);
}

function unknownRoute(req: ProviderRequest): ArmError {
  return new ArmError(404, 'InvalidResourceType', `The resource path '${req.url.pathname}' is not a resource type the emulator serves.`);
}

/** The ARM id of a secret, the scope Key Vault RBAC evaluates reads against. */
export function secretScope(v: VaultRecord, secretName: string): string {
  return normalizeScope(`${vaultId(v)}/secrets/${secretName}`);
}
