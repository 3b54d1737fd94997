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
  ApiRecord, AuthorizationProviderRecord, EmulatorState, FixtureResource, InstanceFixture, NamedValueRecord,
  ResourceRecord, ServiceRecord,
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
  clientSecret?: string;
}

export function buildState(fixture: InstanceFixture, options: BuildOptions = {}): EmulatorState {
  const services: ServiceRecord[] = fixture.services.map((s) => {
    const policies = new Map<string, string>();
    if (s.policy !== undefined) policies.set('', s.policy);
    const apis = new Map<string, ApiRecord>();
    for (const api of s.apis ?? []) {
      const operations = toRecords(api.operations);
      apis.set(api.name.toLowerCase(), { name: api.name, properties: api.properties, etagVersion: nextEtagVersion(), operations });
      if (api.policy !== undefined) policies.set(`apis/${api.name.toLowerCase()}`, api.policy);
      for (const op of api.operations ?? []) {
        if (op.policy !== undefined) policies.set(`apis/${api.name.toLowerCase()}/operations/${op.name.toLowerCase()}`, op.policy);
      }
    }
    for (const product of s.products ?? []) {
      if (product.policy !== undefined) policies.set(`products/${product.name.toLowerCase()}`, product.policy);
    }
    const authorizationProviders = new Map<string, AuthorizationProviderRecord>();
    for (const p of s.authorizationProviders ?? []) {
      authorizationProviders.set(p.name.toLowerCase(), {
        name: p.name, properties: p.properties, etagVersion: nextEtagVersion(), authorizations: toRecords(p.authorizations),
      });
    }
    const namedValues = toRecords(s.namedValues) as Map<string, NamedValueRecord>;
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
      namedValues,
      backends: toRecords(s.backends),
      policyFragments: toRecords(s.policyFragments),
      loggers: toRecords(s.loggers),
      certificates: toRecords(s.certificates),
      authorizationProviders,
      caches: toRecords(s.caches),
      apis,
      products: toRecords(s.products),
      workspaces: toRecords(s.workspaces),
      policies,
    };
  });

  if (options.extraNamedValues && options.extraNamedValues > 0 && services.length > 0) {
    addGeneratedNamedValues(services[0], options.extraNamedValues);
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
    for (const record of service.namedValues.values()) {
      const kv = record.properties.keyVault as { lastStatus?: unknown } | undefined;
      if (kv && kv.lastStatus === undefined) refreshNamedValueFromVault(state, record, now, service);
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
