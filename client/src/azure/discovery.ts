/**
 * Subscriptions and API Management instances for quick picks, as small plain
 * records. Subscriptions come from ARM `GET /subscriptions` (api-version
 * 2022-12-01) sent through the ApiManagementClient's own pipeline, so they
 * share auth, CA trust, retries and logging with everything else.
 */
import type { ApiManagementServiceResource } from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/core-auth';
import { type ApimClientHandle, createApimClient } from './armClient';
import { sendArmRequest } from './armRequest';
import { AzureAccessError, toAzureAccessError } from './errors';
import type { AzureAccessOptions } from './options';
import { parseServiceResourceId } from './resourceId';

export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
/** Stops a server that keeps returning nextLinks from looping forever. */
const MAX_PAGES = 1000;

export interface CallOptions {
  signal?: AbortSignal;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  displayName: string;
  tenantId?: string;
  state?: string;
}

export interface ServiceRecord {
  /** ARM resource id; what `apimPolicy.instance` stores. */
  id: string;
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  location?: string;
  skuName?: string;
  gatewayUrl?: string;
  provisioningState?: string;
}

export async function listSubscriptions(credential: TokenCredential, options: AzureAccessOptions, call: CallOptions = {}): Promise<SubscriptionRecord[]> {
  return listSubscriptionsWith(createApimClient(credential, undefined, options), call);
}

export async function listSubscriptionsWith(handle: ApimClientHandle, call: CallOptions = {}): Promise<SubscriptionRecord[]> {
  const context = { operation: 'listSubscriptions' as const, endpoint: handle.armEndpoint };
  try {
    const records: SubscriptionRecord[] = [];
    let url: string | undefined = `${handle.armEndpoint}/subscriptions?api-version=${SUBSCRIPTIONS_API_VERSION}`;
    const seen = new Set<string>();
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES || seen.has(url)) throw malformedPaging(handle, 'the subscription list keeps returning next pages');
      seen.add(url);
      const body = await getJson(handle, url, call.signal);
      const value = body.value;
      if (!Array.isArray(value)) throw malformedPaging(handle, 'the subscription list has no "value" array');
      for (const item of value) {
        const record = toSubscriptionRecord(item);
        if (record) records.push(record);
      }
      url = nextLinkOf(handle, body.nextLink);
    }
    return records;
  } catch (e) {
    throw toAzureAccessError(e, context);
  }
}

export async function listServices(
  credential: TokenCredential,
  options: AzureAccessOptions,
  subscriptionId: string,
  call: CallOptions = {},
): Promise<ServiceRecord[]> {
  return listServicesWith(createApimClient(credential, subscriptionId, options), call);
}

export async function listServicesWith(handle: ApimClientHandle, call: CallOptions = {}): Promise<ServiceRecord[]> {
  const context = { operation: 'listServices' as const, endpoint: handle.armEndpoint };
  try {
    const records: ServiceRecord[] = [];
    for await (const service of handle.client.apiManagementService.list({ abortSignal: call.signal })) {
      const record = toServiceRecord(service);
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.name.localeCompare(b.name));
  } catch (e) {
    throw toAzureAccessError(e, context);
  }
}

function toSubscriptionRecord(item: unknown): SubscriptionRecord | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const raw = item as Record<string, unknown>;
  if (typeof raw.subscriptionId !== 'string') return undefined;
  const record: SubscriptionRecord = {
    subscriptionId: raw.subscriptionId,
    displayName: typeof raw.displayName === 'string' ? raw.displayName : raw.subscriptionId,
  };
  if (typeof raw.tenantId === 'string') record.tenantId = raw.tenantId;
  if (typeof raw.state === 'string') record.state = raw.state;
  return record;
}

function toServiceRecord(service: ApiManagementServiceResource): ServiceRecord | undefined {
  if (!service.id) return undefined;
  let parsed;
  try {
    parsed = parseServiceResourceId(service.id);
  } catch {
    return undefined; // not a service id we could later open; leave it out of the pick list
  }
  const record: ServiceRecord = {
    id: service.id,
    name: service.name ?? parsed.serviceName,
    resourceGroup: parsed.resourceGroup,
    subscriptionId: parsed.subscriptionId,
  };
  if (service.location) record.location = service.location;
  if (service.sku?.name) record.skuName = service.sku.name;
  if (service.gatewayUrl) record.gatewayUrl = service.gatewayUrl;
  if (service.provisioningState) record.provisioningState = service.provisioningState;
  return record;
}

async function getJson(handle: ApimClientHandle, url: string, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
  // The URL carries its api-version (the first page's, then the nextLink's), which sendArmRequest keeps.
  const { body } = await sendArmRequest(handle, { method: 'GET', url, signal });
  if (typeof body !== 'object' || body === null) throw malformedPaging(handle, 'the response is not a JSON object');
  return body as Record<string, unknown>;
}

/** ARM signals the last page with a missing, null or empty nextLink. */
function nextLinkOf(handle: ApimClientHandle, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let next: URL;
  try {
    next = new URL(value, handle.armEndpoint);
  } catch {
    throw malformedPaging(handle, 'nextLink is not a URL');
  }
  // The bearer token goes with every request: never follow a link to another host.
  if (next.origin !== new URL(handle.armEndpoint).origin) throw malformedPaging(handle, 'nextLink points to another host');
  return next.toString();
}

function malformedPaging(handle: ApimClientHandle, why: string): AzureAccessError {
  return new AzureAccessError({
    kind: 'malformedResponse',
    message: `Unexpected response from ${handle.armEndpoint}: ${why}.`,
    userMessage: `${handle.armEndpoint} returned a response that could not be read (${why}); try again.`,
    retryable: true,
  });
}
