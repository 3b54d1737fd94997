/**
 * Content of the read-only `apim-policy-readonly:` documents the server's
 * "go to definition" points at (see protocol/virtualDocuments.ts): a named
 * value's definition from the current metadata (no secret values), or a
 * fragment's policy fetched as raw XML.
 */
import type { NamedValueInfo } from '../../protocol/protocol';
import { namedValueDefinitionJson, type VirtualDocument } from '../../protocol/virtualDocuments';
import { classifyError } from './azure/errors';

/**
 * The target of a URI as VS Code hands it over: `uri.path` and `uri.query`
 * are already percent-decoded, so names containing `/` or `?` survive only
 * because the path keeps everything after the folder.
 */
export function parseVirtualDocumentParts(path: string, query: string): VirtualDocument | undefined {
  const match = /^\/(named-values|fragments)\/(.+)\.(json|xml)$/.exec(path);
  const instance = /^instance=(.+)$/.exec(query);
  if (!match || !instance) return undefined;
  const kind = match[1] === 'named-values' ? 'named-value' : 'fragment';
  if ((kind === 'named-value') !== (match[3] === 'json')) return undefined;
  return { kind, name: match[2], instanceId: instance[1] };
}

export interface VirtualDocumentSource {
  findNamedValue(nameOrDisplayName: string): NamedValueInfo | undefined;
  getFragmentXml(name: string): Promise<string>;
  instanceId: string;
}

export async function renderVirtualDocument(target: VirtualDocument, source: VirtualDocumentSource | undefined): Promise<string> {
  if (!source) {
    return target.kind === 'named-value'
      ? `${JSON.stringify({ error: `Instance ${target.instanceId} is not connected; select it and sign in to see "${target.name}".` }, null, 2)}\n`
      : `<!-- Instance ${escapeComment(target.instanceId)} is not connected; select it and sign in to see fragment "${escapeComment(target.name)}". -->\n`;
  }
  if (target.kind === 'named-value') {
    const nv = source.findNamedValue(target.name);
    if (!nv) return `${JSON.stringify({ error: `Named value "${target.name}" is not in the instance's metadata; refresh the named values.` }, null, 2)}\n`;
    return namedValueDefinitionJson(nv, source.instanceId);
  }
  try {
    return await source.getFragmentXml(target.name);
  } catch (e) {
    return `<!-- Could not load policy fragment "${escapeComment(target.name)}": ${escapeComment(classifyError(e).userMessage)} -->\n`;
  }
}

function escapeComment(text: string): string {
  return text.replace(/--/g, '- -');
}
