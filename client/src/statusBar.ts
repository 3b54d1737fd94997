/** The status bar item: the instance of the active editor's folder and its failing Key Vault secrets. */
import * as vscode from 'vscode';
import type { ConnectionManager } from './connection/connectionManager';
import { type StatusBarPresentation, presentStatusBar } from './namedValues/instanceModel';

export class StatusBarController implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private current: StatusBarPresentation = { visible: false, text: '', tooltip: '', warning: false, command: '' };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly manager: ConnectionManager) {
    this.item = vscode.window.createStatusBarItem('apimPolicy.instance', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'APIM Policy: Instance';
    this.disposables.push(
      this.item,
      manager.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  /** What the item shows now (for the API / tests). */
  get presentation(): StatusBarPresentation {
    return this.current;
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    const folder = editor ? vscode.workspace.getWorkspaceFolder(editor.document.uri) : undefined;
    const session = this.manager.sessionForFolder(folder?.uri.toString()) ?? this.manager.sessions()[0];
    const p = presentStatusBar({ state: this.manager.state, session: session?.snapshot, now: Date.now() });
    this.current = p;
    this.item.text = p.text;
    this.item.tooltip = p.tooltip;
    this.item.command = p.command;
    this.item.backgroundColor = p.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: p.tooltip.replace(/\n/g, '. ') };
    if (p.visible) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
