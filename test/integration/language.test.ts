// In the extension host: completion, hover and go-to-definition through VS Code's own command
// layer (`vscode.execute…Provider`), i.e. the language client and server as the editor uses them,
// against the demo instance served by the emulator.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  assertNoSecrets,
  completionLabel,
  connectedApi,
  definitionTarget,
  emulator,
  fixtureNamedValues,
  hoverText,
  markdownText,
  openWorkspaceFile,
  positionOf,
  resetInstance,
  scratchFile,
  until,
} from './support/host';

const ORDERS_API_POLICY = 'apimartifacts/apis/orders-api/policy.xml';

/** Completion items at `position`; the first `resolve` of them resolved (documentation filled in), as the editor does for the one in view. */
async function completions(document: vscode.TextDocument, position: vscode.Position, triggerCharacter?: string, resolve = 0): Promise<vscode.CompletionItem[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position, triggerCharacter, resolve);
  return list.items;
}

/** Completion right after a `<` typed in each section of a scratch policy. */
async function elementCompletionsBySection(): Promise<Map<string, Set<string>>> {
  const sections = ['inbound', 'backend', 'outbound', 'on-error'];
  const text = ['<policies>', ...sections.flatMap((s) => [`  <${s}>`, '    <base />', '    <', `  </${s}>`]), '</policies>', ''].join('\n');
  const document = await scratchFile('element-completion.policy.xml', text);
  const result = new Map<string, Set<string>>();
  for (const section of sections) {
    const sectionStart = document.offsetAt(positionOf(document, `<${section}>`));
    const lt = document.getText().indexOf('\n    <\n', sectionStart) + '\n    <'.length;
    // The language server answers once it has the document; poll until the list is non-empty.
    const labels = await until(async () => {
      const items = await completions(document, document.positionAt(lt), '<');
      return items.length > 0 ? new Set(items.map(completionLabel)) : undefined;
    }, `element completion in <${section}>`);
    result.set(section, labels);
  }
  return result;
}

describe('language features', () => {
  before(async function () {
    this.timeout(90_000);
    await resetInstance(await connectedApi());
  });

  describe('completion', () => {
    it('offers the policies of each section after <, and not those of other sections', async () => {
      const bySection = await elementCompletionsBySection();
      const labels = (section: string) => bySection.get(section) ?? new Set<string>();
      // Sections per policy from the policy reference (learn.microsoft.com/azure/api-management/api-management-policies):
      // validate-jwt and rate-limit-by-key are inbound only, forward-request backend only,
      // cache-store and jsonp outbound only; set-header is allowed everywhere.
      for (const section of ['inbound', 'backend', 'outbound', 'on-error']) assert.ok(labels(section).has('set-header'), `set-header in <${section}>: ${[...labels(section)].join(', ')}`);
      assert.ok(labels('inbound').has('validate-jwt') && labels('inbound').has('rate-limit-by-key'), [...labels('inbound')].join(', '));
      assert.ok(labels('backend').has('forward-request'), [...labels('backend')].join(', '));
      assert.ok(labels('outbound').has('cache-store') && labels('outbound').has('jsonp'), [...labels('outbound')].join(', '));
      for (const [policy, wrongSections] of Object.entries({ 'forward-request': ['inbound', 'outbound', 'on-error'], 'validate-jwt': ['backend', 'outbound', 'on-error'], 'cache-store': ['inbound', 'backend'], jsonp: ['inbound', 'backend', 'on-error'] })) {
        for (const section of wrongSections) assert.equal(labels(section).has(policy), false, `${policy} must not be offered in <${section}>`);
      }
    });

    it('lists the instance\'s named values by display name after {{, Key Vault ones with their status, without secret values', async () => {
      const document = await scratchFile('named-value-completion.policy.xml', '<policies>\n  <inbound>\n    <set-header name="x" exists-action="override">\n      <value>{{</value>\n    </set-header>\n  </inbound>\n</policies>\n');
      const position = positionOf(document, '{{');
      const items = await until(async () => {
        const found = await completions(document, position, '{', 100);
        return found.length > 0 ? found : undefined;
      }, 'named value completion after {{');
      const expected = fixtureNamedValues().map((nv) => nv.displayName).sort();
      assert.deepEqual(items.map(completionLabel).sort(), expected);

      const statuses = await emulator().keyVaultStatuses();
      for (const nv of fixtureNamedValues().filter((n) => n.kind === 'keyVault')) {
        const item = items.find((i) => completionLabel(i) === nv.displayName);
        assert.ok(item);
        const code = statuses.get(nv.displayName)?.lastStatus?.code;
        assert.ok(code, `the emulator has a status for ${nv.displayName}`);
        assert.ok(String(item.detail).includes(code), `detail of ${nv.displayName} names its status ${code}: ${item.detail}`);
      }
      for (const item of items) {
        const documentation = markdownText(item.documentation as vscode.MarkdownString);
        assert.ok(documentation.includes(`{{${completionLabel(item)}}}`), `resolving ${completionLabel(item)} gives its documentation: ${documentation}`);
        assertNoSecrets(`${item.detail ?? ''}\n${documentation}`, `completion item ${completionLabel(item)}`);
      }
    });
  });

  describe('hover', () => {
    it('describes a policy element', async () => {
      const document = await openWorkspaceFile(ORDERS_API_POLICY);
      const position = positionOf(document, '<set-backend-service', { at: 'start' }).translate(0, 3);
      const text = await until(async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
        return hovers.length > 0 ? hoverText(hovers) : undefined;
      }, 'hover on <set-backend-service>');
      assert.match(text, /set-backend-service/);
      assert.match(text, /learn\.microsoft\.com/, 'links the policy reference');
    });

    it('shows a Key Vault reference\'s kind and failing status, never its value', async () => {
      const document = await openWorkspaceFile(ORDERS_API_POLICY);
      const position = positionOf(document, '{{legacy-partner-key', { at: 'end' }).translate(0, -3);
      const text = await until(async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
        return hovers.length > 0 ? hoverText(hovers) : undefined;
      }, 'hover on {{legacy-partner-key}}');
      const status = (await emulator().keyVaultStatuses()).get('legacy-partner-key')?.lastStatus;
      assert.ok(status && status.code !== 'Success', 'the fixture keeps legacy-partner-key failing');
      assert.match(text, /Key Vault/);
      assert.ok(text.includes(status.code), `hover names the status ${status.code}:\n${text}`);
      assert.ok(text.includes('https://contoso-kv.vault.azure.net/secrets/legacy-partner-key'), 'hover shows the secret identifier');
      assertNoSecrets(text, 'hover of {{legacy-partner-key}}');
    });
  });

  describe('definition', () => {
    it('goes from {{name}} to the APIOps namedValueInformation.json in the workspace', async () => {
      const document = await openWorkspaceFile(ORDERS_API_POLICY);
      const position = positionOf(document, '{{api-version-header', { at: 'end' }).translate(0, -2);
      const results = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', document.uri, position);
      assert.equal(results.length, 1, JSON.stringify(results));
      const target = definitionTarget(results[0]);
      assert.equal(target.uri.scheme, 'file');
      assert.match(target.uri.path, /\/apimartifacts\/named values\/api-version-header\/namedValueInformation\.json$/);
    });

    it('opens the instance read-only JSON document without secret values for a named value that has no workspace file', async () => {
      const document = await openWorkspaceFile(ORDERS_API_POLICY);
      const position = positionOf(document, '{{payment-gateway-key', { at: 'end' }).translate(0, -2);
      const results = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', document.uri, position);
      assert.equal(results.length, 1, JSON.stringify(results));
      const target = definitionTarget(results[0]);
      assert.equal(target.uri.scheme, 'apim-instance');
      const definition = await vscode.workspace.openTextDocument(target.uri);
      const json = JSON.parse(definition.getText()) as { name: string; properties: { displayName: string; secret: boolean; value?: string; keyVault?: { secretIdentifier: string } } };
      const fixture = fixtureNamedValues().find((nv) => nv.displayName === 'payment-gateway-key');
      assert.ok(fixture);
      assert.equal(json.name, fixture.name);
      assert.equal(json.properties.displayName, 'payment-gateway-key');
      assert.equal(json.properties.secret, true);
      assert.equal(json.properties.keyVault?.secretIdentifier, fixture.secretIdentifier);
      assertNoSecrets(definition.getText(), 'read-only definition of payment-gateway-key');
    });
  });
});
