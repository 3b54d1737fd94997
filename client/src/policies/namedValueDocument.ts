/**
 * A named value's read-only definition document (`…/namedValues/{name}.json`
 * instance documents): shaped like the ARM resource, never with a secret or
 * Key Vault value — only plain values are shown.
 */
import type { NamedValueInfo } from '../../../protocol/protocol';

export function namedValueDefinitionJson(nv: NamedValueInfo, instanceId: string, workspace?: string): string {
  const properties: Record<string, unknown> = {
    displayName: nv.displayName,
    secret: nv.kind !== 'plain',
  };
  if (nv.kind === 'plain' && nv.value !== undefined) properties.value = nv.value;
  if (nv.kind === 'secret') properties.value = '(secret — value hidden)';
  if (nv.tags?.length) properties.tags = nv.tags;
  if (nv.keyVault) {
    properties.keyVault = {
      secretIdentifier: nv.keyVault.secretIdentifier,
      ...(nv.keyVault.identityClientId ? { identityClientId: nv.keyVault.identityClientId } : {}),
      ...(nv.keyVault.lastStatus ? { lastStatus: nv.keyVault.lastStatus } : {}),
    };
  }
  const parent = workspace === undefined ? instanceId : `${instanceId}/workspaces/${workspace}`;
  const type = workspace === undefined ? 'Microsoft.ApiManagement/service/namedValues' : 'Microsoft.ApiManagement/service/workspaces/namedValues';
  const resource = { id: `${parent}/namedValues/${nv.name}`, name: nv.name, type, properties };
  return `${JSON.stringify(resource, null, 2)}\n`;
}

/** What the document says when the named value is not (or no longer) known. */
export function missingNamedValueJson(name: string, why: string): string {
  return `${JSON.stringify({ error: `Named value "${name}" ${why}` }, null, 2)}\n`;
}
