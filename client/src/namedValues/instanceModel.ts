/** The panel's root node per instance and the status bar item, decided without `vscode`. */
import type { SessionSnapshot } from '../connection/instanceSession';
import type { ConnectionState } from '../connection/connectionManager';
import { COMMANDS, CONTEXT_VALUES } from '../contributions';
import { formatAbsoluteTime, formatRelativeTime, formatTimeBoth } from '../time';
import { codeSpan, escapeMarkdown } from './markdown';
import { type IconSpec, NamedValueListModel } from './model';

export interface InstancePresentation {
  label: string;
  description: string;
  tooltip: string;
  icon: IconSpec;
  contextValue: string;
}

export function instanceLabel(snapshot: SessionSnapshot): string {
  return snapshot.metadata?.displayName || snapshot.resource.serviceName;
}

/** "stale since 5 minutes ago" for data served from the cache or kept after a failed refresh. */
export function staleMarker(snapshot: SessionSnapshot, now: number): string | undefined {
  if (!snapshot.metadata || !snapshot.stale) return undefined;
  const since = formatRelativeTime(snapshot.dataTime, now);
  return since ? `stale since ${since}` : 'stale';
}

export function presentInstance(snapshot: SessionSnapshot, now: number): InstancePresentation {
  const where = `${snapshot.subscriptionName ?? snapshot.resource.subscriptionId} / ${snapshot.resource.resourceGroup}`;
  const parts = [where];
  const stale = staleMarker(snapshot, now);
  if (snapshot.loading) parts.push(snapshot.progress ? `loading ${snapshot.progress}` : 'loading…');
  else if (stale) parts.push(stale);
  if (!snapshot.metadata && !snapshot.loading && snapshot.lastError) parts.push(`failed: ${snapshot.lastError.code ?? snapshot.lastError.kind}`);

  let icon: IconSpec = { id: 'azure' };
  if (snapshot.loading && !snapshot.metadata) icon = { id: 'loading~spin' };
  else if (!snapshot.metadata && snapshot.lastError) icon = { id: 'error', color: 'problemsErrorIcon.foreground' };
  else if (stale) icon = { id: 'history', color: 'problemsWarningIcon.foreground' };

  const lines = [`**${escapeMarkdown(instanceLabel(snapshot))}** — API Management instance`, ''];
  const facts = [
    `Subscription: ${snapshot.subscriptionName ? `${escapeMarkdown(snapshot.subscriptionName)} ` : ''}${codeSpan(snapshot.resource.subscriptionId)}`,
    `Resource group: ${codeSpan(snapshot.resource.resourceGroup)}`,
    `Resource id: ${codeSpan(snapshot.instanceId)}`,
  ];
  if (snapshot.metadata) {
    const counts = new NamedValueListModel(snapshot.metadata).counts;
    facts.push(
      `Named values: ${counts.total} (${counts.plain} plain, ${counts.secret} secret, ${counts.keyVault} Key Vault${counts.failed ? `, **${counts.failed} failing**` : ''})`,
    );
    const time = formatTimeBoth(snapshot.dataTime, now);
    if (time) facts.push(`${snapshot.stale ? 'Stale: data from' : 'Loaded'} ${escapeMarkdown(time)}`);
  }
  if (snapshot.loading) facts.push(`Loading${snapshot.progress ? ` ${escapeMarkdown(snapshot.progress)}` : '…'}`);
  if (snapshot.lastError) {
    facts.push(`Last load failed${snapshot.lastError.status ? ` (HTTP ${snapshot.lastError.status}${snapshot.lastError.code ? `, ${codeSpan(snapshot.lastError.code)}` : ''})` : ''}: ${escapeMarkdown(snapshot.lastError.userMessage)}`);
  }
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  return { label: instanceLabel(snapshot), description: parts.join(' · '), tooltip: lines.join('\n'), icon, contextValue: CONTEXT_VALUES.instance };
}

export interface StatusBarPresentation {
  visible: boolean;
  text: string;
  tooltip: string;
  /** Show with the warning background. */
  warning: boolean;
  command: string;
}

export interface StatusBarInput {
  state: ConnectionState;
  /** The instance of the active editor's folder (or the only one). */
  session?: SessionSnapshot;
  now: number;
}

export function presentStatusBar(input: StatusBarInput): StatusBarPresentation {
  const { state, session, now } = input;
  if (state === 'signedOut') {
    return { visible: true, text: '$(azure) APIM: Sign in', tooltip: 'API Management: not signed in to Azure. Click to sign in.', warning: false, command: COMMANDS.signIn };
  }
  if (!session) {
    return { visible: true, text: '$(azure) APIM: Select instance', tooltip: 'API Management: no instance selected. Click to select one.', warning: false, command: COMMANDS.selectInstance };
  }
  const name = instanceLabel(session);
  const failed = session.metadata ? new NamedValueListModel(session.metadata).counts.failed : 0;
  let text = `$(azure) ${name}`;
  const tooltip: string[] = [`API Management instance ${name}`];
  if (session.loading) {
    text += ' $(sync~spin)';
    tooltip.push('Loading metadata…');
  }
  if (!session.metadata && session.lastError) {
    text = `$(error) ${name}`;
    tooltip.push(`Could not load: ${session.lastError.userMessage}`);
  }
  const stale = staleMarker(session, now);
  if (stale) {
    text += ' (stale)';
    tooltip.push(`Offline data, ${stale}${session.dataTime ? ` (${formatAbsoluteTime(session.dataTime)})` : ''}.`);
  }
  if (failed > 0) {
    text += ` $(warning) ${failed}`;
    tooltip.push(`${failed} Key Vault secret${failed === 1 ? '' : 's'} failing to refresh. Click to show ${failed === 1 ? 'it' : 'them'}.`);
  } else if (session.metadata) {
    tooltip.push('All Key Vault secrets resolve. Click to open the Named Values panel.');
  }
  return { visible: true, text, tooltip: tooltip.join('\n'), warning: failed > 0, command: COMMANDS.showFailedNamedValues };
}
