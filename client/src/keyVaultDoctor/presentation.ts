/**
 * How a doctor report looks in the Key Vault Doctor view, decided without
 * `vscode`: one row for the named value with the verdict, one row per check
 * with its outcome icon and what was found, and under a check the finding,
 * what to do, and one row per fix (each runs the fix command on Enter).
 * Icons are codicon / theme colour ids the view wraps in ThemeIcon.
 */
import { CONTEXT_VALUES } from '../contributions';
import { codeSpan, escapeMarkdown } from '../namedValues/markdown';
import { truncate } from '../namedValues/model';
import type { IconSpec } from '../namedValues/model';
import type { CheckResult, FixProposal, Outcome } from './checks';
import { type DoctorReport, summarizeReport } from './diagnose';

export type DoctorNode =
  | { kind: 'report' }
  | { kind: 'check'; check: CheckResult }
  | { kind: 'detail'; check: CheckResult; role: 'found' | 'advice' }
  | { kind: 'fix'; check: CheckResult; fix: FixProposal; index: number };

/** What the fix command receives: which fix of the shown report. */
export interface FixTarget {
  checkId: CheckResult['id'];
  fixIndex: number;
}

export const OUTCOME_ICONS: Record<Outcome, IconSpec> = {
  pass: { id: 'pass', color: 'testing.iconPassed' },
  fail: { id: 'error', color: 'testing.iconFailed' },
  warning: { id: 'warning', color: 'problemsWarningIcon.foreground' },
  unknown: { id: 'circle-slash', color: 'disabledForeground' },
};

export const OUTCOME_LABELS: Record<Outcome, string> = { pass: 'passed', fail: 'failed', warning: 'warning', unknown: 'could not check' };

const FIX_ICONS: Record<FixProposal['kind'], string> = {
  addAccessPolicy: 'wrench',
  assignSecretsUser: 'wrench',
  useLatestVersion: 'wrench',
  refresh: 'sync',
  checkLength: 'symbol-ruler',
};

export interface RowPresentation {
  label: string;
  description?: string;
  icon: IconSpec;
  tooltip: string;
  contextValue: string;
  accessibilityLabel: string;
  expanded?: boolean;
  /** Run on Enter / click: the fix rows. */
  fixTarget?: FixTarget;
}

const DESCRIPTION_LENGTH = 110;

function worst(report: DoctorReport): Outcome {
  for (const o of ['fail', 'warning', 'unknown'] as const) if (report.checks.some((c) => c.outcome === o)) return o;
  return 'pass';
}

function permissionNote(fix: FixProposal): string | undefined {
  if (!('permission' in fix)) return undefined;
  if (fix.permission.allowed === false) return `you would need the "${fix.permission.requiredRole}" role`;
  if (fix.permission.allowed === 'unknown') return `needs "${fix.permission.requiredRole}" or similar`;
  return undefined;
}

export function checkTooltip(check: CheckResult): string {
  const lines = [`**${escapeMarkdown(check.title)}** — ${OUTCOME_LABELS[check.outcome]}`, '', escapeMarkdown(check.found)];
  if (check.advice) lines.push('', `**What to do:** ${escapeMarkdown(check.advice)}`);
  for (const fix of check.fixes) {
    const note = permissionNote(fix);
    lines.push('', `**${escapeMarkdown(fix.label)}:** ${escapeMarkdown(fix.change)}${note ? ` *(${escapeMarkdown(note)})*` : ''}`);
  }
  return lines.join('\n');
}

export function present(report: DoctorReport, node: DoctorNode): RowPresentation {
  switch (node.kind) {
    case 'report': {
      const summary = summarizeReport(report);
      const outcome = worst(report);
      return {
        label: report.displayName,
        description: `${report.serviceName} — ${summary.text}`,
        icon: OUTCOME_ICONS[outcome],
        tooltip: [`**${escapeMarkdown(report.displayName)}** on ${escapeMarkdown(report.serviceName)}`, '', `${escapeMarkdown(summary.text)}.`, '',
          `Checked ${escapeMarkdown(new Date(report.finishedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}; reference ${codeSpan(`{{${report.displayName}}}`)}.`].join('\n'),
        contextValue: CONTEXT_VALUES.doctorReport,
        accessibilityLabel: `Key Vault diagnosis of ${report.displayName}: ${summary.text}`,
        expanded: true,
      };
    }
    case 'check': {
      const { check } = node;
      const actionable = check.fixes.length > 0;
      return {
        label: check.title,
        description: truncate(check.found, DESCRIPTION_LENGTH),
        icon: OUTCOME_ICONS[check.outcome],
        tooltip: checkTooltip(check),
        contextValue: `${CONTEXT_VALUES.doctorCheck}.${check.outcome}${actionable ? '.fixable' : ''}`,
        accessibilityLabel: `${check.title}: ${OUTCOME_LABELS[check.outcome]}. ${check.found}`,
        expanded: check.outcome !== 'pass',
      };
    }
    case 'detail': {
      const text = node.role === 'found' ? node.check.found : node.check.advice ?? '';
      return {
        label: node.role === 'found' ? 'Found' : 'What to do',
        description: text,
        icon: { id: node.role === 'found' ? 'info' : 'lightbulb' },
        tooltip: escapeMarkdown(text),
        contextValue: CONTEXT_VALUES.doctorDetail,
        accessibilityLabel: `${node.role === 'found' ? 'Found' : 'What to do'}: ${text}`,
      };
    }
    case 'fix': {
      const note = permissionNote(node.fix);
      return {
        label: node.fix.label,
        description: note,
        icon: { id: FIX_ICONS[node.fix.kind] },
        tooltip: `${escapeMarkdown(node.fix.change)}${note ? `\n\n*${escapeMarkdown(note)}*` : ''}\n\nPress Enter to apply (you are asked to confirm first).`,
        contextValue: CONTEXT_VALUES.doctorFix,
        accessibilityLabel: `Fix: ${node.fix.label}${note ? `, ${note}` : ''}`,
        fixTarget: { checkId: node.check.id, fixIndex: node.index },
      };
    }
  }
}

export function childrenOf(report: DoctorReport, node: DoctorNode | undefined): DoctorNode[] {
  if (!node) return [{ kind: 'report' }];
  if (node.kind === 'report') return report.checks.map((check) => ({ kind: 'check', check }));
  if (node.kind !== 'check') return [];
  const rows: DoctorNode[] = [{ kind: 'detail', check: node.check, role: 'found' }];
  if (node.check.advice) rows.push({ kind: 'detail', check: node.check, role: 'advice' });
  node.check.fixes.forEach((fix, index) => rows.push({ kind: 'fix', check: node.check, fix, index }));
  return rows;
}

export function findFix(report: DoctorReport, target: FixTarget): { check: CheckResult; fix: FixProposal } | undefined {
  const check = report.checks.find((c) => c.id === target.checkId);
  const fix = check?.fixes[target.fixIndex];
  return check && fix ? { check, fix } : undefined;
}

/** Every fix of a report, for the "Apply Key Vault Fix…" quick pick: failing checks first. */
export function allFixes(report: DoctorReport): Array<{ check: CheckResult; fix: FixProposal; target: FixTarget }> {
  const order: Record<Outcome, number> = { fail: 0, warning: 1, unknown: 2, pass: 3 };
  return [...report.checks]
    .sort((a, b) => order[a.outcome] - order[b.outcome])
    .flatMap((check) => check.fixes.map((fix, fixIndex) => ({ check, fix, target: { checkId: check.id, fixIndex } })));
}
