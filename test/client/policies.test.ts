/**
 * The client's policy decisions in plain Node, against the emulator: the
 * publish flow (ETag, conflict choices, our own lost answer, 400 located in
 * the text, throttling, a scope deleted meanwhile), the Policies tree (paging
 * through 2,000 APIs, filtering on the service, revisions, workspaces,
 * icons from one allPolicies listing), and the APIOps path → scope rules.
 */
import * as assert from 'node:assert/strict';
import { AzureAccess, readPolicy, type PolicyScope } from '../../client/src/azure';
import { createAccessFromSettings } from '../../client/src/connection/accessFactory';
import { apiOpsScope } from '../../client/src/policies/apiops';
import { inheritingPolicy } from '../../client/src/policies/inheritingPolicy';
import { locateProblems } from '../../client/src/policies/problems';
import { type ConflictChoice, publishPolicy, type PublishPrompts, type PublishRequest, type TheirVersion } from '../../client/src/policies/publish';
import { FolderNode, InstanceBrowser, type PolicyTreeNode, POLICY_CONTEXT, ScopeNode, WorkspaceNode } from '../../client/src/policies/treeModel';
import { readConnectionSettings } from '../../client/src/settings';
import type { RunningEmulator } from '../../emulator';
import { emulatorSettings, FAST_RETRY, startQuietEmulator } from './support';

const MINIMAL = inheritingPolicy({ kind: 'api', api: 'any' });

/** Prompts that answer as told and record what they were asked. */
class ScriptedPrompts implements PublishPrompts {
  readonly asked: Array<{ question: 'confirm' | 'conflict'; theirs?: TheirVersion }> = [];
  constructor(private readonly answers: { confirm?: boolean; conflict?: ConflictChoice[] } = {}) {}

  confirmPublish(): Promise<boolean> {
    this.asked.push({ question: 'confirm' });
    return Promise.resolve(this.answers.confirm ?? true);
  }

  resolveConflict(_request: PublishRequest, theirs: TheirVersion): Promise<ConflictChoice> {
    this.asked.push({ question: 'conflict', theirs });
    return Promise.resolve(this.answers.conflict?.shift() ?? 'keep');
  }
}

describe('client/policies (emulator)', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let access: AzureAccess;

  before(async () => {
    emu = await startQuietEmulator({ extraApis: 2000 });
    const values = emulatorSettings(emu);
    const { settings } = readConnectionSettings((key) => values[key]);
    access = (await createAccessFromSettings(settings, { servicePrincipalSecret: emu.clientSecret, retry: FAST_RETRY })).access;
  });
  after(async () => {
    await emu?.stop();
  });
  afterEach(() => {
    emu.setFaults({ throttleRate: 0, retryAfterSeconds: null, dropRate: 0 });
  });

  const storedPolicy = (key: string) => emu.state.services[0].policies.get(key)?.value;

  async function request(scope: PolicyScope, edit: (text: string) => string, extra: Partial<PublishRequest> = {}): Promise<PublishRequest> {
    const read = await readPolicy(access.clients, emu.instanceId, scope);
    assert.ok(read.kind === 'found');
    return { instanceId: emu.instanceId, serviceName: 'contoso-apim', scope, text: edit(read.text), baseEtag: read.etag, confirm: false, ...extra };
  }

  describe('publishing', () => {
    it('asks first when the setting says so, and publishes nothing on "no"', async () => {
      const req: PublishRequest = { instanceId: emu.instanceId, serviceName: 'contoso-apim', scope: { kind: 'api', api: 'echo-api' }, text: MINIMAL, baseEtag: undefined, confirm: true };
      const prompts = new ScriptedPrompts({ confirm: false });
      assert.deepEqual(await publishPolicy(access.clients, req, prompts), { kind: 'cancelled' });
      assert.deepEqual(prompts.asked.map((a) => a.question), ['confirm']);
      assert.equal(storedPolicy('apis/echo-api'), undefined);
    });

    it('publishes with the ETag it read', async () => {
      const req = await request({ kind: 'product', product: 'starter' }, (t) => t.replace('renewal-period="60"', 'renewal-period="90"'));
      const outcome = await publishPolicy(access.clients, req, new ScriptedPrompts());
      assert.equal(outcome.kind, 'published');
      assert.equal(storedPolicy('products/starter'), req.text);
    });

    it('on a conflict shows theirs and keeps or merges without publishing, or overwrites with their ETag', async () => {
      const scope: PolicyScope = { kind: 'api', api: 'payments-api' };
      const mine = await request(scope, (t) => t.replace('count="3"', 'count="5"'));
      const theirs = emu.changePolicy('apis/payments-api');

      const keep = new ScriptedPrompts({ conflict: ['keep'] });
      const kept = await publishPolicy(access.clients, mine, keep);
      assert.equal(kept.kind, 'conflict');
      assert.equal(keep.asked[0].theirs?.text, theirs, "the prompt sees the instance's text");
      assert.equal(storedPolicy('apis/payments-api'), theirs);

      const merged = await publishPolicy(access.clients, mine, new ScriptedPrompts({ conflict: ['merge'] }));
      assert.ok(merged.kind === 'conflict' && merged.choice === 'merge');
      assert.equal(storedPolicy('apis/payments-api'), theirs);
      // After merging, the next save is based on their ETag and goes through.
      const again = await publishPolicy(access.clients, { ...mine, text: `${mine.text}\n<!-- merged -->`, baseEtag: merged.theirs.etag }, new ScriptedPrompts());
      assert.equal(again.kind, 'published');

      emu.changePolicy('apis/payments-api');
      const overwrite = await publishPolicy(access.clients, { ...mine, baseEtag: again.kind === 'published' ? again.etag : undefined }, new ScriptedPrompts({ conflict: ['overwrite'] }));
      assert.ok(overwrite.kind === 'published' && overwrite.overwrote);
      assert.equal(storedPolicy('apis/payments-api'), mine.text);
    });

    it('takes a conflict with its own text as published (an earlier attempt got through)', async () => {
      const scope: PolicyScope = { kind: 'operation', api: 'orders-api', operation: 'get-order' };
      const req = await request(scope, (t) => t.replace('duration="60"', 'duration="120"'));
      emu.changePolicy('apis/orders-api/operations/get-order', req.text);
      const prompts = new ScriptedPrompts();
      const outcome = await publishPolicy(access.clients, req, prompts);
      assert.equal(outcome.kind, 'published');
      assert.deepEqual(prompts.asked, [], 'nothing to ask');
    });

    it('locates what APIM rejects in the text', async () => {
      const req = await request({ kind: 'global' }, (t) => t.replace('<include-fragment fragment-id="cors-default" />', '<include-fragment fragment-id="cors-defaults" />\n\t\t<set-header name="x">\n\t\t\t<value>{{no-such-value}}</value>\n\t\t</set-header>'));
      const outcome = await publishPolicy(access.clients, req, new ScriptedPrompts());
      assert.ok(outcome.kind === 'rejected');
      const lines = req.text.split('\n');
      const at = outcome.problems.map((p) => `${p.line}:${lines[p.line].slice(p.character, p.character + p.length)}`);
      assert.deepEqual(at, [`${lines.findIndex((l) => l.includes('no-such-value'))}:{{no-such-value}}`, `${lines.findIndex((l) => l.includes('cors-defaults'))}:include-fragment`]);
    });

    it('fails with the reason after the retries when throttled, publishing nothing', async () => {
      const req = await request({ kind: 'global', workspace: 'team-orders' }, () => MINIMAL);
      emu.setFaults({ throttleRate: 1, retryAfterSeconds: 0 });
      const outcome = await publishPolicy(access.clients, req, new ScriptedPrompts());
      assert.ok(outcome.kind === 'failed' && outcome.error.kind === 'throttled');
      assert.notEqual(emu.state.services[0].workspaces.get('team-orders')?.policies.get('')?.value, MINIMAL);
    });

    it('says which scope vanished when it was deleted meanwhile', async () => {
      const scope: PolicyScope = { kind: 'operation', api: 'orders-api', operation: 'create-order' };
      const req = await request(scope, (t) => `${t}\n`);
      const operations = emu.state.services[0].apis.get('orders-api')?.operations;
      const operation = operations?.get('create-order');
      assert.ok(operations && operation);
      operations.delete('create-order');
      try {
        const outcome = await publishPolicy(access.clients, req, new ScriptedPrompts());
        assert.deepEqual(outcome, { kind: 'scopeMissing', missing: 'operation "create-order" of API "orders-api"' });
      } finally {
        operations.set('create-order', operation);
      }
    });
  });

  describe('the Policies tree', () => {
    const changed: Array<PolicyTreeNode | undefined> = [];
    const browser = (filter?: string) => new InstanceBrowser({
      instanceId: emu.instanceId, serviceName: 'contoso-apim', description: 'Contoso Production / rg-contoso-apis',
      clients: () => Promise.resolve(access.clients), filter, pageSize: 100,
      changed: (node) => changed.push(node), commands: { loadMore: 'loadMore', retry: 'retry' },
    });
    const labels = (nodes: PolicyTreeNode[]) => nodes.map((n) => n.getTreeItem().label);
    const child = async (node: PolicyTreeNode, label: string) => {
      const found = (await node.getChildren()).find((n) => n.getTreeItem().label === label);
      assert.ok(found, `${label} under ${node.getTreeItem().label}: ${labels(await node.getChildren()).join(', ')}`);
      return found;
    };

    it('shows the global policy and the kinds of scope, and pages through 2,000 APIs on demand', async () => {
      const root = browser();
      assert.deepEqual(labels(await root.getChildren()), ['Global policy', 'APIs', 'Products', 'Policy Fragments', 'Workspaces']);
      const apis = await child(root, 'APIs') as FolderNode;
      const start = emu.requestLog.length;
      const first = await apis.getChildren();
      assert.equal(first.length, 101, '100 APIs and "Load more…"');
      assert.equal(first[100].getTreeItem().contextValue, POLICY_CONTEXT.loadMore);
      assert.equal(emu.requestLog.slice(start).filter((r) => /\/apis\?/.test(r.path)).length, 1, 'one page read');
      while (!apis.complete) await apis.loadMore();
      const all = await apis.getChildren();
      assert.equal(all.length, 2003);
      assert.equal(apis.getTreeItem().description, '2003');
      assert.ok(changed.includes(apis), 'each page announces itself');
    });

    it('marks scopes with a policy from one listing, and shows API paths and operations with method and URL', async () => {
      const root = browser();
      const orders = await child(await child(root, 'APIs'), 'Orders API') as ScopeNode;
      const item = orders.getTreeItem();
      assert.equal(item.description, '/orders');
      assert.equal(item.contextValue, POLICY_CONTEXT.withPolicy);
      assert.equal(item.icon.id, 'file-code');
      assert.deepEqual(item.opens, { kind: 'policy', instanceId: emu.instanceId, scope: { kind: 'api', api: 'orders-api' } });
      const below = await orders.getChildren();
      assert.deepEqual(below.map((n) => `${n.getTreeItem().label} | ${n.getTreeItem().description ?? ''}`), [
        'List orders | GET /orders', 'Get order | GET /orders/{orderId}', 'Create order | POST /orders', 'Revision 2 | not current · Pagination for List orders',
      ]);
      assert.equal(below[0].getTreeItem().contextValue, POLICY_CONTEXT.withoutPolicy);
      assert.equal(below[0].getTreeItem().icon.id, 'file');
      assert.equal(below[2].getTreeItem().contextValue, POLICY_CONTEXT.withPolicy);
      const revision = below[3] as ScopeNode;
      assert.deepEqual(revision.scope, { kind: 'api', api: 'orders-api;rev=2' });
      assert.equal(revision.getTreeItem().contextValue, POLICY_CONTEXT.withPolicy);
      assert.equal((await revision.getChildren()).length, 3, "the revision's own operations");
      const unlimited = await child(await child(root, 'Products'), 'Unlimited');
      assert.equal(unlimited.getTreeItem().contextValue, POLICY_CONTEXT.withoutPolicy);

      root.notePolicy({ kind: 'product', product: 'unlimited' }, true);
      assert.equal(unlimited.getTreeItem().contextValue, POLICY_CONTEXT.withPolicy, 'the icon follows a publish');
    });

    it('filters APIs, products and fragments on the service', async () => {
      const root = browser('Bulk API 0042');
      const apis = await child(root, 'APIs');
      assert.deepEqual(labels(await apis.getChildren()), Array.from({ length: 10 }, (_, i) => `Bulk API 0042${i}`));
      assert.match(apis.getTreeItem().description ?? '', /filter: "Bulk API 0042"/);
      assert.deepEqual(labels(await (await child(root, 'Products')).getChildren()), ['Nothing matches "Bulk API 0042"']);
    });

    it('lists workspaces with their own policy, APIs, products, fragments and named values', async () => {
      const root = browser();
      const workspace = await child(await child(root, 'Workspaces'), 'Orders team') as WorkspaceNode;
      assert.equal(workspace.getTreeItem().description, 'team-orders');
      assert.deepEqual(labels(await workspace.getChildren()), ['Workspace policy', 'APIs', 'Products', 'Policy Fragments', 'Named Values']);
      const policy = await child(workspace, 'Workspace policy');
      assert.deepEqual(policy.getTreeItem().opens, { kind: 'policy', instanceId: emu.instanceId, scope: { kind: 'global', workspace: 'team-orders' } });
      const api = await child(await child(workspace, 'APIs'), 'Fulfilment API');
      assert.deepEqual(labels(await api.getChildren()), ['List shipments', 'Create shipment']);
      assert.equal((await child(api, 'Create shipment')).getTreeItem().contextValue, POLICY_CONTEXT.withPolicy);
      const fragment = await child(await child(workspace, 'Policy Fragments'), 'shipment-audit');
      assert.deepEqual(fragment.getTreeItem().opens, { kind: 'policy', instanceId: emu.instanceId, scope: { kind: 'fragment', workspace: 'team-orders', fragment: 'shipment-audit' } });
      const values = await (await child(workspace, 'Named Values')).getChildren();
      assert.deepEqual(values.map((v) => `${v.getTreeItem().label}=${v.getTreeItem().description ?? ''}`), ['owning-team=orders', 'fulfilment-base-url=https://fulfilment.contoso.example/v1', 'fulfilment-key=secret']);
    });

    it('shows a failure as a row that retries', async () => {
      const root = browser();
      const products = await child(root, 'Products');
      emu.setFaults({ dropRate: 1 });
      const rows = await products.getChildren();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].getTreeItem().contextValue, POLICY_CONTEXT.message);
      assert.equal(rows[0].getTreeItem().command?.command, 'retry');
      assert.equal(rows[0].getTreeItem().command?.arguments?.[0], products);
      emu.setFaults({ dropRate: 0 });
      products.reset?.();
      assert.deepEqual(labels(await products.getChildren()), ['Starter', 'Unlimited']);
    });
  });
});

describe('client/policies: where things are', () => {
  const scopeOf = (path: string, roots: string[] = []) => apiOpsScope(path.split('/').filter(Boolean), (n) => roots.includes(path.split('/').filter(Boolean).slice(0, n).join('/')))?.scope;

  it('derives the scope of an APIOps policy.xml from its path', () => {
    assert.deepEqual(scopeOf('/repo/apimartifacts/apis/orders-api/policy.xml'), { kind: 'api', api: 'orders-api' });
    assert.deepEqual(scopeOf('/repo/apimartifacts/apis/orders-api;rev=2/policy.xml'), { kind: 'api', api: 'orders-api;rev=2' });
    assert.deepEqual(scopeOf('/repo/a/apis/orders-api/operations/get-order/policy.xml'), { kind: 'operation', api: 'orders-api', operation: 'get-order' });
    assert.deepEqual(scopeOf('/repo/a/products/starter/policy.xml'), { kind: 'product', product: 'starter' });
    assert.deepEqual(scopeOf('/repo/a/policy fragments/cors-default/policy.xml'), { kind: 'fragment', fragment: 'cors-default' });
    assert.deepEqual(scopeOf('/repo/a/workspaces/team-orders/apis/fulfilment-api/operations/create-shipment/policy.xml'),
      { kind: 'operation', workspace: 'team-orders', api: 'fulfilment-api', operation: 'create-shipment' });
    assert.deepEqual(scopeOf('/repo/a/workspaces/team-orders/policy.xml'), { kind: 'global', workspace: 'team-orders' });
    assert.deepEqual(scopeOf('/repo/a/workspaces/team-orders/policy fragments/x/policy.xml'), { kind: 'fragment', workspace: 'team-orders', fragment: 'x' });
    assert.deepEqual(scopeOf('/repo/a/policy.xml', ['repo/a']), { kind: 'global' });
    assert.equal(scopeOf('/repo/somewhere/policy.xml'), undefined, 'not an artifacts root');
    assert.equal(scopeOf('/repo/a/apis/orders-api/api.xml'), undefined);
  });

  it('places APIM\'s validation messages in the text', () => {
    const text = '<policies>\n\t<inbound>\n\t\t<set-header name="a">\n\t\t\t<value>{{ missing }}</value>\n\t\t</set-header>\n\t\t<include-fragment fragment-id="gone" />\n\t</inbound>\n</policies>';
    assert.deepEqual(locateProblems(text, [
      "Error in element 'set-header' on line 3, column 4: The element 'set-header' cannot contain text.",
      "The 'inbound' start tag on line 2 position 3 does not match the end tag of 'policies'. Line 8, position 3.",
      "Cannot find a property 'missing'",
      "Policy fragment 'gone' does not exist.",
      'Something else went wrong.',
    ]).map((p) => [p.line, p.character, p.length]), [[2, 3, 10], [7, 2, 1], [3, 10, 13], [5, 20, 18], [0, 1, 8]]);
  });
});
