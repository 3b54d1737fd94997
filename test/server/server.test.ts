// The language server as other tools see it: `node dist/server.js --stdio`,
// driven over LSP with the instance-metadata notification.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, Location } from 'vscode-languageserver-protocol/node';
import { instanceDocumentUri, parseInstanceDocumentUri } from '../../protocol/instanceDocuments';
import { testInstance, TEST_INSTANCE_ID } from '../support/instanceFixture';
import { atCursor } from '../unit/support/cursor';
import { LspSession } from './support/lspSession';

const POLICY = `<policies>
  <inbound>
    <base />
    <set-backend-service backend-id="orders-backend" />
    <set-header name="Authorization" exists-action="override">
      <value>Bearer {{partner-token}}</value>
    </set-header>
    <include-fragment fragment-id="cors-defaults" />
  </inbound>
  <backend>
    <forward-request />
  </backend>
  <outbound>
    <base />
  </outbound>
</policies>
`;

const hoverText = (hover: { contents: unknown } | null): string => (hover?.contents as { value?: string } | undefined)?.value ?? '';
const messageOf = (d: { message: unknown } | undefined): string => (typeof d?.message === 'string' ? d.message : JSON.stringify(d?.message ?? ''));
const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);
const codes = (diagnostics: { code?: string | number }[]): Array<string | number | undefined> => diagnostics.map((d) => d.code);

describe('language server over stdio', function () {
  this.timeout(30_000);
  let session: LspSession;
  let uriCounter = 0;
  const nextUri = (): string => `file:///workspace/policy-${++uriCounter}.policy.xml`;

  beforeEach(async () => {
    session = await LspSession.start();
  });
  afterEach(async () => {
    await session.stop();
  });

  it('completes policies valid in the section after <', async () => {
    const uri = nextUri();
    const { text, offset } = atCursor('<policies>\n  <inbound>\n    <|\n  </inbound>\n</policies>');
    await session.open(uri, text);
    const list = await session.completion(uri, offset);
    const names = labels(list.items);
    assert.ok(names.includes('set-header'));
    assert.ok(names.includes('rate-limit'));
    assert.ok(!names.includes('forward-request'), 'forward-request belongs in backend only');
    const setHeader = list.items.find((i) => i.label === 'set-header');
    assert.equal(setHeader?.insertTextFormat, 2, 'snippets');
    assert.match(JSON.stringify(setHeader?.textEdit), /set-header name=/);
  });

  it('hovers an element with its description and docs link', async () => {
    const uri = nextUri();
    await session.open(uri, POLICY);
    const hover = await session.hover(uri, POLICY.indexOf('set-header') + 2);
    const value = hoverText(hover);
    assert.match(value, /<set-header>/);
    assert.match(value, /learn\.microsoft\.com/);
  });

  it('publishes diagnostics, updates them after incremental edits, and clears them when fixed', async () => {
    const uri = nextUri();
    await session.open(uri, POLICY);
    assert.deepEqual(await session.waitForDiagnostics(uri, () => true), []);
    // Break it: an unknown attribute value and a misplaced policy.
    const at = session.text(uri).indexOf('override');
    await session.edit(uri, at, at + 'override'.length, 'sometimes');
    const afterFirst = await session.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(codes(afterFirst), ['invalid-attribute-value']);
    const fw = session.text(uri).indexOf('    <base />\n  </outbound>');
    await session.edit(uri, fw, fw, '    <forward-request />\n');
    const afterSecond = await session.waitForDiagnostics(uri, (d) => d.length === 2);
    assert.deepEqual(codes(afterSecond).sort(), ['invalid-attribute-value', 'misplaced-policy']);
    // Fix both edits.
    const bad = session.text(uri).indexOf('sometimes');
    await session.edit(uri, bad, bad + 'sometimes'.length, 'override');
    const stray = session.text(uri).indexOf('    <forward-request />\n    <base />');
    await session.edit(uri, stray, stray + '    <forward-request />\n'.length, '');
    assert.deepEqual(await session.waitForDiagnostics(uri, (d) => d.length === 0), []);
    assert.equal(session.text(uri), POLICY);
  });

  it('answers null for a document that is not open', async () => {
    assert.equal(await session.hover('file:///nowhere.policy.xml', 0), null);
  });

  it('gives an outline and folding ranges', async () => {
    const uri = nextUri();
    await session.open(uri, POLICY);
    const symbols = await session.symbols(uri);
    assert.equal(symbols[0].name, 'policies');
    assert.deepEqual(symbols[0].children?.map((s) => s.name), ['inbound', 'backend', 'outbound']);
    assert.ok(symbols[0].children?.[0].children?.some((s) => s.name === 'set-header' && s.detail === 'name=Authorization'));
    const folding = await session.folding(uri);
    assert.ok(folding.some((r) => r.startLine === 0 && r.endLine === 14), JSON.stringify(folding));
  });

  describe('with instance metadata', () => {
    it('reports nothing about named values until an instance is connected, then checks them', async () => {
      const uri = nextUri();
      const text = POLICY.replace('Bearer {{partner-token}}', 'Bearer {{partner-token}} {{no-such-value}}');
      await session.open(uri, text);
      assert.deepEqual(await session.waitForDiagnostics(uri, () => true), []);
      await session.sendMetadata(testInstance());
      const diagnostics = await session.waitForDiagnostics(uri, (d) => d.length >= 2);
      const unknown = diagnostics.find((d) => d.code === 'unknown-named-value');
      assert.ok(unknown, JSON.stringify(diagnostics));
      assert.equal(unknown.severity, 1);
      const failing = diagnostics.find((d) => d.code === 'key-vault-refresh-failed');
      assert.ok(failing);
      assert.equal(failing.severity, 2);
      assert.match(messageOf(failing), /Forbidden/);
    });

    it('replaces metadata with the same instance id and re-checks open documents', async () => {
      const uri = nextUri();
      await session.open(uri, POLICY);
      await session.sendMetadata(testInstance());
      await session.waitForDiagnostics(uri, (d) => codes(d).includes('key-vault-refresh-failed'));
      const fixed = testInstance();
      const kv = fixed.namedValues.find((n) => n.displayName === 'partner-token');
      assert.ok(kv?.keyVault);
      kv.keyVault.lastStatus = { code: 'Success', timeStampUtc: '2026-11-22T10:00:00Z' };
      await session.sendMetadata(fixed);
      assert.deepEqual(await session.waitForDiagnostics(uri, (d) => d.length === 0), []);
      // A backend that does not exist in the instance.
      const gone = testInstance({ backends: [] });
      await session.sendMetadata(gone);
      const diagnostics = await session.waitForDiagnostics(uri, (d) => codes(d).includes('unknown-entity'));
      assert.match(messageOf(diagnostics.find((d) => d.code === 'unknown-entity')), /orders-backend/);
    });

    it('completes {{ with named values by display name and closes the braces', async () => {
      await session.sendMetadata(testInstance());
      const uri = nextUri();
      const { text, offset } = atCursor('<policies><inbound><set-header name="x"><value>{{|</value></set-header></inbound></policies>');
      await session.open(uri, text);
      const list = await session.completion(uri, offset);
      assert.deepEqual(labels(list.items).sort(), ['api-version', 'backend-url', 'client-secret', 'orders-key', 'partner-token']);
      const plain = list.items.find((i) => i.label === 'backend-url');
      assert.match(plain?.detail ?? '', /orders\.contoso\.example/);
      assert.equal((plain?.textEdit as { newText: string }).newText, 'backend-url}}');
      const secret = list.items.find((i) => i.label === 'client-secret');
      assert.doesNotMatch(JSON.stringify(secret), /value hidden.*[A-Za-z0-9]{20}/);
      const failing = list.items.find((i) => i.label === 'partner-token');
      assert.match(failing?.detail ?? '', /Forbidden/);
    });

    it('completes entity attribute values from the instance', async () => {
      await session.sendMetadata(testInstance());
      const uri = nextUri();
      const { text, offset } = atCursor('<policies><inbound><set-backend-service backend-id="|" /></inbound></policies>');
      await session.open(uri, text);
      const list = await session.completion(uri, offset);
      assert.deepEqual(labels(list.items).sort(), ['billing-backend', 'orders-backend']);
    });

    it('hovers a Key Vault reference with its status and never a secret value', async () => {
      await session.sendMetadata(testInstance());
      const uri = nextUri();
      await session.open(uri, POLICY);
      const hover = await session.hover(uri, POLICY.indexOf('partner-token') + 3);
      const value = hoverText(hover);
      assert.match(value, /Key Vault/);
      assert.match(value, /contoso-vault\.vault\.azure\.net\/secrets\/partner-token/);
      assert.match(value, /11111111-2222-3333-4444-555555555555/);
      assert.match(value, /Forbidden/);
      assert.match(value, /2026-11-21T09:30:00Z/);
    });

    it('goes to the instance\'s documents of a named value and a fragment when the workspace has none', async () => {
      await session.sendMetadata(testInstance());
      const uri = nextUri();
      await session.open(uri, POLICY);
      const location = (await session.definition(uri, POLICY.indexOf('partner-token') + 2)) as Location;
      const target = parseInstanceDocumentUri(location.uri);
      assert.deepEqual(target, { kind: 'named-value', instanceId: TEST_INSTANCE_ID, name: 'partner-token' });
      const fragment = (await session.definition(uri, POLICY.indexOf('cors-defaults') + 2)) as Location;
      assert.deepEqual(parseInstanceDocumentUri(fragment.uri), { kind: 'policy', instanceId: TEST_INSTANCE_ID, scope: { kind: 'fragment', fragment: 'cors-defaults' } });
    });
  });

  it('knows the instance of an instance document from its URI, with no folder mapping', async () => {
    const staging = testInstance({
      instanceId: TEST_INSTANCE_ID.replace('contoso-test', 'contoso-staging'),
      displayName: 'contoso-staging',
      namedValues: [{ name: 'staging-only', displayName: 'staging-only', kind: 'plain', value: 'x' }],
    });
    await session.sendMetadata(testInstance());
    await session.sendMetadata(staging);
    const text = '<policies><inbound><set-header name="{{staging-only}}" /></inbound></policies>';
    const onStaging = instanceDocumentUri({ kind: 'policy', instanceId: staging.instanceId, scope: { kind: 'api', api: 'orders-api;rev=2' } });
    const onProd = instanceDocumentUri({ kind: 'policy', instanceId: TEST_INSTANCE_ID, scope: { kind: 'api', api: 'orders-api' } });
    await session.open(onStaging, text);
    await session.open(onProd, text);
    assert.deepEqual(await session.waitForDiagnostics(onStaging, () => true), []);
    const prod = await session.waitForDiagnostics(onProd, (d) => d.length > 0);
    assert.deepEqual(codes(prod), ['unknown-named-value']);
    assert.match(messageOf(prod[0]), /contoso-test/);

    // A workspace has named values and fragments of its own that the metadata does not hold: nothing is
    // reported as unknown there, and its fragments are the workspace's.
    const inWorkspace = instanceDocumentUri({ kind: 'policy', instanceId: TEST_INSTANCE_ID, scope: { kind: 'api', workspace: 'team-orders', api: 'fulfilment-api' } });
    const workspaceText = '<policies><inbound><include-fragment fragment-id="shipment-audit" /><set-header name="{{owning-team}}" /></inbound></policies>';
    await session.open(inWorkspace, workspaceText);
    assert.deepEqual(await session.waitForDiagnostics(inWorkspace, () => true), []);
    const fragment = (await session.definition(inWorkspace, workspaceText.indexOf('shipment-audit') + 2)) as Location;
    assert.deepEqual(parseInstanceDocumentUri(fragment.uri), {
      kind: 'policy', instanceId: TEST_INSTANCE_ID, scope: { kind: 'fragment', workspace: 'team-orders', fragment: 'shipment-audit' },
    });
  });

  it('maps documents to instances by workspace folder when several are connected', async () => {
    const staging = testInstance({
      instanceId: `${TEST_INSTANCE_ID}-staging`,
      displayName: 'contoso-staging',
      namedValues: [{ name: 'staging-only', displayName: 'staging-only', kind: 'plain', value: 'x' }],
    });
    await session.sendMetadata(testInstance());
    await session.sendMetadata(staging);
    await session.sendFolders([
      { folderUri: 'file:///repo/prod', instanceId: TEST_INSTANCE_ID },
      { folderUri: 'file:///repo/staging', instanceId: staging.instanceId },
    ]);
    const text = '<policies><inbound><set-header name="{{staging-only}}" /></inbound></policies>';
    await session.open('file:///repo/staging/policy.xml', text);
    await session.open('file:///repo/prod/policy.xml', text);
    assert.deepEqual(await session.waitForDiagnostics('file:///repo/staging/policy.xml', () => true), []);
    const prod = await session.waitForDiagnostics('file:///repo/prod/policy.xml', (d) => d.length > 0);
    assert.deepEqual(codes(prod), ['unknown-named-value']);
    assert.match(messageOf(prod[0]), /contoso-test/);
    // Outside every mapped folder, with two instances known, nothing is assumed.
    await session.open('file:///elsewhere/policy.xml', text);
    assert.deepEqual(await session.waitForDiagnostics('file:///elsewhere/policy.xml', () => true), []);
  });

  describe('with an APIOps workspace', () => {
    let workspace: string;
    before(() => {
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-apiops-'));
      const nvDir = path.join(workspace, 'artifacts', 'named values', 'kv-partner-token');
      fs.mkdirSync(nvDir, { recursive: true });
      fs.writeFileSync(
        path.join(nvDir, 'namedValueInformation.json'),
        JSON.stringify({ properties: { displayName: 'partner-token', secret: true, keyVault: { secretIdentifier: 'https://contoso-vault.vault.azure.net/secrets/partner-token' } } }, null, 2),
      );
      const fragmentDir = path.join(workspace, 'artifacts', 'policy fragments', 'cors-defaults');
      fs.mkdirSync(fragmentDir, { recursive: true });
      fs.writeFileSync(path.join(fragmentDir, 'policy.xml'), '<fragment>\n  <cors><allowed-origins><origin>*</origin></allowed-origins></cors>\n</fragment>\n');
    });
    after(() => fs.rmSync(workspace, { recursive: true, force: true }));

    it('goes to namedValueInformation.json and the fragment policy file', async () => {
      await session.stop();
      session = await LspSession.start({ rootUri: pathToFileURL(workspace).toString() });
      const uri = pathToFileURL(path.join(workspace, 'artifacts', 'apis', 'orders', 'policy.xml')).toString();
      await session.open(uri, POLICY);
      const nv = (await session.definition(uri, POLICY.indexOf('partner-token') + 2)) as Location;
      assert.ok(nv.uri.endsWith('/kv-partner-token/namedValueInformation.json'), nv.uri);
      assert.equal(nv.range.start.line, 2, 'points at the displayName property');
      const fragment = (await session.definition(uri, POLICY.indexOf('cors-defaults') + 2)) as Location;
      assert.ok(fragment.uri.endsWith('/cors-defaults/policy.xml'), fragment.uri);
    });
  });
});
