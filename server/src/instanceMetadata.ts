/**
 * Checks `apimPolicy/instanceMetadata` entry by entry. The message comes from another process
 * (our client, or any other editor speaking the protocol); one entry with a wrong field type
 * must cost only that entry, never completion and diagnostics for every name. Problems name
 * the entry and field only — never a value, which may be a secret.
 */
import type {
  BackendInfo,
  CertificateInfo,
  InstanceMetadata,
  KeyVaultStatus,
  LoggerInfo,
  NamedValueInfo,
  PolicyDescriptionInfo,
  PolicyFragmentInfo,
} from '../../protocol/protocol';

export interface CheckedMetadata {
  /** Undefined when the message does not even say which instance it is about. */
  metadata: InstanceMetadata | undefined;
  /** One line per dropped entry or ignored field. */
  problems: string[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const optionalString = (v: unknown): boolean => v === undefined || isString(v);
const NAMED_VALUE_KINDS = new Set(['plain', 'secret', 'keyVault']);

/** Why a named value entry is unusable, or undefined when it is fine. */
function namedValueProblem(v: Json): string | undefined {
  if (!isString(v.name)) return 'name is not a string';
  if (!isString(v.displayName)) return 'displayName is not a string';
  if (!isString(v.kind) || !NAMED_VALUE_KINDS.has(v.kind)) return 'kind is not plain, secret or keyVault';
  if (!optionalString(v.value)) return 'value is not a string';
  if (v.tags !== undefined && !(Array.isArray(v.tags) && v.tags.every(isString))) return 'tags is not a list of strings';
  if (v.keyVault !== undefined) {
    const kv = v.keyVault;
    if (!isObject(kv)) return 'keyVault is not an object';
    if (!isString(kv.secretIdentifier)) return 'keyVault.secretIdentifier is not a string';
    if (!optionalString(kv.identityClientId)) return 'keyVault.identityClientId is not a string';
    if (kv.lastStatus !== undefined && !isKeyVaultStatus(kv.lastStatus)) return 'keyVault.lastStatus has a field of the wrong type';
  }
  return undefined;
}

function isKeyVaultStatus(v: unknown): v is KeyVaultStatus {
  return isObject(v) && isString(v.code) && optionalString(v.message) && isString(v.timeStampUtc);
}

/** Entities: a string name, and only strings (or nothing) in the named optional fields. */
function entityProblem(v: Json, optionalStrings: readonly string[], optionalNumbers: readonly string[] = []): string | undefined {
  if (!isString(v.name)) return 'name is not a string';
  for (const field of optionalStrings) if (!optionalString(v[field])) return `${field} is not a string`;
  for (const field of optionalNumbers) if (v[field] !== undefined && typeof v[field] !== 'number') return `${field} is not a number`;
  return undefined;
}

/** Keeps the good entries of a list; a missing or non-list field counts as empty when required. */
function checkList<T>(raw: Json, field: string, problemOf: (v: Json) => string | undefined, problems: string[], required: boolean): T[] | undefined {
  const list = raw[field];
  if (list === undefined && !required) return undefined;
  if (!Array.isArray(list)) {
    problems.push(`${field}: not a list; treated as empty.`);
    return [];
  }
  const kept: T[] = [];
  list.forEach((entry, index) => {
    const problem = isObject(entry) ? problemOf(entry) : 'not an object';
    if (problem) problems.push(`${field}[${index}]${isObject(entry) && isString(entry.name) ? ` (${entry.name})` : ''}: ${problem}; entry dropped.`);
    else kept.push(entry as T);
  });
  return kept;
}

export function checkInstanceMetadata(raw: unknown): CheckedMetadata {
  const problems: string[] = [];
  if (!isObject(raw) || !isString(raw.instanceId) || !raw.instanceId) {
    return { metadata: undefined, problems: ['instanceId is missing or not a string; the message was ignored.'] };
  }
  const metadata: InstanceMetadata = {
    instanceId: raw.instanceId,
    displayName: isString(raw.displayName) ? raw.displayName : raw.instanceId.split('/').pop() || raw.instanceId,
    namedValues: checkList<NamedValueInfo>(raw, 'namedValues', namedValueProblem, problems, true)!,
    backends: checkList<BackendInfo>(raw, 'backends', (v) => entityProblem(v, ['url', 'description']), problems, true)!,
    policyFragments: checkList<PolicyFragmentInfo>(raw, 'policyFragments', (v) => entityProblem(v, ['description']), problems, true)!,
    loggers: checkList<LoggerInfo>(raw, 'loggers', (v) => entityProblem(v, ['loggerType', 'description']), problems, true)!,
  };
  if (!isString(raw.displayName)) problems.push('displayName is not a string; the instance name from its id is used.');
  if (raw.stale !== undefined) {
    if (typeof raw.stale === 'boolean') metadata.stale = raw.stale;
    else problems.push('stale is not a boolean; ignored.');
  }
  const certificates = checkList<CertificateInfo>(raw, 'certificates', (v) => entityProblem(v, ['subject', 'expirationDate']), problems, false);
  if (certificates) metadata.certificates = certificates;
  const descriptions = checkList<PolicyDescriptionInfo>(raw, 'policyDescriptions', (v) => entityProblem(v, ['description'], ['scope']), problems, false);
  if (descriptions) metadata.policyDescriptions = descriptions;
  return { metadata, problems };
}
