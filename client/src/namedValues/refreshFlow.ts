/**
 * Key Vault refresh decisions without `vscode`: which named values to offer
 * or refresh, the quick pick rows, and the summary shown afterwards
 * ("2 refreshed, 3 still failing" with the reason and fix for each).
 */
import type { InstanceMetadata, NamedValueInfo } from '../../../protocol/protocol';
import type { RefreshSummary } from '../azure/keyVault';
import { formatRelativeTime } from '../time';
import { describeSecretIdentifier, isKeyVaultFailed, keyVaultState, namedValueIcon } from './model';

/** Default number of refreshSecret operations running at once. */
export const REFRESH_CONCURRENCY = 4;

export function keyVaultNamedValues(metadata: InstanceMetadata | undefined): NamedValueInfo[] {
  return (metadata?.namedValues ?? []).filter((nv) => nv.kind === 'keyVault');
}

export function failedKeyVaultNames(metadata: InstanceMetadata | undefined): string[] {
  return (metadata?.namedValues ?? []).filter(isKeyVaultFailed).map((nv) => nv.name);
}

export interface KeyVaultPickRow {
  name: string;
  /** `$(icon) display name` — quick picks render codicons in labels. */
  label: string;
  description: string;
  detail: string;
  /** Failing ones start selected. */
  picked: boolean;
}

const STATE_ORDER = { failed: 0, notRefreshed: 1, refreshing: 2, succeeded: 3 } as const;

/** Failing first, then never refreshed, then healthy; by display name within each group. */
export function keyVaultPickRows(metadata: InstanceMetadata | undefined, refreshing: ReadonlySet<string>, now: number): KeyVaultPickRow[] {
  return keyVaultNamedValues(metadata)
    .map((nv) => {
      const state = keyVaultState(nv, refreshing.has(nv.name)) ?? 'notRefreshed';
      const status = nv.keyVault?.lastStatus;
      const when = formatRelativeTime(status?.timeStampUtc, now);
      const detail = status
        ? `${status.code}${status.message ? `: ${status.message}` : ''}${when ? ` (${when})` : ''}`
        : 'Not refreshed yet';
      return {
        row: {
          name: nv.name,
          label: `$(${namedValueIcon(nv, refreshing.has(nv.name)).id}) ${nv.displayName}`,
          description: describeSecretIdentifier(nv.keyVault?.secretIdentifier),
          detail,
          picked: state === 'failed',
        },
        order: STATE_ORDER[state],
        displayName: nv.displayName,
      };
    })
    .sort((a, b) => a.order - b.order || a.displayName.localeCompare(b.displayName))
    .map((entry) => entry.row);
}

export interface RefreshReport {
  severity: 'info' | 'warning';
  /** One line for the notification. */
  message: string;
  /** One line per named value still failing, with the reason and what to do. */
  detail: string;
  refreshed: string[];
  stillFailing: Array<{ displayName: string; code: string; advice: string }>;
  cancelled: string[];
}

export function summarizeRefresh(summary: RefreshSummary, metadata: InstanceMetadata | undefined): RefreshReport {
  const displayNameOf = (name: string): string =>
    metadata?.namedValues.find((nv) => nv.name.toLowerCase() === name.toLowerCase())?.displayName ?? name;
  const refreshed = summary.refreshed.map((nv) => nv.displayName);
  const stillFailing = summary.failed.map((failure) => ({
    displayName: failure.namedValue?.displayName ?? displayNameOf(failure.name),
    code: failure.code,
    advice: failure.userMessage,
  }));
  const cancelled = summary.cancelled.map(displayNameOf);
  const total = refreshed.length + stillFailing.length + cancelled.length;
  const parts: string[] = [];
  if (total === 0) parts.push('No Key Vault secrets to refresh.');
  else {
    parts.push(`Refreshed ${refreshed.length} of ${total} Key Vault secret${total === 1 ? '' : 's'}`);
    if (stillFailing.length) parts.push(`${stillFailing.length} still failing`);
    if (cancelled.length) parts.push(`${cancelled.length} cancelled`);
  }
  const message = parts.length > 1 ? `${parts[0]}; ${parts.slice(1).join(', ')}.` : parts[0].endsWith('.') ? parts[0] : `${parts[0]}.`;
  const detail = [
    ...stillFailing.map((f) => `• ${f.displayName} (${f.code}): ${f.advice}`),
    ...(refreshed.length ? [`Refreshed: ${refreshed.join(', ')}`] : []),
    ...(cancelled.length ? [`Not refreshed (cancelled): ${cancelled.join(', ')}`] : []),
  ].join('\n');
  return { severity: stillFailing.length ? 'warning' : 'info', message, detail, refreshed, stillFailing, cancelled };
}

/** Progress text: "3 of 12 — billing-api-key". */
export function refreshProgressMessage(done: number, total: number, displayName: string): string {
  return `${done} of ${total} — ${displayName}`;
}
