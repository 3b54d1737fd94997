/**
 * Reading and writing one policy (or policy fragment) as raw XML with its
 * ETag, at any scope of the service or of a workspace.
 *
 * Why not the generated operations: `apiPolicy.get` in
 * @azure/arm-apimanagement 10 drops the policy text (its operation spec is
 * marked `isXML`, so the JSON body's `properties.value` is never mapped —
 * Azure/azure-sdk-for-js#31566), and the ten scope-specific operation groups
 * differ only in their path. So every scope goes through one request shape,
 * sent with the SDK client's own pipeline (`client.sendRequest`: token, CA
 * trust, retries, logging), never a separate HTTP stack.
 */
import { type ApimClientSource, resolveClient } from './armClient';
import { sendArmRequest } from './armRequest';
import { AzureAccessError, toAzureAccessError } from './errors';
import { describePolicyScope, policyResourcePath, type PolicyScope, scopeContainers } from './policyScopes';
import { parseServiceResourceId } from './resourceId';

export type PolicyRead =
  /** The policy as authored (`format=rawxml`) and the ETag to send back with `If-Match`. */
  | { kind: 'found'; text: string; etag: string; description?: string }
  /** The scope exists and has no policy of its own (it inherits everything). */
  | { kind: 'absent' }
  /** The scope itself is not on the instance; `missing` names what is not there, e.g. `API "orders-api"`. */
  | { kind: 'scopeMissing'; missing: string };

export interface PolicyCallOptions {
  signal?: AbortSignal;
}

export interface PolicyWriteOptions extends PolicyCallOptions {
  /** The ETag the text was based on; undefined creates the policy (or overwrites whatever is there). */
  ifMatch?: string;
  /** A fragment's description: a PUT replaces the whole fragment, so it is sent back unchanged. */
  description?: string;
}

export async function readPolicy(source: ApimClientSource, instanceId: string, scope: PolicyScope, options: PolicyCallOptions = {}): Promise<PolicyRead> {
  const handle = resolveClient(source, parseServiceResourceId(instanceId).subscriptionId);
  const context = { operation: 'read' as const, instanceId, target: describePolicyScope(scope), endpoint: handle.armEndpoint };
  try {
    const response = await sendArmRequest(handle, { method: 'GET', url: `${instanceId}${policyResourcePath(scope)}`, query: { format: 'rawxml' }, signal: options.signal });
    const properties = (response.body as { properties?: { value?: unknown; description?: unknown } } | undefined)?.properties;
    const etag = response.header('etag');
    if (typeof properties?.value !== 'string' || !etag) {
      throw new AzureAccessError({
        kind: 'malformedResponse',
        message: `${describePolicyScope(scope)} came back without ${typeof properties?.value !== 'string' ? 'its XML' : 'an ETag'}.`,
        userMessage: `Azure returned ${describePolicyScope(scope)} without ${typeof properties?.value !== 'string' ? 'its XML' : 'an ETag'}; try again.`,
        retryable: true,
      });
    }
    const read: PolicyRead = { kind: 'found', text: properties.value, etag };
    if (typeof properties.description === 'string') read.description = properties.description;
    return read;
  } catch (e) {
    const error = toAzureAccessError(e, context);
    if (error.kind !== 'notFound') throw error;
  }
  // 404 means "no policy here" or "no such scope": ask the containers, outermost first.
  if (scope.kind === 'fragment') return { kind: 'scopeMissing', missing: describePolicyScope(scope) };
  for (const container of scopeContainers(scope)) {
    try {
      await sendArmRequest(handle, { method: 'GET', url: `${instanceId}${container.path}`, signal: options.signal });
    } catch (e) {
      const error = toAzureAccessError(e, { ...context, target: container.label });
      if (error.kind === 'notFound') return { kind: 'scopeMissing', missing: container.label };
      throw error;
    }
  }
  return { kind: 'absent' };
}

/** PUTs `text` as rawxml with `If-Match`; returns the new ETag. 412 rejects with kind `conflict`, 400 with `details`. */
export async function writePolicy(source: ApimClientSource, instanceId: string, scope: PolicyScope, text: string, options: PolicyWriteOptions = {}): Promise<{ etag: string }> {
  const handle = resolveClient(source, parseServiceResourceId(instanceId).subscriptionId);
  const context = { operation: 'write' as const, instanceId, target: describePolicyScope(scope), endpoint: handle.armEndpoint };
  try {
    const properties: Record<string, string> = { format: 'rawxml', value: text };
    if (scope.kind === 'fragment' && options.description !== undefined) properties.description = options.description;
    const headers: Record<string, string> = options.ifMatch === undefined ? {} : { 'If-Match': options.ifMatch };
    const url = `${instanceId}${policyResourcePath(scope)}`;
    const response = await sendArmRequest(handle, { method: 'PUT', url, headers, body: { properties }, signal: options.signal });
    // Fragments are written by a long-running operation: wait until it has settled.
    const operation = response.header('azure-asyncoperation');
    if (operation && (response.status === 201 || response.status === 202 || provisioningState(response.body) === 'InProgress')) {
      await waitForOperation(handle, operation, options.signal, handle.retry.lroPollIntervalMs);
    }
    const etag = response.header('etag') ?? (await sendArmRequest(handle, { method: 'HEAD', url, signal: options.signal })).header('etag');
    if (!etag) {
      throw new AzureAccessError({ kind: 'malformedResponse', message: 'The write returned no ETag.', userMessage: `Azure saved ${describePolicyScope(scope)} but returned no ETag; reopen it before the next save.`, retryable: false });
    }
    return { etag };
  } catch (e) {
    throw toAzureAccessError(e, context);
  }
}

/** Deletes the scope's policy (or the fragment) if it still has the ETag `ifMatch`. */
export async function deletePolicy(source: ApimClientSource, instanceId: string, scope: PolicyScope, ifMatch: string, options: PolicyCallOptions = {}): Promise<void> {
  const handle = resolveClient(source, parseServiceResourceId(instanceId).subscriptionId);
  const context = { operation: 'write' as const, instanceId, target: describePolicyScope(scope), endpoint: handle.armEndpoint };
  try {
    await sendArmRequest(handle, { method: 'DELETE', url: `${instanceId}${policyResourcePath(scope)}`, headers: { 'If-Match': ifMatch }, signal: options.signal });
  } catch (e) {
    throw toAzureAccessError(e, context);
  }
}

function provisioningState(body: unknown): string | undefined {
  const state = (body as { properties?: { provisioningState?: unknown } } | undefined)?.properties?.provisioningState;
  return typeof state === 'string' ? state : undefined;
}

const MAX_OPERATION_POLLS = 120;

async function waitForOperation(handle: Parameters<typeof sendArmRequest>[0], url: string, signal: AbortSignal | undefined, intervalMs: number): Promise<void> {
  if (new URL(url).origin !== new URL(handle.armEndpoint).origin) return; // never send the token elsewhere
  for (let poll = 0; poll < MAX_OPERATION_POLLS; poll++) {
    const body = (await sendArmRequest(handle, { method: 'GET', url, signal })).body as { status?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
    const status = typeof body?.status === 'string' ? body.status : 'Succeeded';
    if (status === 'Succeeded') return;
    if (status === 'Failed' || status === 'Canceled') {
      const message = typeof body?.error?.message === 'string' ? body.error.message : `The operation ended ${status}.`;
      throw new AzureAccessError({ kind: 'server', code: typeof body?.error?.code === 'string' ? body.error.code : status, message, userMessage: `Azure could not save the fragment: ${message}`, retryable: true });
    }
    await delay(intervalMs, signal);
  }
  throw new AzureAccessError({ kind: 'server', message: 'The write did not finish in time.', userMessage: 'Azure is still saving the fragment; refresh it in a minute.', retryable: true });
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AzureAccessError({ kind: 'cancelled', message: 'The operation was cancelled.', userMessage: 'Cancelled.', retryable: false }));
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new AzureAccessError({ kind: 'cancelled', message: 'The operation was cancelled.', userMessage: 'Cancelled.', retryable: false }));
    }, { once: true });
  });
}
