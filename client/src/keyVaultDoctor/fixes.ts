/**
 * Applies a fix the doctor proposed, through the Azure access layer: grant the
 * APIM identity Get and List by access policy, assign it Key Vault Secrets
 * User on the secret or the vault, or point the named value at the latest
 * version (keeping it a Key Vault reference, with the ETag just read). The
 * refresh that follows a fix goes through the instance session, so the panel,
 * the cache and the language server see the new status. vscode-free.
 */
import type { AzureAccess } from '../azure/azureAccess';
import { addSecretAccessPolicy, assignSecretsUser } from '../azure/keyVaultWrites';
import { readForEdit, updateNamedValue } from '../azure/namedValueWrites';
import type { FixProposal } from './checks';
import type { DoctorReport } from './diagnose';

/** Fixes that change Azure resources (the others — refresh, length check — only read or refresh). */
export type ChangingFix = Extract<FixProposal, { kind: 'addAccessPolicy' | 'assignSecretsUser' | 'useLatestVersion' }>;

export function isChangingFix(fix: FixProposal): fix is ChangingFix {
  return fix.kind === 'addAccessPolicy' || fix.kind === 'assignSecretsUser' || fix.kind === 'useLatestVersion';
}

/** Makes the change; resolves with a sentence saying what was done. Rejects with AzureAccessError. */
export async function applyFix(access: AzureAccess, report: DoctorReport, fix: ChangingFix, signal?: AbortSignal): Promise<string> {
  switch (fix.kind) {
    case 'addAccessPolicy':
      await addSecretAccessPolicy(access.keyVault, fix.vault, fix.vault.tenantId, fix.principalId, { signal });
      return `Added secret Get and List for ${fix.principalId} to the access policies of Key Vault "${fix.vault.name}".`;
    case 'assignSecretsUser':
      await assignSecretsUser(access.keyVault, fix.vault, fix.scope, fix.principalId, { signal });
      return `Assigned "Key Vault Secrets User" to ${fix.principalId} on ${fix.scope === fix.vault.id ? `Key Vault "${fix.vault.name}"` : `secret "${fix.scope.split('/').pop()}"`}.`;
    case 'useLatestVersion': {
      const current = await readForEdit(access.clients, report.instanceId, report.name, { signal });
      const kv = current.info.keyVault;
      if (current.info.kind !== 'keyVault' || !kv) throw new Error(`"${report.displayName}" is no longer a Key Vault reference.`);
      await updateNamedValue(access.clients, report.instanceId, current, {
        kind: 'keyVault',
        displayName: current.info.displayName,
        tags: current.info.tags ?? [],
        secretIdentifier: fix.secretIdentifier,
        ...(kv.identityClientId ? { identityClientId: kv.identityClientId } : {}),
      }, { signal });
      return `"${report.displayName}" now follows the latest version (${fix.secretIdentifier}).`;
    }
  }
}
