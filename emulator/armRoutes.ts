// The Azure Resource Manager side of the emulator: subscriptions, API Management services and their child
// resources at api-version 2024-05-01, shaped like the official examples. Handlers return responses; the
// server adds authentication, faults and logging around them.
import { randomBytes } from 'node:crypto';
import { ArmError, isObject, json, parseJsonBody, type EmulatorResponse } from './http';
import {
  ALL_POLICIES, AUTHORIZATION_PROVIDERS, AUTHORIZATIONS, BACKENDS, CACHES, CERTIFICATES, LOGGERS, POLICIES, POLICY_DESCRIPTIONS,
  POLICY_SCOPE_BITS, REVISIONS, SERVICE_KINDS, SERVICE_TYPE, WORKSPACE_KINDS, WORKSPACES,
  etag, etagMatches, listPage, parsePolicyFormat, serializePolicy, serializePolicyDescription, serializePolicyFragment,
  serializeResource, serializeService, serviceId, storePolicy, type CollectionKind, type ContainerKinds,
} from './armResources';
import { handleAuthorization } from './authorization';
import { apimPrincipal, armTimestamp, isKeyVaultRefreshFailed, parseSecretIdentifier, refreshNamedValueFromVault } from './keyVault';
import { handleKeyVaultArm, handleResourceList } from './keyVaultArm';
import { validatePolicyDocument } from './policyValidation';
import { nextEtagVersion } from './state';
import type {
  ApiRecord, AsyncOperation, EmulatorState, JsonObject, NamedValueRecord, OperationKind, PolicyContainer, PolicyRecord, ResourceRecord,
  ServiceRecord, WorkspaceRecord,
} from './types';

export const APIM_API_VERSIONS = [
  '2021-08-01', '2022-08-01', '2023-03-01-preview', '2023-05-01-preview', '2023-09-01-preview',
  '2024-05-01', '2024-06-01-preview',
];
export const SUBSCRIPTION_API_VERSIONS = ['2016-06-01', '2020-01-01', '2021-01-01', '2022-12-01'];

export interface ArmRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Object id of the authenticated caller (from the token), for RBAC checks. */
  caller?: string;
}

export interface ArmContext {
  state: EmulatorState;
  /** Public base URL used in nextLink / Location / Azure-AsyncOperation (https://127.0.0.1:<port>). */
  baseUrl: string;
  lroDurationMs: number;
}

const NAME_PATTERN = /^[^*#&+:<>?]+$/;
const DISPLAY_NAME_PATTERN = /^[A-Za-z0-9-._]+$/;

function eq(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

function header(req: ArmRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function notFound(what: string): ArmError {
  return new ArmError(404, 'ResourceNotFound', what);
}

function methodNotAllowed(req: ArmRequest): ArmError {
  return new ArmError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported for '${req.url.pathname}'.`);
}

function checkApiVersion(req: ArmRequest, supported: string[]): string {
  const version = req.url.searchParams.get('api-version');
  if (version === null || version === '') {
    throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!supported.includes(version)) {
    throw new ArmError(400, 'InvalidApiVersionParameter',
      `The api-version '${version}' is invalid. The supported versions are '${supported.join(',')}'.`);
  }
  return version;
}

export class ArmApi {
  constructor(private readonly ctx: ArmContext) {}

  private get state(): EmulatorState {
    return this.ctx.state;
  }

  handle(req: ArmRequest): EmulatorResponse {
    try {
      return this.route(req);
    } catch (e) {
      if (e instanceof ArmError) return e.toResponse();
      throw e;
    }
  }

  private route(req: ArmRequest): EmulatorResponse {
    const segs = req.url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    if (!eq(segs[0], 'subscriptions')) throw new ArmError(404, 'NotFound', `No ARM route matches '${req.url.pathname}'.`);
    if (segs.length === 1) return this.listSubscriptions(req);
    const subscriptionId = segs[1];
    if (segs.length === 2) return this.getSubscription(req, subscriptionId);
    const provider = this.otherProviders(req, segs);
    if (provider) return provider;
    const isApim = (i: number) => eq(segs[i], 'providers') && eq(segs[i + 1], 'Microsoft.ApiManagement') && eq(segs[i + 2], 'service');
    if (isApim(2) && segs.length === 5) {
      checkApiVersion(req, APIM_API_VERSIONS);
      this.requireSubscription(subscriptionId);
      if (req.method !== 'GET') throw methodNotAllowed(req);
      const services = this.state.services.filter((s) => eq(s.subscriptionId, subscriptionId));
      return json(200, { value: services.map(serializeService) });
    }
    if (eq(segs[2], 'resourceGroups') && segs.length >= 4) {
      const rg = segs[3];
      if (isApim(4) && segs.length >= 7) {
        checkApiVersion(req, APIM_API_VERSIONS);
        this.requireSubscription(subscriptionId);
        this.requireResourceGroup(subscriptionId, rg);
        if (segs.length === 7) {
          if (req.method !== 'GET') throw methodNotAllowed(req);
          const services = this.state.services.filter((s) => eq(s.subscriptionId, subscriptionId) && eq(s.resourceGroup, rg));
          return json(200, { value: services.map(serializeService) });
        }
        const service = this.state.services.find(
          (s) => eq(s.subscriptionId, subscriptionId) && eq(s.resourceGroup, rg) && eq(s.name, segs[7]),
        );
        if (!service) {
          throw notFound(`The Resource '${SERVICE_TYPE}/${segs[7]}' under resource group '${rg}' was not found.`);
        }
        return this.serviceRoute(req, service, segs.slice(8));
      }
    }
    checkApiVersion(req, APIM_API_VERSIONS);
    throw new ArmError(404, 'NotFound', `No ARM route matches '${req.url.pathname}'.`);
  }

  /** Microsoft.Authorization at any scope, Microsoft.KeyVault vaults and the generic resource list (their own modules). */
  private otherProviders(req: ArmRequest, segs: string[]): EmulatorResponse | undefined {
    const auth = segs.findIndex((s, i) => i > 0 && eq(segs[i - 1], 'providers') && eq(s, 'Microsoft.Authorization'));
    if (auth > 0) {
      return handleAuthorization(this.state, {
        method: req.method, url: req.url, body: req.body, caller: req.caller, scope: segs.slice(0, auth - 1).join('/'), rest: segs.slice(auth + 1),
      });
    }
    const providerRequest = { method: req.method, url: req.url, body: req.body, caller: req.caller, baseUrl: this.ctx.baseUrl };
    return handleKeyVaultArm(this.state, providerRequest, segs) ?? handleResourceList(this.state, providerRequest, segs);
  }

  // ---- subscriptions -----------------------------------------------------------------------

  private subscriptionJson(s: EmulatorState['subscriptions'][number]): JsonObject {
    return {
      id: `/subscriptions/${s.subscriptionId}`,
      subscriptionId: s.subscriptionId,
      tenantId: s.tenantId ?? this.state.tenantId,
      displayName: s.displayName,
      state: s.state ?? 'Enabled',
      subscriptionPolicies: s.subscriptionPolicies ?? { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
      authorizationSource: s.authorizationSource ?? 'RoleBased',
      managedByTenants: s.managedByTenants ?? [],
      tags: s.tags ?? {},
    };
  }

  private listSubscriptions(req: ArmRequest): EmulatorResponse {
    checkApiVersion(req, SUBSCRIPTION_API_VERSIONS);
    if (req.method !== 'GET') throw methodNotAllowed(req);
    return json(200, { value: this.state.subscriptions.map((s) => this.subscriptionJson(s)) });
  }

  private getSubscription(req: ArmRequest, id: string): EmulatorResponse {
    checkApiVersion(req, SUBSCRIPTION_API_VERSIONS);
    if (req.method !== 'GET') throw methodNotAllowed(req);
    const sub = this.state.subscriptions.find((s) => eq(s.subscriptionId, id));
    if (!sub) throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`);
    return json(200, this.subscriptionJson(sub));
  }

  private requireSubscription(id: string): void {
    if (!this.state.subscriptions.some((s) => eq(s.subscriptionId, id))) {
      throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`);
    }
  }

  private requireResourceGroup(subscriptionId: string, rg: string): void {
    if (!this.state.services.some((s) => eq(s.subscriptionId, subscriptionId) && eq(s.resourceGroup, rg))) {
      throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
    }
  }

  // ---- service and children ----------------------------------------------------------------

  private serviceRoute(req: ArmRequest, service: ServiceRecord, rest: string[]): EmulatorResponse {
    const id = serviceId(service);
    if (rest.length === 0) {
      if (req.method !== 'GET') throw methodNotAllowed(req);
      return json(200, serializeService(service), { ETag: etag(service.etagVersion) });
    }
    const [collection, item, sub, subItem, ...more] = rest;
    const c = collection.toLowerCase();
    if (c === 'policydescriptions' && rest.length === 1) return this.policyDescriptions(req, id);
    if (c === 'allpolicies' && rest.length === 1) return this.allPolicies(req, service, id);
    if (c === 'tenant' && eq(item, 'operationResults') && sub !== undefined && rest.length === 3) {
      return this.operationResult(req, id, sub);
    }
    if (c === 'workspaces' && item !== undefined && sub !== undefined) {
      const workspace = service.workspaces.get(item.toLowerCase());
      if (!workspace) throw notFound(`Workspace '${item}' was not found in service '${service.name}'.`);
      const scope = workspaceContainer(service, workspace);
      const routed = this.containerRoute(req, scope, rest.slice(2));
      if (routed) return routed;
      throw this.unknownRoute(req);
    }
    const routed = this.containerRoute(req, serviceContainer(service), rest);
    if (routed) return routed;
    if (c === 'authorizationproviders') {
      if (item !== undefined && eq(sub, 'authorizations') && more.length === 0) {
        const provider = service.authorizationProviders.get(item.toLowerCase());
        if (!provider) throw notFound(`Authorization provider '${item}' was not found in service '${service.name}'.`);
        return this.readOnlyCollection(req, provider.authorizations, `${id}/authorizationProviders/${provider.name}`,
          AUTHORIZATIONS, subItem, 'Authorization');
      }
      if (sub === undefined) {
        return this.readOnlyCollection(req, service.authorizationProviders, id, AUTHORIZATION_PROVIDERS, item, 'Authorization provider');
      }
    }
    const simple: Record<string, [Map<string, ResourceRecord>, CollectionKind, string]> = {
      backends: [service.backends, BACKENDS, 'Backend'],
      loggers: [service.loggers, LOGGERS, 'Logger'],
      certificates: [service.certificates, CERTIFICATES, 'Certificate'],
      caches: [service.caches, CACHES, 'Cache'],
      workspaces: [service.workspaces, WORKSPACES, 'Workspace'],
    };
    const entry = simple[c];
    if (entry && sub === undefined) return this.readOnlyCollection(req, entry[0], id, entry[1], item, entry[2]);
    throw this.unknownRoute(req);
  }

  /** Routes the service and its workspaces share; undefined when `rest` names something else. */
  private containerRoute(req: ArmRequest, scope: Container, rest: string[]): EmulatorResponse | undefined {
    const [collection, item, sub, subItem, ...more] = rest;
    const c = collection.toLowerCase();
    const { record, kinds } = scope;
    if (c === 'namedvalues') return this.namedValues(req, scope, rest.slice(1));
    if (c === 'policyfragments') return this.policyFragments(req, scope, rest.slice(1));
    if (c === 'policies') return this.policyAtScope(req, scope, '', scope.id, scope.type, rest.slice(1));
    if (c === 'apis') {
      if (item !== undefined && sub !== undefined) {
        const api = findApi(record, item);
        if (!api) throw notFound(`API '${item}' was not found in ${scope.label}.`);
        const apiId = `${scope.id}/apis/${api.name}`;
        if (eq(sub, 'policies')) return this.policyAtScope(req, scope, `apis/${api.name.toLowerCase()}`, apiId, `${scope.type}/apis`, rest.slice(3));
        if (eq(sub, 'revisions') && subItem === undefined) return this.apiRevisions(req, scope, api);
        if (eq(sub, 'operations')) {
          if (subItem !== undefined && more.length > 0 && eq(more[0], 'policies')) {
            const op = api.operations.get(subItem.toLowerCase());
            if (!op) throw notFound(`Operation '${subItem}' was not found in API '${api.name}'.`);
            return this.policyAtScope(req, scope, `apis/${api.name.toLowerCase()}/operations/${op.name.toLowerCase()}`,
              `${apiId}/operations/${op.name}`, `${scope.type}/apis/operations`, more.slice(1));
          }
          if (more.length === 0) return this.readOnlyCollection(req, api.operations, apiId, kinds.operations, subItem, 'Operation');
        }
        throw this.unknownRoute(req);
      }
      if (item !== undefined) {
        const api = findApi(record, item);
        if (!api) throw notFound(`API '${item}' was not found in ${scope.label}.`);
        return this.readOnlyCollection(req, new Map([[api.name.toLowerCase(), api]]), scope.id, kinds.apis, api.name, 'API');
      }
      // Like the service, the list holds the current revision of each API; the others are listed under …/revisions.
      const current = new Map([...record.apis].filter(([, api]) => api.properties.isCurrent !== false));
      return this.readOnlyCollection(req, current, scope.id, kinds.apis, undefined, 'API');
    }
    if (c === 'products') {
      if (item !== undefined && eq(sub, 'policies')) {
        const product = record.products.get(item.toLowerCase());
        if (!product) throw notFound(`Product '${item}' was not found in ${scope.label}.`);
        return this.policyAtScope(req, scope, `products/${product.name.toLowerCase()}`, `${scope.id}/products/${product.name}`,
          `${scope.type}/products`, rest.slice(3));
      }
      if (sub === undefined) return this.readOnlyCollection(req, record.products, scope.id, kinds.products, item, 'Product');
    }
    return undefined;
  }

  /** `apis/{api}/revisions`: every revision of the API, shaped like the service's ApiRevisionContract list. */
  private apiRevisions(req: ArmRequest, scope: Container, api: ApiRecord): EmulatorResponse {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    const base = api.name.split(';rev=')[0].toLowerCase();
    const revisions = [...scope.record.apis.values()].filter((a) => a.name.split(';rev=')[0].toLowerCase() === base);
    return json(200, listPage(revisions, req.url, this.ctx.baseUrl, REVISIONS, (a) => {
      const revision = String(a.properties.apiRevision ?? '1');
      const body: JsonObject = {
        apiId: `${scope.id}/apis/${a.name.includes(';rev=') ? a.name : `${a.name};rev=${revision}`}`,
        apiRevision: revision,
        createdDateTime: '2025-11-03T09:12:00.000Z',
        updatedDateTime: '2026-01-12T16:40:00.000Z',
        isOnline: true,
        isCurrent: a.properties.isCurrent !== false,
      };
      if (typeof a.properties.apiRevisionDescription === 'string') body.description = a.properties.apiRevisionDescription;
      return body;
    }));
  }

  /** `allPolicies`: one entry per policy anywhere in the service (workspaces included), naming it by its id. */
  private allPolicies(req: ArmRequest, service: ServiceRecord, sid: string): EmulatorResponse {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    const refs: string[] = [];
    const collect = (scope: Container) => {
      for (const key of scope.record.policies.keys()) refs.push(`${scope.id}${policyPath(scope.record, key)}/policies/policy`);
    };
    collect(serviceContainer(service));
    for (const workspace of service.workspaces.values()) collect(workspaceContainer(service, workspace));
    return json(200, listPage(refs.map((ref, i) => ({ ref, i })), req.url, this.ctx.baseUrl, ALL_POLICIES, ({ ref, i }) => ({
      id: `${sid}/allpolicies/policy-${i + 1}`,
      type: `${SERVICE_TYPE}/allpolicies`,
      name: `policy-${i + 1}`,
      properties: { referencePolicyId: ref, complianceState: 'Compliant' },
    })));
  }

  private unknownRoute(req: ArmRequest): ArmError {
    return new ArmError(404, 'InvalidResourceType',
      `The resource path '${req.url.pathname}' is not a resource type this emulator serves for api version '${req.url.searchParams.get('api-version')}'.`);
  }

  private readOnlyCollection<R extends ResourceRecord>(
    req: ArmRequest, records: Map<string, R>, parentId: string, kind: CollectionKind<R>, item: string | undefined, label: string,
  ): EmulatorResponse {
    if (item === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed(req);
      return json(200, listPage([...records.values()], req.url, this.ctx.baseUrl, kind,
        (r) => serializeResource(parentId, kind, r), kind.filterFields));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req);
    const record = records.get(item.toLowerCase());
    if (!record) throw notFound(`${label} '${item}' was not found.`);
    const headers = { ETag: etag(record.etagVersion) };
    if (req.method === 'HEAD') return { status: 200, headers };
    return json(200, serializeResource(parentId, kind, record), headers);
  }

  // ---- named values ------------------------------------------------------------------------

  private namedValues(req: ArmRequest, scope: Container, rest: string[]): EmulatorResponse {
    const [name, action, ...extra] = rest;
    const kind = scope.kinds.namedValues;
    if (name === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed(req);
      const failed = req.url.searchParams.get('isKeyVaultRefreshFailed');
      let preFilter: ((r: NamedValueRecord) => boolean) | undefined;
      if (failed !== null) {
        if (failed !== 'true' && failed !== 'false') {
          throw new ArmError(400, 'ValidationError', `isKeyVaultRefreshFailed must be true or false, got '${failed}'.`);
        }
        // true: only entities whose last Key Vault refresh failed; false: only those that have not failed.
        preFilter = failed === 'true' ? isKeyVaultRefreshFailed : (r) => !isKeyVaultRefreshFailed(r);
      }
      return json(200, listPage([...scope.record.namedValues.values()], req.url, this.ctx.baseUrl, kind,
        (r) => serializeResource(scope.id, kind, r), kind.filterFields, preFilter));
    }
    if (extra.length > 0) throw this.unknownRoute(req);
    const key = name.toLowerCase();
    const record = scope.record.namedValues.get(key);
    if (action !== undefined) {
      if (!record) throw notFound(`Named value '${name}' was not found in ${scope.label}.`);
      if (eq(action, 'listValue') && req.method === 'POST') return this.listValue(record);
      if (eq(action, 'refreshSecret') && req.method === 'POST') return this.startRefresh(scope, record);
      if (eq(action, 'refreshSecret') && req.method === 'GET') return this.refreshResult(req, scope, record);
      throw eq(action, 'listValue') || eq(action, 'refreshSecret') ? methodNotAllowed(req) : this.unknownRoute(req);
    }
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        if (!record) throw notFound(`Named value '${name}' was not found in ${scope.label}.`);
        const headers = { ETag: etag(record.etagVersion) };
        if (req.method === 'HEAD') return { status: 200, headers };
        return json(200, serializeResource(scope.id, kind, record), headers);
      }
      case 'PUT': return this.putNamedValue(req, scope, name, record);
      case 'PATCH': return this.patchNamedValue(req, scope, name, record);
      case 'DELETE': {
        if (!record) return { status: 204 };
        if (!etagMatches(header(req, 'if-match'), record.etagVersion)) throw preconditionFailed(name);
        scope.record.namedValues.delete(key);
        return { status: 200 };
      }
      default: throw methodNotAllowed(req);
    }
  }

  private listValue(record: NamedValueRecord): EmulatorResponse {
    if (isObject(record.properties.keyVault)) {
      if (record.keyVaultValue === undefined) {
        const status = record.properties.keyVault.lastStatus;
        const why = isObject(status) && typeof status.message === 'string' ? ` Last refresh: ${status.message}` : '';
        throw new ArmError(400, 'ValidationError', `The value of named value '${record.name}' has not been fetched from Key Vault.${why}`);
      }
      return json(200, { value: record.keyVaultValue });
    }
    return json(200, { value: record.properties.value });
  }

  private validateNamedValueProperties(props: JsonObject, name: string): void {
    const problems: string[] = [];
    if (!NAME_PATTERN.test(name) || name.length > 256) problems.push(`namedValueId '${name}' is not a valid name`);
    const displayName = props.displayName;
    if (typeof displayName !== 'string' || displayName.length === 0 || displayName.length > 256) {
      problems.push('displayName is required (1-256 characters)');
    } else if (!DISPLAY_NAME_PATTERN.test(displayName)) {
      problems.push('displayName may contain only letters, digits, dot, dash and underscore');
    }
    const keyVault = props.keyVault;
    if (keyVault !== undefined) {
      if (!isObject(keyVault) || typeof keyVault.secretIdentifier !== 'string' || !parseSecretIdentifier(keyVault.secretIdentifier)) {
        problems.push('keyVault.secretIdentifier must be a Key Vault secret URL (https://<vault>.vault.azure.net/secrets/<name>)');
      }
    } else if (typeof props.value !== 'string' || props.value.length === 0) {
      problems.push('value is required unless keyVault is given');
    } else if (props.value.length > 4096) {
      problems.push('value must be at most 4096 characters');
    }
    if (props.tags !== undefined && (!Array.isArray(props.tags) || props.tags.length > 32 || props.tags.some((t) => typeof t !== 'string'))) {
      problems.push('tags must be an array of at most 32 strings');
    }
    if (props.secret !== undefined && typeof props.secret !== 'boolean') problems.push('secret must be a boolean');
    if (problems.length > 0) throw new ArmError(400, 'ValidationError', `One or more fields contain incorrect values: ${problems.join('; ')}.`);
  }

  private assertUniqueDisplayName(container: PolicyContainer, displayName: unknown, selfKey: string): void {
    for (const [key, other] of container.namedValues) {
      if (key !== selfKey && typeof displayName === 'string' && eq(other.properties.displayName as string | undefined, displayName)) {
        throw new ArmError(400, 'ValidationError', `A named value with display name '${displayName}' already exists ('${other.name}').`);
      }
    }
  }

  /** APIM rejects a user-assigned identity the service does not have (its message, as the service words it). */
  private assertIdentityAttached(service: ServiceRecord, identityClientId: unknown): void {
    if (typeof identityClientId !== 'string' || identityClientId === '') return;
    const principal = apimPrincipal(service, identityClientId);
    if ('code' in principal) {
      throw new ArmError(400, 'ValidationError',
        `One or more fields contain incorrect values: Can not find Managed Identity with provided IdentityClientId : ${identityClientId}. For more information please see aka.ms/apimmsi.`);
    }
  }

  private bodyProperties(req: ArmRequest): JsonObject {
    const body = parseJsonBody(req.body);
    if (!isObject(body) || !isObject(body.properties)) {
      throw new ArmError(400, 'ValidationError', "The request body must be a JSON object with a 'properties' object.");
    }
    return body.properties as JsonObject;
  }

  private putNamedValue(req: ArmRequest, scope: Container, name: string, existing: NamedValueRecord | undefined): EmulatorResponse {
    if (existing && !etagMatches(header(req, 'if-match'), existing.etagVersion)) throw preconditionFailed(name);
    const input = this.bodyProperties(req);
    const props: JsonObject = {};
    for (const k of ['displayName', 'value', 'tags', 'secret', 'keyVault'] as const) if (input[k] !== undefined) props[k] = structuredClone(input[k]);
    if (props.secret === undefined) props.secret = false;
    this.validateNamedValueProperties(props, name);
    this.assertUniqueDisplayName(scope.record, props.displayName, name.toLowerCase());
    const record: NamedValueRecord = { name: existing?.name ?? name, properties: props, etagVersion: nextEtagVersion() };
    if (isObject(props.keyVault)) {
      const keyVault: JsonObject = { secretIdentifier: props.keyVault.secretIdentifier };
      if (typeof props.keyVault.identityClientId === 'string') keyVault.identityClientId = props.keyVault.identityClientId;
      props.keyVault = keyVault;
      delete props.value;
      this.assertIdentityAttached(scope.service, keyVault.identityClientId);
      // The service fetches the secret while creating; a failure is recorded in lastStatus rather than rejected.
      refreshNamedValueFromVault(this.state, record, new Date(), scope.service);
    }
    scope.record.namedValues.set(name.toLowerCase(), record);
    const op = this.newOperation('createOrUpdateNamedValue', record.name, 0);
    const body = serializeResource(scope.id, scope.kinds.namedValues, record);
    body.properties = { ...body.properties, provisioningState: 'InProgress' };
    const status = existing ? 200 : 201;
    return json(status, body, {
      ...this.asyncHeaders(scope.serviceId, op, `${scope.id}/namedValues/${record.name}`, status),
      ETag: etag(record.etagVersion),
    });
  }

  private patchNamedValue(req: ArmRequest, scope: Container, name: string, existing: NamedValueRecord | undefined): EmulatorResponse {
    if (!existing) throw notFound(`Named value '${name}' was not found in ${scope.label}.`);
    if (!etagMatches(header(req, 'if-match'), existing.etagVersion)) throw preconditionFailed(name);
    const input = this.bodyProperties(req);
    const merged: JsonObject = structuredClone(existing.properties);
    for (const k of ['displayName', 'value', 'tags', 'secret', 'keyVault'] as const) if (input[k] !== undefined) merged[k] = structuredClone(input[k]);
    if (isObject(input.keyVault)) delete merged.value;
    if (input.value !== undefined) delete merged.keyVault;
    this.validateNamedValueProperties(merged, existing.name);
    this.assertUniqueDisplayName(scope.record, merged.displayName, existing.name.toLowerCase());
    existing.properties = merged;
    existing.etagVersion = nextEtagVersion();
    if (isObject(input.keyVault)) {
      this.assertIdentityAttached(scope.service, (merged.keyVault as JsonObject).identityClientId);
      refreshNamedValueFromVault(this.state, existing, new Date(), scope.service);
    }
    if (!isObject(merged.keyVault)) delete existing.keyVaultValue;
    const op = this.newOperation('updateNamedValue', existing.name, 0);
    return { status: 202, headers: this.asyncHeaders(scope.serviceId, op, `${scope.id}/namedValues/${existing.name}`, 200) };
  }

  // ---- long-running operations -------------------------------------------------------------

  private newOperation(kind: OperationKind, target: string, durationMs: number, settle?: AsyncOperation['settle']): AsyncOperation {
    const id = randomBytes(12).toString('hex');
    const op: AsyncOperation = { id, kind, target, status: 'InProgress', startTime: armTimestamp(), settlesAt: Date.now() + durationMs, settle };
    this.state.operations.set(id, op);
    return op;
  }

  /** Moves an operation to its final state once its time has come; the effect runs exactly once. */
  private observe(op: AsyncOperation): AsyncOperation {
    if (op.status === 'InProgress' && Date.now() >= op.settlesAt) {
      const error = op.settle?.();
      op.status = error ? 'Failed' : 'Succeeded';
      if (error) op.error = error;
      op.endTime = armTimestamp();
    }
    return op;
  }

  /** Location + Azure-AsyncOperation as the service sends them (absolute URLs on this emulator). */
  private asyncHeaders(sid: string, op: AsyncOperation, resourcePath: string, asyncCode: number): Record<string, string> {
    const version = '2024-05-01';
    return {
      Location: `${this.ctx.baseUrl}${resourcePath}?api-version=${version}&asyncId=${op.id}&asyncCode=${asyncCode}`,
      'Azure-AsyncOperation': `${this.ctx.baseUrl}${sid}/tenant/operationResults/${op.id}?api-version=${version}`,
    };
  }

  private startRefresh(scope: Container, record: NamedValueRecord): EmulatorResponse {
    if (!isObject(record.properties.keyVault)) {
      throw new ArmError(400, 'ValidationError', `Named value '${record.name}' is not a Key Vault reference; only Key Vault named values can be refreshed.`);
    }
    const op = this.newOperation('refreshSecret', record.name, this.ctx.lroDurationMs, () => {
      const current = scope.record.namedValues.get(record.name.toLowerCase());
      if (!current) return { code: 'ResourceNotFound', message: `Named value '${record.name}' was deleted during the refresh.` };
      const failure = refreshNamedValueFromVault(this.state, current, new Date(), scope.service);
      current.etagVersion = nextEtagVersion();
      if (!failure) return undefined;
      return { code: failure.code, message: `Refreshing named value '${current.name}' from Key Vault failed: ${failure.message}` };
    });
    return { status: 202, headers: this.asyncHeaders(scope.serviceId, op, `${scope.id}/namedValues/${record.name}/refreshSecret`, 201) };
  }

  /** GET on the refreshSecret Location: 202 while running, then the refreshed named value. */
  private refreshResult(req: ArmRequest, scope: Container, record: NamedValueRecord): EmulatorResponse {
    const asyncId = req.url.searchParams.get('asyncId');
    const op = asyncId ? this.state.operations.get(asyncId) : undefined;
    if (op && this.observe(op).status === 'InProgress') {
      return { status: 202, headers: this.asyncHeaders(scope.serviceId, op, `${scope.id}/namedValues/${record.name}/refreshSecret`, 201) };
    }
    if (op?.status === 'Failed' && op.error) throw new ArmError(400, op.error.code, op.error.message);
    return json(200, serializeResource(scope.id, scope.kinds.namedValues, record), { ETag: etag(record.etagVersion) });
  }

  private operationResult(req: ArmRequest, sid: string, opId: string): EmulatorResponse {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    const op = this.state.operations.get(opId);
    if (!op) throw notFound(`Operation '${opId}' was not found.`);
    this.observe(op);
    const body: JsonObject = { id: `${sid}/tenant/operationResults/${op.id}`, name: op.id, status: op.status, startTime: op.startTime };
    if (op.endTime) body.endTime = op.endTime;
    if (op.error) body.error = op.error;
    return json(200, body);
  }

  // ---- policy fragments and policies -------------------------------------------------------

  private policyFragments(req: ArmRequest, scope: Container, rest: string[]): EmulatorResponse {
    const [name, ...extra] = rest;
    if (extra.length > 0) throw this.unknownRoute(req);
    const kind = scope.kinds.policyFragments;
    const fragments = scope.record.policyFragments;
    if (name === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed(req);
      const format = parsePolicyFormat(req.url.searchParams.get('format'), 'xml');
      return json(200, listPage([...fragments.values()], req.url, this.ctx.baseUrl, kind,
        (r) => serializePolicyFragment(scope.id, kind, r, format), kind.filterFields));
    }
    const key = name.toLowerCase();
    const record = fragments.get(key);
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        if (!record) throw notFound(`Policy fragment '${name}' was not found in ${scope.label}.`);
        const headers = { ETag: etag(record.etagVersion) };
        if (req.method === 'HEAD') return { status: 200, headers };
        const format = parsePolicyFormat(req.url.searchParams.get('format'), 'xml');
        return json(200, serializePolicyFragment(scope.id, kind, record, format), headers);
      }
      case 'PUT': {
        if (record && !etagMatches(header(req, 'if-match'), record.etagVersion)) throw preconditionFailed(name);
        const input = this.bodyProperties(req);
        if (typeof input.value !== 'string') throw new ArmError(400, 'ValidationError', "properties.value is required: the fragment's '<fragment>...</fragment>' document.");
        const format = parsePolicyFormat(typeof input.format === 'string' ? input.format : null, 'xml');
        const value = storePolicy(input.value, format);
        rejectInvalidPolicy(value, 'fragment', scope);
        const properties: JsonObject = { value };
        if (typeof input.description === 'string') properties.description = input.description;
        else if (record && typeof record.properties.description === 'string') properties.description = record.properties.description;
        const stored: ResourceRecord = { name: record?.name ?? name, properties, etagVersion: nextEtagVersion() };
        fragments.set(key, stored);
        const op = this.newOperation('createOrUpdatePolicyFragment', stored.name, 0);
        const body = serializePolicyFragment(scope.id, kind, stored, format);
        body.properties = { ...body.properties, provisioningState: 'InProgress' };
        const status = record ? 200 : 201;
        return json(status, body, { ...this.asyncHeaders(scope.serviceId, op, `${scope.id}/policyFragments/${stored.name}`, status), ETag: etag(stored.etagVersion) });
      }
      case 'DELETE': {
        if (!record) return { status: 204 };
        if (!etagMatches(header(req, 'if-match'), record.etagVersion)) throw preconditionFailed(name);
        fragments.delete(key);
        return { status: 200 };
      }
      default: throw methodNotAllowed(req);
    }
  }

  private policyAtScope(req: ArmRequest, scope: Container, scopeKey: string, scopeId: string, scopeType: string, rest: string[]): EmulatorResponse {
    const policies = scope.record.policies;
    const current = policies.get(scopeKey);
    if (rest.length === 0) {
      if (req.method !== 'GET') throw methodNotAllowed(req);
      const format = req.url.searchParams.has('format') ? parsePolicyFormat(req.url.searchParams.get('format'), 'xml') : undefined;
      const items = current === undefined ? [] : [current.value];
      return json(200, listPage(items, req.url, this.ctx.baseUrl, POLICIES, (p) => serializePolicy(scopeId, scopeType, p, format)));
    }
    if (rest.length !== 1 || !eq(rest[0], 'policy')) {
      throw new ArmError(400, 'ValidationError', `'${rest.join('/')}' is not a valid policy id; the only policy id is 'policy'.`);
    }
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        if (current === undefined) throw notFound(`No policy is configured at scope '${scopeId}'.`);
        const headers = { ETag: etag(current.etagVersion) };
        if (req.method === 'HEAD') return { status: 200, headers };
        const format = req.url.searchParams.has('format') ? parsePolicyFormat(req.url.searchParams.get('format'), 'xml') : undefined;
        return json(200, serializePolicy(scopeId, scopeType, current.value, format), headers);
      }
      case 'PUT': {
        if (current !== undefined && !etagMatches(header(req, 'if-match'), current.etagVersion)) throw preconditionFailed('policy');
        const input = this.bodyProperties(req);
        if (typeof input.value !== 'string') throw new ArmError(400, 'ValidationError', "properties.value is required: the '<policies>...</policies>' document.");
        const format = parsePolicyFormat(typeof input.format === 'string' ? input.format : null, 'xml');
        const value = storePolicy(input.value, format);
        rejectInvalidPolicy(value, 'policies', scope);
        const stored: PolicyRecord = { value, etagVersion: nextEtagVersion() };
        policies.set(scopeKey, stored);
        return json(current === undefined ? 201 : 200, serializePolicy(scopeId, scopeType, stored.value, undefined), { ETag: etag(stored.etagVersion) });
      }
      case 'DELETE': {
        if (current === undefined) return { status: 204 };
        if (!etagMatches(header(req, 'if-match'), current.etagVersion)) throw preconditionFailed('policy');
        policies.delete(scopeKey);
        return { status: 200 };
      }
      default: throw methodNotAllowed(req);
    }
  }

  private policyDescriptions(req: ArmRequest, sid: string): EmulatorResponse {
    if (req.method !== 'GET') throw methodNotAllowed(req);
    const scope = req.url.searchParams.get('scope');
    let bit: number | undefined;
    if (scope !== null && !eq(scope, 'All')) {
      bit = POLICY_SCOPE_BITS[scope.toLowerCase()];
      if (bit === undefined) throw new ArmError(400, 'ValidationError', `'${scope}' is not a valid policy scope. Valid values: Tenant, Product, Api, Operation, All.`);
    }
    const items = this.state.policyDescriptions.filter((d) => bit === undefined || (d.scope & bit) !== 0);
    return json(200, listPage(items, req.url, this.ctx.baseUrl, POLICY_DESCRIPTIONS, (d) => serializePolicyDescription(sid, d)));
  }
}

function preconditionFailed(name: string): ArmError {
  return new ArmError(412, 'PreconditionFailed', `The If-Match header does not match the current entity tag of '${name}'; it was changed by someone else.`);
}

/**
 * The service answers a policy it cannot accept with 400 ValidationError and one detail per problem (target
 * `representation`), the form the portal shows as "One or more fields contain incorrect values:".
 */
function rejectInvalidPolicy(value: string, root: 'policies' | 'fragment', scope: Container): void {
  const problems = validatePolicyDocument(value, root, {
    // Named values and fragments resolve in the container first; workspace policies may also use the service's.
    hasNamedValue: (name) => containersOf(scope).some((c) => [...c.namedValues.values()].some((nv) => eq(nv.properties.displayName as string | undefined, name))),
    hasFragment: (name) => containersOf(scope).some((c) => c.policyFragments.has(name.toLowerCase())),
  });
  if (problems.length === 0) return;
  throw new ArmError(400, 'ValidationError', 'One or more fields contain incorrect values:', {},
    problems.map((message) => ({ code: 'ValidationError', target: 'representation', message })));
}

function containersOf(scope: Container): PolicyContainer[] {
  return scope.record === scope.service ? [scope.service] : [scope.record, scope.service];
}

/** The service or one of its workspaces, as the routes below it see it. */
interface Container {
  record: PolicyContainer;
  /** ARM id of the service or the workspace. */
  id: string;
  /** ARM id of the service (long-running operations are tracked there). */
  serviceId: string;
  /** Resource type of the container: `Microsoft.ApiManagement/service` or `…/service/workspaces`. */
  type: string;
  kinds: ContainerKinds;
  /** For messages: "service 'contoso-apim'" or "workspace 'team-orders'". */
  label: string;
  service: ServiceRecord;
}

function serviceContainer(service: ServiceRecord): Container {
  const id = serviceId(service);
  return { record: service, id, serviceId: id, type: SERVICE_TYPE, kinds: SERVICE_KINDS, label: `service '${service.name}'`, service };
}

function workspaceContainer(service: ServiceRecord, workspace: WorkspaceRecord): Container {
  const sid = serviceId(service);
  return {
    record: workspace, id: `${sid}/workspaces/${workspace.name}`, serviceId: sid, type: `${SERVICE_TYPE}/workspaces`,
    kinds: WORKSPACE_KINDS, label: `workspace '${workspace.name}'`, service,
  };
}

/** An API by name; `{api};rev={n}` of the current revision names the API itself, as on the service. */
function findApi(container: PolicyContainer, name: string): ApiRecord | undefined {
  const direct = container.apis.get(name.toLowerCase());
  if (direct) return direct;
  const match = /^(.+);rev=(\d+)$/i.exec(name);
  const base = match ? container.apis.get(match[1].toLowerCase()) : undefined;
  return base && String(base.properties.apiRevision ?? '1') === match?.[2] ? base : undefined;
}

/** The path below the container of a policy stored under `key`, with the names spelled as created. */
function policyPath(container: PolicyContainer, key: string): string {
  if (key === '') return '';
  const [collection, name, , operation] = key.split('/');
  if (collection === 'products') return `/products/${container.products.get(name)?.name ?? name}`;
  const api = container.apis.get(name);
  const apiPath = `/apis/${api?.name ?? name}`;
  return operation === undefined ? apiPath : `${apiPath}/operations/${api?.operations.get(operation)?.name ?? operation}`;
}
