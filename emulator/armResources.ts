// Wire shapes of the APIM resources the emulator serves (ARM format: id/type/name + properties), collection
// paging, and the per-collection details the official examples pin down (`count`, `nextLink: ""`).
import { ArmError, isObject } from './http';
import { compileFilter, FilterError, type FieldMap } from './odata';
import { toRawXmlFormat, toXmlFormat } from './policyFormat';
import type { JsonObject, NamedValueRecord, PolicyDescriptionFixture, ResourceRecord, ServiceRecord } from './types';

export const APIM_PROVIDER = 'Microsoft.ApiManagement';
export const SERVICE_TYPE = `${APIM_PROVIDER}/service`;

/** How a collection's list response looks once there are no more pages (taken from the official examples). */
export interface CollectionShape {
  withCount: boolean;
  /** true: `"nextLink": ""` on the last page; false: no nextLink at all. */
  emptyNextLink: boolean;
}

export interface CollectionKind<R extends ResourceRecord = ResourceRecord> extends CollectionShape {
  /** Resource type suffix after `Microsoft.ApiManagement/service/`, e.g. `namedValues` or `apis/operations`. */
  typeSuffix: string;
  filterFields: FieldMap;
  serialize?: (record: R, base: ArmResource) => ArmResource;
}

export interface ArmResource { id: string; type: string; name: string; properties: JsonObject }

const prop = (key: string) => ({ scalar: (r: ResourceRecord) => stringProp(r.properties, key) });
const nameField = { scalar: (r: ResourceRecord) => r.name };

function stringProp(properties: JsonObject, key: string): string | undefined {
  const v = properties[key];
  return typeof v === 'string' ? v : undefined;
}

const displayNameFields: FieldMap = {
  name: nameField,
  displayName: prop('displayName'),
  'properties/displayName': prop('displayName'),
};

export const NAMED_VALUES: CollectionKind<NamedValueRecord> = {
  typeSuffix: 'namedValues', withCount: true, emptyNextLink: true,
  filterFields: {
    ...displayNameFields,
    tags: { collection: (r: ResourceRecord) => (Array.isArray(r.properties.tags) ? (r.properties.tags as string[]) : undefined) },
    'properties/tags': { collection: (r: ResourceRecord) => (Array.isArray(r.properties.tags) ? (r.properties.tags as string[]) : undefined) },
  },
  serialize: (record, base) => ({ ...base, properties: publicNamedValueProperties(record) }),
};

export const POLICY_FRAGMENTS: CollectionKind = {
  typeSuffix: 'policyFragments', withCount: true, emptyNextLink: true,
  filterFields: { name: nameField, description: prop('description'), 'properties/description': prop('description') },
};

export const BACKENDS: CollectionKind = {
  typeSuffix: 'backends', withCount: true, emptyNextLink: true,
  filterFields: { name: nameField, title: prop('title'), url: prop('url'), 'properties/url': prop('url') },
};
export const LOGGERS: CollectionKind = {
  typeSuffix: 'loggers', withCount: true, emptyNextLink: true,
  filterFields: { name: nameField, description: prop('description'), loggerType: prop('loggerType'), 'properties/loggerType': prop('loggerType') },
};
export const CERTIFICATES: CollectionKind = {
  typeSuffix: 'certificates', withCount: true, emptyNextLink: true,
  filterFields: { name: nameField, subject: prop('subject'), thumbprint: prop('thumbprint'), expirationDate: prop('expirationDate') },
  // data/password are write-only on the real service.
  serialize: (_record, base) => ({ ...base, properties: omit(base.properties, ['data', 'password']) }),
};
export const AUTHORIZATION_PROVIDERS: CollectionKind = {
  typeSuffix: 'authorizationProviders', withCount: false, emptyNextLink: true,
  filterFields: { name: nameField, displayName: prop('displayName'), 'properties/displayName': prop('displayName') },
};
export const AUTHORIZATIONS: CollectionKind = {
  typeSuffix: 'authorizationProviders/authorizations', withCount: false, emptyNextLink: true,
  filterFields: { name: nameField },
};
export const CACHES: CollectionKind = {
  typeSuffix: 'caches', withCount: true, emptyNextLink: false, filterFields: { name: nameField },
};
export const APIS: CollectionKind = {
  typeSuffix: 'apis', withCount: true, emptyNextLink: true,
  filterFields: { ...displayNameFields, path: prop('path'), serviceUrl: prop('serviceUrl'), description: prop('description') },
};
export const OPERATIONS: CollectionKind = {
  typeSuffix: 'apis/operations', withCount: true, emptyNextLink: true,
  filterFields: { ...displayNameFields, method: prop('method'), urlTemplate: prop('urlTemplate') },
};
export const PRODUCTS: CollectionKind = {
  typeSuffix: 'products', withCount: true, emptyNextLink: true,
  filterFields: { ...displayNameFields, description: prop('description'), state: prop('state') },
};
export const WORKSPACES: CollectionKind = {
  typeSuffix: 'workspaces', withCount: true, emptyNextLink: true,
  filterFields: { ...displayNameFields, description: prop('description') },
};
export const POLICIES: CollectionShape = { withCount: true, emptyNextLink: true };
export const REVISIONS: CollectionShape = { withCount: true, emptyNextLink: true };
export const ALL_POLICIES: CollectionShape = { withCount: false, emptyNextLink: true };

/** The collections the service and its workspaces both hold, with the resource types of one of them. */
export interface ContainerKinds {
  namedValues: CollectionKind<NamedValueRecord>;
  policyFragments: CollectionKind;
  apis: CollectionKind;
  operations: CollectionKind;
  products: CollectionKind;
}

export const SERVICE_KINDS: ContainerKinds = {
  namedValues: NAMED_VALUES, policyFragments: POLICY_FRAGMENTS, apis: APIS, operations: OPERATIONS, products: PRODUCTS,
};

/** Workspace children: the same shapes, typed `Microsoft.ApiManagement/service/workspaces/…`. */
export const WORKSPACE_KINDS: ContainerKinds = {
  namedValues: { ...NAMED_VALUES, typeSuffix: `workspaces/${NAMED_VALUES.typeSuffix}` },
  policyFragments: { ...POLICY_FRAGMENTS, typeSuffix: `workspaces/${POLICY_FRAGMENTS.typeSuffix}` },
  apis: { ...APIS, typeSuffix: `workspaces/${APIS.typeSuffix}` },
  operations: { ...OPERATIONS, typeSuffix: `workspaces/${OPERATIONS.typeSuffix}` },
  products: { ...PRODUCTS, typeSuffix: `workspaces/${PRODUCTS.typeSuffix}` },
};
export const POLICY_DESCRIPTIONS: CollectionShape = { withCount: true, emptyNextLink: false };

function omit(obj: JsonObject, keys: string[]): JsonObject {
  const copy: JsonObject = { ...obj };
  for (const k of keys) delete copy[k];
  return copy;
}

/** Secret and Key Vault values never leave through GET/list; only listValue returns them. */
export function publicNamedValueProperties(record: NamedValueRecord): JsonObject {
  const p = record.properties;
  const hidden = p.secret === true || isObject(p.keyVault);
  // Shallow: the body is serialised at once, and a deep clone per item was most of a list page's cost.
  const copy: JsonObject = { ...p };
  if (hidden) delete copy.value;
  return copy;
}

export function serviceId(s: ServiceRecord): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/${SERVICE_TYPE}/${s.name}`;
}

/** ETags look like the service's: a quoted base64 of an 8-byte version counter (e.g. "AAAAAAAAAAa="). */
export function etag(version: number): string {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(version));
  return `"${buf.toString('base64')}"`;
}

export function etagMatches(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  const current = etag(version).replace(/"/g, '');
  return ifMatch.split(',').some((t) => t.trim().replace(/^W\//, '').replace(/"/g, '') === current);
}

export function serializeResource<R extends ResourceRecord>(parentId: string, kind: CollectionKind<R>, record: R): ArmResource {
  const segment = kind.typeSuffix.split('/').pop() as string;
  const base: ArmResource = {
    id: `${parentId}/${segment}/${record.name}`,
    type: `${SERVICE_TYPE}/${kind.typeSuffix}`,
    name: record.name,
    // A kind with its own serialize builds new properties from these (it must copy what it changes).
    properties: kind.serialize ? record.properties : structuredClone(record.properties),
  };
  return kind.serialize ? kind.serialize(record, base) : base;
}

export function serializeService(s: ServiceRecord): JsonObject {
  const body: JsonObject = {
    id: serviceId(s),
    name: s.name,
    type: SERVICE_TYPE,
    tags: s.tags,
    location: s.location,
    etag: etag(s.etagVersion).replace(/"/g, ''),
    properties: structuredClone(s.properties),
    sku: s.sku,
  };
  if (s.identity) body.identity = s.identity;
  if (s.systemData) body.systemData = s.systemData;
  return body;
}

export type PolicyFormat = 'xml' | 'rawxml';

export function parsePolicyFormat(value: string | null, fallback: PolicyFormat): PolicyFormat {
  if (value === null || value === '') return fallback;
  const lower = value.toLowerCase();
  if (lower === 'xml' || lower === 'rawxml') return lower;
  if (lower === 'xml-link' || lower === 'rawxml-link') {
    throw new ArmError(400, 'ValidationError', `Policy format '${value}' (a link to a blob) is not served by the emulator; use 'xml' or 'rawxml'.`);
  }
  throw new ArmError(400, 'ValidationError', `'${value}' is not a valid policy format. Valid values: xml, xml-link, rawxml, rawxml-link.`);
}

/** Policies are stored raw; `xml` escapes expression text, `rawxml` returns it as authored. */
export function renderPolicy(raw: string, format: PolicyFormat): string {
  return format === 'rawxml' ? raw : toXmlFormat(raw);
}

export function storePolicy(value: string, format: PolicyFormat): string {
  return format === 'rawxml' ? value : toRawXmlFormat(value);
}

export function serializePolicyFragment(parentId: string, kind: CollectionKind, record: ResourceRecord, format: PolicyFormat): ArmResource {
  const base = serializeResource(parentId, kind, record);
  const value = stringProp(record.properties, 'value') ?? '';
  base.properties = { ...base.properties, format, value: renderPolicy(value, format) };
  return base;
}

export function serializePolicy(scopeId: string, scopeType: string, raw: string, format: PolicyFormat | undefined): ArmResource {
  const properties: JsonObject = { value: renderPolicy(raw, format ?? 'xml') };
  if (format !== undefined) properties.format = format;
  return { id: `${scopeId}/policies/policy`, type: `${scopeType}/policies`, name: 'policy', properties };
}

export const POLICY_SCOPE_BITS: Record<string, number> = { tenant: 1, product: 2, api: 4, operation: 8 };

export function serializePolicyDescription(parentId: string, d: PolicyDescriptionFixture): ArmResource {
  return {
    id: `${parentId}/policyDescriptions/${d.name}`,
    type: `${SERVICE_TYPE}/policyDescriptions`,
    name: d.name,
    properties: { description: d.description, scope: d.scope },
  };
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

function parseNonNegativeInt(raw: string | null, name: string): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new ArmError(400, 'ValidationError', `Query parameter ${name} must be a non-negative integer, got '${raw}'.`);
  return Number(raw.trim());
}

/**
 * One page of a collection. `$top` defaults to 100 (the service's default page size) and is capped at 1000;
 * nextLink is an absolute URL carrying the original query with the next `$skip`.
 */
export function listPage<T>(
  items: T[],
  requestUrl: URL,
  publicBaseUrl: string,
  shape: CollectionShape,
  toJson: (item: T) => unknown,
  filterFields?: FieldMap,
  preFilter?: (item: T) => boolean,
): JsonObject {
  const q = requestUrl.searchParams;
  const top = parseNonNegativeInt(q.get('$top'), '$top');
  if (top === 0) throw new ArmError(400, 'ValidationError', '$top must be at least 1.');
  const skip = parseNonNegativeInt(q.get('$skip'), '$skip') ?? 0;
  const pageSize = Math.min(top ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  let matching = preFilter ? items.filter(preFilter) : items;
  const filter = q.get('$filter');
  if (filter !== null && filter.trim() !== '') {
    if (!filterFields) throw new ArmError(400, 'ValidationError', '$filter is not supported on this collection.');
    try {
      const predicate = compileFilter<T>(filter, filterFields);
      matching = matching.filter(predicate);
    } catch (e) {
      if (e instanceof FilterError) throw new ArmError(400, 'ValidationError', `Invalid $filter '${filter}': ${e.message}.`);
      throw e;
    }
  }
  const page = matching.slice(skip, skip + pageSize);
  const body: JsonObject = { value: page.map(toJson) };
  if (shape.withCount) body.count = matching.length;
  if (skip + pageSize < matching.length) {
    const next = new URL(requestUrl.pathname, publicBaseUrl);
    for (const [k, v] of q) if (k !== '$skip' && k !== '$top') next.searchParams.append(k, v);
    next.searchParams.set('$top', String(pageSize));
    next.searchParams.set('$skip', String(skip + pageSize));
    body.nextLink = next.toString();
  } else if (shape.emptyNextLink) {
    body.nextLink = '';
  }
  return body;
}
