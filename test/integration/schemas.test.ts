// In the extension host: VS Code's JSON language features apply the extension's APIOps artifact
// schemas (contributes.jsonValidation, shipped in the .vsix) to the workspace's files. A broken
// namedValueInformation.json under `named values/` gets the schema's diagnostics where the problems
// are, they go once the file holds the demo's valid Key Vault named value, and hovering a property
// shows the schema's description.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { describeDiagnostics, hoverText, openWorkspaceFile, positionOf, rangeOf, until, waitForDiagnostics, workspaceUri } from './support/host';

/** A named value of its own, so that no other suite sees the broken file; removed afterwards. */
const CHECK_FOLDER = 'apimartifacts/named values/schema-check';
const CHECK_FILE = `${CHECK_FOLDER}/namedValueInformation.json`;
const DEMO_KEY_VAULT_FILE = 'apimartifacts/named values/kv-legacy-partner-key/namedValueInformation.json';

const BROKEN = `{
  "properties": {
    "displayName": "legacy partner key",
    "secret": true,
    "keyVault": {
      "identityClientId": "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0"
    }
  }
}
`;

function onRange(diagnostics: vscode.Diagnostic[], range: vscode.Range, message: RegExp): boolean {
  return diagnostics.some((d) => d.range.intersection(range) !== undefined && message.test(d.message));
}

async function hoverAt(document: vscode.TextDocument, position: vscode.Position, expected: RegExp, description: string): Promise<string> {
  return until(async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
    const text = hoverText(hovers);
    return expected.test(text) ? text : undefined;
  }, description);
}

describe('APIOps artifact schemas (jsonValidation)', () => {
  before(async () => {
    await vscode.workspace.fs.writeFile(workspaceUri(CHECK_FILE), Buffer.from(BROKEN, 'utf8'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(workspaceUri(CHECK_FOLDER), { recursive: true, useTrash: false });
  });

  it('flags a broken namedValueInformation.json where the problems are: the display name and the Key Vault reference without secretIdentifier', async () => {
    const document = await openWorkspaceFile(CHECK_FILE);
    assert.equal(document.languageId, 'json');
    const displayName = rangeOf(document, '"legacy partner key"');
    // The whole `"keyVault": { … }` property: VS Code versions put a missing property on the key or on the `{`.
    const keyVault = new vscode.Range(positionOf(document, '"keyVault"', { at: 'start' }), positionOf(document, '}'));
    const diagnostics = await waitForDiagnostics(
      document.uri,
      (list) => onRange(list, displayName, /only letters, digits, '\.', '-' and '_'/) && onRange(list, keyVault, /"secretIdentifier"/),
      'the schema diagnostics on "displayName" and on "keyVault"',
    );
    assert.equal(diagnostics.length, 2, describeDiagnostics(document.uri));
    // VS Code shows schema problems as warnings (the README says so).
    assert.deepEqual(diagnostics.map((d) => d.severity), [vscode.DiagnosticSeverity.Warning, vscode.DiagnosticSeverity.Warning]);
  });

  it("clears them once the file holds a valid named value (the demo's Key Vault reference)", async () => {
    const document = await openWorkspaceFile(CHECK_FILE);
    await waitForDiagnostics(document.uri, (list) => list.length > 0, 'the broken file still flagged');
    const valid = Buffer.from(await vscode.workspace.fs.readFile(workspaceUri(DEMO_KEY_VAULT_FILE))).toString('utf8');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), valid);
    assert.equal(await vscode.workspace.applyEdit(edit), true);
    await waitForDiagnostics(document.uri, (list) => list.length === 0, 'no diagnostics left for the valid content', 60_000);
  });

  it("explains a property on hover with the schema's description and its Learn link", async () => {
    const document = await openWorkspaceFile(DEMO_KEY_VAULT_FILE);
    const text = await hoverAt(document, positionOf(document, '"keyVault', { at: 'end' }), /Key Vault reference/, 'hover on "keyVault" with the schema description');
    assert.match(text, /learn\.microsoft\.com\/azure\/api-management\/api-management-howto-properties#key-vault-secrets/, text);
    await hoverAt(document, positionOf(document, '"secretIdentifier', { at: 'end' }), /versioned identifier is never refreshed/, 'hover on "secretIdentifier"');
  });
});
