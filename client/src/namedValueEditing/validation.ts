/**
 * What API Management accepts for a named value, checked before anything is
 * sent (messages are ready for an input box), and what changed between two
 * reads of one (for the "changed by someone else" question after a 412).
 * vscode-free. Rules: https://learn.microsoft.com/rest/api/apimanagement/named-value/create-or-update
 */
import type { NamedValueInfo } from '../../../protocol/protocol';
import type { NamedValueDraft } from '../azure/namedValueWrites';

export const MAX_DISPLAY_NAME_LENGTH = 256;
export const MAX_VALUE_LENGTH = 4096;
export const MAX_TAGS = 32;
const DISPLAY_NAME_PATTERN = /^[A-Za-z0-9\-._]+$/;
const NAMED_VALUE_REFERENCE = /\{\{[^{}]*\}\}/;

/** Undefined when valid; else why not. `selfName`: the ARM name of the named value being renamed. */
export function validateDisplayName(displayName: string, existing: readonly NamedValueInfo[], selfName?: string): string | undefined {
  const name = displayName.trim();
  if (name.length === 0) return 'A display name is required.';
  if (name.length > MAX_DISPLAY_NAME_LENGTH) return `At most ${MAX_DISPLAY_NAME_LENGTH} characters (this has ${name.length}).`;
  if (!DISPLAY_NAME_PATTERN.test(name)) return 'Use only letters, digits, dash (-), dot (.) and underscore (_).';
  const clash = existing.find((nv) => nv.name !== selfName && nv.displayName.toLowerCase() === name.toLowerCase());
  if (clash) return `"${clash.displayName}" already exists${clash.name !== clash.displayName ? ` (resource ${clash.name})` : ''}; display names are unique, ignoring case.`;
  return undefined;
}

/** Undefined when valid. Named values cannot contain other named values, and hold 1 to 4,096 characters. */
export function validateValue(value: string): string | undefined {
  if (value.length === 0) return 'A value is required (1 to 4,096 characters).';
  if (value.length > MAX_VALUE_LENGTH) return `At most ${MAX_VALUE_LENGTH.toLocaleString('en')} characters (this has ${value.length.toLocaleString('en')}).`;
  const reference = NAMED_VALUE_REFERENCE.exec(value);
  if (reference) return `A named value cannot contain another named value (${reference[0]}): API Management does not resolve references inside named values.`;
  return undefined;
}

/** Comma-separated tags → list, or why not. */
export function parseTags(text: string): { tags: string[] } | { error: string } {
  const tags = [...new Set(text.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
  if (tags.length > MAX_TAGS) return { error: `At most ${MAX_TAGS} tags.` };
  const bad = tags.find((t) => !DISPLAY_NAME_PATTERN.test(t) || t.length > 256);
  if (bad) return { error: `Tag "${bad}": use only letters, digits, dash, dot and underscore.` };
  return { tags };
}

/** The resource name (id segment) for a new named value: its display name, made unique among the existing resource names. */
export function resourceNameFor(displayName: string, existing: readonly NamedValueInfo[]): string {
  const taken = new Set(existing.map((nv) => nv.name.toLowerCase()));
  const base = displayName.trim();
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** What differs between the named value as it was read and as it is now (never any secret value). */
export function describeChanges(before: NamedValueInfo, now: NamedValueInfo): string[] {
  const changes: string[] = [];
  if (before.displayName !== now.displayName) changes.push(`display name: ${before.displayName} → ${now.displayName}`);
  if (before.kind !== now.kind) changes.push(`kind: ${before.kind} → ${now.kind}`);
  if (before.kind === 'plain' && now.kind === 'plain' && before.value !== now.value) changes.push('value changed');
  const tags = (nv: NamedValueInfo) => [...(nv.tags ?? [])].sort().join(', ');
  if (tags(before) !== tags(now)) changes.push(`tags: ${tags(before) || '(none)'} → ${tags(now) || '(none)'}`);
  if (before.keyVault?.secretIdentifier !== now.keyVault?.secretIdentifier && before.keyVault && now.keyVault) {
    changes.push(`secret identifier: ${before.keyVault.secretIdentifier} → ${now.keyVault.secretIdentifier}`);
  }
  if (before.keyVault && now.keyVault && (before.keyVault.identityClientId ?? '') !== (now.keyVault.identityClientId ?? '')) {
    changes.push(`identity: ${before.keyVault.identityClientId ?? 'system-assigned'} → ${now.keyVault.identityClientId ?? 'system-assigned'}`);
  }
  if (changes.length === 0) changes.push(now.kind === 'secret' ? 'the secret value (values are not compared)' : 'nothing visible (it was saved again)');
  return changes;
}

/** The draft that writes a named value back exactly as read (values left out: unchanged). */
export function draftFrom(info: NamedValueInfo): NamedValueDraft {
  if (info.kind === 'keyVault') {
    const draft: NamedValueDraft = { kind: 'keyVault', displayName: info.displayName, tags: info.tags ?? [], secretIdentifier: info.keyVault?.secretIdentifier ?? '' };
    if (info.keyVault?.identityClientId) draft.identityClientId = info.keyVault.identityClientId;
    return draft;
  }
  return { kind: info.kind, displayName: info.displayName, tags: info.tags ?? [] };
}
