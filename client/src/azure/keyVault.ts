/**
 * Key Vault named values: refresh (APIM re-reads the secret with its managed
 * identity; a long-running ARM operation) and reveal (`listValue`).
 *
 * The SDK's `beginRefreshSecretAndWait` polls without the caller's abort
 * signal (only the HTTP requests see it, not the waits between polls), so we
 * drive the poller ourselves with `pollUntilDone({ abortSignal })`.
 */
import type { NamedValueInfo } from '../../../protocol/protocol';
import { type ApimClientSource, resolveClient } from './armClient';
import { AzureAccessError, type ClassifiedError, classifyError, toAzureAccessError } from './errors';
import { mapNamedValue } from './metadataLoader';
import { parseServiceResourceId } from './resourceId';

export interface RefreshOptions {
  signal?: AbortSignal;
}

/**
 * Asks APIM to re-read the secret from Key Vault and returns the named value
 * as it is afterwards: `keyVault.lastStatus` tells whether the vault answered.
 * Throws AzureAccessError when the ARM call itself fails.
 */
export async function refreshSecret(source: ApimClientSource, instanceId: string, namedValueName: string, options: RefreshOptions = {}): Promise<NamedValueInfo> {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  const context = { operation: 'refreshSecret' as const, instanceId, target: namedValueName, endpoint: handle.armEndpoint };
  try {
    let result;
    let lroFailure: Error | undefined;
    try {
      // beginRefreshSecret already polls once, so an operation that fails fast fails here too.
      const poller = await handle.client.namedValue.beginRefreshSecret(id.resourceGroup, id.serviceName, namedValueName, {
        abortSignal: options.signal,
        updateIntervalInMs: handle.retry.lroPollIntervalMs,
      });
      result = await poller.pollUntilDone({ abortSignal: options.signal });
    } catch (e) {
      // A vault failure fails the operation; core-lro reports it as a bare Error carrying only text.
      // The named value's lastStatus holds the structured outcome, so read it instead.
      if (!isFailedLroError(e)) throw e;
      lroFailure = e as Error;
    }
    const info = result && typeof result === 'object' && (result.name || result.id) ? mapNamedValue(result) : undefined;
    if (info) return info;
    // Failed operations and some final states carry no body: read the named value for its new status.
    const current = await handle.client.namedValue.get(id.resourceGroup, id.serviceName, namedValueName, { abortSignal: options.signal });
    const mapped = mapNamedValue(current);
    if (!mapped) throw new AzureAccessError({ kind: 'malformedResponse', message: 'Named value without a name.', userMessage: 'Azure returned a named value without a name; try again.', retryable: true });
    if (lroFailure && (!mapped.keyVault?.lastStatus || mapped.keyVault.lastStatus.code === 'Success')) {
      // The operation failed for a reason the named value does not record: report the operation's own text.
      const detail = lroFailure.message.replace(/^The long-running operation has failed\.?\s*/, '');
      throw new AzureAccessError({
        kind: 'server',
        code: detail.split('.', 1)[0] || undefined,
        message: detail || lroFailure.message,
        userMessage: `Refreshing "${namedValueName}" failed: ${detail || 'the operation failed'}.`,
        retryable: true,
      });
    }
    return mapped;
  } catch (e) {
    throw toAzureAccessError(e, context);
  }
}

/** core-lro's failure: `new Error("The long-running operation has failed. <code>. <message>")`, nothing else. */
function isFailedLroError(e: unknown): boolean {
  return e instanceof Error && e.name === 'Error' && e.message.startsWith('The long-running operation has failed');
}

export interface RefreshFailure {
  name: string;
  /** Key Vault status code (e.g. `Forbidden`, `SecretNotFound`) or the ARM/transport error code. */
  code: string;
  message: string;
  userMessage: string;
  /** The refreshed named value, when the ARM call worked but the vault did not. */
  namedValue?: NamedValueInfo;
  /** The ARM-level failure, when the refresh request itself failed. */
  error?: ClassifiedError;
}

export interface RefreshSummary {
  refreshed: NamedValueInfo[];
  failed: RefreshFailure[];
  /** Names not refreshed because the signal fired first. */
  cancelled: string[];
}

export interface RefreshManyOptions {
  signal?: AbortSignal;
  /** Parallel refresh operations; default 4. */
  concurrency?: number;
  /** Called once per finished name (refreshed, failed or cancelled while running), `done` counting up to `total`. */
  onProgress?: (done: number, total: number, name: string) => void;
}

/** Refreshes several Key Vault named values with bounded concurrency; never throws, partial results are kept. */
export async function refreshMany(source: ApimClientSource, instanceId: string, names: readonly string[], options: RefreshManyOptions = {}): Promise<RefreshSummary> {
  const summary: RefreshSummary = { refreshed: [], failed: [], cancelled: [] };
  const total = names.length;
  let started = 0;
  let done = 0;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const finish = (name: string) => {
    done++;
    try {
      options.onProgress?.(done, total, name);
    } catch {
      // progress UI errors must not abort the batch
    }
  };

  const worker = async () => {
    while (started < total) {
      const name = names[started++];
      if (options.signal?.aborted) {
        summary.cancelled.push(name);
        continue;
      }
      try {
        const info = await refreshSecret(source, instanceId, name, { signal: options.signal });
        const failure = keyVaultFailure(info);
        if (failure) summary.failed.push(failure);
        else summary.refreshed.push(info);
      } catch (e) {
        const error = classifyError(e);
        if (error.kind === 'cancelled') {
          summary.cancelled.push(name);
        } else {
          summary.failed.push({ name, code: error.code ?? error.kind, message: error.message, userMessage: error.userMessage, error });
        }
      }
      finish(name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return summary;
}

/**
 * The secret value of a named value (plain, secret or Key Vault), via
 * `listValue`. Returned to the caller only: never logged, never cached.
 */
export async function revealValue(source: ApimClientSource, instanceId: string, namedValueName: string, options: RefreshOptions = {}): Promise<string> {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  const context = { operation: 'listValue' as const, instanceId, target: namedValueName, endpoint: handle.armEndpoint };
  try {
    const response = await handle.client.namedValue.listValue(id.resourceGroup, id.serviceName, namedValueName, { abortSignal: options.signal });
    if (typeof response.value !== 'string') {
      throw new AzureAccessError({
        kind: 'malformedResponse',
        message: 'listValue returned no value.',
        userMessage: `Azure returned no value for named value "${namedValueName}"; try again.`,
        retryable: true,
      });
    }
    return response.value;
  } catch (e) {
    throw toAzureAccessError(e, context);
  }
}

/** A failure record when the named value's last Key Vault fetch did not succeed. */
export function keyVaultFailure(info: NamedValueInfo): RefreshFailure | undefined {
  const status = info.keyVault?.lastStatus;
  if (!info.keyVault || !status || status.code === 'Success') return undefined;
  return {
    name: info.name,
    code: status.code,
    message: status.message ?? status.code,
    userMessage: keyVaultAdvice(info),
    namedValue: info,
  };
}

/**
 * What to do about a failing Key Vault reference. Access denied is the common
 * case: APIM reads the secret with its managed identity, which needs `Get`
 * (and `List`) secret permissions in an access-policy vault or the
 * "Key Vault Secrets User" role in an RBAC vault.
 * https://learn.microsoft.com/azure/api-management/api-management-howto-properties#key-vault-secrets
 */
export function keyVaultAdvice(info: NamedValueInfo): string {
  const kv = info.keyVault;
  const status = kv?.lastStatus;
  if (!kv || !status) return `Named value "${info.displayName}" has no Key Vault status yet; refresh it.`;
  const vault = vaultHost(kv.secretIdentifier);
  const identity = kv.identityClientId ? `the user-assigned managed identity ${kv.identityClientId}` : "the instance's system-assigned managed identity";
  const code = status.code;
  const text = `${code} ${status.message ?? ''}`.toLowerCase();
  if (/can ?not find managed identity|managedidentitynotfound|no system-assigned managed identity/.test(text)) {
    return kv.identityClientId
      ? `The user-assigned identity ${kv.identityClientId} of "${info.displayName}" is not attached to the instance: attach it (Managed identities), or point the named value at an identity the instance has, then refresh.`
      : `The instance has no system-assigned managed identity for "${info.displayName}": turn it on (Managed identities) and grant it access to ${vault}, or choose a user-assigned identity, then refresh.`;
  }
  if (/forbiddenbyfirewall|forbiddenbyconnection|not a trusted service|public network access is disabled/.test(text)) {
    return `The firewall of Key Vault ${vault} blocks API Management for "${info.displayName}": allow trusted Microsoft services to bypass it (or add a private endpoint the gateway can reach), then refresh.`;
  }
  if (/secrettoolong|longer than/.test(text)) {
    return `The secret behind "${info.displayName}" is longer than the 4,096 characters a named value holds: store a shorter value in ${vault}, then refresh.`;
  }
  if (/forbidden|accessdenied|unauthorized/.test(text)) {
    // Key Vault says ForbiddenByRbac / "not authorized to perform action" for RBAC vaults and
    // ForbiddenByPolicy / "does not have secrets get permission" for access-policy vaults.
    const rbacSignal = /forbiddenbyrbac|not authorized to perform action|role assignment|secrets user/.test(text);
    const policySignal = /forbiddenbypolicy|get permission|access ?polic/.test(text);
    const rbac = rbacSignal && !policySignal;
    const policy = policySignal && !rbacSignal;
    const fix = rbac
      ? 'assign it the "Key Vault Secrets User" role on the vault'
      : policy
        ? 'grant it "Get" and "List" secret permissions in the vault access policy'
        : 'grant it "Get" and "List" secret permissions in the vault access policy, or the "Key Vault Secrets User" role if the vault uses Azure RBAC';
    return `Key Vault ${vault} denied ${identity} access to the secret of "${info.displayName}": ${fix}, then refresh.`;
  }
  if (/notfound|not found|unreachable|resolve/.test(text) && /vault/.test(code.toLowerCase() + ' ' + text) && !/secretnotfound/.test(code.toLowerCase())) {
    return `Key Vault ${vault} could not be reached for "${info.displayName}" (${code}): check the vault name, its firewall / private endpoint and the gateway's network, then refresh.`;
  }
  if (/secretnotfound|no secret/.test(text)) {
    return `The secret behind "${info.displayName}" does not exist in ${vault} (${code}): fix the secret identifier or restore the secret, then refresh.`;
  }
  if (/disabled/.test(text)) {
    return `The secret behind "${info.displayName}" is disabled in ${vault} (${code}): enable it or point the named value at another secret, then refresh.`;
  }
  if (/invalidsecretidentifier|identifier/.test(text)) {
    return `The secret identifier of "${info.displayName}" is not a valid Key Vault secret URL (${code}): fix it in the named value.`;
  }
  return `Key Vault refresh of "${info.displayName}" failed (${code}${status.message ? `: ${status.message}` : ''}).`;
}

function vaultHost(secretIdentifier: string): string {
  try {
    return `"${new URL(secretIdentifier).hostname}"`;
  } catch {
    return '(unknown vault)';
  }
}
