/**
 * Everything the Named Values panel and the status bar show, decided without
 * `vscode`: sorting, filtering, and per item the label, description, icon,
 * colour, context value, accessibility label and Markdown tooltip. Icons and
 * colours are codicon / theme colour ids the adapter wraps in ThemeIcon.
 *
 * A secret's value never appears: only `value` of plain named values is read.
 */
import type { InstanceMetadata, NamedValueInfo } from '../../../protocol/protocol';
import type { ClassifiedError } from '../azure/errors';
import { keyVaultAdvice } from '../azure/keyVault';
import { CONTEXT_VALUES } from '../contributions';
import { formatTimeBoth } from '../time';
import { codeSpan, escapeMarkdown } from './markdown';

export type FilterMode = 'all' | 'keyVault' | 'failed';
export const FILTER_MODES: readonly FilterMode[] = ['all', 'keyVault', 'failed'];

export const FILTER_LABELS: Record<FilterMode, string> = {
  all: 'All named values',
  keyVault: 'Key Vault references only',
  failed: 'Failed Key Vault references only',
};

export type KeyVaultState = 'succeeded' | 'failed' | 'notRefreshed' | 'refreshing';

export interface IconSpec {
  /** Codicon id, e.g. `key` or `sync~spin`. */
  id: string;
  /** Theme colour id, e.g. `testing.iconPassed`. */
  color?: string;
}

export interface ItemPresentation {
  label: string;
  description: string;
  icon: IconSpec;
  contextValue: string;
  accessibilityLabel: string;
}

export const PLAIN_PREVIEW_LENGTH = 48;
const TOOLTIP_VALUE_LENGTH = 300;

const KIND_LABELS: Record<NamedValueInfo['kind'], string> = { plain: 'Plain', secret: 'Secret', keyVault: 'Key Vault reference' };

const KV_STATE_LABELS: Record<KeyVaultState, string> = {
  succeeded: 'secret resolved',
  failed: 'refresh failed',
  notRefreshed: 'not refreshed yet',
  refreshing: 'refreshing…',
};

export function isKeyVaultFailed(nv: NamedValueInfo): boolean {
  const status = nv.keyVault?.lastStatus;
  return nv.kind === 'keyVault' && !!status && status.code !== 'Success';
}

export function keyVaultState(nv: NamedValueInfo, refreshing = false): KeyVaultState | undefined {
  if (nv.kind !== 'keyVault') return undefined;
  if (refreshing) return 'refreshing';
  const status = nv.keyVault?.lastStatus;
  if (!status) return 'notRefreshed';
  return status.code === 'Success' ? 'succeeded' : 'failed';
}

export function namedValueIcon(nv: NamedValueInfo, refreshing = false): IconSpec {
  switch (keyVaultState(nv, refreshing)) {
    case 'refreshing':
      return { id: 'sync~spin' };
    case 'succeeded':
      return { id: 'key', color: 'testing.iconPassed' };
    case 'failed':
      return { id: 'error', color: 'problemsErrorIcon.foreground' };
    case 'notRefreshed':
      return { id: 'key', color: 'disabledForeground' };
    default:
      return nv.kind === 'secret' ? { id: 'lock' } : { id: 'symbol-string' };
  }
}

/** `{{displayName}}` — what policies write. */
export function namedValueReference(nv: Pick<NamedValueInfo, 'displayName'>): string {
  return `{{${nv.displayName}}}`;
}

/** `contoso-kv / payment-gateway-key` (plus the version when the identifier pins one). */
export function describeSecretIdentifier(secretIdentifier: string | undefined): string {
  if (!secretIdentifier) return 'Key Vault';
  try {
    const url = new URL(secretIdentifier);
    const match = /^\/secrets\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
    const vault = url.hostname.split('.')[0];
    if (!match) return `${vault} / ${url.pathname.replace(/^\//, '')}`;
    const secret = decodeURIComponent(match[1]);
    return match[2] ? `${vault} / ${secret} (version ${match[2].slice(0, 8)}…)` : `${vault} / ${secret}`;
  } catch {
    return secretIdentifier;
  }
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function presentNamedValue(nv: NamedValueInfo, refreshing = false): ItemPresentation {
  const state = keyVaultState(nv, refreshing);
  let description: string;
  let contextValue: string;
  if (nv.kind === 'plain') {
    description = truncate(nv.value ?? '', PLAIN_PREVIEW_LENGTH);
    contextValue = CONTEXT_VALUES.plain;
  } else if (nv.kind === 'secret') {
    description = 'secret';
    contextValue = CONTEXT_VALUES.secret;
  } else {
    description = describeSecretIdentifier(nv.keyVault?.secretIdentifier);
    // e.g. namedValue.keyVault.failed — menus match the prefix, views may use the state.
    contextValue = `${CONTEXT_VALUES.keyVault}.${state ?? 'notRefreshed'}`;
  }
  const stateText = state ? `, ${KV_STATE_LABELS[state]}${state === 'failed' ? ` (${nv.keyVault?.lastStatus?.code})` : ''}` : '';
  return {
    label: nv.displayName,
    description,
    icon: namedValueIcon(nv, refreshing),
    contextValue,
    accessibilityLabel: `${nv.displayName}, ${KIND_LABELS[nv.kind]}${stateText}`,
  };
}

export interface TooltipContext {
  now: number;
  refreshing?: boolean;
  /** ARM-level failure of the last refresh attempt (the vault status shown is the last known one). */
  refreshError?: ClassifiedError;
}

/** Markdown (untrusted: no command links) describing one named value. */
export function namedValueTooltip(nv: NamedValueInfo, context: TooltipContext): string {
  const lines: string[] = [];
  lines.push(`**${escapeMarkdown(nv.displayName)}** — ${KIND_LABELS[nv.kind]}`, '');
  lines.push(`Reference: ${codeSpan(namedValueReference(nv))}`, '');
  const facts: string[] = [];
  if (nv.name !== nv.displayName) facts.push(`Resource name: ${codeSpan(nv.name)}`);
  if (nv.kind === 'plain') {
    facts.push(`Value: ${nv.value === undefined || nv.value === '' ? '*(empty)*' : codeSpan(truncate(nv.value, TOOLTIP_VALUE_LENGTH))}`);
  } else {
    facts.push('Value: *hidden (secret)* — use "Reveal Value" to see it');
  }
  if (nv.tags?.length) facts.push(`Tags: ${nv.tags.map((t) => codeSpan(t)).join(', ')}`);
  const kv = nv.keyVault;
  if (nv.kind === 'keyVault') {
    facts.push(`Secret identifier: ${kv?.secretIdentifier ? codeSpan(kv.secretIdentifier) : '*(none)*'}`);
    facts.push(`Identity: ${kv?.identityClientId ? `user-assigned managed identity ${codeSpan(kv.identityClientId)}` : 'system-assigned managed identity'}`);
    const state = keyVaultState(nv, context.refreshing);
    const status = kv?.lastStatus;
    if (status) {
      const icon = status.code === 'Success' ? '$(pass)' : '$(error)';
      facts.push(`Last status: ${icon} ${codeSpan(status.code)}${status.message ? ` — ${escapeMarkdown(status.message)}` : ''}`);
      const when = formatTimeBoth(status.timeStampUtc, context.now);
      if (when) facts.push(`Checked: ${escapeMarkdown(when)}`);
    } else {
      facts.push('Last status: *not refreshed yet*');
    }
    if (state === 'refreshing') facts.push('$(sync~spin) Refreshing now…');
    if (state === 'failed') facts.push(`What to do: ${escapeMarkdown(keyVaultAdvice(nv))}`);
  }
  if (context.refreshError) {
    facts.push(`Last refresh attempt failed: ${escapeMarkdown(context.refreshError.userMessage)}${context.refreshError.code ? ` (${codeSpan(context.refreshError.code)})` : ''}`);
  }
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  return lines.join('\n');
}

export interface NamedValueCounts {
  total: number;
  plain: number;
  secret: number;
  keyVault: number;
  failed: number;
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * The sorted, filterable list behind the panel for one metadata object.
 * Sorting and each filter run once, on first use, and are reused until the
 * metadata changes (a new model is built then).
 */
export class NamedValueListModel {
  private sortedCache: readonly NamedValueInfo[] | undefined;
  private readonly filtered = new Map<FilterMode, readonly NamedValueInfo[]>();
  private countsCache: NamedValueCounts | undefined;

  constructor(readonly metadata: InstanceMetadata) {}

  get sorted(): readonly NamedValueInfo[] {
    this.sortedCache ??= [...this.metadata.namedValues].sort(
      (a, b) => collator.compare(a.displayName, b.displayName) || collator.compare(a.name, b.name),
    );
    return this.sortedCache;
  }

  items(filter: FilterMode): readonly NamedValueInfo[] {
    if (filter === 'all') return this.sorted;
    let list = this.filtered.get(filter);
    if (!list) {
      list = this.sorted.filter(filter === 'keyVault' ? (nv) => nv.kind === 'keyVault' : isKeyVaultFailed);
      this.filtered.set(filter, list);
    }
    return list;
  }

  get counts(): NamedValueCounts {
    if (!this.countsCache) {
      const counts: NamedValueCounts = { total: 0, plain: 0, secret: 0, keyVault: 0, failed: 0 };
      for (const nv of this.metadata.namedValues) {
        counts.total++;
        counts[nv.kind]++;
        if (isKeyVaultFailed(nv)) counts.failed++;
      }
      this.countsCache = counts;
    }
    return this.countsCache;
  }
}

/** The view's description: the active filter (nothing for "all"). */
export function filterDescription(filter: FilterMode, shown?: number): string | undefined {
  if (filter === 'all') return undefined;
  const base = filter === 'keyVault' ? 'Key Vault only' : 'Failed only';
  return shown === undefined ? base : `${base} (${shown})`;
}
