/**
 * ARM resource id of an API Management service:
 * `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{name}`.
 * Users may edit `apimPolicy.instance` by hand, so parse errors say exactly
 * which part is wrong. ARM treats segment keywords case-insensitively.
 */
import { AzureAccessError } from './errors';

export interface ServiceResourceId {
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
}

const EXPECTED_SHAPE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ApiManagement/service/{serviceName}';

// Naming rules: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[\p{L}\p{N}_().-]{1,90}$/u;
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/;

export function parseServiceResourceId(input: string): ServiceResourceId {
  const text = (input ?? '').trim();
  if (!text) fail(input, 'it is empty');
  let path = text;
  // Accept a pasted portal URL fragment like ".../resource/subscriptions/..." by cutting to /subscriptions/.
  const start = path.toLowerCase().indexOf('/subscriptions/');
  if (start > 0) path = path.slice(start);
  path = path.replace(/\/+$/, '');
  const segments = path.split('/');
  if (segments[0] !== '') fail(input, 'it must start with "/subscriptions/"');
  const parts = segments.slice(1);
  const expectKeyword = (index: number, keyword: string): void => {
    const actual = parts[index];
    if (actual === undefined) fail(input, `it ends before "${keyword}"`);
    if (actual.toLowerCase() !== keyword.toLowerCase()) fail(input, `expected "${keyword}" but found "${actual}"`);
  };
  const expectValue = (index: number, label: string): string => {
    const value = parts[index];
    if (value === undefined || value === '') fail(input, `the ${label} is missing`);
    try {
      return decodeURIComponent(value);
    } catch {
      return fail(input, `the ${label} "${value}" has a broken %-escape`);
    }
  };
  expectKeyword(0, 'subscriptions');
  const subscriptionId = expectValue(1, 'subscription id');
  expectKeyword(2, 'resourceGroups');
  const resourceGroup = expectValue(3, 'resource group name');
  expectKeyword(4, 'providers');
  expectKeyword(5, 'Microsoft.ApiManagement');
  expectKeyword(6, 'service');
  const serviceName = expectValue(7, 'service name');
  if (parts.length > 8) {
    fail(input, `it points below the service ("/${parts.slice(8).join('/')}"); use the service id itself`);
  }
  if (!SUBSCRIPTION_ID.test(subscriptionId)) fail(input, `"${subscriptionId}" is not a subscription id (a GUID)`);
  if (!RESOURCE_GROUP.test(resourceGroup) || resourceGroup.endsWith('.')) {
    fail(input, `"${resourceGroup}" is not a valid resource group name`);
  }
  if (!SERVICE_NAME.test(serviceName)) fail(input, `"${serviceName}" is not a valid API Management service name`);
  return { subscriptionId, resourceGroup, serviceName };
}

export function formatServiceResourceId(id: ServiceResourceId): string {
  const enc = encodeURIComponent;
  return `/subscriptions/${enc(id.subscriptionId)}/resourceGroups/${enc(id.resourceGroup)}/providers/Microsoft.ApiManagement/service/${enc(id.serviceName)}`;
}

/** Canonical spelling of an id (keyword casing fixed, trailing slash removed) for use as a map key. */
export function normalizeServiceResourceId(input: string): string {
  return formatServiceResourceId(parseServiceResourceId(input));
}

/** Non-throwing variant for validation UIs: the error text, or undefined when the id is fine. */
export function validateServiceResourceId(input: string): string | undefined {
  try {
    parseServiceResourceId(input);
    return undefined;
  } catch (e) {
    return e instanceof AzureAccessError ? e.classification.userMessage : String(e);
  }
}

function fail(input: string, why: string): never {
  throw new AzureAccessError({
    kind: 'invalidInput',
    message: `Malformed API Management resource id "${input}": ${why}.`,
    userMessage: `"${input}" is not an API Management resource id: ${why}. Expected ${EXPECTED_SHAPE}.`,
    retryable: false,
  });
}

/** The last segment of an ARM id: a resource's name when a list entry lacks `name`. */
export function lastSegment(id: string | undefined): string | undefined {
  return id?.split('/').filter(Boolean).pop();
}
