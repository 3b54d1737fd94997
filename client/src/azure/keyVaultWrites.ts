/**
 * The two grants the Key Vault doctor can make for an API Management
 * identity, through the real SDKs: an access policy with secret Get and List
 * (access-policy vaults), or a *Key Vault Secrets User* role assignment on the
 * secret or the vault (Azure RBAC vaults). Reject with AzureAccessError; a 403
 * names the role the signed-in user would need.
 */
import { randomUUID } from 'node:crypto';
import { AzureAccessError, toAzureAccessError } from './errors';
import type { KeyVaultClients } from './keyVaultClients';
import type { CallOptions, VaultLocation } from './keyVaultReads';

/** The built-in role whose data actions are exactly "read secret contents" (same id in every public cloud). */
export const SECRETS_USER_ROLE_ID = '4633458b-17de-408a-b874-0445c86b69e6';
export const SECRETS_USER_ROLE_NAME = 'Key Vault Secrets User';
/** Roles that may change access policies or create role assignments, for "you would need …" messages. */
export const ACCESS_POLICY_WRITER_ROLE = 'Key Vault Contributor';
export const ROLE_ASSIGNMENT_WRITER_ROLE = 'Role Based Access Control Administrator';

function withRole(e: unknown, role: string, what: string, endpoint: string): AzureAccessError {
  const error = toAzureAccessError(e, { operation: 'read', endpoint });
  if (error.kind !== 'forbidden') return error;
  return new AzureAccessError({
    ...error.classification,
    userMessage: `You may not ${what}: this needs the "${role}" role (or Owner) on the vault. Ask someone who has it, or let them apply the fix.`,
  });
}

/** Adds (merges) an access policy giving `objectId` secret Get and List. */
export async function addSecretAccessPolicy(clients: KeyVaultClients, vault: VaultLocation, tenantId: string, objectId: string, call: CallOptions = {}): Promise<void> {
  try {
    await clients.keyVault(vault.subscriptionId).vaults.updateAccessPolicy(vault.resourceGroup, vault.name, 'add', {
      properties: { accessPolicies: [{ tenantId, objectId, permissions: { secrets: ['get', 'list'] } }] },
    }, { abortSignal: call.signal });
  } catch (e) {
    throw withRole(e, ACCESS_POLICY_WRITER_ROLE, `change the access policies of Key Vault "${vault.name}"`, clients.armEndpoint);
  }
}

/** Creates a Key Vault Secrets User assignment for a managed identity at `scope` (a vault or one secret). */
export async function assignSecretsUser(clients: KeyVaultClients, vault: VaultLocation, scope: string, principalId: string, call: CallOptions = {}): Promise<string> {
  const name = randomUUID();
  try {
    const created = await clients.authorization(vault.subscriptionId).roleAssignments.create(scope.replace(/^\/+/, ''), name, {
      roleDefinitionId: `/subscriptions/${vault.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER_ROLE_ID}`,
      principalId,
      principalType: 'ServicePrincipal',
    }, { abortSignal: call.signal });
    return created.id ?? name;
  } catch (e) {
    throw withRole(e, ROLE_ASSIGNMENT_WRITER_ROLE, `assign roles on Key Vault "${vault.name}"`, clients.armEndpoint);
  }
}
