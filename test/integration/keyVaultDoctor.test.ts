// In the extension host: Diagnose Key Vault Reference from each entry point (the panel item, the
// hover's command link, the quick fix on key-vault-refresh-failed), the Key Vault Doctor view as
// VS Code renders it, and diagnose → fix → refresh → green: the vault's owner grants the role the
// diagnosis names, the doctor's refresh action runs, and the status turns green in the diagnosis,
// the panel and the status bar. (The fix applied through its modal confirmation is a UI test.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApimPolicyExtensionApi } from '../../client/src/api';
import type { DoctorNode } from '../../client/src/keyVaultDoctor/presentation';
import { DEMO_FAILING_KEY_VAULT } from '../support/demoScenarios';
import { assertNoSecrets, connectedApi, emulator, markdownText, resetInstance, until, workspaceUri } from './support/host';

const ORDERS_API_POLICY = 'apimartifacts/apis/orders-api/policy.xml';

interface Row { label: string; description: string; icon: string; color?: string; contextValue: string; tooltip: string; command?: vscode.Command }

function render(api: ApimPolicyExtensionApi, node: DoctorNode): Row {
  const item = api.keyVaultDoctor.getTreeItem(node);
  const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
  return {
    label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
    description: String(item.description ?? ''),
    icon: icon?.id ?? '',
    color: icon?.color?.id,
    contextValue: item.contextValue ?? '',
    tooltip: item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : markdownText(item.tooltip),
    command: item.command,
  };
}

/** Every row of the view, depth first, with its depth. */
function allRows(api: ApimPolicyExtensionApi): Array<Row & { depth: number; node: DoctorNode }> {
  const rows: Array<Row & { depth: number; node: DoctorNode }> = [];
  const walk = (node: DoctorNode | undefined, depth: number) => {
    for (const child of api.keyVaultDoctor.getChildren(node)) {
      rows.push({ ...render(api, child), depth, node: child });
      walk(child, depth + 1);
    }
  };
  walk(undefined, 0);
  return rows;
}

function checkRow(api: ApimPolicyExtensionApi, title: string): Row {
  const row = allRows(api).find((r) => r.depth === 1 && r.label === title);
  assert.ok(row, `a "${title}" check row`);
  return row;
}

describe('Key Vault doctor', () => {
  let api: ApimPolicyExtensionApi;

  before(async function () {
    this.timeout(90_000);
    api = await connectedApi();
    await resetInstance(api);
  });

  it('diagnoses a reference from its panel item and shows every check with its outcome, finding, advice and fixes', async () => {
    const [root] = api.namedValues.getChildren();
    const node = api.namedValues.getChildren(root).find((n) => n.kind === 'namedValue' && n.namedValue.displayName === 'billing-api-key');
    assert.ok(node, 'billing-api-key is in the panel');
    await vscode.commands.executeCommand('apimPolicy.diagnoseKeyVaultReference', node);
    const report = api.keyVaultDoctor.report;
    assert.equal(report?.displayName, 'billing-api-key');

    const rows = allRows(api);
    assert.equal(rows[0].label, 'billing-api-key');
    assert.match(rows[0].description, /contoso-apim — 2 checks fail, 1 not checked/);
    assert.deepEqual(rows.filter((r) => r.depth === 1).map((r) => [r.label, r.icon]), [
      ["APIM's last status", 'error'], ['Managed identity', 'pass'], ['Secret identifier', 'pass'], ['Key Vault', 'pass'],
      ['Permission', 'error'], ['Network access', 'pass'], ['Secret', 'pass'], ['Secret length', 'circle-slash'],
    ]);
    const permission = checkRow(api, 'Permission');
    assert.equal(permission.color, 'testing.iconFailed');
    assert.equal(permission.contextValue, 'keyVaultDoctor.check.fail.fixable');
    assert.match(permission.tooltip, /\*\*What to do:\*\* Assign "Key Vault Secrets User"/);
    const fixRows = rows.filter((r) => r.contextValue === 'keyVaultDoctor.fix');
    assert.deepEqual(fixRows.map((r) => r.label), [
      'Refresh the secret now', 'Assign "Key Vault Secrets User" on the secret', 'Assign "Key Vault Secrets User" on the vault', 'Check the length…',
    ]);
    for (const fix of fixRows) assert.equal(fix.command?.command, 'apimPolicy.applyKeyVaultFix', 'Enter on a fix row applies it');
    for (const row of rows) assertNoSecrets(`${row.label} ${row.description} ${row.tooltip}`, `doctor row ${row.label}`);
    // The view is there for the user: its context key is set and it is visible.
    await until(() => api.keyVaultDoctor.treeView.visible, 'the Key Vault Doctor view revealed');
  });

  it('links the hover of a Key Vault reference to the diagnosis, and the link runs it', async () => {
    const uri = workspaceUri(ORDERS_API_POLICY);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const position = document.positionAt(document.getText().indexOf('{{legacy-partner-key}}') + 4);
    const hovers = await until(async () => {
      const result = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
      return result.length > 0 ? result : undefined;
    }, 'a hover on {{legacy-partner-key}}');
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    const link = /\(command:apimPolicy\.diagnoseKeyVaultReference\?([^)]+)\)/.exec(text);
    assert.ok(link, text);
    const args = JSON.parse(decodeURIComponent(link[1])) as unknown[];
    await vscode.commands.executeCommand('apimPolicy.diagnoseKeyVaultReference', ...args);
    assert.equal(api.keyVaultDoctor.report?.displayName, 'legacy-partner-key');
    assert.match(checkRow(api, 'Secret').description, /has no secret named "legacy-partner-key"/);
  });

  it('offers the diagnosis as a quick fix on key-vault-refresh-failed', async () => {
    const uri = workspaceUri(ORDERS_API_POLICY);
    const document = await vscode.workspace.openTextDocument(uri);
    const start = document.getText().indexOf('{{legacy-partner-key}}');
    const range = new vscode.Range(document.positionAt(start), document.positionAt(start + '{{legacy-partner-key}}'.length));
    await until(() => vscode.languages.getDiagnostics(uri).some((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'key-vault-refresh-failed'), 'the Key Vault warning at the use site');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
    const action = actions.find((a) => a.title === 'Diagnose Key Vault reference "legacy-partner-key"…');
    assert.ok(action?.command, JSON.stringify(actions.map((a) => a.title)));
    await vscode.commands.executeCommand('apimPolicy.diagnoseKeyVaultReference', { instanceId: api.connection.metadata()?.instanceId, name: 'kv-fraud-model-key' });
    assert.equal(api.keyVaultDoctor.report?.displayName, 'fraud-model-key');
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    assert.equal(api.keyVaultDoctor.report?.displayName, 'legacy-partner-key');
  });

  it('turns green after the grant it names is made and the doctor refreshes the secret', async () => {
    const failing = Object.keys(DEMO_FAILING_KEY_VAULT).length;
    assert.ok(api.statusBar.presentation.text.includes(`$(warning) ${failing}`), api.statusBar.presentation.text);
    await vscode.commands.executeCommand('apimPolicy.diagnoseKeyVaultReference', { instanceId: api.connection.metadata()?.instanceId, name: 'kv-billing-api-key' });
    assert.equal(checkRow(api, 'Permission').icon, 'error');
    try {
      // The vault's owner grants what the diagnosis asks for (an admin outside this editor).
      await emulator().setVault('contoso-billing-kv', null, { status: 'ok' });
      const refresh = allRows(api).find((r) => r.label === 'Refresh the secret now');
      assert.ok(refresh?.command, 'the status check offers a refresh');
      await vscode.commands.executeCommand(refresh.command.command, ...(refresh.command.arguments ?? []));
      assert.match(api.keyVaultDoctor.lastFixMessage ?? '', /"billing-api-key" refreshed: APIM reads the secret now/);
      assert.equal(checkRow(api, 'Permission').icon, 'pass');
      assert.equal(checkRow(api, "APIM's last status").icon, 'pass');
      assert.match(allRows(api)[0].description, /No problems found; 1 not checked/);
      const [root] = api.namedValues.getChildren();
      const item = api.namedValues.getChildren(root).find((n) => n.kind === 'namedValue' && n.namedValue.displayName === 'billing-api-key');
      assert.ok(item);
      const icon = api.namedValues.getTreeItem(item).iconPath as vscode.ThemeIcon;
      assert.deepEqual([icon.id, icon.color?.id], ['key', 'testing.iconPassed']);
      await until(() => api.statusBar.presentation.text.includes(`$(warning) ${failing - 1}`), 'the status bar counting one failure less');
    } finally {
      await resetInstance(api);
    }
  });
});
