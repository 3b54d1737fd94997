/**
 * Checks what arrives in `apimPolicy/instanceMetadata` (and the folder
 * mapping) against the protocol before anything uses it. One malformed
 * entry is set aside with a reason; the rest of the instance keeps working.
 * Reasons name fields and types, never values (a value may be a secret).
 */
import type {
  BackendInfo,
  CertificateInfo,
  InstanceFolder,
  InstanceMetadata,
  KeyVaultStatus,
  LoggerInfo,
  NamedValueInfo,
  PolicyDescriptionInfo,
  PolicyFragmentInfo,
} from '../../protocol/protocol';

export interface CheckedMetadata {
  /** Undefined when the notification itself is unusable (no instance id or name, lists that are not lists). */
  metadata: InstanceMetadata | undefined;
  /** Display names of named values that were set aside: they exist, but cannot be described. */
  unreadableNamedValues: string[];
  /** One line per problem, for the log. */
  problems: string[];
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isOptionalString = (value: unknown): boolean => value === undefined || isString(value);
const isOptionalNumber = (value: unknown): boolean => value === undefined || (typeof value === 'number' && Number.isFinite(value));
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const NAMED_VALUE_KINDS: ReadonlySet<unknown> = new Set(['plain', 'secret', 'keyVault']);

/** Why a named value entry breaks the protocol, or undefined when it is fine. */
function namedValueProblem(entry: unknown): string | undefined {
  if (!isObject(entry)) return 'is not an object';
  if (!isString(entry.name)) return '`name` is not a string';
  if (!isString(entry.displayName)) return '`displayName` is not a string';
  if (!NAMED_VALUE_KINDS.has(entry.kind)) return '`kind` is not plain, secret or keyVault';
  if (!isOptionalString(entry.value)) return '`value` is not a string';
  if (entry.kind !== 'plain' && entry.value !== undefined) return '`value` is set on a secret named value';
  if (entry.tags !== undefined && !isStringList(entry.tags)) return '`tags` is not a list of strings';
  if (entry.keyVault !== undefined) {
    const keyVault = entry.keyVault;
    if (!isObject(keyVault)) return '`keyVault` is not an object';
    if (!isString(keyVault.secretIdentifier)) return '`keyVault.secretIdentifier` is not a string';
    if (!isOptionalString(keyVault.identityClientId)) return '`keyVault.identityClientId` is not a string';
    if (keyVault.lastStatus !== undefined) {
      const status = keyVault.lastStatus;
      if (!isObject(status)) return '`keyVault.lastStatus` is not an object';
      if (!isString(status.code)) return '`keyVault.lastStatus.code` is not a string';
      if (!isOptionalString(status.message)) return '`keyVault.lastStatus.message` is not a string';
      if (!isString(status.timeStampUtc)) return '`keyVault.lastStatus.timeStampUtc` is not a string';
    }
  }
  return undefined;
}

/** A copy holding only the protocol's fields, so nothing unexpected travels further. */
function copyNamedValue(entry: Fields): NamedValueInfo {
  const nv: NamedValueInfo = { name: entry.name as string, displayName: entry.displayName as string, kind: entry.kind as NamedValueInfo['kind'] };
  if (entry.value !== undefined) nv.value = entry.value as string;
  if (entry.tags !== undefined) nv.tags = [...(entry.tags as string[])];
  if (entry.keyVault !== undefined) {
    const keyVault = entry.keyVault as Fields;
    nv.keyVault = { secretIdentifier: keyVault.secretIdentifier as string };
    if (keyVault.identityClientId !== undefined) nv.keyVault.identityClientId = keyVault.identityClientId as string;
    if (keyVault.lastStatus !== undefined) {
      const status = keyVault.lastStatus as Fields;
      const lastStatus: KeyVaultStatus = { code: status.code as string, timeStampUtc: status.timeStampUtc as string };
      if (status.message !== undefined) lastStatus.message = status.message as string;
      nv.keyVault.lastStatus = lastStatus;
    }
  }
  return nv;
}

/** Entities (backends, fragments, loggers, …): a string name plus optional string fields. */
function entityProblem(entry: unknown, optionalStrings: readonly string[], optionalNumbers: readonly string[] = []): string | undefined {
  if (!isObject(entry)) return 'is not an object';
  if (!isString(entry.name)) return '`name` is not a string';
  for (const field of optionalStrings) if (!isOptionalString(entry[field])) return `\`${field}\` is not a string`;
  for (const field of optionalNumbers) if (!isOptionalNumber(entry[field])) return `\`${field}\` is not a number`;
  return undefined;
}

function copyFields<T>(entry: Fields, fields: readonly string[]): T {
  const copy: Fields = {};
  for (const field of ['name', ...fields]) if (entry[field] !== undefined) copy[field] = entry[field];
  return copy as T;
}

/** How to label an entry in the log: its name when it has a usable one, else its position. */
function label(list: string, index: number, entry: unknown, nameField = 'name'): string {
  const name = isObject(entry) && isString(entry[nameField]) ? ` '${entry[nameField].slice(0, 80)}'` : '';
  return `${list}[${index}]${name}`;
}

export function checkInstanceMetadata(raw: unknown): CheckedMetadata {
  const problems: string[] = [];
  const unreadableNamedValues: string[] = [];
  const rejected = (why: string): CheckedMetadata => ({ metadata: undefined, unreadableNamedValues, problems: [`Instance metadata ignored: ${why}.`] });
  if (!isObject(raw)) return rejected('it is not an object');
  if (!isString(raw.instanceId) || !raw.instanceId) return rejected('`instanceId` is not a string');
  if (!isString(raw.displayName)) return rejected('`displayName` is not a string');
  for (const list of ['namedValues', 'backends', 'policyFragments', 'loggers']) {
    if (!Array.isArray(raw[list])) return rejected(`\`${list}\` is not a list`);
  }
  for (const list of ['certificates', 'policyDescriptions']) {
    if (raw[list] !== undefined && !Array.isArray(raw[list])) return rejected(`\`${list}\` is not a list`);
  }

  const namedValues: NamedValueInfo[] = [];
  (raw.namedValues as unknown[]).forEach((entry, index) => {
    const problem = namedValueProblem(entry);
    if (!problem) namedValues.push(copyNamedValue(entry as Fields));
    else {
      problems.push(`Named value ${label('namedValues', index, entry, 'displayName')} set aside: ${problem}.`);
      if (isObject(entry) && isString(entry.displayName)) unreadableNamedValues.push(entry.displayName);
    }
  });

  const entities = <T>(list: string, fields: readonly string[], numbers: readonly string[] = []): T[] => {
    const result: T[] = [];
    (raw[list] as unknown[]).forEach((entry, index) => {
      const problem = entityProblem(entry, fields, numbers);
      if (problem) problems.push(`Entry ${label(list, index, entry)} set aside: ${problem}.`);
      else result.push(copyFields<T>(entry as Fields, [...fields, ...numbers]));
    });
    return result;
  };

  const metadata: InstanceMetadata = {
    instanceId: raw.instanceId,
    displayName: raw.displayName,
    namedValues,
    backends: entities<BackendInfo>('backends', ['url', 'description']),
    policyFragments: entities<PolicyFragmentInfo>('policyFragments', ['description']),
    loggers: entities<LoggerInfo>('loggers', ['loggerType', 'description']),
  };
  if (raw.stale !== undefined) metadata.stale = raw.stale === true;
  if (raw.certificates !== undefined) metadata.certificates = entities<CertificateInfo>('certificates', ['subject', 'expirationDate']);
  if (raw.policyDescriptions !== undefined) {
    const before = problems.length;
    const policyDescriptions = entities<PolicyDescriptionInfo>('policyDescriptions', ['description'], ['scope']);
    // A policy list with holes would mark real policies unavailable: drop the list rather than guess.
    if (problems.length === before) metadata.policyDescriptions = policyDescriptions;
    else problems.push('The policy list is incomplete, so no policy is reported as unavailable.');
  }
  return { metadata, unreadableNamedValues, problems };
}

/** The folder mapping with malformed entries set aside. */
export function checkInstanceFolders(raw: unknown): { folders: InstanceFolder[]; problems: string[] } {
  const list = isObject(raw) ? raw.folders : undefined;
  if (list === undefined || list === null) return { folders: [], problems: [] };
  if (!Array.isArray(list)) return { folders: [], problems: ['Instance folders ignored: `folders` is not a list.'] };
  const folders: InstanceFolder[] = [];
  const problems: string[] = [];
  list.forEach((entry: unknown, index) => {
    if (isObject(entry) && isString(entry.folderUri) && isString(entry.instanceId)) folders.push({ folderUri: entry.folderUri, instanceId: entry.instanceId });
    else problems.push(`Instance folder folders[${index}] set aside: it needs string \`folderUri\` and \`instanceId\`.`);
  });
  return { folders, problems };
}
