// Azure RBAC as the emulator needs it (Microsoft.Authorization, api-version 2022-04-01): role definitions
// (built-in ones with their real ids, plus the fixture's custom roles), role assignments at any scope, the
// caller's effective permissions, and the evaluation that Key Vault and the write routes use. Scopes are ARM
// ids; an assignment applies at its scope and everything below it.
import { randomUUID } from 'node:crypto';
import { ArmError, isObject, json, parseJsonBody, type EmulatorResponse } from './http';
import type {
  EmulatorState, FixtureRoleAssignment, FixtureRoleDefinition, InstanceFixture, JsonObject, RoleAssignmentRecord,
  RoleDefinitionRecord,
} from './types';

export const AUTHORIZATION_API_VERSIONS = ['2015-07-01', '2018-01-01-preview', '2020-04-01-preview', '2022-04-01'];

const AUTH = 'Microsoft.Authorization';
const ROLE_DEFINITIONS_TYPE = `${AUTH}/roleDefinitions`;
const ROLE_ASSIGNMENTS_TYPE = `${AUTH}/roleAssignments`;

export const SECRETS_USER_ROLE_ID = '4633458b-17de-408a-b874-0445c86b69e6';
export const GET_SECRET_DATA_ACTION = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';

type Block = RoleDefinitionRecord['permissions'][number];
const block = (b: Partial<Block>): Block => ({ actions: b.actions ?? [], notActions: b.notActions ?? [], dataActions: b.dataActions ?? [], notDataActions: b.notDataActions ?? [] });
const builtIn = (id: string, roleName: string, description: string, b: Partial<Block>): RoleDefinitionRecord =>
  ({ id, roleName, type: 'BuiltInRole', description, assignableScopes: ['/'], permissions: [block(b)] });

const KEY_VAULT_READ_ACTIONS = [
  'Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.KeyVault/checkNameAvailability/read',
  'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read',
];

/** The built-in roles the emulator knows (ids and permissions as Azure publishes them; descriptions are ours). */
export const BUILT_IN_ROLES: readonly RoleDefinitionRecord[] = [
  builtIn('8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner', 'Full access to manage all resources, including assigning roles.', { actions: ['*'] }),
  builtIn('b24988ac-6180-42a0-ab88-20f7382dd24c', 'Contributor', 'Full access to manage all resources, but not to assign roles.', {
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'],
  }),
  builtIn('acdd72a7-3385-48ef-bd42-f606fba81ae7', 'Reader', 'View all resources, change nothing.', { actions: ['*/read'] }),
  builtIn('18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', 'User Access Administrator', 'Manage user access to Azure resources.', {
    actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'],
  }),
  builtIn('f58310d9-a9f6-439a-9e8d-f62e7b41a168', 'Role Based Access Control Administrator', 'Manage access to Azure resources by assigning roles with Azure RBAC.', {
    actions: ['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete', '*/read', 'Microsoft.Support/*'],
  }),
  builtIn('00482a5a-887f-4fb3-b363-3b7fe8e74483', 'Key Vault Administrator', 'All data plane operations on a key vault and its objects.', {
    actions: KEY_VAULT_READ_ACTIONS, dataActions: ['Microsoft.KeyVault/vaults/*'],
  }),
  builtIn('f25e0fa2-a7c8-4377-a976-54943a77a395', 'Key Vault Contributor', 'Manage key vaults (including access policies), but not their data or role assignments.', {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.KeyVault/*'],
  }),
  builtIn('21090545-7ca7-4776-b22c-e363652d74d2', 'Key Vault Reader', 'Read the metadata of key vaults and their objects, never secret contents.', {
    actions: KEY_VAULT_READ_ACTIONS,
    dataActions: ['Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
  }),
  builtIn('b86a8fe4-44ce-4948-aee5-eccb2c155cd7', 'Key Vault Secrets Officer', 'Any action on the secrets of a key vault, except managing permissions.', {
    actions: KEY_VAULT_READ_ACTIONS, dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  }),
  builtIn(SECRETS_USER_ROLE_ID, 'Key Vault Secrets User', 'Read secret contents.', {
    dataActions: [GET_SECRET_DATA_ACTION, 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
  }),
  builtIn('312a565d-c81f-4fd8-895a-4e21e48d571c', 'API Management Service Contributor', 'Manage API Management services and their entities.', {
    actions: ['Microsoft.ApiManagement/service/*', 'Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read'],
  }),
  builtIn('71522526-b88f-4d52-b57f-d31fc3546d0d', 'API Management Service Reader Role', 'Read-only access to API Management services and entities.', {
    actions: ['Microsoft.ApiManagement/service/*/read', 'Microsoft.ApiManagement/service/read', 'Microsoft.Authorization/*/read'],
  }),
];

// ---- building -------------------------------------------------------------------------------

export function buildRoleDefinitions(fixture: InstanceFixture): Map<string, RoleDefinitionRecord> {
  const map = new Map<string, RoleDefinitionRecord>();
  for (const role of BUILT_IN_ROLES) map.set(role.id, structuredClone(role));
  for (const custom of fixture.roleDefinitions ?? []) map.set(custom.id.toLowerCase(), customRole(custom));
  return map;
}

function customRole(f: FixtureRoleDefinition): RoleDefinitionRecord {
  return {
    id: f.id.toLowerCase(),
    roleName: f.roleName,
    type: 'CustomRole',
    description: f.description ?? '',
    assignableScopes: f.assignableScopes ?? ['/'],
    permissions: f.permissions.map(block),
  };
}

export function buildRoleAssignments(fixture: InstanceFixture, roles: Map<string, RoleDefinitionRecord>): Map<string, RoleAssignmentRecord> {
  const map = new Map<string, RoleAssignmentRecord>();
  for (const a of fixture.roleAssignments ?? []) {
    const record = assignmentFromFixture(a, roles);
    map.set(record.id, record);
  }
  return map;
}

function assignmentFromFixture(a: FixtureRoleAssignment, roles: Map<string, RoleDefinitionRecord>): RoleAssignmentRecord {
  const role = findRole(roles, a.role);
  if (!role) throw new Error(`invalid emulator fixture: role '${a.role}' of a role assignment is not defined`);
  return {
    id: (a.id ?? randomUUID()).toLowerCase(),
    scope: normalizeScope(a.scope),
    roleDefinitionId: role.id,
    principalId: a.principalId.toLowerCase(),
    principalType: a.principalType ?? 'ServicePrincipal',
    createdOn: new Date().toISOString(),
  };
}

export function findRole(roles: Map<string, RoleDefinitionRecord>, nameOrId: string): RoleDefinitionRecord | undefined {
  const key = nameOrId.toLowerCase();
  return roles.get(key) ?? [...roles.values()].find((r) => r.roleName.toLowerCase() === key);
}

/** Adds an assignment unless the same principal already holds the role at that scope; returns it either way. */
export function ensureRoleAssignment(state: EmulatorState, scope: string, roleId: string, principalId: string): RoleAssignmentRecord {
  const normalized = normalizeScope(scope);
  const existing = [...state.roleAssignments.values()].find((a) =>
    a.scope.toLowerCase() === normalized.toLowerCase() && a.roleDefinitionId === roleId && a.principalId === principalId.toLowerCase());
  if (existing) return existing;
  const record: RoleAssignmentRecord = {
    id: randomUUID(), scope: normalized, roleDefinitionId: roleId, principalId: principalId.toLowerCase(),
    principalType: 'ServicePrincipal', createdOn: new Date().toISOString(),
  };
  state.roleAssignments.set(record.id, record);
  return record;
}

// ---- evaluation -----------------------------------------------------------------------------

export function normalizeScope(scope: string): string {
  const trimmed = `/${scope.split('/').filter((s) => s !== '').join('/')}`;
  return trimmed === '/' ? '/' : trimmed;
}

/** Whether an assignment at `scope` applies to `target` (the same scope or anything below it). */
export function scopeCovers(scope: string, target: string): boolean {
  const s = normalizeScope(scope).toLowerCase();
  const t = normalizeScope(target).toLowerCase();
  return s === '/' || t === s || t.startsWith(`${s}/`);
}

const patternCache = new Map<string, RegExp>();

/** ARM action patterns: `*` matches any run of characters; comparison ignores case. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

export function assignmentsFor(state: EmulatorState, principalId: string, target: string): RoleAssignmentRecord[] {
  const principal = principalId.toLowerCase();
  return [...state.roleAssignments.values()].filter((a) => a.principalId === principal && scopeCovers(a.scope, target));
}

function blocksFor(state: EmulatorState, principalId: string, target: string): Block[] {
  return assignmentsFor(state, principalId, target).flatMap((a) => state.roleDefinitions.get(a.roleDefinitionId)?.permissions ?? []);
}

/** A role grants an action when one of its blocks allows it and that block's "not" list does not take it back. */
export function isAllowed(state: EmulatorState, principalId: string, target: string, action: string, data = false): boolean {
  return blocksFor(state, principalId, target).some((b) =>
    (data ? b.dataActions : b.actions).some((p) => actionMatches(p, action)) &&
    !(data ? b.notDataActions : b.notActions).some((p) => actionMatches(p, action)));
}

export function authorizationFailed(principalId: string, action: string, scope: string): ArmError {
  return new ArmError(403, 'AuthorizationFailed',
    `The client with object id '${principalId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid.`);
}

/** Throws 403 AuthorizationFailed unless the caller may perform the management action at the scope. */
export function requireAction(state: EmulatorState, caller: string | undefined, scope: string, action: string): void {
  const who = caller ?? state.servicePrincipalObjectId;
  if (!isAllowed(state, who, scope, action)) throw authorizationFailed(who, action, normalizeScope(scope));
}

// ---- ARM routes -----------------------------------------------------------------------------

export interface AuthorizationRequest {
  method: string;
  url: URL;
  body: string;
  caller?: string;
  /** The path before `/providers/Microsoft.Authorization`. */
  scope: string;
  /** Path segments after `providers/Microsoft.Authorization`. */
  rest: string[];
}

function roleDefinitionArmId(scope: string, id: string): string {
  const sub = /^\/subscriptions\/[^/]+/i.exec(normalizeScope(scope))?.[0];
  return `${sub ?? ''}/providers/${ROLE_DEFINITIONS_TYPE}/${id}`;
}

function roleDefinitionJson(scope: string, r: RoleDefinitionRecord): JsonObject {
  return {
    id: roleDefinitionArmId(scope, r.id),
    type: ROLE_DEFINITIONS_TYPE,
    name: r.id,
    properties: {
      roleName: r.roleName, type: r.type, description: r.description, assignableScopes: r.assignableScopes,
      permissions: r.permissions, createdOn: '2015-02-02T21:55:09.8806423Z', updatedOn: '2024-01-10T08:00:00.0000000Z',
    },
  };
}

function roleAssignmentJson(a: RoleAssignmentRecord): JsonObject {
  return {
    id: `${a.scope === '/' ? '' : a.scope}/providers/${ROLE_ASSIGNMENTS_TYPE}/${a.id}`,
    type: ROLE_ASSIGNMENTS_TYPE,
    name: a.id,
    properties: {
      roleDefinitionId: roleDefinitionArmId(a.scope, a.roleDefinitionId),
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      createdOn: a.createdOn,
      updatedOn: a.createdOn,
    },
  };
}

/** Parses the `$filter`s Azure documents for role assignment lists: atScope(), principalId eq, assignedTo(). */
function assignmentFilter(raw: string | null, scope: string): (a: RoleAssignmentRecord) => boolean {
  if (raw === null || raw.trim() === '') return (a) => scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope);
  const clauses = raw.split(/\s+and\s+/i).map((c) => c.trim());
  const tests: Array<(a: RoleAssignmentRecord) => boolean> = [];
  let atScope = false;
  for (const clause of clauses) {
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(clause)) atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']+)'$/i.exec(clause)) || (m = /^assignedTo\('([^']+)'\)$/i.exec(clause))) {
      const principal = m[1].toLowerCase();
      tests.push((a) => a.principalId === principal);
    } else {
      throw new ArmError(400, 'InvalidFilterInQueryString', `The filter '${raw}' is not supported. Use atScope(), principalId eq '{id}' or assignedTo('{id}').`);
    }
  }
  return (a) => (atScope ? scopeCovers(a.scope, scope) : scopeCovers(a.scope, scope) || scopeCovers(scope, a.scope)) && tests.every((t) => t(a));
}

export function handleAuthorization(state: EmulatorState, req: AuthorizationRequest): EmulatorResponse {
  const version = req.url.searchParams.get('api-version');
  if (!version) throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  if (!AUTHORIZATION_API_VERSIONS.includes(version)) {
    throw new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid. The supported versions are '${AUTHORIZATION_API_VERSIONS.join(',')}'.`);
  }
  const scope = normalizeScope(req.scope);
  const [collection, item, ...extra] = req.rest;
  if (extra.length > 0) throw new ArmError(404, 'InvalidResourceType', `'${req.url.pathname}' is not an authorization resource.`);
  const kind = collection?.toLowerCase();
  if (kind === 'permissions' && item === undefined) {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    const caller = req.caller ?? state.servicePrincipalObjectId;
    return json(200, { value: blocksFor(state, caller, scope) });
  }
  if (kind === 'roledefinitions') {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    if (item === undefined) {
      const filter = req.url.searchParams.get('$filter');
      const byName = filter ? /^roleName\s+eq\s+'([^']+)'$/i.exec(filter.trim()) : null;
      if (filter && !byName) throw new ArmError(400, 'InvalidFilterInQueryString', `The filter '${filter}' is not supported; use roleName eq '{name}'.`);
      const roles = [...state.roleDefinitions.values()].filter((r) => !byName || r.roleName.toLowerCase() === byName[1].toLowerCase());
      return json(200, { value: roles.map((r) => roleDefinitionJson(scope, r)) });
    }
    const role = state.roleDefinitions.get(item.toLowerCase());
    if (!role) throw new ArmError(404, 'RoleDefinitionDoesNotExist', 'The specified role definition with ID \'' + item + '\' does not exist.');
    return json(200, roleDefinitionJson(scope, role));
  }
  if (kind === 'roleassignments') {
    if (item === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed(req);
      const test = assignmentFilter(req.url.searchParams.get('$filter'), scope);
      return json(200, { value: [...state.roleAssignments.values()].filter(test).map(roleAssignmentJson) });
    }
    return roleAssignmentItem(state, req, scope, item.toLowerCase());
  }
  throw new ArmError(404, 'InvalidResourceType', `The resource type '${collection ?? ''}' is not served by the emulator's ${AUTH} provider.`);
}

function roleAssignmentItem(state: EmulatorState, req: AuthorizationRequest, scope: string, name: string): EmulatorResponse {
  const existing = state.roleAssignments.get(name);
  const atThisScope = existing && existing.scope.toLowerCase() === scope.toLowerCase() ? existing : undefined;
  switch (req.method) {
    case 'GET':
      if (!atThisScope) throw new ArmError(404, 'RoleAssignmentNotFound', `The role assignment '${name}' is not found.`);
      return json(200, roleAssignmentJson(atThisScope));
    case 'DELETE':
      if (!atThisScope) return { status: 204 };
      requireAction(state, req.caller, scope, 'Microsoft.Authorization/roleAssignments/delete');
      state.roleAssignments.delete(name);
      return json(200, roleAssignmentJson(atThisScope));
    case 'PUT': {
      requireAction(state, req.caller, scope, 'Microsoft.Authorization/roleAssignments/write');
      const body = parseJsonBody(req.body);
      const props = isObject(body) && isObject(body.properties) ? body.properties : undefined;
      if (!props || typeof props.roleDefinitionId !== 'string' || typeof props.principalId !== 'string') {
        throw new ArmError(400, 'InvalidRoleAssignmentRequest', 'properties.roleDefinitionId and properties.principalId are required.');
      }
      const roleGuid = props.roleDefinitionId.split('/').pop()?.toLowerCase() ?? '';
      if (!state.roleDefinitions.has(roleGuid)) {
        throw new ArmError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${roleGuid}' does not exist.`);
      }
      const principalId = props.principalId.toLowerCase();
      const duplicate = [...state.roleAssignments.values()].find((a) =>
        a.scope.toLowerCase() === scope.toLowerCase() && a.roleDefinitionId === roleGuid && a.principalId === principalId);
      if (duplicate && duplicate.id !== name) {
        throw new ArmError(409, 'RoleAssignmentExists', `The role assignment already exists. The ID of the existing role assignment is ${duplicate.id}.`);
      }
      if (existing && !atThisScope) throw new ArmError(409, 'RoleAssignmentExists', `A role assignment named '${name}' exists at another scope.`);
      const record: RoleAssignmentRecord = {
        id: name, scope, roleDefinitionId: roleGuid, principalId,
        principalType: typeof props.principalType === 'string' ? props.principalType : 'ServicePrincipal',
        createdOn: atThisScope?.createdOn ?? new Date().toISOString(),
      };
      state.roleAssignments.set(name, record);
      return json(atThisScope ? 200 : 201, roleAssignmentJson(record));
    }
    default: throw methodNotAllowed(req);
  }
}

function methodNotAllowed(req: AuthorizationRequest): ArmError {
  return new ArmError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported for '${req.url.pathname}'.`);
}
