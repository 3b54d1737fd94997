/**
 * ApiManagementClient construction with our pipeline: cloud endpoint and
 * token scope, extra CA trust, trace logging, JSON guard and retry rules.
 */
import { ApiManagementClient } from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/core-auth';
import type { AdditionalPolicyConfig } from '@azure/core-client';
import type { Pipeline } from '@azure/core-rest-pipeline';
import { AzureAccessError } from './errors';
import { type AzureAccessOptions, type RetrySettings, resolveRetrySettings } from './options';
import { throttleSignalPolicy } from './pager';
import { armRetryPolicy, extraCaPolicy, jsonGuardPolicy, traceLogPolicy } from './pipeline';

/** Name core-rest-pipeline gives the retry policy it installs by default. */
const DEFAULT_RETRY_POLICY_NAME = 'defaultRetryPolicy';

/** An ApiManagementClient plus the settings it was built with (the loader needs the retry/LRO settings). */
export interface ApimClientHandle {
  client: ApiManagementClient;
  retry: RetrySettings;
  armEndpoint: string;
  logger?: AzureAccessOptions['logger'];
  /** Most requests in flight for one metadata load. */
  parallelRequests?: number;
}

/** Either one client or a factory that returns the client for a subscription. */
export type ApimClientSource = ApimClientHandle | ((subscriptionId: string) => ApimClientHandle);

/**
 * The policies every Azure client of this layer carries (extra CA trust, JSON guard, trace logging), for the
 * core-client SDKs (`additionalPolicies`) and the newer @azure-rest based ones alike.
 */
export function sharedPolicies(options: AzureAccessOptions, label: string): AdditionalPolicyConfig[] {
  const additionalPolicies: AdditionalPolicyConfig[] = [];
  if (options.extraCaCertificates?.length) {
    additionalPolicies.push({ policy: extraCaPolicy(options.extraCaCertificates), position: 'perCall' });
  }
  additionalPolicies.push({ policy: jsonGuardPolicy(), position: 'perCall' });
  if (options.logger) additionalPolicies.push({ policy: traceLogPolicy(options.logger, label), position: 'perRetry' });
  // Tells a load's request gate (pager.ts) about 429s; requests outside a gated load pass untouched.
  additionalPolicies.push({ policy: throttleSignalPolicy(), position: 'perRetry' });
  return additionalPolicies;
}

/** Replaces the SDK's default retry policy with our rules (see pipeline.ts); returns the settings used. */
export function useOurRetry(pipeline: Pipeline, options: AzureAccessOptions): RetrySettings {
  const retry = resolveRetrySettings(options.retry);
  pipeline.removePolicy({ name: DEFAULT_RETRY_POLICY_NAME });
  pipeline.addPolicy(armRetryPolicy(retry, options.logger), { phase: 'Retry' });
  return retry;
}

export function createApimClient(credential: TokenCredential, subscriptionId: string | undefined, options: AzureAccessOptions): ApimClientHandle {
  const endpoint = options.cloud.armEndpoint;
  const clientOptions = {
    endpoint,
    $host: endpoint,
    credentialScopes: [options.cloud.armScope],
    additionalPolicies: sharedPolicies(options, 'arm'),
  };
  const client = subscriptionId === undefined
    ? new ApiManagementClient(credential, clientOptions)
    : new ApiManagementClient(credential, subscriptionId, clientOptions);
  const retry = useOurRetry(client.pipeline, options);
  return { client, retry, armEndpoint: endpoint, logger: options.logger, parallelRequests: options.parallelRequests };
}

/** One client per subscription, created on first use. */
export function createApimClientFactory(credential: TokenCredential, options: AzureAccessOptions): (subscriptionId: string) => ApimClientHandle {
  const clients = new Map<string, ApimClientHandle>();
  return (subscriptionId) => {
    const key = subscriptionId.toLowerCase();
    let handle = clients.get(key);
    if (!handle) {
      handle = createApimClient(credential, subscriptionId, options);
      clients.set(key, handle);
    }
    return handle;
  };
}

export function resolveClient(source: ApimClientSource, subscriptionId: string): ApimClientHandle {
  const handle = typeof source === 'function' ? source(subscriptionId) : source;
  const bound = handle.client.subscriptionId;
  if (bound !== undefined && bound.toLowerCase() !== subscriptionId.toLowerCase()) {
    // The SDK puts its own subscriptionId into every URL, so a mismatch would silently query another subscription.
    throw new AzureAccessError({
      kind: 'invalidInput',
      message: `Client is bound to subscription ${bound}, not ${subscriptionId}.`,
      userMessage: `Internal error: the Azure client is bound to subscription ${bound} but the instance is in ${subscriptionId}; pass a client factory instead.`,
      retryable: false,
    });
  }
  return handle;
}
