// In the extension host: the APIOps named value artifact files (`named values/<name>/namedValueInformation.json`)
// — Find All References to the policies that use the named value, hover with its live status, and
// completion of `secretIdentifier` from the instance's Key Vault references.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  assertNoSecrets,
  completionLabel,
  connectedApi,
  emulator,
  hoverText,
  openWorkspaceFile,
  positionOf,
  resetInstance,
  until,
  workspaceUri,
} from './support/host';

const PLAIN_ARTIFACT = 'apimartifacts/named values/api-version-header/namedValueInformation.json';
const KEY_VAULT_ARTIFACT = 'apimartifacts/named values/kv-legacy-partner-key/namedValueInformation.json';

describe('APIOps named value artifacts', () => {
  before(async function () {
    this.timeout(90_000);
    await resetInstance(await connectedApi());
  });

  it('finds the policies that use the named value from its artifact file', async () => {
    const document = await openWorkspaceFile(PLAIN_ARTIFACT);
    const position = positionOf(document, '"api-version-header"', { at: 'start' }).translate(0, 2);
    const locations = await until(async () => {
      const found = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', document.uri, position);
      return found.some((l) => l.uri.path.endsWith('/apimartifacts/apis/orders-api/policy.xml')) ? found : undefined;
    }, 'references to {{api-version-header}}');
    for (const location of locations.filter((l) => l.uri.path.endsWith('.xml'))) {
      const policy = await vscode.workspace.openTextDocument(location.uri);
      assert.equal(policy.getText(location.range), '{{api-version-header}}', `${location.uri.path} at ${location.range.start.line}`);
    }
  });

  it('shows the live Key Vault status when hovering the display name, never a value', async () => {
    const document = await openWorkspaceFile(KEY_VAULT_ARTIFACT);
    const position = positionOf(document, '"legacy-partner-key"', { at: 'start' }).translate(0, 3);
    const status = (await emulator().keyVaultStatuses()).get('legacy-partner-key')?.lastStatus;
    assert.ok(status?.code, 'the emulator has a status for legacy-partner-key');
    const text = await until(async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
      const all = hoverText(hovers);
      return all.includes('Live status on') ? all : undefined;
    }, 'hover with the live status');
    assert.ok(text.includes(status.code), `the hover names the status ${status.code}:\n${text}`);
    assertNoSecrets(text, 'hover on the artifact file');
  });

  it('completes secretIdentifier from the Key Vault references the instance has', async () => {
    const uri = workspaceUri('apimartifacts/named values/new-kv-value/namedValueInformation.json');
    const content = '{\n  "properties": {\n    "displayName": "new-kv-value",\n    "keyVault": {\n      "secretIdentifier": "https://\n    }\n  }\n}\n';
    await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document);
      const position = positionOf(document, '"secretIdentifier": "https://');
      const labels = await until(async () => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
        const found = list.items.map(completionLabel);
        return found.includes('https://contoso-kv.vault.azure.net/secrets/legacy-partner-key') ? found : undefined;
      }, 'secretIdentifier completion');
      assert.ok(labels.every((l) => !l.startsWith('https://') || l.includes('.vault.')), labels.join(', '));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(uri, { recursive: false });
    }
  });
});
