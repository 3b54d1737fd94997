/**
 * Policies through the Azure access layer against the emulator: raw XML and
 * ETags at every scope (the API scope too, where the SDK drops the text),
 * "no policy" told apart from "no such scope", writes with If-Match (412,
 * 400 details, throttling, dropped connections), fragments (description kept,
 * long-running write awaited), and the listings the Policies view pages through.
 */
import * as assert from 'node:assert/strict';
import {
  AzureAccess, AzureAccessError, allOf, allWorkspaceNamedValues, deletePolicy, listApis, listFragments, listOperations, listPolicyScopeKeys, listProducts, listRevisions,
  listWorkspaceNamedValues, listWorkspaces, policyScopeKey, readPolicy, writePolicy, type PolicyScope,
} from '../../client/src/azure';
import type { RunningEmulator } from '../../emulator';
import { type EmulatorSetup, FAST_RETRY, guardRejections, plantedSecrets, leakedIn, startSetup } from './helpers';

const MINIMAL = '<policies>\n\t<inbound>\n\t\t<base />\n\t</inbound>\n\t<backend>\n\t\t<base />\n\t</backend>\n\t<outbound>\n\t\t<base />\n\t</outbound>\n\t<on-error>\n\t\t<base />\n\t</on-error>\n</policies>';

/** The emulator's stored text of a scope (the independent truth). */
function stored(emu: RunningEmulator, scope: PolicyScope): string | undefined {
  const service = emu.state.services[0];
  const container = scope.workspace === undefined ? service : service.workspaces.get(scope.workspace);
  if (!container) return undefined;
  if (scope.kind === 'fragment') return container.policyFragments.get(scope.fragment.toLowerCase())?.properties.value as string | undefined;
  const key = scope.kind === 'global' ? '' : scope.kind === 'api' ? `apis/${scope.api}` : scope.kind === 'operation' ? `apis/${scope.api}/operations/${scope.operation}` : `products/${scope.product}`;
  return container.policies.get(key.toLowerCase())?.value;
}

async function rejection(promise: Promise<unknown>): Promise<AzureAccessError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof AzureAccessError, `rejects with AzureAccessError, got ${String(e)}`);
    return e;
  }
  throw new Error('expected a rejection');
}

describe('azure/policies (emulator)', function () {
  this.timeout(60_000);
  let setup: EmulatorSetup;
  let access: AzureAccess;
  let instanceId: string;
  guardRejections();

  before(async () => {
    setup = await startSetup({ extraApis: 2000 });
    access = new AzureAccess(setup.credential, { ...setup.options, retry: FAST_RETRY });
    instanceId = setup.emu.instanceId;
  });
  after(async () => {
    await setup?.emu.stop();
  });
  afterEach(() => {
    setup.emu.setFaults({ throttleRate: 0, retryAfterSeconds: null, serverErrorRate: 0, dropRate: 0, malformedRate: 0 });
  });

  const scopes: PolicyScope[] = [
    { kind: 'global' },
    { kind: 'api', api: 'orders-api' },
    { kind: 'api', api: 'orders-api;rev=2' },
    { kind: 'operation', api: 'orders-api', operation: 'create-order' },
    { kind: 'product', product: 'starter' },
    { kind: 'fragment', fragment: 'correlation-id' },
    { kind: 'global', workspace: 'team-orders' },
    { kind: 'api', workspace: 'team-orders', api: 'fulfilment-api' },
    { kind: 'operation', workspace: 'team-orders', api: 'fulfilment-api', operation: 'create-shipment' },
    { kind: 'product', workspace: 'team-orders', product: 'fulfilment-partners' },
    { kind: 'fragment', workspace: 'team-orders', fragment: 'shipment-audit' },
  ];

  it('reads every scope as authored, with its ETag', async () => {
    for (const scope of scopes) {
      const read = await readPolicy(access.clients, instanceId, scope);
      assert.equal(read.kind, 'found', JSON.stringify(scope));
      if (read.kind !== 'found') continue;
      assert.equal(read.text, stored(setup.emu, scope), JSON.stringify(scope));
      assert.match(read.etag, /^"[A-Za-z0-9+/=]+"$/);
    }
    const fragment = await readPolicy(access.clients, instanceId, { kind: 'fragment', fragment: 'cors-default' });
    assert.equal(fragment.kind === 'found' && fragment.description, 'Standard CORS settings for browser clients of the Contoso portal.');
  });

  it('tells a scope without a policy from a scope that is not there', async () => {
    assert.deepEqual(await readPolicy(access.clients, instanceId, { kind: 'operation', api: 'orders-api', operation: 'list-orders' }), { kind: 'absent' });
    assert.deepEqual(await readPolicy(access.clients, instanceId, { kind: 'product', product: 'unlimited' }), { kind: 'absent' });
    assert.deepEqual(await readPolicy(access.clients, instanceId, { kind: 'api', api: 'no-such-api' }), { kind: 'scopeMissing', missing: 'API "no-such-api"' });
    assert.deepEqual(await readPolicy(access.clients, instanceId, { kind: 'operation', api: 'orders-api', operation: 'gone' }),
      { kind: 'scopeMissing', missing: 'operation "gone" of API "orders-api"' });
    assert.deepEqual(await readPolicy(access.clients, instanceId, { kind: 'api', workspace: 'nowhere', api: 'fulfilment-api' }), { kind: 'scopeMissing', missing: 'workspace "nowhere"' });
    assert.deepEqual(await readPolicy(access.clients, instanceId, { kind: 'fragment', fragment: 'nope' }), { kind: 'scopeMissing', missing: 'policy fragment "nope"' });
  });

  it('writes with If-Match and returns the new ETag; a stale ETag is a conflict and changes nothing', async () => {
    const scope: PolicyScope = { kind: 'api', api: 'payments-api' };
    const read = await readPolicy(access.clients, instanceId, scope);
    assert.ok(read.kind === 'found');
    const mine = read.text.replace('<base />', '<base />\n\t\t<set-header name="x-saved" exists-action="override">\n\t\t\t<value>1</value>\n\t\t</set-header>');
    const { etag } = await writePolicy(access.clients, instanceId, scope, mine, { ifMatch: read.etag });
    assert.notEqual(etag, read.etag);
    assert.equal(stored(setup.emu, scope), mine);

    const theirs = setup.emu.changePolicy('apis/payments-api');
    const conflict = await rejection(writePolicy(access.clients, instanceId, scope, MINIMAL, { ifMatch: etag }));
    assert.equal(conflict.kind, 'conflict');
    assert.equal(conflict.classification.status, 412);
    assert.match(conflict.message, /changed on the API Management instance "contoso-apim".*since it was read/);
    assert.equal(stored(setup.emu, scope), theirs, "the colleague's change stays");
  });

  it('creates a policy where the scope had none, and deletes it only with the current ETag', async () => {
    const scope: PolicyScope = { kind: 'operation', api: 'orders-api', operation: 'list-orders' };
    const { etag } = await writePolicy(access.clients, instanceId, scope, MINIMAL);
    assert.equal(stored(setup.emu, scope), MINIMAL);
    setup.emu.changePolicy('apis/orders-api/operations/list-orders');
    const stale = await rejection(deletePolicy(access.clients, instanceId, scope, etag));
    assert.equal(stale.kind, 'conflict');
    const current = await readPolicy(access.clients, instanceId, scope);
    assert.ok(current.kind === 'found');
    await deletePolicy(access.clients, instanceId, scope, current.etag);
    assert.equal(stored(setup.emu, scope), undefined);
  });

  it('rejects what APIM would not accept with its validation details, and stores nothing', async () => {
    const scope: PolicyScope = { kind: 'product', product: 'starter' };
    const before = stored(setup.emu, scope);
    const read = await readPolicy(access.clients, instanceId, scope);
    assert.ok(read.kind === 'found');
    const bad = read.text.replace('<base />', '<base />\n\t\t<set-header name="x">\n\t\t\t<value>{{no-such-value}}</value>\n\t\t</set-header>\n\t\t<include-fragment fragment-id="nope" />');
    const error = await rejection(writePolicy(access.clients, instanceId, scope, bad, { ifMatch: read.etag }));
    assert.equal(error.kind, 'invalidInput');
    assert.equal(error.classification.status, 400);
    assert.deepEqual(error.classification.details, [
      "Cannot find a property 'no-such-value'",
      "Error in element 'include-fragment' on line 7, column 4: Policy fragment 'nope' does not exist.",
    ]);
    assert.equal(stored(setup.emu, scope), before);
  });

  it('retries throttled writes, and says so when throttling outlasts the retries', async () => {
    const scope: PolicyScope = { kind: 'global', workspace: 'team-orders' };
    const read = await readPolicy(access.clients, instanceId, scope);
    assert.ok(read.kind === 'found');
    const start = setup.emu.requestLog.length;
    setup.emu.setFaults({ throttleRate: 1, retryAfterSeconds: 0 });
    const error = await rejection(writePolicy(access.clients, instanceId, scope, MINIMAL, { ifMatch: read.etag }));
    assert.equal(error.kind, 'throttled');
    const puts = setup.emu.requestLog.slice(start).filter((r) => r.method === 'PUT');
    assert.equal(puts.length, (FAST_RETRY.maxRetries ?? 0) + 1, 'the first try and every retry');
    assert.ok(puts.every((r) => r.status === 429));
    assert.equal(stored(setup.emu, scope), read.text);

    // Every other request throttled: the retries get the write through.
    setup.emu.setFaults({ throttleRate: 0.5, retryAfterSeconds: 0, seed: 7 });
    const { etag } = await writePolicy(access.clients, instanceId, scope, MINIMAL, { ifMatch: read.etag });
    assert.ok(etag);
    assert.equal(stored(setup.emu, scope), MINIMAL);
  });

  it('reports a dropped connection as a network failure', async () => {
    setup.emu.setFaults({ dropRate: 1 });
    const error = await rejection(writePolicy(access.clients, instanceId, { kind: 'global' }, MINIMAL, { ifMatch: '*' }));
    assert.equal(error.kind, 'network');
  });

  it('keeps a fragment\'s description on write and waits for the long-running write', async () => {
    const scope: PolicyScope = { kind: 'fragment', workspace: 'team-orders', fragment: 'shipment-audit' };
    const read = await readPolicy(access.clients, instanceId, scope);
    assert.ok(read.kind === 'found');
    const text = read.text.replace('</fragment>', '\t<set-header name="x-audited" exists-action="override">\n\t\t<value>yes</value>\n\t</set-header>\n</fragment>');
    const start = setup.emu.requestLog.length;
    const { etag } = await writePolicy(access.clients, instanceId, scope, text, { ifMatch: read.etag, description: read.description });
    const after = await readPolicy(access.clients, instanceId, scope);
    assert.ok(after.kind === 'found');
    assert.equal(after.text, text);
    assert.equal(after.etag, etag);
    assert.equal(after.description, read.description);
    assert.ok(setup.emu.requestLog.slice(start).some((r) => /\/tenant\/operationResults\//.test(r.path)), 'the operation was polled');
  });

  it('pages through 2,000 APIs, filters them on the service, and lists the rest of the tree', async () => {
    const start = setup.emu.requestLog.length;
    const pages = listApis(access.clients, instanceId, { pageSize: 100 });
    const first = await pages.next();
    assert.ok(first.more);
    assert.equal(first.items.length, 100);
    assert.deepEqual(first.items.slice(0, 3).map((a) => a.name), ['orders-api', 'payments-api', 'echo-api']);
    assert.equal(setup.emu.requestLog.slice(start).filter((r) => /\/apis\?/.test(r.path)).length, 1, 'one request per page');
    const rest = await allOf(pages);
    assert.equal(first.items.length + rest.length, 2003, 'current revisions only');
    assert.equal(setup.emu.requestLog.slice(start).filter((r) => /\/apis\?/.test(r.path)).length, 21, 'no request after the last page');

    const filtered = await allOf(listApis(access.clients, instanceId, { contains: "Bulk API 0199" }));
    assert.deepEqual(filtered.map((a) => a.name), Array.from({ length: 10 }, (_, i) => `bulk-api-0199${i}`));
    assert.deepEqual((await allOf(listApis(access.clients, instanceId, { contains: "it's" }))).length, 0, 'quotes are escaped');

    assert.deepEqual((await listRevisions(access.clients, instanceId, 'orders-api')).map((r) => [r.apiName, r.isCurrent]), [['orders-api', true], ['orders-api;rev=2', false]]);
    assert.deepEqual((await listOperations(access.clients, instanceId, 'orders-api')).map((o) => `${o.method} ${o.urlTemplate}`), ['GET /orders', 'GET /orders/{orderId}', 'POST /orders']);
    assert.deepEqual((await allOf(listProducts(access.clients, instanceId))).map((p) => p.displayName), ['Starter', 'Unlimited']);
    assert.deepEqual((await allOf(listFragments(access.clients, instanceId, { contains: 'cor' }))).map((f) => f.name), ['cors-default', 'correlation-id']);
    assert.deepEqual((await allOf(listWorkspaces(access.clients, instanceId))).map((w) => w.displayName), ['Orders team', 'Payments team']);
    assert.deepEqual((await allOf(listApis(access.clients, instanceId, { workspace: 'team-orders' }))).map((a) => a.name), ['fulfilment-api']);
    const wsValues = await allOf(listWorkspaceNamedValues(access.clients, instanceId, 'team-orders'));
    assert.deepEqual(wsValues.map((v) => `${v.displayName}:${v.kind}`), ['owning-team:plain', 'fulfilment-base-url:plain', 'fulfilment-key:secret']);
    assert.deepEqual(leakedIn(JSON.stringify(wsValues), plantedSecrets(setup.emu)), []);
    assert.deepEqual(await allWorkspaceNamedValues(access.clients, instanceId, 'team-orders'), wsValues, 'the whole listing through the shared pager');
  });

  it('knows which scopes have a policy from one listing', async () => {
    const keys = await listPolicyScopeKeys(access.clients, instanceId);
    for (const scope of scopes.filter((s) => s.kind !== 'fragment')) assert.ok(keys.has(policyScopeKey(scope)), policyScopeKey(scope));
    assert.ok(!keys.has(policyScopeKey({ kind: 'product', product: 'unlimited' })));
    assert.ok(keys.has('apis/bulk-api-00005') && !keys.has('apis/bulk-api-00004'));
    // Hundreds of bulk API policies span several pages of allPolicies: every page is read.
    const service = setup.emu.state.services[0];
    const stored = service.policies.size + [...service.workspaces.values()].reduce((n, w) => n + w.policies.size, 0);
    assert.ok(stored > 400, `${stored} policies`);
    assert.equal(keys.size, stored);
  });
});
