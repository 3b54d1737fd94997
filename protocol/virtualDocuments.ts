/**
 * Read-only documents the extension shows for things that live only in the
 * instance (a named value's definition, a fragment's policy). The server
 * returns these URIs from "go to definition"; the client renders them.
 */
import type { NamedValueInfo } from './protocol';

export const READONLY_SCHEME = 'apim-policy-readonly';

export type VirtualDocument =
  | { kind: 'named-value'; instanceId: string; name: string }
  | { kind: 'fragment'; instanceId: string; name: string };

const FOLDER: Record<VirtualDocument['kind'], string> = { 'named-value': 'named-values', fragment: 'fragments' };
const EXTENSION: Record<VirtualDocument['kind'], string> = { 'named-value': '.json', fragment: '.xml' };

/** `apim-policy-readonly:/named-values/<name>.json?instance=<id>` — the path gives the tab a readable title. */
export function virtualDocumentUri(target: VirtualDocument): string {
  return `${READONLY_SCHEME}:/${FOLDER[target.kind]}/${encodeURIComponent(target.name)}${EXTENSION[target.kind]}?instance=${encodeURIComponent(target.instanceId)}`;
}

export function parseVirtualDocumentUri(uri: string): VirtualDocument | undefined {
  const match = /^apim-policy-readonly:\/(named-values|fragments)\/([^?]+?)\.(json|xml)\?instance=(.+)$/.exec(uri);
  if (!match) return undefined;
  const kind = match[1] === 'named-values' ? 'named-value' : 'fragment';
  try {
    return { kind, name: decodeURIComponent(match[2]), instanceId: decodeURIComponent(match[4]) };
  } catch {
    return undefined;
  }
}

/**
 * A named value's definition as JSON, shaped like the ARM resource. Secret
 * and Key Vault values are never included: only plain values are shown.
 */
export function namedValueDefinitionJson(nv: NamedValueInfo, instanceId: string): string {
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
  const resource = { id: `${instanceId}/namedValues/${nv.name}`, name: nv.name, type: 'Microsoft.ApiManagement/service/namedValues', properties };
  return `${JSON.stringify(resource, null, 2)}\n`;
}
