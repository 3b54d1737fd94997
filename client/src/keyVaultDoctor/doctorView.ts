/**
 * The Key Vault Doctor view: the last diagnosis as a tree (named value →
 * checks → finding, what to do, fixes). Native and keyboard-friendly: arrow
 * keys move, Enter on a fix row applies it (after a modal confirmation),
 * the context menu and the view's title offer "Run Diagnosis Again".
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../contributions';
import type { DoctorReport } from './diagnose';
import { childrenOf, type DoctorNode, present } from './presentation';

export class DoctorTreeProvider implements vscode.TreeDataProvider<DoctorNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DoctorNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private current: DoctorReport | undefined;
  private roots: DoctorNode[] = [];

  get report(): DoctorReport | undefined {
    return this.current;
  }

  show(report: DoctorReport): void {
    this.current = report;
    this.roots = childrenOf(report, undefined);
    this.changed.fire(undefined);
  }

  /** The report row (for `reveal`). */
  get root(): DoctorNode | undefined {
    return this.roots[0];
  }

  getChildren(element?: DoctorNode): DoctorNode[] {
    if (!this.current) return [];
    return element ? childrenOf(this.current, element) : this.roots;
  }

  getParent(element: DoctorNode): DoctorNode | undefined {
    if (element.kind === 'report' || !this.current) return undefined;
    if (element.kind === 'check') return this.roots[0];
    return { kind: 'check', check: element.check };
  }

  getTreeItem(element: DoctorNode): vscode.TreeItem {
    if (!this.current) return new vscode.TreeItem('');
    const p = present(this.current, element);
    const collapsible = element.kind === 'report' || element.kind === 'check'
      ? (p.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed)
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(p.label, collapsible);
    item.id = idOf(this.current, element);
    item.description = p.description;
    item.iconPath = new vscode.ThemeIcon(p.icon.id, p.icon.color ? new vscode.ThemeColor(p.icon.color) : undefined);
    item.tooltip = new vscode.MarkdownString(p.tooltip);
    item.contextValue = p.contextValue;
    item.accessibilityInformation = { label: p.accessibilityLabel };
    if (p.fixTarget) item.command = { command: COMMANDS.applyKeyVaultFix, title: p.label, arguments: [p.fixTarget] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Stable per report, so expansion state resets for a new diagnosis but not while one is shown. */
function idOf(report: DoctorReport, node: DoctorNode): string {
  const base = `${report.finishedAt}/${report.name}`;
  switch (node.kind) {
    case 'report': return base;
    case 'check': return `${base}/${node.check.id}`;
    case 'detail': return `${base}/${node.check.id}/${node.role}`;
    case 'fix': return `${base}/${node.check.id}/fix${node.index}`;
  }
}
