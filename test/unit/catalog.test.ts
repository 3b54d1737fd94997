// Checks the policy catalog data (server/src/language/catalog/policies.json)
// against its schema (types.ts) and against the shared reference catalog, so
// a hand edit that breaks the contract fails here instead of in a feature.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  AttributeSpec,
  ElementSpec,
  EntityKind,
  GatewayName,
  PolicyCatalogData,
  PolicySpec,
  ScopeName,
  ValueType,
} from '../../server/src/language/catalog/types';
import { SECTION_NAMES } from '../../server/src/language/catalog/types';
import { repoRoot } from '../support/repo';
import { inSection, languageService } from './support/cursor';

const SCOPES: readonly ScopeName[] = ['global', 'workspace', 'product', 'api', 'operation', 'graphql-resolver'];
const GATEWAYS: readonly GatewayName[] = ['classic', 'v2', 'consumption', 'self-hosted', 'workspace'];
const VALUE_TYPES: readonly ValueType[] = ['string', 'boolean', 'integer', 'number', 'enum', 'url', 'http-method', 'duration'];
const CONTENT_KINDS = ['empty', 'elements', 'policies', 'text', 'markup'];
const ENTITY_KINDS: readonly EntityKind[] = [
  'backend', 'policyFragment', 'logger', 'certificate', 'authorizationProvider', 'authorization',
  'schema', 'api', 'operation', 'cache', 'graphqlSubscription',
];

const ROOT = repoRoot();
const CATALOG_FILE = path.join(ROOT, 'server/src/language/catalog/policies.json');
const REFERENCE_DIR = path.resolve(ROOT, '../shared/reference');

function loadCatalog(): PolicyCatalogData {
  return JSON.parse(fs.readFileSync(CATALOG_FILE, 'utf8')) as PolicyCatalogData;
}

interface ReferencePolicy {
  key: string;
  name: string;
  documented: boolean;
  variant?: string;
}

/** A file of the shared reference data, which CI places beside the repository. */
function readReferenceFile(name: string): string {
  const file = path.join(REFERENCE_DIR, name);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found; the shared reference folder must sit beside the repository (../shared/reference)`);
  }
  return fs.readFileSync(file, 'utf8');
}

function loadReference(): ReferencePolicy[] {
  return JSON.parse(readReferenceFile('apim-policy-catalog.json')) as ReferencePolicy[];
}

/** Every problem found, as "where: what", so one run reports them all. */
function checkAttribute(where: string, attribute: AttributeSpec, problems: string[]): void {
  const at = `${where}@${attribute.name}`;
  if (!attribute.name) problems.push(`${where}: attribute without a name`);
  if (!attribute.description?.trim()) problems.push(`${at}: empty description`);
  if (!VALUE_TYPES.includes(attribute.type)) problems.push(`${at}: unknown type ${String(attribute.type)}`);
  if (attribute.required !== true && attribute.required !== false && attribute.required !== 'conditional') {
    problems.push(`${at}: required must be true, false or 'conditional'`);
  }
  if (attribute.required === 'conditional' && !attribute.requiredNote?.trim()) {
    problems.push(`${at}: conditional without requiredNote`);
  }
  if (attribute.expressions !== true && attribute.expressions !== false && attribute.expressions !== null) {
    problems.push(`${at}: expressions must be true, false or null`);
  }
  if (attribute.references !== undefined && !ENTITY_KINDS.includes(attribute.references)) {
    problems.push(`${at}: unknown entity kind ${attribute.references}`);
  }
  if (attribute.min !== undefined && attribute.max !== undefined && attribute.min > attribute.max) {
    problems.push(`${at}: min ${attribute.min} > max ${attribute.max}`);
  }
  if ((attribute.min !== undefined || attribute.max !== undefined) && attribute.type !== 'integer' && attribute.type !== 'number') {
    problems.push(`${at}: bounds on a ${attribute.type} attribute`);
  }
  if (attribute.type === 'enum') {
    if (!attribute.values || attribute.values.length === 0) problems.push(`${at}: enum without values`);
  } else if (attribute.values !== undefined) {
    problems.push(`${at}: values on a ${attribute.type} attribute`);
  }
  const value = attribute.default;
  if (value === undefined) return;
  switch (attribute.type) {
    case 'enum': {
      const fold = (s: string) => (attribute.caseInsensitive ? s.toLowerCase() : s);
      if (!attribute.values?.some((v) => fold(v) === fold(value))) problems.push(`${at}: default ${value} not among values`);
      break;
    }
    case 'boolean':
      if (value !== 'true' && value !== 'false') problems.push(`${at}: boolean default ${value}`);
      break;
    case 'integer': {
      const n = Number(value);
      if (!Number.isInteger(n)) problems.push(`${at}: integer default ${value}`);
      else if ((attribute.min !== undefined && n < attribute.min) || (attribute.max !== undefined && n > attribute.max)) {
        problems.push(`${at}: default ${value} outside bounds`);
      }
      break;
    }
    case 'number':
      if (Number.isNaN(Number(value))) problems.push(`${at}: number default ${value}`);
      break;
    default:
      break;
  }
}

function checkAttributes(where: string, attributes: AttributeSpec[], problems: string[]): void {
  if (!Array.isArray(attributes)) {
    problems.push(`${where}: attributes must be an array`);
    return;
  }
  const seen = new Set<string>();
  for (const attribute of attributes) {
    if (seen.has(attribute.name)) problems.push(`${where}: duplicate attribute ${attribute.name}`);
    seen.add(attribute.name);
    checkAttribute(where, attribute, problems);
  }
}

function checkElements(where: string, elements: ElementSpec[], byKey: Map<string, PolicySpec>, problems: string[]): void {
  if (!Array.isArray(elements)) {
    problems.push(`${where}: elements must be an array`);
    return;
  }
  const seen = new Set<string>();
  for (const element of elements) {
    const at = `${where}/${element.name}`;
    if (!element.name) problems.push(`${where}: element without a name`);
    if (seen.has(element.name)) problems.push(`${where}: duplicate child element ${element.name}`);
    seen.add(element.name);
    if (!element.description?.trim()) problems.push(`${at}: empty description`);
    if (typeof element.required !== 'boolean') problems.push(`${at}: required must be boolean`);
    if (typeof element.repeatable !== 'boolean') problems.push(`${at}: repeatable must be boolean`);
    if (!CONTENT_KINDS.includes(element.content)) problems.push(`${at}: unknown content ${String(element.content)}`);
    checkContentAndChildren(at, element.content, element.elements, problems);
    checkTextType(at, element, problems);
    if (element.policy !== undefined) {
      const target = byKey.get(element.policy);
      if (!target) problems.push(`${at}: policy ${element.policy} is not a catalog key`);
      else if (target.content !== element.content) {
        problems.push(`${at}: content ${element.content} differs from policy ${element.policy} (${target.content})`);
      }
    }
    checkAttributes(at, element.attributes, problems);
    checkElements(at, element.elements, byKey, problems);
  }
}

/** A text type only describes `text` content and must be a known value type. */
function checkTextType(where: string, spec: { content: string; textType?: ValueType }, problems: string[]): void {
  if (spec.textType === undefined) return;
  if (!VALUE_TYPES.includes(spec.textType)) problems.push(`${where}: unknown textType ${String(spec.textType)}`);
  if (spec.content !== 'text') problems.push(`${where}: textType on ${spec.content} content`);
}

/** Child specs only make sense for `elements`; `markup` may list known children for completion. */
function checkContentAndChildren(where: string, content: string, elements: ElementSpec[], problems: string[]): void {
  if (content === 'elements' && elements.length === 0) problems.push(`${where}: content elements without child specs`);
  if ((content === 'empty' || content === 'text' || content === 'policies') && elements.length > 0) {
    problems.push(`${where}: content ${content} with child specs`);
  }
}

function checkPolicy(policy: PolicySpec, byKey: Map<string, PolicySpec>, problems: string[]): void {
  const at = policy.key;
  if (!policy.name) problems.push(`${at}: empty name`);
  if (!policy.description?.trim()) problems.push(`${at}: empty description`);
  if (!policy.category?.trim()) problems.push(`${at}: empty category`);
  if (!policy.docs?.startsWith('https://learn.microsoft.com/')) problems.push(`${at}: docs ${policy.docs} is not a Microsoft Learn URL`);
  if (new Set(policy.sections).size !== policy.sections.length) problems.push(`${at}: duplicate sections`);
  for (const section of policy.sections) {
    if (!SECTION_NAMES.includes(section)) problems.push(`${at}: unknown section ${section}`);
  }
  for (const scope of policy.scopes) if (!SCOPES.includes(scope)) problems.push(`${at}: unknown scope ${scope}`);
  for (const gateway of policy.gateways) if (!GATEWAYS.includes(gateway)) problems.push(`${at}: unknown gateway ${gateway}`);
  if (!CONTENT_KINDS.includes(policy.content)) problems.push(`${at}: unknown content ${String(policy.content)}`);
  checkContentAndChildren(at, policy.content, policy.elements, problems);
  checkTextType(at, policy, problems);
  if (typeof policy.documented !== 'boolean') problems.push(`${at}: documented must be boolean`);
  if (!['high', 'medium', 'low'].includes(policy.confidence)) problems.push(`${at}: unknown confidence ${policy.confidence}`);
  if (!policy.documented && policy.confidence !== 'low') problems.push(`${at}: undocumented entries must have low confidence`);
  if (policy.oncePerSection !== undefined && typeof policy.oncePerSection !== 'boolean') problems.push(`${at}: oncePerSection must be boolean`);
  if (policy.snippet !== undefined) {
    if (!policy.snippet.startsWith(policy.name)) problems.push(`${at}: snippet must start with the element name (no leading <)`);
    if (!policy.snippet.includes('$0') && !policy.snippet.includes('${')) problems.push(`${at}: snippet has no placeholder`);
  }
  checkAttributes(at, policy.attributes, problems);
  checkElements(at, policy.elements, byKey, problems);
}

function forEachDescription(catalog: PolicyCatalogData, visit: (where: string, text: string) => void): void {
  const walk = (where: string, attributes: AttributeSpec[], elements: ElementSpec[]) => {
    for (const a of attributes) visit(`${where}@${a.name}`, a.description);
    for (const e of elements) {
      visit(`${where}/${e.name}`, e.description);
      walk(`${where}/${e.name}`, e.attributes, e.elements);
    }
  };
  for (const p of catalog.policies) {
    visit(p.key, p.description);
    walk(p.key, p.attributes, p.elements);
  }
}

describe('policy catalog data', () => {
  const catalog = loadCatalog();
  const byKey = new Map(catalog.policies.map((p) => [p.key, p]));

  it('has format version 1 and a non-empty policy list', () => {
    assert.equal(catalog.version, 1);
    assert.ok(Array.isArray(catalog.policies) && catalog.policies.length > 0);
  });

  it('has unique keys', () => {
    const keys = catalog.policies.map((p) => p.key);
    const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
    assert.deepEqual(duplicates, []);
  });

  it('shares an element name only between one main record and declared variants', () => {
    const groups = new Map<string, PolicySpec[]>();
    for (const p of catalog.policies) groups.set(p.name, [...(groups.get(p.name) ?? []), p]);
    const problems: string[] = [];
    for (const [name, group] of groups) {
      if (group.length === 1) continue;
      const mains = group.filter((p) => !p.variant);
      const variants = group.map((p) => p.variant).filter((v): v is string => !!v);
      if (mains.length !== 1) problems.push(`${name}: ${mains.length} records without variant`);
      if (new Set(variants).size !== variants.length) problems.push(`${name}: duplicate variant labels`);
    }
    assert.deepEqual(problems, []);
  });

  it('conforms to the schema (sections, scopes, gateways, attributes, child elements)', () => {
    const problems: string[] = [];
    for (const policy of catalog.policies) checkPolicy(policy, byKey, problems);
    assert.deepEqual(problems, []);
  });

  it('places base in every section with no attributes or content', () => {
    const base = byKey.get('base');
    assert.ok(base, 'base is missing');
    assert.deepEqual([...base.sections].sort(), [...SECTION_NAMES].sort());
    assert.equal(base.content, 'empty');
    assert.deepEqual(base.attributes, []);
    assert.deepEqual(base.elements, []);
  });

  it('covers every policy of the shared reference catalog', () => {
    const reference = loadReference();
    const problems: string[] = [];
    for (const ref of reference) {
      const entry = byKey.get(ref.key);
      if (!entry) {
        problems.push(`${ref.key}: missing`);
        continue;
      }
      if (entry.name !== ref.name) problems.push(`${ref.key}: name ${entry.name}, reference ${ref.name}`);
      if (entry.documented !== ref.documented) problems.push(`${ref.key}: documented ${entry.documented}, reference ${ref.documented}`);
      if ((entry.variant ?? null) !== (ref.variant ?? null)) problems.push(`${ref.key}: variant ${entry.variant}, reference ${ref.variant}`);
    }
    assert.deepEqual(problems, []);
  });

  it('uses its own descriptions rather than sentences from the reference notes', () => {
    const notes = readReferenceFile('apim-policy-catalog.md');
    const normalize = (s: string) => s.toLowerCase().replace(/[`*_]/g, '').replace(/\s+/g, ' ').trim();
    const sentences = new Set(
      notes
        .split(/(?<=[.!?])\s+|\n/)
        .map(normalize)
        .filter((s) => s.split(' ').length >= 6),
    );
    const copied: string[] = [];
    forEachDescription(catalog, (where, text) => {
      for (const sentence of text.split(/(?<=[.!?])\s+/)) {
        if (sentences.has(normalize(sentence))) copied.push(`${where}: ${sentence}`);
      }
    });
    assert.deepEqual(copied, []);
  });
});

// Facts corrected against the Microsoft Learn policy reference (and the
// policy XSDs where Learn is silent); see the catalog README's change list.
describe('catalog corrections checked against Microsoft Learn', () => {
  const catalog = loadCatalog();
  const byKey = new Map(catalog.policies.map((p) => [p.key, p]));
  const attribute = (spec: { attributes: AttributeSpec[] } | undefined, name: string): AttributeSpec | undefined => spec?.attributes.find((a) => a.name === name);
  const codes = (body: string): string[] => {
    const service = languageService();
    return service.doValidation(service.parse(inSection('inbound', body))).map((d) => `${d.code}: ${d.message}`);
  };

  it('set-body@template accepts none besides liquid, in set-body and in every copy of it', () => {
    const copies: ElementSpec[] = [];
    const collect = (elements: readonly ElementSpec[]): void => {
      for (const e of elements) {
        if (e.policy === 'set-body') copies.push(e);
        collect(e.elements);
      }
    };
    for (const p of catalog.policies) collect(p.elements);
    assert.ok(copies.length > 0);
    for (const spec of [byKey.get('set-body'), ...copies]) assert.deepEqual(attribute(spec, 'template')?.values, ['liquid', 'none']);
    // Learn's get-authorization-context examples return the token this way.
    assert.deepEqual(codes('<return-response><set-status code="200" /><set-body template="none">@(context.Variables.GetValueOrDefault<string>("x"))</set-body></return-response>'), []);
    assert.deepEqual(codes('<set-body template="None">x</set-body>'), []);
    assert.match(codes('<set-body template="mustache">x</set-body>').join(), /invalid-attribute-value: 'template' must be one of 'liquid', 'none'/);
  });

  it('rate-limit: an operation directly under it is identified by name or id and needs calls and renewal-period', () => {
    const rateLimit = byKey.get('rate-limit');
    const direct = rateLimit?.elements.find((e) => e.name === 'operation');
    const nested = rateLimit?.elements.find((e) => e.name === 'api')?.elements.find((e) => e.name === 'operation');
    assert.ok(direct && nested);
    for (const name of ['name', 'id', 'calls', 'renewal-period']) assert.deepEqual(attribute(direct, name), attribute(nested, name), name);
    assert.equal(attribute(direct, 'calls')?.required, true);
    assert.equal(attribute(direct, 'id')?.required, 'conditional');
    assert.deepEqual(codes('<rate-limit calls="10" renewal-period="60"><operation id="get-order" calls="5" renewal-period="30" /></rate-limit>'), []);
    assert.deepEqual(codes('<rate-limit calls="10" renewal-period="60"><operation name="get-order" /></rate-limit>'), [
      "missing-required-attribute: <operation> requires the attribute 'calls'.",
      "missing-required-attribute: <operation> requires the attribute 'renewal-period'.",
    ]);
  });

  it('invoke-dapr-binding@operation has no default', () => {
    const operation = attribute(byKey.get('invoke-dapr-binding'), 'operation');
    assert.ok(operation);
    assert.equal(operation.default, undefined);
    assert.equal(operation.required, false);
  });

  it('ip-filter@action is required and has no default', () => {
    const action = attribute(byKey.get('ip-filter'), 'action');
    assert.ok(action);
    assert.equal(action.required, true);
    assert.equal(action.default, undefined);
    assert.deepEqual(codes('<ip-filter><address>13.66.201.169</address></ip-filter>'), ["missing-required-attribute: <ip-filter> requires the attribute 'action'."]);
  });
});
