/**
 * The instance's policy scopes for browsing: APIs (current revisions, and
 * the revisions of one API), operations, products, policy fragments,
 * workspaces and their named values, page by page, plus which scopes have a
 * policy (one `allPolicies` listing instead of a request per item).
 *
 * The tree's folders read a page at a time (`pagesOf`, "Load more…"); listings
 * read whole (operations, revisions, workspace named values, allPolicies) go
 * through the shared pager, so counted collections come in parallel.
 */
import { getContinuationToken } from '@azure/arm-apimanagement';
import type { NamedValueInfo } from '../../../protocol/protocol';
import { type ApimClientHandle, type ApimClientSource, resolveClient } from './armClient';
import { toAzureAccessError, type ErrorContext } from './errors';
import { mapNamedValue } from './metadataLoader';
import { DEFAULT_PARALLEL_REQUESTS, listAll, type PagedSource, RequestGate, sdkPagedSource } from './pager';
import { scopeKeyOfPolicyId } from './policyScopes';
import { lastSegment, parseServiceResourceId } from './resourceId';

export interface ApiSummary {
  /** ARM name; a non-current revision is `{api};rev={n}`. */
  name: string;
  displayName: string;
  path?: string;
  revision?: string;
  isCurrent: boolean;
  description?: string;
}

export interface RevisionSummary {
  /** The API name that addresses this revision, `{api};rev={n}`. */
  apiName: string;
  revision: string;
  isCurrent: boolean;
  description?: string;
}

export interface OperationSummary {
  name: string;
  displayName: string;
  method: string;
  urlTemplate: string;
}

export interface NamedItem {
  name: string;
  displayName: string;
  description?: string;
}

export interface ListOptions {
  /** List inside this APIM workspace instead of the service. */
  workspace?: string;
  /** Text the display name (fragments: the name) must contain; filtered by the service. */
  contains?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

/** What the SDK's list operations return, as far as paging needs it. */
interface PagedList<C> {
  byPage(): AsyncIterableIterator<C[]>;
}

/** Pages read one at a time; each `next()` is one request. */
export interface Pages<T> {
  next(): Promise<{ items: T[]; more: boolean }>;
}

export const DEFAULT_PAGE_SIZE = 100;

/**
 * Pages of `list` mapped by `map` (items it maps to undefined are left out), errors as AzureAccessError,
 * one request per `next()`. (The page size is the operation's `top`: these operations refuse byPage's maxPageSize.)
 */
export function pagesOf<C, T>(list: PagedList<C>, map: (item: C) => T | undefined, context: ErrorContext): Pages<T> {
  const pages = list.byPage();
  let finished = false;
  return {
    async next() {
      if (finished) return { items: [], more: false };
      try {
        const page = await pages.next();
        // The SDK keeps each page's nextLink beside it: no extra request to learn that this was the last one.
        finished = page.done === true || !getContinuationToken(page.value);
        const items = page.done ? [] : page.value.map(map).filter((item): item is T => item !== undefined);
        return { items, more: !finished };
      } catch (e) {
        throw toAzureAccessError(e, context);
      }
    },
  };
}

/** Every item of every page. */
export async function allOf<T>(pages: Pages<T>): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const page = await pages.next();
    out.push(...page.items);
    if (!page.more) return out;
  }
}

/** Every item of `source` through the shared pager, mapped like `pagesOf`, errors as AzureAccessError. */
async function everyItem<C, T>(handle: ApimClientHandle, source: PagedSource<C>, map: (item: C) => T | undefined, context: ErrorContext, signal?: AbortSignal): Promise<T[]> {
  const gate = new RequestGate(handle.parallelRequests ?? DEFAULT_PARALLEL_REQUESTS);
  try {
    const items = await listAll(source, gate, signal ?? new AbortController().signal);
    return items.map(map).filter((item): item is T => item !== undefined);
  } catch (e) {
    throw toAzureAccessError(e, context);
  }
}

function clientFor(source: ApimClientSource, instanceId: string) {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  const context: ErrorContext = { operation: 'read', instanceId, endpoint: handle.armEndpoint };
  return { handle, client: handle.client, rg: id.resourceGroup, svc: id.serviceName, context };
}

/** One page of a listing filtered by an OData `contains` on `field` (quotes doubled as OData wants). */
function filteredListParams(field: string, options: ListOptions): { filter?: string; top: number; abortSignal?: AbortSignal } {
  const trimmed = options.contains?.trim();
  const filter = trimmed ? `contains(${field},'${trimmed.replace(/'/g, "''")}')` : undefined;
  return { filter, top: options.pageSize ?? DEFAULT_PAGE_SIZE, abortSignal: options.signal };
}

export function listApis(source: ApimClientSource, instanceId: string, options: ListOptions = {}): Pages<ApiSummary> {
  const { client, rg, svc, context } = clientFor(source, instanceId);
  const params = filteredListParams('displayName', options);
  const list = options.workspace === undefined
    ? client.api.listByService(rg, svc, params)
    : client.workspaceApi.listByService(rg, svc, options.workspace, params);
  return pagesOf(list, (api) => {
    const name = api.name ?? lastSegment(api.id);
    // The list holds current revisions; anything else is reached through its API's revisions.
    if (!name || api.isCurrent === false) return undefined;
    const summary: ApiSummary = { name, displayName: api.displayName ?? name, isCurrent: true };
    if (api.path !== undefined) summary.path = api.path;
    if (api.apiRevision) summary.revision = api.apiRevision;
    if (api.description) summary.description = api.description;
    return summary;
  }, context);
}

export async function listRevisions(source: ApimClientSource, instanceId: string, api: string, options: ListOptions = {}): Promise<RevisionSummary[]> {
  const { handle, client, rg, svc, context } = clientFor(source, instanceId);
  const workspace = options.workspace;
  const list = sdkPagedSource(workspace === undefined
    ? (o) => client.apiRevision.listByService(rg, svc, api, o)
    : (o) => client.workspaceApiRevision.listByService(rg, svc, workspace, api, o));
  const revisions = await everyItem(handle, list, (r) => {
    if (!r.apiRevision) return undefined;
    const apiName = r.isCurrent ? api : (lastSegment(r.apiId) ?? `${api};rev=${r.apiRevision}`);
    const summary: RevisionSummary = { apiName, revision: r.apiRevision, isCurrent: r.isCurrent === true };
    if (r.description) summary.description = r.description;
    return summary;
  }, { ...context, target: api }, options.signal);
  return revisions.sort((a, b) => Number(a.revision) - Number(b.revision) || a.revision.localeCompare(b.revision));
}

export async function listOperations(source: ApimClientSource, instanceId: string, api: string, options: ListOptions = {}): Promise<OperationSummary[]> {
  const { handle, client, rg, svc, context } = clientFor(source, instanceId);
  const workspace = options.workspace;
  const list = sdkPagedSource(workspace === undefined
    ? (o) => client.apiOperation.listByApi(rg, svc, api, o)
    : (o) => client.workspaceApiOperation.listByApi(rg, svc, workspace, api, o));
  return everyItem(handle, list, (op) => {
    const name = op.name ?? lastSegment(op.id);
    if (!name) return undefined;
    return { name, displayName: op.displayName ?? name, method: op.method ?? '', urlTemplate: op.urlTemplate ?? '' };
  }, { ...context, target: api }, options.signal);
}

export function listProducts(source: ApimClientSource, instanceId: string, options: ListOptions = {}): Pages<NamedItem> {
  const { client, rg, svc, context } = clientFor(source, instanceId);
  const params = filteredListParams('displayName', options);
  const list = options.workspace === undefined
    ? client.product.listByService(rg, svc, params)
    : client.workspaceProduct.listByService(rg, svc, options.workspace, params);
  return pagesOf(list, (p) => named(p.name ?? lastSegment(p.id), p.displayName, p.description), context);
}

export function listFragments(source: ApimClientSource, instanceId: string, options: ListOptions = {}): Pages<NamedItem> {
  const { client, rg, svc, context } = clientFor(source, instanceId);
  const params = filteredListParams('name', options);
  const list = options.workspace === undefined
    ? client.policyFragment.listByService(rg, svc, params)
    : client.workspacePolicyFragment.listByService(rg, svc, options.workspace, params);
  return pagesOf(list, (f) => named(f.name ?? lastSegment(f.id), undefined, f.description), context);
}

export function listWorkspaces(source: ApimClientSource, instanceId: string, options: ListOptions = {}): Pages<NamedItem> {
  const { client, rg, svc, context } = clientFor(source, instanceId);
  return pagesOf(client.workspace.listByService(rg, svc, { top: options.pageSize ?? DEFAULT_PAGE_SIZE, abortSignal: options.signal }),
    (w) => named(w.name ?? lastSegment(w.id), w.displayName, w.description), context);
}

/** A workspace's named values, a page at a time (no secret values: the mapping keeps plain values only). */
export function listWorkspaceNamedValues(source: ApimClientSource, instanceId: string, workspace: string, options: ListOptions = {}): Pages<NamedValueInfo> {
  const { client, rg, svc, context } = clientFor(source, instanceId);
  return pagesOf(client.workspaceNamedValue.listByService(rg, svc, workspace, { top: options.pageSize ?? DEFAULT_PAGE_SIZE, abortSignal: options.signal }), mapNamedValue, context);
}

/** Every named value of a workspace, as `listWorkspaceNamedValues` maps them. */
export function allWorkspaceNamedValues(source: ApimClientSource, instanceId: string, workspace: string, options: ListOptions = {}): Promise<NamedValueInfo[]> {
  const { handle, client, rg, svc, context } = clientFor(source, instanceId);
  return everyItem(handle, sdkPagedSource((o) => client.workspaceNamedValue.listByService(rg, svc, workspace, o)), mapNamedValue, context, options.signal);
}

/** Keys (see `policyScopeKey`) of every scope that has a policy of its own, service and workspaces alike. */
export async function listPolicyScopeKeys(source: ApimClientSource, instanceId: string, options: ListOptions = {}): Promise<Set<string>> {
  const { handle, client, rg, svc, context } = clientFor(source, instanceId);
  const keys = await everyItem(handle, sdkPagedSource((o) => client.allPolicies.listByService(rg, svc, o)),
    (p) => (p.referencePolicyId ? scopeKeyOfPolicyId(instanceId, p.referencePolicyId) : undefined), context, options.signal);
  return new Set(keys);
}

function named(name: string | undefined, displayName: string | undefined, description: string | undefined): NamedItem | undefined {
  if (!name) return undefined;
  const item: NamedItem = { name, displayName: displayName ?? name };
  if (description) item.description = description;
  return item;
}
