/**
 * Which instance and named value a command acts on: a panel item, an
 * `{ instanceId, name }` (hover links, code actions), a name, or — with no
 * argument — the instance of the active editor's folder (else the only one,
 * else a pick) and a named value picked from it.
 */
import * as vscode from 'vscode';
import type { NamedValueInfo } from '../../../protocol/protocol';
import type { ConnectionManager } from '../connection/connectionManager';
import type { InstanceSession } from '../connection/instanceSession';
import { COMMANDS } from '../contributions';
import { NamedValueListModel, presentNamedValue } from './model';
import { isInstanceNode, isNamedValueNode } from './treeNodes';

export interface NamedValueTarget {
  session: InstanceSession;
  namedValue: NamedValueInfo;
}

/** `{ instanceId, name }` as hover links and code actions pass it. */
export function isNamedValueRef(value: unknown): value is { instanceId: string; name: string } {
  const v = value as { instanceId?: unknown; name?: unknown } | undefined;
  return typeof v === 'object' && v !== null && typeof v.instanceId === 'string' && typeof v.name === 'string' && !('kind' in v);
}

export class TargetResolver {
  constructor(private readonly manager: ConnectionManager) {}

  /** The instance of the active editor's folder, else the only one, else ask. */
  async pickSession(arg?: unknown): Promise<InstanceSession | undefined> {
    if (typeof arg === 'string') {
      const byId = this.manager.session(arg);
      if (byId) return byId;
    }
    if (isInstanceNode(arg) || isNamedValueNode(arg)) return this.manager.session(arg.instanceId);
    const sessions = this.manager.sessions();
    if (sessions.length === 0) {
      const state = this.manager.state;
      const action = state === 'signedOut' ? 'Sign In' : 'Select Instance';
      const choice = await vscode.window.showInformationMessage(
        state === 'signedOut' ? 'Sign in to Azure first.' : 'Select an API Management instance first.',
        action,
      );
      if (choice) await vscode.commands.executeCommand(choice === 'Sign In' ? COMMANDS.signIn : COMMANDS.selectInstance);
      return undefined;
    }
    const editor = vscode.window.activeTextEditor;
    const folder = editor ? vscode.workspace.getWorkspaceFolder(editor.document.uri) : undefined;
    const forFolder = this.manager.sessionForFolder(folder?.uri.toString());
    if (forFolder) return forFolder;
    if (sessions.length === 1) return sessions[0];
    const picked = await vscode.window.showQuickPick(
      sessions.map((s) => ({ label: s.resource.serviceName, description: s.resource.resourceGroup, session: s })),
      { placeHolder: 'Which API Management instance?' },
    );
    return picked?.session;
  }

  async resolveTarget(arg: unknown, placeHolder: string, accept: (nv: NamedValueInfo) => boolean = () => true): Promise<NamedValueTarget | undefined> {
    if (isNamedValueRef(arg)) {
      const session = this.manager.session(arg.instanceId);
      const namedValue = session?.findNamedValue(arg.name);
      if (!session || !namedValue) {
        void vscode.window.showWarningMessage(`Named value "${arg.name}" is not in the metadata of a connected instance; refresh the named values.`);
        return undefined;
      }
      return { session, namedValue };
    }
    if (isNamedValueNode(arg)) {
      const session = this.manager.session(arg.instanceId);
      const current = session?.findNamedValue(arg.namedValue.name);
      return session && current ? { session, namedValue: current } : undefined;
    }
    if (typeof arg === 'string' && !this.manager.session(arg)) {
      const session = await this.pickSession();
      const namedValue = session?.findNamedValue(arg);
      if (!session || !namedValue) {
        void vscode.window.showWarningMessage(`Named value "${arg}" is not in the connected instance's metadata.`);
        return undefined;
      }
      return { session, namedValue };
    }
    const session = await this.pickSession(arg);
    const metadata = session?.currentMetadata;
    if (!session || !metadata) {
      if (session) void vscode.window.showInformationMessage(`The named values of ${session.resource.serviceName} are not loaded yet.`);
      return undefined;
    }
    const candidates = new NamedValueListModel(metadata).sorted.filter(accept);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(`No matching named values in ${session.resource.serviceName}.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((nv) => {
        const p = presentNamedValue(nv, session.isRefreshing(nv.name));
        return { label: `$(${p.icon.id}) ${p.label}`, description: p.description, namedValue: nv };
      }),
      { placeHolder, matchOnDescription: true },
    );
    return picked ? { session, namedValue: picked.namedValue } : undefined;
  }

}
