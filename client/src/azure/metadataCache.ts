/**
 * Offline cache of InstanceMetadata, one JSON file per instance in a
 * directory the caller owns (the extension's global storage).
 *
 * Guarantee: no secret value is ever written. The stored object is rebuilt
 * field by field from an allow-list; `value` survives only on plain named
 * values, whatever the caller hands in. Reading applies the same rebuild, so
 * a tampered or older file cannot smuggle extra fields back in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type {
  BackendInfo,
  CertificateInfo,
  InstanceMetadata,
  KeyVaultStatus,
  LoggerInfo,
  NamedValueInfo,
  NamedValueKind,
  PolicyDescriptionInfo,
  PolicyFragmentInfo,
} from '../../../protocol/protocol';
import { normalizeServiceResourceId } from './resourceId';

export const CACHE_FORMAT_VERSION = 1;
const CACHE_KIND = 'apim-policy-studio/instance-metadata';

interface CacheFile {
  kind: typeof CACHE_KIND;
  formatVersion: number;
  savedAt: string;
  instanceId: string;
  metadata: InstanceMetadata;
}

export type CacheLoadResult =
  | { ok: true; metadata: InstanceMetadata; savedAt: string; file: string }
  | { ok: false; reason: string; file: string };

/** File name: a hash of the normalized id, so ids with odd characters map to safe, stable names. */
export function cacheFilePath(directory: string, instanceId: string): string {
  let key: string;
  try {
    key = normalizeServiceResourceId(instanceId).toLowerCase();
  } catch {
    key = instanceId.trim().toLowerCase();
  }
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return path.join(directory, `instance-${hash}.json`);
}

/** Writes atomically (temp file + rename), so a crash never leaves a half-written cache. */
export async function saveMetadataCache(directory: string, metadata: InstanceMetadata, now = new Date()): Promise<string> {
  await fs.mkdir(directory, { recursive: true });
  const file = cacheFilePath(directory, metadata.instanceId);
  const content: CacheFile = {
    kind: CACHE_KIND,
    formatVersion: CACHE_FORMAT_VERSION,
    savedAt: now.toISOString(),
    instanceId: metadata.instanceId,
    metadata: sanitizeMetadata(metadata, false),
  };
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, JSON.stringify(content), { encoding: 'utf8', mode: 0o600 });
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  return file;
}

/** Never throws for bad content: a corrupt, foreign or old-format file is reported with a reason and ignored. */
export async function loadMetadataCache(directory: string, instanceId: string): Promise<CacheLoadResult> {
  const file = cacheFilePath(directory, instanceId);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { ok: false, file, reason: code === 'ENOENT' ? 'no cached metadata for this instance' : `cannot read cache file (${String(code ?? e)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, file, reason: 'cache file is not valid JSON (corrupt)' };
  }
  if (!isRecord(parsed) || parsed.kind !== CACHE_KIND) return { ok: false, file, reason: 'not a metadata cache file' };
  if (parsed.formatVersion !== CACHE_FORMAT_VERSION) {
    return { ok: false, file, reason: `cache format ${String(parsed.formatVersion)} is not the supported format ${CACHE_FORMAT_VERSION}` };
  }
  if (typeof parsed.savedAt !== 'string' || Number.isNaN(Date.parse(parsed.savedAt))) return { ok: false, file, reason: 'cache file has no valid savedAt' };
  if (!sameInstance(parsed.instanceId, instanceId)) return { ok: false, file, reason: 'cache file belongs to another instance' };
  if (!isRecord(parsed.metadata) || !Array.isArray(parsed.metadata.namedValues)) return { ok: false, file, reason: 'cache file has no metadata' };
  const metadata = sanitizeMetadata(parsed.metadata as unknown as InstanceMetadata, true);
  metadata.instanceId = instanceId;
  return { ok: true, metadata, savedAt: parsed.savedAt, file };
}

export async function deleteMetadataCache(directory: string, instanceId: string): Promise<void> {
  await fs.rm(cacheFilePath(directory, instanceId), { force: true });
}

/**
 * Rebuilds metadata from allowed fields only. Exported so callers (and tests)
 * can apply the same rule before sending metadata anywhere persistent.
 */
export function sanitizeMetadata(input: InstanceMetadata, stale: boolean): InstanceMetadata {
  const out: InstanceMetadata = {
    instanceId: str(input.instanceId) ?? '',
    displayName: str(input.displayName) ?? '',
    namedValues: list(input.namedValues, sanitizeNamedValue),
    backends: list(input.backends, (b) => pick<BackendInfo>(b, ['url', 'description'])),
    policyFragments: list(input.policyFragments, (f) => pick<PolicyFragmentInfo>(f, ['description'])),
    loggers: list(input.loggers, (l) => pick<LoggerInfo>(l, ['loggerType', 'description'])),
  };
  if (Array.isArray(input.certificates)) out.certificates = list(input.certificates, (c) => pick<CertificateInfo>(c, ['subject', 'expirationDate']));
  if (Array.isArray(input.policyDescriptions)) out.policyDescriptions = list(input.policyDescriptions, sanitizePolicyDescription);
  if (stale) out.stale = true;
  return out;
}

const KINDS: readonly NamedValueKind[] = ['plain', 'secret', 'keyVault'];

function sanitizeNamedValue(raw: unknown): NamedValueInfo | undefined {
  if (!isRecord(raw)) return undefined;
  const name = str(raw.name);
  if (!name) return undefined;
  const kind = KINDS.includes(raw.kind as NamedValueKind) ? (raw.kind as NamedValueKind) : undefined;
  if (!kind) return undefined;
  const out: NamedValueInfo = { name, displayName: str(raw.displayName) ?? name, kind };
  if (kind === 'plain' && typeof raw.value === 'string') out.value = raw.value;
  if (Array.isArray(raw.tags)) out.tags = raw.tags.filter((t): t is string => typeof t === 'string');
  if (kind === 'keyVault' && isRecord(raw.keyVault)) {
    const kv = raw.keyVault;
    out.keyVault = { secretIdentifier: str(kv.secretIdentifier) ?? '' };
    const clientId = str(kv.identityClientId);
    if (clientId) out.keyVault.identityClientId = clientId;
    if (isRecord(kv.lastStatus) && str(kv.lastStatus.code)) {
      const status: KeyVaultStatus = { code: str(kv.lastStatus.code) ?? '', timeStampUtc: str(kv.lastStatus.timeStampUtc) ?? '' };
      const message = str(kv.lastStatus.message);
      if (message) status.message = message;
      out.keyVault.lastStatus = status;
    }
  }
  return out;
}

function sanitizePolicyDescription(raw: unknown): PolicyDescriptionInfo | undefined {
  const out = pick<PolicyDescriptionInfo>(raw, ['description']);
  if (out && isRecord(raw) && typeof raw.scope === 'number') out.scope = raw.scope;
  return out;
}

/** `{ name, ...string fields }` from an unknown object; undefined without a name. */
function pick<T extends { name: string }>(raw: unknown, stringFields: readonly string[]): T | undefined {
  if (!isRecord(raw)) return undefined;
  const name = str(raw.name);
  if (!name) return undefined;
  const out: Record<string, unknown> = { name };
  for (const field of stringFields) {
    const value = str(raw[field]);
    if (value !== undefined) out[field] = value;
  }
  return out as T;
}

function list<T>(raw: unknown, map: (item: unknown) => T | undefined): T[] {
  if (!Array.isArray(raw)) return [];
  const out: T[] = [];
  for (const item of raw) {
    const mapped = map(item);
    if (mapped !== undefined) out.push(mapped);
  }
  return out;
}

function sameInstance(stored: unknown, requested: string): boolean {
  if (typeof stored !== 'string') return false;
  try {
    return normalizeServiceResourceId(stored).toLowerCase() === normalizeServiceResourceId(requested).toLowerCase();
  } catch {
    return stored.trim().toLowerCase() === requested.trim().toLowerCase();
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
