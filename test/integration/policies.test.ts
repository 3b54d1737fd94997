// In the extension host: policies on the instance. The Policies view lists the demo instance's scopes; an
// instance policy opens through the `apim-instance:` file system with every language feature (the instance
// known from the URI); editing and saving publishes it and the emulator holds the new text; what APIM
// rejects lands in the Problems panel at the right line and nothing is lost; local APIOps files compare,
// publish and pull; Delete Policy removes a scope's policy. The emulator is the independent truth.
// Saving asks first by default: the suite turns that off (apimPolicy.policies.confirmPublish) as a user would.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApimPolicyExtensionApi } from '../../client/src/api';
import { instanceDocumentUri, type InstanceDocument } from '../../protocol/instanceDocuments';
import {
  connectedApi, definitionTarget, diagnosticCode, emulator, hasDiagnostic, openWorkspaceFile, positionOf, rangeOf, requireEnv, resetInstance, until,
  waitForDiagnostics, workspaceUri,
} from './support/host';

const ORDERS_API_POLICY = 'apimartifacts/apis/orders-api/policy.xml';
const GET_ORDER_POLICY = 'apimartifacts/apis/orders-api/operations/get-order/policy.xml';

describe('policies on the instance', () => {
  let api: ApimPolicyExtensionApi;
  let instanceId: string;

  const credentials = () => ({ tenantId: requireEnv('AZURE_TENANT_ID'), clientId: requireEnv('AZURE_CLIENT_ID'), clientSecret: requireEnv('AZURE_CLIENT_SECRET') });
  const onInstance = (path: string) => emulator().policyText(credentials(), instanceId, path);
  const uriOf = (document: InstanceDocument) => vscode.Uri.parse(instanceDocumentUri(document));

  async function openInstance(document: InstanceDocument): Promise<vscode.TextDocument> {
    await vscode.commands.executeCommand('apimPolicy.openInstancePolicy', document);
    return until(() => {
      const editor = vscode.window.activeTextEditor;
      return editor?.document.uri.toString() === uriOf(document).toString() ? editor.document : undefined;
    }, `${instanceDocumentUri(document)} open in an editor`);
  }

  /** Types over the whole text in an editor (a WorkspaceEdit would be saved at once: files.refactoring.autoSave). */
  async function replaceAll(document: vscode.TextDocument, text: string): Promise<void> {
    const editor = await vscode.window.showTextDocument(document);
    assert.ok(await editor.edit((builder) => builder.replace(new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text)));
  }

  before(async function () {
    this.timeout(90_000);
    api = await connectedApi();
    await resetInstance(api);
    instanceId = api.connection.metadata()?.instanceId ?? '';
    assert.ok(instanceId);
    await vscode.workspace.getConfiguration().update('apimPolicy.policies.confirmPublish', false, vscode.ConfigurationTarget.Workspace);
  });
  after(async function () {
    this.timeout(90_000);
    for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration().update('apimPolicy.policies.confirmPublish', undefined, vscode.ConfigurationTarget.Workspace);
    await resetInstance(api);
  });

  it('lists the instance\'s scopes in the Policies view, icons saying which have a policy', async () => {
    const [root] = await api.policies.getChildren();
    assert.ok(root);
    assert.equal(api.policies.getTreeItem(root).label, 'contoso-apim');
    const sections = await api.policies.getChildren(root);
    assert.deepEqual(sections.map((n) => api.policies.getTreeItem(n).label), ['Global policy', 'APIs', 'Products', 'Policy Fragments', 'Workspaces']);
    const apis = await api.policies.getChildren(sections[1]);
    const orders = apis.find((n) => api.policies.getTreeItem(n).label === 'Orders API');
    assert.ok(orders);
    const item = api.policies.getTreeItem(orders);
    assert.equal(item.description, '/orders');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'file-code');
    assert.equal(item.command?.command, 'vscode.open');
    assert.equal((item.command?.arguments?.[0] as vscode.Uri).toString(), uriOf({ kind: 'policy', instanceId, scope: { kind: 'api', api: 'orders-api' } }).toString());
    const echo = apis.find((n) => api.policies.getTreeItem(n).label === 'Echo API');
    assert.ok(echo);
    assert.equal((api.policies.getTreeItem(echo).iconPath as vscode.ThemeIcon).id, 'file', 'no policy of its own');
  });

  it('opens an instance policy with the instance\'s text, and the language server knows the instance from the URI', async () => {
    const document = await openInstance({ kind: 'policy', instanceId, scope: { kind: 'api', api: 'payments-api' } });
    assert.equal(document.languageId, 'apim-policy');
    assert.equal(document.getText(), await onInstance('/apis/payments-api/policies/policy'));
    assert.ok(api.policies.baseEtag(document.uri), 'the ETag it was read with is kept');
    // The document is in no workspace folder: the instance comes from its URI.
    const edited = document.getText().replace('{{payment-gateway-key}}', '{{no-such-named-value}}');
    await replaceAll(document, edited);
    const typo = rangeOf(document, 'no-such-named-value');
    await waitForDiagnostics(document.uri, (list) => hasDiagnostic(list, 'unknown-named-value', typo), 'unknown-named-value in the instance document');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until(() => !document.isDirty, 'the edit reverted');
  });

  it('saves by publishing: the emulator holds the new text and the document is clean', async () => {
    const document = await openInstance({ kind: 'policy', instanceId, scope: { kind: 'product', product: 'starter' } });
    const before = api.policies.baseEtag(document.uri);
    const edited = document.getText().replace('renewal-period="60"', 'renewal-period="30"');
    assert.notEqual(edited, document.getText());
    await replaceAll(document, edited);
    assert.ok(await document.save(), 'the save succeeded');
    assert.equal(await onInstance('/products/starter/policies/policy'), edited);
    assert.equal(document.isDirty, false);
    assert.notEqual(api.policies.baseEtag(document.uri), before, 'the next save is based on the new ETag');
    assert.equal(api.policies.lastPublish?.outcome.kind, 'published');
  });

  it('keeps the text and shows what APIM rejected at the right line when a save is refused', async () => {
    const document = await openInstance({ kind: 'policy', instanceId, scope: { kind: 'global' } });
    const before = await onInstance('/policies/policy');
    await replaceAll(document, document.getText().replace('fragment-id="cors-default"', 'fragment-id="cors-missing"'));
    assert.equal(await document.save(), false, 'the save fails');
    assert.ok(document.isDirty, 'the text is kept');
    assert.equal(await onInstance('/policies/policy'), before, 'nothing was published');
    const problems = api.policies.problems.get(document.uri) ?? [];
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].range.start.line, positionOf(document, 'cors-missing').line);
    assert.match(problems[0].message, /Policy fragment 'cors-missing' does not exist/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until(() => !document.isDirty, 'reverted');
  });

  it('goes from an instance policy\'s fragment-id to the instance\'s fragment document', async () => {
    const document = await openInstance({ kind: 'policy', instanceId, scope: { kind: 'api', api: 'orders-api' } });
    const position = positionOf(document, 'fragment-id="correlation', { at: 'end' });
    const results = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', document.uri, position);
    assert.equal(results.length, 1, JSON.stringify(results));
    const target = definitionTarget(results[0]);
    assert.equal(target.uri.toString(), uriOf({ kind: 'policy', instanceId, scope: { kind: 'fragment', fragment: 'correlation-id' } }).toString());
    const fragment = await vscode.workspace.openTextDocument(target.uri);
    assert.match(fragment.getText(), /^<fragment>/);
  });

  it('reports nothing unknown in a workspace\'s policy, whose named values are the workspace\'s', async () => {
    const document = await openInstance({ kind: 'policy', instanceId, scope: { kind: 'api', workspace: 'team-orders', api: 'fulfilment-api' } });
    assert.match(document.getText(), /\{\{fulfilment-key\}\}/);
    const list = await waitForDiagnostics(document.uri, () => true, 'diagnostics published');
    assert.deepEqual(list.filter((d) => ['unknown-named-value', 'unknown-entity'].includes(diagnosticCode(d))), []);
  });

  it('compares a local APIOps file with the instance in a diff editor', async () => {
    const file = workspaceUri(GET_ORDER_POLICY);
    await vscode.commands.executeCommand('apimPolicy.compareWithInstance', file);
    const input = await until(() => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      return tab?.input instanceof vscode.TabInputTextDiff ? tab.input : undefined;
    }, 'a diff editor');
    assert.equal(input.modified.toString(), file.toString());
    assert.equal(input.original.scheme, 'apim-instance');
    const instanceSide = await vscode.workspace.openTextDocument(input.original);
    assert.equal(instanceSide.getText(), await onInstance('/apis/orders-api/operations/get-order/policies/policy'));
    assert.deepEqual(api.policies.lastOutcome, { command: 'compare', shown: true, instanceHasPolicy: true });
  });

  it('publishes a local APIOps file to its scope and pulls the instance\'s version as an undoable edit', async () => {
    const file = workspaceUri(ORDERS_API_POLICY);
    const local = await openWorkspaceFile(ORDERS_API_POLICY);
    const original = local.getText();
    try {
      await vscode.commands.executeCommand('apimPolicy.publishToInstance', file, { confirm: false });
      assert.equal(api.policies.lastOutcome?.command, 'publish');
      assert.equal(await onInstance('/apis/orders-api/policies/policy'), original);

      const theirs = await emulator().changePolicy('apis/orders-api');
      await vscode.commands.executeCommand('apimPolicy.pullFromInstance', file, { confirm: false });
      assert.deepEqual(api.policies.lastOutcome, { command: 'pull', pulled: true });
      assert.equal(local.getText(), theirs);
      await vscode.window.showTextDocument(local);
      await vscode.commands.executeCommand('undo');
      await until(() => local.getText() === original, 'Undo brings the local text back');
    } finally {
      await replaceAll(local, original);
      await local.save();
    }
  });

  it('says when a local file\'s scope does not exist on the instance', async () => {
    const missing = workspaceUri('apimartifacts/apis/retired-api/policy.xml');
    await vscode.workspace.fs.writeFile(missing, Buffer.from('<policies>\n\t<inbound>\n\t\t<base />\n\t</inbound>\n</policies>\n'));
    try {
      await vscode.commands.executeCommand('apimPolicy.publishToInstance', missing, { confirm: false });
      assert.deepEqual(api.policies.lastOutcome, { command: 'publish', scopeMissing: 'API "retired-api"' });
      assert.equal(await onInstance('/apis/retired-api/policies/policy'), undefined);
    } finally {
      await vscode.workspace.fs.delete(missing);
    }
  });

  it('deletes a scope\'s policy after the (skipped) confirmation, and the view follows', async () => {
    await vscode.commands.executeCommand('apimPolicy.deletePolicy', { kind: 'policy', instanceId, scope: { kind: 'operation', api: 'orders-api', operation: 'create-order' } }, { confirm: false });
    assert.deepEqual(api.policies.lastOutcome, { command: 'delete', deleted: true });
    assert.equal(await onInstance('/apis/orders-api/operations/create-order/policies/policy'), undefined);
    const [root] = await api.policies.getChildren();
    const apis = (await api.policies.getChildren(root))[1];
    const orders = (await api.policies.getChildren(apis)).find((n) => api.policies.getTreeItem(n).label === 'Orders API');
    assert.ok(orders);
    const create = (await api.policies.getChildren(orders)).find((n) => api.policies.getTreeItem(n).label === 'Create order');
    assert.ok(create);
    assert.equal(api.policies.getTreeItem(create).contextValue, 'policyScope.withoutPolicy');
  });
});
