/**
 * The questions publishing asks in VS Code: "publish to <instance>?" (when
 * the setting says to ask) and, on a conflict, the diff of the instance's
 * version beside yours with Overwrite / Merge in the Diff Editor / Keep Mine
 * Unsaved.
 */
import * as vscode from 'vscode';
import { describePolicyScope } from '../azure/policyScopes';
import { SETTINGS } from '../contributions';
import type { PolicyFileSystem } from './fileSystem';
import type { ConflictChoice, PublishPrompts, PublishRequest, TheirVersion } from './publish';

export const PUBLISH = 'Publish';
export const PUBLISH_ALWAYS = 'Publish, Don\'t Ask Again';
export const OVERWRITE = 'Overwrite';
export const MERGE = 'Merge in the Diff Editor';
export const KEEP = 'Keep Mine Unsaved';

/**
 * Prompts for publishing the document at `mine`: the instance document itself (a save) or a local APIOps
 * file (Publish to Instance). `instanceUri` names the scope's instance document, whose snapshots show
 * the instance's version in the diff.
 */
export function publishPrompts(fileSystem: PolicyFileSystem, mine: vscode.Uri, instanceUri: vscode.Uri): PublishPrompts {
  return {
    async confirmPublish(request: PublishRequest): Promise<boolean> {
      const choice = await vscode.window.showWarningMessage(
        `Publish ${describePolicyScope(request.scope)} to ${request.serviceName}?`,
        { modal: true, detail: 'It takes effect on the instance at once. The save is checked against the version you opened, so a colleague\'s change is never overwritten unasked.' },
        PUBLISH,
        PUBLISH_ALWAYS,
      );
      if (choice === PUBLISH_ALWAYS) await vscode.workspace.getConfiguration().update(SETTINGS.confirmPublish, false, vscode.ConfigurationTarget.Global);
      return choice === PUBLISH || choice === PUBLISH_ALWAYS;
    },

    async resolveConflict(request: PublishRequest, theirs: TheirVersion): Promise<ConflictChoice> {
      await showConflictDiff(fileSystem, instanceUri, mine, theirs, request.serviceName);
      const choice = await vscode.window.showWarningMessage(
        `${capitalize(describePolicyScope(request.scope))} changed on ${request.serviceName} since you opened it.`,
        {
          modal: true,
          detail: `${theirs.text === undefined ? 'It was deleted there.' : 'The diff shows the instance\'s version (left) beside yours (right).'} Nothing is lost: ${OVERWRITE} publishes yours over it, ${MERGE} keeps yours unsaved so you can take what you need from theirs and save again, ${KEEP} leaves both as they are.`,
        },
        OVERWRITE,
        MERGE,
        KEEP,
      );
      return choice === OVERWRITE ? 'overwrite' : choice === MERGE ? 'merge' : 'keep';
    },
  };
}

/** Opens "instance now ↔ yours": a read-only snapshot of their text on the left, the editable `mine` on the right. */
export async function showConflictDiff(fileSystem: PolicyFileSystem, instanceUri: vscode.Uri, mine: vscode.Uri, theirs: TheirVersion, serviceName: string): Promise<void> {
  const left = fileSystem.snapshot(instanceUri, theirs.text ?? '');
  const name = instanceUri.path.split('/').pop() ?? 'policy';
  await vscode.commands.executeCommand('vscode.diff', left, mine, `${name}: ${serviceName} now ↔ yours`, { preview: false });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
