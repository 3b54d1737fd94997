// In the extension host: every contributed command is registered, and the commands run as the
// palette or the panel would run them (arguments where the panel passes a node or a name), with
// their effects checked in the emulator, the extension's API, the clipboard and the editors.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApimPolicyExtensionApi } from '../../client/src/api';
import {
  connectedApi,
  emulator,
  extensionId,
  RESTORED_SECRET,
  resetInstance,
  scratchFile,
  until,
  workspaceUri,
} from './support/host';

interface ContributedCommand {
  command: string;
  title: string;
}

function namedValuesListings(log: Array<{ method: string; path: string; status: number }>): number {
  return log.filter((entry) => entry.method === 'GET' && /\/namedValues$/i.test(entry.path.split('?')[0]) && entry.status === 200).length;
}

describe('commands', () => {
  let api: ApimPolicyExtensionApi;

  before(async function () {
    this.timeout(90_000);
    api = await connectedApi();
    await resetInstance(api);
  });

  it('registers every command the manifest contributes', async () => {
    const extension = vscode.extensions.getExtension(extensionId());
    const contributed = ((extension?.packageJSON as { contributes?: { commands?: ContributedCommand[] } }).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length >= 15, `the manifest contributes the documented commands: ${contributed.join(', ')}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });

  it('Refresh Named Values reloads the instance from Azure', async () => {
    const before = namedValuesListings(await emulator().requests());
    await vscode.commands.executeCommand('apimPolicy.refreshNamedValues');
    await api.connection.whenIdle();
    const after = namedValuesListings(await emulator().requests());
    assert.ok(after > before, `a new GET …/namedValues reached the emulator (${before} → ${after})`);
    assert.equal(api.connection.state, 'connected');
  });

  it('Refresh All Failed Key Vault Secrets refreshes the failing ones and reports what still fails', async () => {
    const failingBefore = [...(await emulator().keyVaultStatuses()).values()].filter((s) => s.refreshFailed).map((s) => s.displayName).sort();
    assert.ok(failingBefore.includes('billing-api-key'));
    try {
      // The vault's owner grants the identity access.
      await emulator().setVault('contoso-billing-kv', null, { status: 'ok' });
      await vscode.commands.executeCommand('apimPolicy.refreshFailedKeyVaultSecrets');
      const report = api.namedValues.lastRefreshReport;
      assert.ok(report, 'a refresh report');
      assert.deepEqual(report.refreshed, ['billing-api-key']);
      const stillFailing = [...(await emulator().keyVaultStatuses()).values()].filter((s) => s.refreshFailed).map((s) => s.displayName).sort();
      assert.deepEqual(report.stillFailing.map((f) => f.displayName).sort(), stillFailing);
      assert.deepEqual(stillFailing, failingBefore.filter((name) => name !== 'billing-api-key'));
      for (const failure of report.stillFailing) assert.ok(failure.code && failure.advice, `a reason for ${failure.displayName}`);
      assert.equal(report.severity, 'warning');
      assert.match(report.message, new RegExp(`1 of ${failingBefore.length}`));
    } finally {
      await resetInstance(api);
    }
  });

  it('Refresh Key Vault Secret refreshes the item it is given', async () => {
    const [root] = api.namedValues.getChildren();
    const node = api.namedValues.getChildren(root).find((n) => n.kind === 'namedValue' && n.namedValue.displayName === 'legacy-partner-key');
    assert.ok(node);
    try {
      await emulator().setVault('contoso-kv', 'legacy-partner-key', { status: 'ok', value: RESTORED_SECRET });
      await vscode.commands.executeCommand('apimPolicy.refreshKeyVaultSecret', node);
      assert.deepEqual(api.namedValues.lastRefreshReport?.refreshed, ['legacy-partner-key']);
      assert.equal((await emulator().keyVaultStatuses()).get('legacy-partner-key')?.lastStatus?.code, 'Success');
      const item = api.namedValues.getTreeItem(api.namedValues.getChildren(root).find((n) => n.kind === 'namedValue' && n.namedValue.displayName === 'legacy-partner-key') ?? node);
      assert.equal(item.contextValue, 'namedValue.keyVault.succeeded');
    } finally {
      await resetInstance(api);
    }
  });

  it('Copy Reference puts {{displayName}} on the clipboard', async () => {
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('apimPolicy.copyNamedValueReference', 'backend-key');
    assert.equal(await vscode.env.clipboard.readText(), '{{backend-key}}');
  });

  it('Insert Reference into Policy types the reference at the cursor', async () => {
    const document = await scratchFile('insert-reference.policy.xml', '<policies>\n  <inbound>\n    <set-header name="x">\n      <value></value>\n    </set-header>\n  </inbound>\n</policies>\n');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document === document);
    const cursor = document.positionAt(document.getText().indexOf('</value>'));
    editor.selection = new vscode.Selection(cursor, cursor);
    await vscode.commands.executeCommand('apimPolicy.insertNamedValueReference', 'rate-limit-calls');
    assert.match(document.getText(), /<value>\{\{rate-limit-calls\}\}<\/value>/);
  });

  it('Go to Definition opens the APIOps file when the workspace has one, else the read-only definition', async () => {
    await vscode.commands.executeCommand('apimPolicy.goToNamedValueDefinition', 'api-version-header');
    const local = vscode.window.activeTextEditor?.document;
    assert.equal(local?.uri.toString(), workspaceUri('apimartifacts/named values/api-version-header/namedValueInformation.json').toString());

    await vscode.commands.executeCommand('apimPolicy.goToNamedValueDefinition', 'backend-key');
    const remote = vscode.window.activeTextEditor?.document;
    assert.equal(remote?.uri.scheme, 'apim-instance');
    const json = JSON.parse(remote.getText()) as { properties: { displayName: string; value?: string } };
    assert.equal(json.properties.displayName, 'backend-key');
    assert.doesNotMatch(remote.getText(), /SECRET-DO-NOT-LEAK/);
  });

  it('Find Usages finds the references in the workspace\'s policies', async () => {
    await vscode.commands.executeCommand('apimPolicy.findNamedValueUsages', 'legacy-partner-key');
    const search = api.namedValues.lastUsageSearch;
    assert.ok(search, 'a usage search result');
    const files = search.usages.map((u) => vscode.Uri.parse(u.file).path);
    assert.ok(files.some((f) => f.endsWith('/apimartifacts/apis/orders-api/policy.xml')), files.join(', '));
    assert.ok(search.usages.every((u) => u.preview.includes('{{legacy-partner-key}}')));
    await vscode.commands.executeCommand('closeReferenceSearch');
  });

  it('Treat This File as Policy switches a plain .xml file to the policy language', async () => {
    // Not a <policies>/<fragment> root, so automatic detection leaves it alone.
    const document = await scratchFile('gateway-config.xml', '<configuration>\n  <value>{{rate-limit-calls}}</value>\n</configuration>\n');
    assert.equal(document.languageId, 'xml');
    await vscode.commands.executeCommand('apimPolicy.treatAsPolicy');
    await until(() => vscode.window.activeTextEditor?.document.languageId === 'apim-policy', 'the file in the apim-policy language');
  });

  it('Show Log and Show Failing Key Vault Secrets run', async () => {
    await vscode.commands.executeCommand('apimPolicy.showLog');
    await vscode.commands.executeCommand('apimPolicy.showFailedNamedValues');
    assert.equal(api.namedValues.filter, 'failed');
    // The workbench reveals the view asynchronously (in code-server, in the browser).
    await until(() => api.namedValues.treeView.visible, 'the Named Values panel shown');
    api.namedValues.setFilter('all');
  });

  it('Sign Out empties the panel; Sign In connects again', async () => {
    await vscode.commands.executeCommand('apimPolicy.signOut');
    await until(() => api.connection.state === 'signedOut', 'signed out');
    assert.deepEqual(api.namedValues.getChildren(), []);
    await vscode.commands.executeCommand('apimPolicy.signIn');
    await until(() => api.connection.state === 'connected' && api.namedValues.getChildren().length === 1, 'connected again after Sign In', 30_000, () => `state ${api.connection.state}`);
  });
});
