// Policies on the emulator as a client meets them over the wire: every scope (service, API, revision, operation,
// product, fragment; and the same inside workspaces), ETags that change on every write, If-Match → 412, the
// 400 ValidationError details APIM sends for policies it cannot accept, allPolicies, and the control endpoint
// that changes a policy behind the client's back.
import * as assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { validatePolicyDocument } from '../../emulator/policyValidation';
import { armToken, rawRequest, type RawResponse } from './support';

const V = 'api-version=2024-05-01';

const MINIMAL = '<policies>\n\t<inbound>\n\t\t<base />\n\t</inbound>\n\t<backend>\n\t\t<base />\n\t</backend>\n\t<outbound>\n\t\t<base />\n\t</outbound>\n\t<on-error>\n\t\t<base />\n\t</on-error>\n</policies>';

interface ErrorBody { error: { code: string; message: string; details?: Array<{ code: string; target?: string; message: string }> } }

describe('emulator: policies at every scope', function () {
  this.timeout(30000);
  let emu: RunningEmulator;
  let token: string;

  before(async () => {
    emu = await startEmulator({ quiet: true });
    token = await armToken(emu);
  });
  after(async () => { await emu?.stop(); });

  const arm = (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<RawResponse> =>
    rawRequest(emu, method, `${emu.instanceId}${path}${path.includes('?') ? '&' : '?'}${V}`, { token, ...options });

  const put = (path: string, value: string, headers: Record<string, string> = {}) =>
    arm('PUT', path, { body: { properties: { format: 'rawxml', value } }, headers });

  it('reads each scope as rawxml with an ETag, and as escaped xml', async () => {
    const scopes = [
      '/policies/policy',
      '/apis/orders-api/policies/policy',
      '/apis/orders-api/operations/create-order/policies/policy',
      '/products/starter/policies/policy',
      '/workspaces/team-orders/policies/policy',
      '/workspaces/team-orders/apis/fulfilment-api/policies/policy',
      '/workspaces/team-orders/apis/fulfilment-api/operations/create-shipment/policies/policy',
      '/workspaces/team-orders/products/fulfilment-partners/policies/policy',
    ];
    for (const scope of scopes) {
      const res = await arm('GET', `${scope}?format=rawxml`);
      assert.equal(res.status, 200, scope);
      assert.match(String(res.headers.etag), /^"[A-Za-z0-9+/=]+"$/, scope);
      const body = res.json as { id: string; properties: { format: string; value: string } };
      assert.equal(body.properties.format, 'rawxml');
      assert.match(body.properties.value, /^<policies>/);
      assert.ok(body.id.endsWith(scope), `${body.id} ends with ${scope}`);
    }
    const xml = await arm('GET', '/apis/orders-api/operations/create-order/policies/policy?format=xml');
    assert.match((xml.json as { properties: { value: string } }).properties.value, /As&lt;JObject&gt;/);
    const type = (await arm('GET', '/workspaces/team-orders/apis/fulfilment-api/policies/policy')).json as { type: string };
    assert.equal(type.type, 'Microsoft.ApiManagement/service/workspaces/apis/policies');
  });

  it('changes the ETag on every write, even of the same text, and answers a stale If-Match with 412', async () => {
    const path = '/products/unlimited/policies/policy';
    assert.equal((await arm('GET', path)).status, 404, 'the fixture leaves this product without a policy');
    const created = await put(path, MINIMAL);
    assert.equal(created.status, 201);
    const first = String(created.headers.etag);
    const again = await put(path, MINIMAL, { 'If-Match': first });
    assert.equal(again.status, 200);
    const second = String(again.headers.etag);
    assert.notEqual(second, first, 'a write of the same text still changes the ETag');
    assert.equal(String((await arm('GET', path)).headers.etag), second);

    const stale = await put(path, MINIMAL.replace('<base />', '<base /><!-- mine -->'), { 'If-Match': first });
    assert.equal(stale.status, 412);
    assert.equal((stale.json as ErrorBody).error.code, 'PreconditionFailed');
    assert.doesNotMatch((await arm('GET', `${path}?format=rawxml`)).text, /mine/, 'the rejected write changed nothing');
    assert.equal((await put(path, MINIMAL, { 'If-Match': '*' })).status, 200, 'If-Match: * always matches');

    const staleDelete = await arm('DELETE', path, { headers: { 'If-Match': first } });
    assert.equal(staleDelete.status, 412);
    const current = String((await arm('GET', path)).headers.etag);
    assert.equal((await arm('DELETE', path, { headers: { 'If-Match': current } })).status, 200);
    assert.equal((await arm('GET', path)).status, 404);
  });

  it('stores xml-format input as raw text', async () => {
    const path = '/apis/echo-api/policies/policy';
    const escaped = MINIMAL.replace('<base />\n\t</inbound>', '<base />\n\t\t<set-variable name="big" value="@(context.Request.Body.As&lt;string&gt;().Length &gt; 10)" />\n\t</inbound>');
    const res = await arm('PUT', path, { body: { properties: { format: 'xml', value: escaped } } });
    assert.equal(res.status, 201);
    const raw = (await arm('GET', `${path}?format=rawxml`)).json as { properties: { value: string } };
    assert.match(raw.properties.value, /As<string>\(\)\.Length > 10/);
  });

  it('rejects malformed XML with a ValidationError naming the line and position', async () => {
    const before = (await arm('GET', '/apis/orders-api/policies/policy?format=rawxml')).text;
    const broken = MINIMAL.replace('\t</inbound>', '\t\t<set-header name="x">\n\t</inbound>');
    const res = await put('/apis/orders-api/policies/policy', broken, { 'If-Match': '*' });
    assert.equal(res.status, 400);
    const error = (res.json as ErrorBody).error;
    assert.equal(error.code, 'ValidationError');
    assert.equal(error.message, 'One or more fields contain incorrect values:');
    assert.equal(error.details?.length, 1);
    assert.equal(error.details?.[0].target, 'representation');
    assert.equal(error.details?.[0].message, "The 'set-header' start tag on line 4 position 4 does not match the end tag of 'inbound'. Line 5, position 4.");
    assert.equal((await arm('GET', '/apis/orders-api/policies/policy?format=rawxml')).text, before, 'nothing was stored');
  });

  it('rejects unknown named values and fragments, resolving them in the scope\'s workspace and the service', async () => {
    const doc = MINIMAL.replace('<base />\n\t</inbound>', '<base />\n\t\t<include-fragment fragment-id="no-such-fragment" />\n\t\t<set-header name="a">\n\t\t\t<value>{{no-such-value}}</value>\n\t\t</set-header>\n\t</inbound>');
    const res = await put('/policies/policy', doc, { 'If-Match': '*' });
    assert.equal(res.status, 400);
    assert.deepEqual((res.json as ErrorBody).error.details?.map((d) => d.message), [
      "Cannot find a property 'no-such-value'",
      "Error in element 'include-fragment' on line 4, column 4: Policy fragment 'no-such-fragment' does not exist.",
    ]);
    const workspaceDoc = MINIMAL.replace('<base />\n\t</inbound>', '<base />\n\t\t<include-fragment fragment-id="shipment-audit" />\n\t\t<set-header name="a">\n\t\t\t<value>{{owning-team}}</value>\n\t\t</set-header>\n\t</inbound>');
    assert.equal((await put('/workspaces/team-orders/apis/fulfilment-api/policies/policy', workspaceDoc, { 'If-Match': '*' })).status, 200);
    const elsewhere = await put('/workspaces/team-payments/policies/policy', workspaceDoc);
    assert.equal(elsewhere.status, 400, "another workspace's named values and fragments do not resolve");
    assert.equal((elsewhere.json as ErrorBody).error.details?.length, 2);
  });

  it('serves workspaces with their own APIs, operations, products, fragments and named values', async () => {
    const apis = (await arm('GET', '/workspaces/team-orders/apis')).json as { value: Array<{ name: string; type: string }> };
    assert.deepEqual(apis.value.map((a) => a.name), ['fulfilment-api']);
    assert.equal(apis.value[0].type, 'Microsoft.ApiManagement/service/workspaces/apis');
    const ops = (await arm('GET', '/workspaces/team-orders/apis/fulfilment-api/operations')).json as { value: Array<{ name: string }> };
    assert.deepEqual(ops.value.map((o) => o.name), ['list-shipments', 'create-shipment']);
    const products = (await arm('GET', '/workspaces/team-orders/products')).json as { value: Array<{ name: string }> };
    assert.deepEqual(products.value.map((p) => p.name), ['fulfilment-partners']);
    const fragment = (await arm('GET', '/workspaces/team-orders/policyFragments/shipment-audit?format=rawxml')).json as { properties: { value: string } };
    assert.match(fragment.properties.value, /^<fragment>/);
    const named = await arm('GET', '/workspaces/team-orders/namedValues');
    assert.deepEqual((named.json as { value: Array<{ name: string }> }).value.map((n) => n.name), ['owning-team', 'fulfilment-base-url', 'fulfilment-key']);
    assert.doesNotMatch(named.text, /SECRET-DO-NOT-LEAK/, 'secret values stay hidden in workspaces too');
    assert.equal((await arm('GET', '/workspaces/no-such/apis')).status, 404);
  });

  it('lists only current revisions, the revisions of an API under …/revisions, and resolves {api};rev={n}', async () => {
    const apis = (await arm('GET', '/apis')).json as { value: Array<{ name: string }> };
    assert.deepEqual(apis.value.map((a) => a.name), ['orders-api', 'payments-api', 'echo-api']);
    const revisions = (await arm('GET', '/apis/orders-api/revisions')).json as { value: Array<{ apiId: string; apiRevision: string; isCurrent: boolean }> };
    assert.deepEqual(revisions.value.map((r) => [r.apiId.split('/').pop(), r.apiRevision, r.isCurrent]), [['orders-api;rev=1', '1', true], ['orders-api;rev=2', '2', false]]);
    const rev2 = (await arm('GET', '/apis/orders-api;rev=2/policies/policy?format=rawxml')).json as { properties: { value: string } };
    assert.match(rev2.properties.value, /pageSize/);
    const rev1 = (await arm('GET', '/apis/orders-api;rev=1/policies/policy?format=rawxml')).json as { properties: { value: string } };
    assert.match(rev1.properties.value, /api-version-header/, 'the current revision answers under its ;rev= name too');
  });

  it('lists every policy of the service and its workspaces in allPolicies', async () => {
    const res = (await arm('GET', '/allPolicies')).json as { value: Array<{ properties: { referencePolicyId: string } }> };
    const refs = res.value.map((p) => p.properties.referencePolicyId.slice(emu.instanceId.length));
    assert.ok(refs.includes('/policies/policy'));
    assert.ok(refs.includes('/apis/orders-api;rev=2/policies/policy'));
    assert.ok(refs.includes('/apis/orders-api/operations/create-order/policies/policy'));
    assert.ok(refs.includes('/workspaces/team-orders/apis/fulfilment-api/operations/create-shipment/policies/policy'));
    assert.ok(!refs.includes('/apis/orders-api/operations/list-orders/policies/policy'));
  });

  it('changes a policy behind the client\'s back through the control endpoint', async () => {
    const path = '/workspaces/team-orders/apis/fulfilment-api/policies/policy';
    const before = await arm('GET', path);
    const res = await rawRequest(emu, 'POST', '/_emulator/policies', { body: { scope: 'workspaces/team-orders/apis/fulfilment-api' } });
    assert.equal(res.status, 200);
    const after = await arm('GET', `${path}?format=rawxml`);
    assert.notEqual(String(after.headers.etag), String(before.headers.etag));
    assert.match((after.json as { properties: { value: string } }).properties.value, /<!-- Changed on the instance at .*-->\n<\/policies>$/);
    assert.equal((await put(path, MINIMAL, { 'If-Match': String(before.headers.etag) })).status, 412);

    const replaced = await rawRequest(emu, 'POST', '/_emulator/policies', { body: { scope: 'policyFragments/cors-default', value: '<fragment>\n\t<base />\n</fragment>' } });
    assert.equal(replaced.status, 200);
    assert.equal(emu.changePolicy('', MINIMAL), MINIMAL);
    assert.equal((await rawRequest(emu, 'POST', '/_emulator/policies', { body: { scope: 'backends/x' } })).status, 400);
  });
});

describe('emulator: policy validation', () => {
  const none = { hasNamedValue: () => false, hasFragment: () => false };
  const all = { hasNamedValue: () => true, hasFragment: () => true };

  it('skips policy expressions, so rawxml with < > & and quotes inside them is well-formed', () => {
    const doc = '<policies><inbound><set-variable name="v" value="@(context.Request.Headers.GetValueOrDefault("a","") != "")" />'
      + '<set-body>@{ return x < 1 && y > 2 ? "a" : "b"; }</set-body><!-- a < b & c --></inbound></policies>';
    assert.deepEqual(validatePolicyDocument(doc, 'policies', all), []);
  });

  it('reports the first well-formedness error as .NET does, with line and position', () => {
    assert.deepEqual(validatePolicyDocument('<policies>\n  <inbound>\n    a & b\n  </inbound>\n</policies>', 'policies', all),
      ['An error occurred while parsing EntityName. Line 3, position 8.']);
    assert.deepEqual(validatePolicyDocument('<policies>\n  <inbound>\n', 'policies', all),
      ['Unexpected end of file has occurred. The following elements are not closed: inbound, policies. Line 3, position 1.']);
    assert.deepEqual(validatePolicyDocument('<policies><inbound a=b /></policies>', 'policies', all),
      ["'b' is an unexpected token. The expected token is '\"' or '''. Line 1, position 22."]);
    assert.deepEqual(validatePolicyDocument('<policies />\n<policies />', 'policies', all), ['There are multiple root elements. Line 2, position 2.']);
  });

  it('requires the root element of the kind of document', () => {
    assert.deepEqual(validatePolicyDocument('<fragment />', 'policies', all), ["The root element must be 'policies', not 'fragment'."]);
    assert.deepEqual(validatePolicyDocument('<!-- c -->\n<fragment><base /></fragment>', 'fragment', all), []);
  });

  it('reports each unknown named value once and leaves Liquid templates alone', () => {
    const doc = '<policies><inbound><set-header name="a"><value>{{x}}{{x}}</value></set-header>'
      + '<set-body template="liquid">{{body.name}}</set-body></inbound></policies>';
    assert.deepEqual(validatePolicyDocument(doc, 'policies', none), ["Cannot find a property 'x'"]);
  });
});
