// Runs inside the VS Code extension host (code-server via test/harness/runInHost.ts, or Electron
// via test/harness/electron.ts). Proves the host is the expected VS Code, the extension under
// test is installed and activates, and the editor opens workspace files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('in-host smoke', () => {
  it('runs in VS Code 1.139', () => {
    assert.match(vscode.version, /^1\.139\./);
  });

  it('has the extension under test installed and activatable', async () => {
    const id = process.env.APIM_EXTENSION_ID;
    assert.ok(id, 'APIM_EXTENSION_ID must name the extension under test');
    const extension = vscode.extensions.getExtension(id);
    assert.ok(extension, `extension ${id} is not installed; installed: ${vscode.extensions.all.map((e) => e.id).filter((e) => !e.startsWith('vscode.')).join(', ')}`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('opens a workspace file in an editor', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const [file] = await vscode.workspace.findFiles('**/*.policy.xml', undefined, 1);
    assert.ok(file, `no *.policy.xml in ${folder.uri.fsPath}`);
    const document = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(document);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), file.toString());
    assert.equal(editor.document.languageId, 'apim-policy');
    assert.match(editor.document.getText(), /<policies>/);
  });
});
