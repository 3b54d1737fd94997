/**
 * Loads everything the language server needs about one APIM instance, all
 * parts in parallel, every page, with per-part progress and cancellation.
 *
 * Secret material never enters the result: named value `value` is copied
 * for plain named values only, and logger credentials, cache connection
 * strings, backend credentials and authorization provider OAuth settings are
 * not read at all (mapping picks fields instead of copying objects).
 */
import { setMaxListeners } from 'node:events';
import type {
  ApiManagementClient,
  AuthorizationProviderContract,
  BackendContract,
  CacheContract,
  CertificateContract,
  LoggerContract,
  NamedValueContract,
  PolicyDescriptionContract,
  PolicyFragmentContract,
} from '@azure/arm-apimanagement';
import type { FullOperationResponse } from '@azure/core-client';
import type {
  BackendInfo,
  CertificateInfo,
  InstanceMetadata,
  KeyVaultStatus,
  LoggerInfo,
  NamedValueInfo,
  PolicyDescriptionInfo,
  PolicyFragmentInfo,
} from '../../../protocol/protocol';
import { type ApimClientSource, resolveClient } from './armClient';
import { AzureAccessError, type ClassifiedError, type ErrorContext, toAzureAccessError } from './errors';
import { armPagedSource, type ArmListItem, DEFAULT_PARALLEL_REQUESTS, type GateStats, listAll, type PageProgress, type PagedSource, RequestGate, sdkPagedSource } from './pager';
import { formatServiceResourceId, lastSegment, parseServiceResourceId, type ServiceResourceId } from './resourceId';

export type MetadataPart =
  | 'service'
  | 'namedValues'
  | 'backends'
  | 'policyFragments'
  | 'loggers'
  | 'certificates'
  | 'policyDescriptions'
  | 'authorizationProviders'
  | 'caches'
  | 'fragmentXml';

export const PART_LABELS: Record<MetadataPart, string> = {
  service: 'Service',
  namedValues: 'Named values',
  backends: 'Backends',
  policyFragments: 'Policy fragments',
  loggers: 'Loggers',
  certificates: 'Certificates',
  policyDescriptions: 'Policy descriptions',
  authorizationProviders: 'Authorization providers',
  caches: 'Caches',
  fragmentXml: 'Fragment XML',
};

/** Parts whose failure fails the whole load; the others are reported in `extras.partErrors`. */
const REQUIRED_PARTS: ReadonlySet<MetadataPart> = new Set(['service', 'namedValues', 'backends', 'policyFragments', 'loggers']);

export interface LoadProgress {
  part: MetadataPart;
  label: string;
  /** Items loaded so far for this part. */
  loaded: number;
  done: boolean;
  /** Ready-to-show text, e.g. "Named values 300… (page 3 of 101)" or "Named values 312". */
  message: string;
  /** Pages fetched so far, and how many there are once the first page told (collections with `count`). */
  pages?: { done: number; total?: number };
}

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** Also fetch every fragment's raw XML (one request per fragment, 4 at a time). */
  fetchFragmentXml?: boolean;
  /** Most requests in flight for this load (default: the client's setting, else 8). */
  parallelRequests?: number;
  /** Receives the load's request statistics when it ends (for benchmarks and diagnostics). */
  onStats?: (stats: GateStats) => void;
}

export interface ServiceSummary {
  name: string;
  location?: string;
  skuName?: string;
  gatewayUrl?: string;
  developerPortalUrl?: string;
  /** client id of each user-assigned identity plus "system" when system-assigned is on; for Key Vault hints. */
  identities: string[];
}

export interface AuthorizationProviderInfo {
  name: string;
  displayName?: string;
  identityProvider?: string;
  /** Which grant types are configured (names only; their settings hold client secrets). */
  grantTypes: string[];
}

export interface CacheInfo {
  name: string;
  description?: string;
  useFromLocation?: string;
  resourceId?: string;
}

export interface PartError {
  part: MetadataPart;
  error: ClassifiedError;
}

/** What a load returns besides the protocol's InstanceMetadata. */
export interface InstanceExtras {
  service: ServiceSummary;
  authorizationProviders: AuthorizationProviderInfo[];
  caches: CacheInfo[];
  /** Fragment name → raw XML, only with `fetchFragmentXml`. */
  fragmentXml?: Record<string, string>;
  /** Optional parts that failed; the metadata is still usable. */
  partErrors: PartError[];
  loadedAt: string;
  durationMs: number;
}

export interface LoadResult {
  metadata: InstanceMetadata;
  extras: InstanceExtras;
}

export async function loadInstanceMetadata(source: ApimClientSource, instanceId: string, options: LoadOptions = {}): Promise<LoadResult> {
  const started = Date.now();
  const id = parseServiceResourceId(instanceId);
  const context: ErrorContext = { operation: 'read', instanceId };
  const handle = resolveClient(source, id.subscriptionId);
  const client = handle.client;
  context.endpoint = handle.armEndpoint;
  throwIfCancelled(options.signal);

  // One controller for all parts: a failing required part stops the others.
  const controller = new AbortController();
  // Every request and queued page of the load listens for the abort; dozens are expected.
  setMaxListeners(0, controller.signal);
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let firstFailure: AzureAccessError | undefined;
  const partErrors: PartError[] = [];
  const report = (part: MetadataPart, loaded: number, done: boolean, pages?: PageProgress) => {
    if (!options.onProgress) return;
    const label = PART_LABELS[part];
    const ofPages = !done && pages?.pagesTotal && pages.pagesTotal > 1 ? ` (page ${pages.pagesDone} of ${pages.pagesTotal})` : '';
    try {
      const progress: LoadProgress = { part, label, loaded, done, message: `${label} ${loaded}${done ? '' : '…'}${ofPages}` };
      if (pages) progress.pages = { done: pages.pagesDone, total: pages.pagesTotal };
      options.onProgress(progress);
    } catch {
      // a broken progress callback must not break the load
    }
  };

  async function run<T>(part: MetadataPart, load: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    report(part, 0, false);
    try {
      return await load(controller.signal);
    } catch (e) {
      const error = toAzureAccessError(e, context);
      if (REQUIRED_PARTS.has(part) || error.kind === 'cancelled') {
        firstFailure ??= error;
        controller.abort();
      } else {
        partErrors.push({ part, error: error.classification });
      }
      return undefined;
    }
  }

  // Every collection of this load shares one bound on requests in flight, and slows down together when throttled.
  const gate = new RequestGate(options.parallelRequests ?? handle.parallelRequests ?? DEFAULT_PARALLEL_REQUESTS);
  const pages = <C, R>(part: MetadataPart, source: PagedSource<C>, map: (item: C) => R | undefined) =>
    run(part, async (signal) => {
      const items = await listAll(source, gate, signal, (p) => report(part, p.itemsLoaded, false, p));
      const out: R[] = [];
      for (const item of items) {
        const mapped = map(item);
        if (mapped !== undefined) out.push(mapped);
      }
      report(part, out.length, true);
      return out;
    });

  try {
    const { resourceGroup: rg, serviceName: svc } = id;
    const listOptions = (signal: AbortSignal) => ({ abortSignal: signal, onResponse: requireValueArray });
    const [service, namedValues, backends, policyFragments, loggers, certificates, policyDescriptions, authorizationProviders, caches] =
      await Promise.all([
        run('service', async (signal) => {
          const resource = await gate.run(signal, () => client.apiManagementService.get(rg, svc, { abortSignal: signal }));
          report('service', 1, true);
          return toServiceSummary(resource, id);
        }),
        // The largest collection by far: read as JSON, without the SDK's model mapping (see armPagedSource).
        pages('namedValues', armPagedSource(handle, `${formatServiceResourceId(id)}/namedValues`), (item) => mapNamedValue(namedValueFromArm(item))),
        pages('backends', sdkPagedSource((o) => client.backend.listByService(rg, svc, o), requireValueArray), mapBackend),
        pages('policyFragments', sdkPagedSource((o) => client.policyFragment.listByService(rg, svc, o), requireValueArray), mapFragment),
        pages('loggers', sdkPagedSource((o) => client.logger.listByService(rg, svc, o), requireValueArray), mapLogger),
        pages('certificates', sdkPagedSource((o) => client.certificate.listByService(rg, svc, o), requireValueArray), mapCertificate),
        run('policyDescriptions', async (signal) => {
          const response = await gate.run(signal, () => client.policyDescription.listByService(rg, svc, listOptions(signal)));
          const out = (response.value ?? []).map(mapPolicyDescription).filter((d): d is PolicyDescriptionInfo => d !== undefined);
          report('policyDescriptions', out.length, true);
          return out;
        }),
        pages('authorizationProviders', sdkPagedSource((o) => client.authorizationProvider.listByService(rg, svc, o), requireValueArray), mapAuthorizationProvider),
        pages('caches', sdkPagedSource((o) => client.cache.listByService(rg, svc, o), requireValueArray), mapCache),
      ]);

    let fragmentXml: Record<string, string> | undefined;
    if (!firstFailure && options.fetchFragmentXml && policyFragments) {
      fragmentXml = await run('fragmentXml', (signal) => fetchAllFragmentXml(client, id, policyFragments, gate, signal, (n) => report('fragmentXml', n, false)));
      if (fragmentXml) report('fragmentXml', Object.keys(fragmentXml).length, true);
    }

    if (options.signal?.aborted) throw cancelledError();
    if (firstFailure) throw firstFailure;

    const metadata: InstanceMetadata = {
      instanceId,
      displayName: service?.name ?? id.serviceName,
      namedValues: namedValues ?? [],
      backends: backends ?? [],
      policyFragments: policyFragments ?? [],
      loggers: loggers ?? [],
    };
    if (certificates) metadata.certificates = certificates;
    if (policyDescriptions) metadata.policyDescriptions = policyDescriptions;
    const extras: InstanceExtras = {
      service: service ?? { name: id.serviceName, identities: [] },
      authorizationProviders: authorizationProviders ?? [],
      caches: caches ?? [],
      partErrors,
      loadedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
    };
    if (fragmentXml) extras.fragmentXml = fragmentXml;
    return { metadata, extras };
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    options.onStats?.(gate.stats);
  }
}

/** One fragment's policy XML (`format=rawxml`), fetched on demand. */
export async function getFragmentXml(source: ApimClientSource, instanceId: string, fragmentName: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  try {
    return await fetchFragmentXml(handle.client, id, fragmentName, options.signal);
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', instanceId, target: fragmentName, endpoint: handle.armEndpoint });
  }
}

async function fetchFragmentXml(client: ApiManagementClient, id: ServiceResourceId, name: string, signal: AbortSignal | undefined): Promise<string> {
  const fragment = await client.policyFragment.get(id.resourceGroup, id.serviceName, name, { format: 'rawxml', abortSignal: signal });
  if (typeof fragment.value !== 'string') {
    throw new AzureAccessError({
      kind: 'malformedResponse',
      message: `Policy fragment "${name}" came back without a value.`,
      userMessage: `Azure returned policy fragment "${name}" without its XML; try again.`,
      retryable: true,
    });
  }
  return fragment.value;
}

async function fetchAllFragmentXml(
  client: ApiManagementClient,
  id: ServiceResourceId,
  fragments: PolicyFragmentInfo[],
  gate: RequestGate,
  signal: AbortSignal,
  onCount: (n: number) => void,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(
    fragments.map(async ({ name }) => {
      out[name] = await gate.run(signal, () => fetchFragmentXml(client, id, name, signal));
      onCount(Object.keys(out).length);
    }),
  );
  return out;
}

/** Every ARM list page must carry a `value` array; otherwise the SDK would quietly yield an empty page. */
function requireValueArray(raw: FullOperationResponse): void {
  if (raw.status !== 200) return;
  const body = raw.parsedBody as { value?: unknown } | undefined;
  if (!body || !Array.isArray(body.value)) {
    throw new AzureAccessError({
      kind: 'malformedResponse',
      status: raw.status,
      message: `List response from ${raw.request.url.split('?')[0]} has no "value" array.`,
      userMessage: `${new URL(raw.request.url).origin} returned a list without items (no "value" array); try again.`,
      retryable: true,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Mapping: pick fields, never spread SDK objects (they may carry values and credentials).

export function mapNamedValue(nv: NamedValueContract): NamedValueInfo | undefined {
  const name = nv.name ?? lastSegment(nv.id);
  if (!name) return undefined;
  const info: NamedValueInfo = { name, displayName: nv.displayName ?? name, kind: 'plain' };
  const kv = nv.keyVault;
  if (kv && (kv.secretIdentifier || kv.lastStatus)) {
    info.kind = 'keyVault';
    info.keyVault = { secretIdentifier: kv.secretIdentifier ?? '' };
    if (kv.identityClientId) info.keyVault.identityClientId = kv.identityClientId;
    const status = mapKeyVaultStatus(kv.lastStatus);
    if (status) info.keyVault.lastStatus = status;
  } else if (nv.secret) {
    info.kind = 'secret';
  } else if (typeof nv.value === 'string') {
    info.value = nv.value;
  }
  if (nv.tags?.length) info.tags = [...nv.tags];
  return info;
}

/** A named value as ARM sends it (`properties` nested) in the SDK's flattened shape. */
export function namedValueFromArm(item: ArmListItem): NamedValueContract {
  const p = item.properties ?? {};
  const contract: NamedValueContract = {};
  if (typeof item.id === 'string') (contract as { id?: string }).id = item.id;
  if (typeof item.name === 'string') (contract as { name?: string }).name = item.name;
  if (typeof p.displayName === 'string') contract.displayName = p.displayName;
  if (typeof p.value === 'string') contract.value = p.value;
  if (typeof p.secret === 'boolean') contract.secret = p.secret;
  if (Array.isArray(p.tags)) contract.tags = p.tags.filter((t): t is string => typeof t === 'string');
  const kv = p.keyVault as { secretIdentifier?: unknown; identityClientId?: unknown; lastStatus?: { code?: unknown; message?: unknown; timeStampUtc?: unknown } } | null | undefined;
  if (kv && typeof kv === 'object') {
    const keyVault: NonNullable<NamedValueContract['keyVault']> = {};
    if (typeof kv.secretIdentifier === 'string') keyVault.secretIdentifier = kv.secretIdentifier;
    if (typeof kv.identityClientId === 'string') keyVault.identityClientId = kv.identityClientId;
    const status = kv.lastStatus;
    if (status && typeof status === 'object') {
      const lastStatus: NonNullable<typeof keyVault.lastStatus> = {};
      if (typeof status.code === 'string') lastStatus.code = status.code;
      if (typeof status.message === 'string') lastStatus.message = status.message;
      if (typeof status.timeStampUtc === 'string') lastStatus.timeStampUtc = new Date(status.timeStampUtc);
      keyVault.lastStatus = lastStatus;
    }
    contract.keyVault = keyVault;
  }
  return contract;
}

function mapKeyVaultStatus(status: { code?: string; message?: string; timeStampUtc?: Date } | undefined): KeyVaultStatus | undefined {
  if (!status?.code) return undefined;
  const result: KeyVaultStatus = { code: status.code, timeStampUtc: isoDate(status.timeStampUtc) ?? '' };
  if (status.message) result.message = status.message;
  return result;
}

function mapBackend(b: BackendContract): BackendInfo | undefined {
  const name = b.name ?? lastSegment(b.id);
  if (!name) return undefined;
  const info: BackendInfo = { name };
  if (b.url) info.url = b.url;
  if (b.description) info.description = b.description;
  return info;
}

function mapFragment(f: PolicyFragmentContract): PolicyFragmentInfo | undefined {
  const name = f.name ?? lastSegment(f.id);
  if (!name) return undefined;
  const info: PolicyFragmentInfo = { name };
  if (f.description) info.description = f.description;
  return info;
}

function mapLogger(l: LoggerContract): LoggerInfo | undefined {
  const name = l.name ?? lastSegment(l.id);
  if (!name) return undefined;
  const info: LoggerInfo = { name };
  if (l.loggerType) info.loggerType = l.loggerType;
  if (l.description) info.description = l.description;
  return info;
}

function mapCertificate(c: CertificateContract): CertificateInfo | undefined {
  const name = c.name ?? lastSegment(c.id);
  if (!name) return undefined;
  const info: CertificateInfo = { name };
  if (c.subject) info.subject = c.subject;
  const expires = isoDate(c.expirationDate);
  if (expires) info.expirationDate = expires;
  return info;
}

function mapPolicyDescription(d: PolicyDescriptionContract): PolicyDescriptionInfo | undefined {
  const name = d.name ?? lastSegment(d.id);
  if (!name) return undefined;
  const info: PolicyDescriptionInfo = { name };
  if (d.description) info.description = d.description;
  if (typeof d.scope === 'number') info.scope = d.scope;
  return info;
}

function mapAuthorizationProvider(p: AuthorizationProviderContract): AuthorizationProviderInfo | undefined {
  const name = p.name ?? lastSegment(p.id);
  if (!name) return undefined;
  const info: AuthorizationProviderInfo = { name, grantTypes: Object.keys(p.oauth2?.grantTypes ?? {}) };
  if (p.displayName) info.displayName = p.displayName;
  if (p.identityProvider) info.identityProvider = p.identityProvider;
  return info;
}

function mapCache(c: CacheContract): CacheInfo | undefined {
  const name = c.name ?? lastSegment(c.id);
  if (!name) return undefined;
  const info: CacheInfo = { name };
  if (c.description) info.description = c.description;
  if (c.useFromLocation) info.useFromLocation = c.useFromLocation;
  if (c.resourceId) info.resourceId = c.resourceId;
  return info;
}

function toServiceSummary(resource: Awaited<ReturnType<ApiManagementClient['apiManagementService']['get']>>, id: ServiceResourceId): ServiceSummary {
  const identities: string[] = [];
  const type = resource.identity?.type ?? '';
  if (type.includes('SystemAssigned')) identities.push('system');
  for (const user of Object.values(resource.identity?.userAssignedIdentities ?? {})) {
    if (user.clientId) identities.push(user.clientId);
  }
  const summary: ServiceSummary = { name: resource.name ?? id.serviceName, identities };
  if (resource.location) summary.location = resource.location;
  if (resource.sku?.name) summary.skuName = resource.sku.name;
  if (resource.gatewayUrl) summary.gatewayUrl = resource.gatewayUrl;
  if (resource.developerPortalUrl) summary.developerPortalUrl = resource.developerPortalUrl;
  return summary;
}

function isoDate(value: Date | string | undefined): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return typeof value === 'string' && value ? value : undefined;
}


function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

function cancelledError(): AzureAccessError {
  return new AzureAccessError({ kind: 'cancelled', message: 'The operation was cancelled.', userMessage: 'Cancelled.', retryable: false });
}
