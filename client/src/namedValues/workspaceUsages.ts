/**
 * The workspace side of "Find Usages": which files to search (policy candidates on disk plus
 * open policy editors with their unsaved text) and how to read them. The scan itself is
 * `searchUsages`, free of vscode.
 */
import * as vscode from 'vscode';
import { POLICY_LANGUAGE_ID } from '../languageClient';
import { POLICY_CANDIDATE_GLOB, searchUsages, type UsageSearchResult } from './usages';

export const WORKSPACE_EXCLUDE_GLOB = '**/{node_modules,.git,out,dist,.vscode-test}/**';

/** Every `{{displayName}}` in the workspace's policies. */
export async function searchWorkspaceUsages(displayName: string, signal?: AbortSignal): Promise<UsageSearchResult> {
  const openDocuments = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
  const files = await vscode.workspace.findFiles(POLICY_CANDIDATE_GLOB, WORKSPACE_EXCLUDE_GLOB);
  // Untitled or unsaved policy editors count too, with their current text.
  const uris = new Map(files.map((f) => [f.toString(), f]));
  for (const d of openDocuments.values()) if (d.languageId === POLICY_LANGUAGE_ID) uris.set(d.uri.toString(), d.uri);
  return searchUsages([...uris.keys()], displayName, {
    signal,
    // Open editors in the policy language are policies whatever their name or root.
    treatAsPolicy: (key) => openDocuments.get(key)?.languageId === POLICY_LANGUAGE_ID,
    read: async (key) => {
      const open = openDocuments.get(key);
      if (open) return open.getText();
      return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.parse(key))).toString('utf8');
    },
  });
}

/** Usages as editor locations. */
export function usageLocations(result: UsageSearchResult): vscode.Location[] {
  return result.usages.map((u) => new vscode.Location(vscode.Uri.parse(u.file), new vscode.Range(u.line, u.character, u.line, u.character + u.length)));
}
