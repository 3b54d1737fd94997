/** Markdown shown by hover and completion, built from catalog and instance data. */
import type { AttributeSpec, ElementSpec, PolicySpec } from '../catalog/types';
import type { NamedValueInfo } from '../../../../protocol/protocol';
import { literalChoices } from './values';

export const SECTION_DOCS: Record<string, string> = {
  inbound: 'Statements applied to the incoming request, before it reaches the backend.',
  backend: 'Statements applied while the request is forwarded to the backend.',
  outbound: 'Statements applied to the response before it returns to the caller.',
  'on-error': 'Statements run when an error occurs in any other section.',
};

const SECTION_LABEL: Record<string, string> = { inbound: 'inbound', backend: 'backend', outbound: 'outbound', 'on-error': 'on-error' };

export function describePolicy(policy: PolicySpec): string {
  const lines = [`**<${policy.name}>** — ${policy.description}`, ''];
  if (policy.sections.length) lines.push(`**Sections:** ${policy.sections.map((s) => SECTION_LABEL[s] ?? s).join(', ')}  `);
  else lines.push('**Sections:** none (GraphQL resolver policy)  ');
  if (policy.scopes.length) lines.push(`**Scopes:** ${policy.scopes.join(', ')}  `);
  if (policy.gateways.length) lines.push(`**Gateways:** ${policy.gateways.join(', ')}  `);
  if (!policy.documented) lines.push('_Not in the public policy reference; known from schemas or tooling._  ');
  lines.push('', `[Policy reference](${policy.docs})`);
  return lines.join('\n');
}

export function describeElement(spec: ElementSpec, policy: PolicySpec): string {
  const lines = [`**<${spec.name}>** in \`<${policy.name}>\` — ${spec.description}`, ''];
  lines.push(`${spec.required ? 'Required' : 'Optional'}${spec.repeatable ? ', may repeat' : ', at most once'}.`);
  if (spec.note) lines.push('', spec.note);
  lines.push('', `[Policy reference](${policy.docs})`);
  return lines.join('\n');
}

export function describeAttribute(spec: AttributeSpec, owner: string): string {
  const lines = [`**${spec.name}** on \`<${owner}>\` — ${spec.description}`, ''];
  const required = spec.required === true ? 'Required' : spec.required === 'conditional' ? `Conditionally required${spec.requiredNote ? ` (${spec.requiredNote})` : ''}` : 'Optional';
  lines.push(`${required}.  `);
  const choices = literalChoices(spec);
  if (choices.length) lines.push(`**Allowed values:** ${choices.map((c) => `\`${c}\``).join(', ')}  `);
  else if (spec.type !== 'string') lines.push(`**Type:** ${spec.type}${bounds(spec)}  `);
  if (spec.default !== undefined) lines.push(`**Default:** \`${spec.default}\`  `);
  lines.push(`**Policy expressions:** ${spec.expressions === true ? 'allowed' : spec.expressions === false ? 'not allowed' : 'not documented'}  `);
  if (spec.references) lines.push(`**Refers to:** a ${spec.references} of the instance  `);
  return lines.join('\n');
}

function bounds(spec: AttributeSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` (${spec.min}–${spec.max})`;
  if (spec.min !== undefined) return ` (at least ${spec.min})`;
  if (spec.max !== undefined) return ` (at most ${spec.max})`;
  return '';
}

const PREVIEW_LENGTH = 80;

export function previewValue(value: string): string {
  const singleLine = value.replace(/\s+/g, ' ');
  return singleLine.length > PREVIEW_LENGTH ? `${singleLine.slice(0, PREVIEW_LENGTH)}…` : singleLine;
}

export function namedValueKindLabel(nv: NamedValueInfo): string {
  return nv.kind === 'keyVault' ? 'Key Vault secret' : nv.kind === 'secret' ? 'secret' : 'plain';
}

/** Never includes the value of a secret or Key Vault named value. */
export function describeNamedValue(nv: NamedValueInfo, instanceName: string, stale?: boolean): string {
  const lines = [`**{{${nv.displayName}}}** — named value of ${instanceName}${stale ? ' _(cached, may be stale)_' : ''}`, ''];
  lines.push(`**Kind:** ${namedValueKindLabel(nv)}  `);
  if (nv.kind === 'plain') lines.push(`**Value:** \`${escapeCode(previewValue(nv.value ?? ''))}\`  `);
  else if (nv.kind === 'secret') lines.push('**Value:** secret — value hidden  ');
  if (nv.keyVault) {
    lines.push(`**Secret identifier:** ${nv.keyVault.secretIdentifier}  `);
    lines.push(`**Identity:** ${nv.keyVault.identityClientId ? `user-assigned (client id ${nv.keyVault.identityClientId})` : 'system-assigned'}  `);
    const status = nv.keyVault.lastStatus;
    if (status) {
      const ok = status.code.toLowerCase() === 'success';
      lines.push(`**Last refresh:** ${ok ? '✅' : '⚠️'} ${status.code}${status.message ? ` — ${status.message}` : ''} (${status.timeStampUtc})  `);
    } else lines.push('**Last refresh:** not yet refreshed  ');
    lines.push('**Value:** secret — value hidden  ');
  }
  if (nv.tags?.length) lines.push(`**Tags:** ${nv.tags.join(', ')}  `);
  if (nv.name !== nv.displayName) lines.push(`**Resource name:** ${nv.name}  `);
  return lines.join('\n');
}

/**
 * What to say when a reference's case matters: APIM matches named value
 * names without regard to case, so a name written differently still
 * resolves, and two names differing only by case are ambiguous.
 */
export function caseNote(written: string, nv: NamedValueInfo, sameIgnoringCase: readonly NamedValueInfo[]): string | undefined {
  const others = sameIgnoringCase.filter((other) => other !== nv);
  if (others.length) {
    const list = others.map((other) => `\`${other.displayName}\` (${namedValueKindLabel(other)})`).join(', ');
    return `⚠️ **Differs only by case:** ${list} also exists. API Management compares named value names without regard to case, so \`{{${written}}}\` is ambiguous; rename or remove one of them.`;
  }
  if (written !== nv.displayName) return `Written \`{{${written}}}\`; API Management ignores case in named value names and uses \`${nv.displayName}\`.`;
  return undefined;
}

function escapeCode(value: string): string {
  return value.replace(/`/g, 'ˋ');
}
