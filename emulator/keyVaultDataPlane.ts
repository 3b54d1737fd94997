// The Key Vault data plane for reading one secret (`GET /secrets/{name}[/{version}]` on the vault's own port), with
// the challenge-based sign-in @azure/keyvault-secrets performs: an unauthenticated first request gets 401 and
// a WWW-Authenticate header naming the authority and the Key Vault resource; the client then asks the token
// endpoint for `<resource>/.default` and repeats the request. Network rules and the permission model apply to
// the caller exactly as they apply to APIM (keyVault.ts), with the caller's loopback address as client address.
import type { EmulatorResponse } from './http';
import { json } from './http';
import { findSecretVersion, secretReadDenial } from './keyVault';
import type { EmulatorState } from './types';

/** The audience Key Vault tokens are issued for (public cloud value; the emulator accepts it as its own). */
export const KEY_VAULT_AUDIENCE = 'https://vault.azure.net';
export const KEY_VAULT_DATA_API_VERSIONS = ['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01', '2026-04-01'];

export interface DataPlaneRequest {
  method: string;
  url: URL;
  baseUrl: string;
  /** Object id from a valid Key Vault token, or why there is none. */
  caller: { objectId: string } | { reason: string };
  clientAddress: string;
}

function kvError(status: number, code: string, message: string, innerCode?: string, headers: Record<string, string> = {}): EmulatorResponse {
  const error: Record<string, unknown> = { code, message };
  if (innerCode) error.innererror = { code: innerCode };
  return { status, headers, body: { error } };
}

/** `segs`: the request path's segments (`secrets`, name, version?) on the port of vault `vaultName`. */
export function handleKeyVaultDataPlane(state: EmulatorState, req: DataPlaneRequest, vaultName: string, segs: string[]): EmulatorResponse {
  const [collection, secretName, version, ...extra] = segs;
  if (collection?.toLowerCase() !== 'secrets' || secretName === undefined || extra.length > 0) {
    return kvError(404, 'NotFound', `The Key Vault path '${req.url.pathname}' is not served by the emulator (only GET secrets/{name}[/{version}]).`);
  }
  const apiVersion = req.url.searchParams.get('api-version');
  if (!apiVersion || !KEY_VAULT_DATA_API_VERSIONS.includes(apiVersion)) {
    return kvError(400, 'BadParameter', `The api-version '${apiVersion ?? ''}' is not supported; use one of ${KEY_VAULT_DATA_API_VERSIONS.join(', ')}.`);
  }
  if ('reason' in req.caller) {
    return kvError(401, 'Unauthorized', `AKV10000: Request is missing a Bearer or PoP token, or the token is not valid here: ${req.caller.reason}`, undefined, {
      'WWW-Authenticate': `Bearer authorization="${req.baseUrl}/${state.tenantId}", resource="${KEY_VAULT_AUDIENCE}"`,
    });
  }
  if (req.method !== 'GET') return kvError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported here.`);
  const vault = state.vaults.get(vaultName.toLowerCase());
  if (!vault || !vault.reachable) return kvError(404, 'VaultNotFound', `Vault '${vaultName}' does not exist or cannot be reached.`);
  const denial = secretReadDenial(state, vault, req.caller.objectId, secretName, { trustedService: false, addresses: [req.clientAddress] });
  if (denial) return kvError(denial.status, denial.code, denial.message, denial.innerCode);
  const secret = findSecretVersion(vault, secretName, version?.toLowerCase());
  if (!secret) {
    return kvError(404, 'SecretNotFound', version
      ? `A secret with (name/id) ${secretName}/${version} was not found in this key vault.`
      : `A secret with (name/id) ${secretName} was not found in this key vault.`);
  }
  if (!secret.enabled) return kvError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
  const attributes: Record<string, unknown> = {
    enabled: secret.enabled, created: secret.created, updated: secret.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90,
  };
  if (secret.notBefore !== undefined) attributes.nbf = secret.notBefore;
  if (secret.expires !== undefined) attributes.exp = secret.expires;
  const body: Record<string, unknown> = {
    value: secret.value,
    id: `${vault.dataPlaneUri}secrets/${secretName}/${secret.version}`,
    attributes,
  };
  if (secret.contentType !== undefined) body.contentType = secret.contentType;
  return json(200, body);
}
