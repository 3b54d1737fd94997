// In the extension host: diagnostics appear for the demo's deliberate mistakes, follow edits, and
// follow the instance — after a Key Vault refresh or a named-value reload the diagnostics of an
// open policy change without reopening it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  connectedApi,
  describeDiagnostics,
  diagnosticCode,
  emulator,
  hasDiagnostic,
  openWorkspaceFile,
  rangeOf,
  requireEnv,
  resetInstance,
  RESTORED_SECRET,
  until,
  waitForDiagnostics,
} from './support/host';
import type { ApimPolicyExtensionApi } from '../../client/src/api';

const GET_ORDER_POLICY = 'apimartifacts/apis/orders-api/operations/get-order/policy.xml';
const ORDERS_API_POLICY = 'apimartifacts/apis/orders-api/policy.xml';

async function replaceText(document: vscode.TextDocument, range: vscode.Range, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, range, text);
  assert.equal(await vscode.workspace.applyEdit(edit), true, 'the workspace edit applied');
}

/**
 * Puts a workspace file back as shipped, in the editor and on disk: VS Code may save files a
 * WorkspaceEdit touched (files.refactoring.autoSave), so reverting to disk is not enough.
 */
async function restore(document: vscode.TextDocument, original: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), original);
  await vscode.workspace.applyEdit(edit);
  await document.save();
  await until(() => document.getText() === original && !document.isDirty, `${document.uri.path} restored`);
}

describe('diagnostics', () => {
  let api: ApimPolicyExtensionApi;

  before(async function () {
    this.timeout(90_000);
    api = await connectedApi();
    await resetInstance(api);
  });

  it('reports the demo\'s deliberate mistakes: an unknown named value, a misplaced policy, an unknown backend', async () => {
    const document = await openWorkspaceFile(GET_ORDER_POLICY);
    const typo = rangeOf(document, 'api-verison-header');
    const diagnostics = await waitForDiagnostics(
      document.uri,
      (list) => hasDiagnostic(list, 'unknown-named-value', typo) && hasDiagnostic(list, 'misplaced-policy') && hasDiagnostic(list, 'unknown-entity'),
      'unknown-named-value, misplaced-policy and unknown-entity in get-order/policy.xml',
    );
    const unknown = diagnostics.find((d) => diagnosticCode(d) === 'unknown-named-value');
    assert.equal(unknown?.severity, vscode.DiagnosticSeverity.Error);
    assert.match(unknown?.message ?? '', /api-verison-header/);
    assert.equal(unknown?.source, 'apim-policy');
    const misplaced = diagnostics.find((d) => diagnosticCode(d) === 'misplaced-policy');
    assert.ok(misplaced?.range.intersection(rangeOf(document, 'forward-request')), `misplaced-policy on <forward-request>: ${describeDiagnostics(document.uri)}`);
  });

  it('follows edits: fixing the typo clears its error, a new unknown reference gets one', async () => {
    const document = await openWorkspaceFile(GET_ORDER_POLICY);
    const original = document.getText();
    try {
      await replaceText(document, rangeOf(document, 'api-verison-header'), 'api-version-header');
      await waitForDiagnostics(document.uri, (list) => !hasDiagnostic(list, 'unknown-named-value') && hasDiagnostic(list, 'misplaced-policy'), 'the unknown-named-value error gone after the fix, the others kept');

      await replaceText(document, rangeOf(document, 'orders-backend-v2'), 'orders-backend');
      await waitForDiagnostics(document.uri, (list) => !hasDiagnostic(list, 'unknown-entity'), 'the unknown backend warning gone once the backend exists');

      await replaceText(document, rangeOf(document, '{{api-version-header}}'), '{{no-such-named-value}}');
      const added = rangeOf(document, 'no-such-named-value');
      const diagnostics = await waitForDiagnostics(document.uri, (list) => hasDiagnostic(list, 'unknown-named-value', added), 'unknown-named-value on the new reference');
      assert.match(diagnostics.find((d) => diagnosticCode(d) === 'unknown-named-value')?.message ?? '', /no-such-named-value/);
    } finally {
      await restore(document, original);
    }
    await waitForDiagnostics(document.uri, (list) => hasDiagnostic(list, 'unknown-named-value', rangeOf(document, 'api-verison-header')), 'the original error back after reverting');
  });

  it('drops the key-vault-refresh-failed warning at the use site once the vault is fixed and the secret refreshed, without reopening', async () => {
    const document = await openWorkspaceFile(ORDERS_API_POLICY);
    const useSite = rangeOf(document, 'legacy-partner-key');
    await waitForDiagnostics(document.uri, (list) => hasDiagnostic(list, 'key-vault-refresh-failed', useSite), 'key-vault-refresh-failed on {{legacy-partner-key}}');
    const warning = vscode.languages.getDiagnostics(document.uri).find((d) => diagnosticCode(d) === 'key-vault-refresh-failed');
    assert.equal(warning?.severity, vscode.DiagnosticSeverity.Warning);

    let closed = false;
    const watcher = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.toString() === document.uri.toString()) closed = true;
    });
    try {
      // The secret comes back in the vault (restored by the vault's owner, say).
      await emulator().setVault('contoso-kv', 'legacy-partner-key', { status: 'ok', value: RESTORED_SECRET });
      await vscode.commands.executeCommand('apimPolicy.refreshFailedKeyVaultSecrets');
      assert.ok(api.namedValues.lastRefreshReport?.refreshed.includes('legacy-partner-key'), JSON.stringify(api.namedValues.lastRefreshReport));
      await waitForDiagnostics(document.uri, (list) => !hasDiagnostic(list, 'key-vault-refresh-failed', useSite), 'the Key Vault warning gone at the use site');
      assert.equal(closed, false, 'the document stayed open');
    } finally {
      watcher.dispose();
      await resetInstance(api);
    }
    await waitForDiagnostics(document.uri, (list) => hasDiagnostic(list, 'key-vault-refresh-failed', useSite), 'the warning back after the emulator reset and reload');
  });

  it('clears unknown-named-value once the named value is created in the instance and the named values are refreshed', async () => {
    const document = await openWorkspaceFile(GET_ORDER_POLICY);
    const typo = rangeOf(document, 'api-verison-header');
    await waitForDiagnostics(document.uri, (list) => hasDiagnostic(list, 'unknown-named-value', typo), 'unknown-named-value for the typo');
    const instanceId = api.connection.metadata()?.instanceId;
    assert.ok(instanceId);
    try {
      // Someone creates the misspelt name in the instance (ARM PUT, as the portal would).
      await emulator().putNamedValue(
        { tenantId: requireEnv('AZURE_TENANT_ID'), clientId: requireEnv('AZURE_CLIENT_ID'), clientSecret: requireEnv('AZURE_CLIENT_SECRET') },
        instanceId,
        'api-verison-header',
        { displayName: 'api-verison-header', value: '2024-05-01' },
      );
      // Nothing reloads by itself (background refresh is off in the test settings)...
      assert.ok(hasDiagnostic(vscode.languages.getDiagnostics(document.uri), 'unknown-named-value', typo));
      // ...until the user runs Refresh Named Values.
      await vscode.commands.executeCommand('apimPolicy.refreshNamedValues');
      await waitForDiagnostics(document.uri, (list) => !hasDiagnostic(list, 'unknown-named-value', typo), 'unknown-named-value gone after Refresh Named Values');
      assert.ok(api.connection.metadata()?.namedValues.some((nv) => nv.displayName === 'api-verison-header'));
    } finally {
      await resetInstance(api);
    }
  });
});
