// Builds the emulator's live state from a fixture (the demo instance or a test's own), plus generated bulk
// named values for the "huge instance" scenarios.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildRoleAssignments, buildRoleDefinitions } from './authorization';
import { refreshNamedValueFromVault } from './keyVault';
import { buildVaults } from './keyVaultArm';
import type {
  ApiRecord, AuthorizationProviderRecord, EmulatorState, FixtureResource, FixtureScopeContainer, InstanceFixture, NamedValueRecord,
  PolicyContainer, PolicyRecord, ResourceRecord, ServiceRecord, WorkspaceRecord,
} from './types';

/** Finds emulator/fixtures/<name> by walking up from this file (works from the sources and from out/). */
export function findFixtureFile(name: string): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'emulator', 'fixtures', name);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`emulator fixture '${name}' not found above ${__dirname}`);
    dir = parent;
  }
}

export function loadFixture(fixture: string | InstanceFixture | undefined): InstanceFixture {
  if (fixture === undefined) fixture = findFixtureFile('demo-instance.json');
  const raw: unknown = typeof fixture === 'string' ? JSON.parse(readFileSync(fixture, 'utf8')) : fixture;
  // Deep copy so the live state never aliases the caller's object or a cached module.
  const copy = JSON.parse(JSON.stringify(raw)) as InstanceFixture;
  validateFixture(copy);
  return copy;
}

function validateFixture(f: InstanceFixture): void {
  const problems: string[] = [];
  if (!f.servicePrincipal?.tenantId || !f.servicePrincipal.clientId) problems.push('servicePrincipal.tenantId/clientId missing');
  if (!Array.isArray(f.subscriptions) || f.subscriptions.length === 0) problems.push('at least one subscription is required');
  if (!Array.isArray(f.services)) problems.push('services must be an array');
  for (const s of f.services ?? []) {
    if (!s.name || !s.resourceGroup || !s.subscriptionId) problems.push(`service ${s.name ?? '?'}: name/resourceGroup/subscriptionId required`);
    if (!f.subscriptions?.some((sub) => sub.subscriptionId === s.subscriptionId)) {
      problems.push(`service ${s.name}: subscription ${s.subscriptionId} is not in subscriptions`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid emulator fixture: ${problems.join('; ')}`);
}

/** The service's or a workspace's APIs, products, fragments, named values and policies. */
function buildContainer(source: FixtureScopeContainer): Omit<PolicyContainer, 'name'> {
  const policies = new Map<string, PolicyRecord>();
  const policy = (key: string, value: string | undefined) => {
    if (value !== undefined) policies.set(key, { value, etagVersion: nextEtagVersion() });
  };
  policy('', source.policy);
  const apis = new Map<string, ApiRecord>();
  for (const api of source.apis ?? []) {
    apis.set(api.name.toLowerCase(), { name: api.name, properties: api.properties, etagVersion: nextEtagVersion(), operations: toRecords(api.operations) });
    policy(`apis/${api.name.toLowerCase()}`, api.policy);
    for (const op of api.operations ?? []) policy(`apis/${api.name.toLowerCase()}/operations/${op.name.toLowerCase()}`, op.policy);
  }
  for (const product of source.products ?? []) policy(`products/${product.name.toLowerCase()}`, product.policy);
  return {
    namedValues: toRecords(source.namedValues) as Map<string, NamedValueRecord>,
    policyFragments: toRecords(source.policyFragments),
    apis,
    products: toRecords(source.products),
    policies,
  };
}

let etagCounter = 1;
export function nextEtagVersion(): number {
  return etagCounter++;
}

function toRecords(items: FixtureResource[] | undefined): Map<string, ResourceRecord> {
  const map = new Map<string, ResourceRecord>();
  for (const item of items ?? []) {
    map.set(item.name.toLowerCase(), { name: item.name, properties: item.properties, etagVersion: nextEtagVersion() });
  }
  return map;
}

export interface BuildOptions {
  extraNamedValues?: number;
  extraApis?: number;
  clientSecret?: string;
}

export function buildState(fixture: InstanceFixture, options: BuildOptions = {}): EmulatorState {
  const services: ServiceRecord[] = fixture.services.map((s) => {
    const authorizationProviders = new Map<string, AuthorizationProviderRecord>();
    for (const p of s.authorizationProviders ?? []) {
      authorizationProviders.set(p.name.toLowerCase(), {
        name: p.name, properties: p.properties, etagVersion: nextEtagVersion(), authorizations: toRecords(p.authorizations),
      });
    }
    const workspaces = new Map<string, WorkspaceRecord>();
    for (const ws of s.workspaces ?? []) {
      workspaces.set(ws.name.toLowerCase(), { name: ws.name, properties: ws.properties, etagVersion: nextEtagVersion(), ...buildContainer(ws) });
    }
    return {
      subscriptionId: s.subscriptionId,
      resourceGroup: s.resourceGroup,
      name: s.name,
      location: s.location,
      tags: s.tags ?? {},
      sku: s.sku,
      identity: s.identity,
      systemData: s.systemData,
      properties: s.properties,
      etagVersion: nextEtagVersion(),
      ...buildContainer(s),
      backends: toRecords(s.backends),
      loggers: toRecords(s.loggers),
      certificates: toRecords(s.certificates),
      authorizationProviders,
      caches: toRecords(s.caches),
      workspaces,
    };
  });

  if (options.extraNamedValues && options.extraNamedValues > 0 && services.length > 0) {
    addGeneratedNamedValues(services[0], options.extraNamedValues);
  }
  if (options.extraApis && options.extraApis > 0 && services.length > 0) {
    addGeneratedApis(services[0], options.extraApis);
  }

  const sp = fixture.servicePrincipal;
  const objectId = (sp.objectId ?? randomUUID()).toLowerCase();
  const roleDefinitions = buildRoleDefinitions(fixture);
  const state: EmulatorState = {
    tenantId: sp.tenantId,
    clientId: sp.clientId,
    clientSecret: options.clientSecret ?? sp.clientSecret ?? `emu~${randomBytes(18).toString('base64url')}`,
    subscriptions: fixture.subscriptions,
    services,
    policyDescriptions: fixture.policyDescriptions ?? [],
    vaults: buildVaults(fixture, services, sp.tenantId, objectId),
    servicePrincipalObjectId: objectId,
    roleDefinitions,
    roleAssignments: buildRoleAssignments(fixture, roleDefinitions),
    operations: new Map(),
  };

  // Key Vault named values start with the status a fetch against the fixture's vaults gives now, unless the
  // fixture pins a lastStatus itself (the contract examples do).
  const now = new Date();
  for (const service of services) {
    for (const container of [service, ...service.workspaces.values()]) {
      for (const record of container.namedValues.values()) {
        const kv = record.properties.keyVault as { lastStatus?: unknown } | undefined;
        if (kv && kv.lastStatus === undefined) refreshNamedValueFromVault(state, record, now, service);
      }
    }
  }
  return state;
}

/**
 * Adds `count` generated named values: mostly plain, every 10th secret, every 7th tagged, so paging and
 * filter tests have a realistic mix. Names are zero-padded so they sort in creation order.
 */
export function addGeneratedNamedValues(service: ServiceRecord, count: number): void {
  const width = Math.max(5, String(count).length);
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(width, '0');
    const secret = i % 10 === 0;
    const properties: Record<string, unknown> = {
      displayName: `bulk-setting-${n}`,
      value: secret ? `SECRET-DO-NOT-LEAK-bulk-${n}` : `value-${n}`,
      secret,
    };
    if (i % 7 === 0) properties.tags = ['bulk', `group-${i % 3}`];
    const name = `bulk-nv-${n}`;
    service.namedValues.set(name, { name, properties, etagVersion: nextEtagVersion() });
  }
}

/**
 * Adds `count` generated APIs (`bulk-api-00001`…, two operations each, every 5th with an API policy) after the
 * fixture's, for the "2,000 APIs" scenarios: paging, filtering and lazy children.
 */
export function addGeneratedApis(service: ServiceRecord, count: number): void {
  const width = Math.max(5, String(count).length);
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(width, '0');
    const name = `bulk-api-${n}`;
    const operation = (id: string, method: string, urlTemplate: string): ResourceRecord =>
      ({ name: id, properties: { displayName: `${method} ${urlTemplate}`, method, urlTemplate }, etagVersion: nextEtagVersion() });
    const operations = new Map<string, ResourceRecord>([
      ['list-items', operation('list-items', 'GET', '/items')],
      ['create-item', operation('create-item', 'POST', '/items')],
    ]);
    service.apis.set(name, {
      name,
      properties: { displayName: `Bulk API ${n}`, apiRevision: '1', path: `bulk/${n}`, protocols: ['https'], isCurrent: true, serviceUrl: `https://bulk.contoso.example/${n}` },
      etagVersion: nextEtagVersion(),
      operations,
    });
    if (i % 5 === 0) {
      service.policies.set(`apis/${name}`, { value: `<policies>\n\t<inbound>\n\t\t<base />\n\t\t<set-header name="x-bulk" exists-action="override">\n\t\t\t<value>${n}</value>\n\t\t</set-header>\n\t</inbound>\n\t<backend>\n\t\t<base />\n\t</backend>\n\t<outbound>\n\t\t<base />\n\t</outbound>\n\t<on-error>\n\t\t<base />\n\t</on-error>\n</policies>`, etagVersion: nextEtagVersion() });
    }
  }
}
