/**
 * Key Vault named values against the emulator: refresh (long-running
 * operation) of failing and healthy references, batch refresh with bounded
 * concurrency, progress and cancellation, and revealing values.
 */
import * as assert from 'node:assert/strict';
import {
  type ApimClientHandle,
  AzureAccess,
  AzureAccessError,
  createApimClient,
  keyVaultFailure,
  parseServiceResourceId,
  refreshMany,
} from '../../client/src/azure';
import { type EmulatorSetup, leakedIn, startSetup, guardRejections } from './helpers';

/** Largest number of operations whose [start, end] intervals overlap (ends sort before starts at equal times). */
function maxOverlap(intervals: Array<{ start: number; end: number }>): number {
  const events = intervals.flatMap((i) => [{ t: i.start, d: 1 }, { t: i.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let current = 0;
  let max = 0;
  for (const e of events) {
    current += e.d;
    max = Math.max(max, current);
  }
  return max;
}

describe('azure/keyVault (emulator)', function () {
  this.timeout(60_000);
  let setup: EmulatorSetup;
  let access: AzureAccess;
  let handle: ApimClientHandle;
  guardRejections();

  before(async () => {
    // Long enough that concurrent refreshes overlap even on a busy machine.
    setup = await startSetup({ lroDurationMs: 600 });
    access = new AzureAccess(setup.credential, setup.options);
    handle = createApimClient(setup.credential, setup.emu.subscriptionId, setup.options);
  });
  after(async () => {
    await setup?.emu.stop();
  });

  const record = (name: string) => {
    const service = setup.emu.state.services.find((s) => setup.emu.instanceId.endsWith(`/service/${s.name}`));
    const found = service?.namedValues.get(name.toLowerCase());
    assert.ok(found, name);
    return found;
  };

  /** Adds Key Vault named values through ARM itself (PUT), pointing at a healthy secret. */
  async function createKeyVaultNamedValues(prefix: string, count: number): Promise<string[]> {
    const { resourceGroup, serviceName } = parseServiceResourceId(setup.emu.instanceId);
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    for (const name of names) {
      await handle.client.namedValue.beginCreateOrUpdateAndWait(
        resourceGroup,
        serviceName,
        name,
        { displayName: name, secret: true, keyVault: { secretIdentifier: 'https://contoso-kv.vault.azure.net/secrets/payment-gateway-key' } },
        { updateIntervalInMs: 20 },
      );
    }
    return names;
  }

  it('summarises a batch over the demo references: healthy ones refreshed, failing ones with their vault status and advice', async () => {
    const { metadata } = await access.loadInstanceMetadata(setup.emu.instanceId);
    const kvNames = metadata.namedValues.filter((n) => n.kind === 'keyVault').map((n) => n.name);
    assert.ok(kvNames.length >= 4);
    const summary = await access.refreshMany(setup.emu.instanceId, kvNames);
    assert.deepEqual([...summary.refreshed.map((r) => r.name), ...summary.failed.map((f) => f.name)].sort(), [...kvNames].sort());
    assert.deepEqual(summary.cancelled, []);

    for (const info of summary.refreshed) {
      assert.equal(info.keyVault?.lastStatus?.code, 'Success', info.name);
      assert.equal(info.value, undefined, 'a refresh never returns the secret');
    }
    for (const failure of summary.failed) {
      const status = (record(failure.name).properties.keyVault as { lastStatus: { code: string; message: string } }).lastStatus;
      assert.equal(failure.code, status.code, failure.name);
      assert.equal(failure.message, status.message, failure.name);
    }
    const denied = summary.failed.find((f) => f.code === 'Forbidden');
    assert.ok(denied, 'the access-denied vault is reported');
    assert.match(denied.userMessage, /denied the user-assigned managed identity 9e8d7c6b-5a49-4838-a726-1504f3e2d1c0/);
    assert.match(denied.userMessage, /"Key Vault Secrets User" role/);
    const unreachable = summary.failed.find((f) => f.code === 'VaultNotFound');
    assert.ok(unreachable);
    assert.match(unreachable.userMessage, /could not be reached.*firewall/);
    const missing = summary.failed.find((f) => f.code === 'SecretNotFound');
    assert.ok(missing);
    assert.match(missing.userMessage, /does not exist in "contoso-kv\.vault\.azure\.net"/);
  });

  it('keeps a failing reference failing, then succeeds with a newer time once the vault is fixed', async () => {
    const name = 'kv-billing-api-key';
    const failing = await access.refreshSecret(setup.emu.instanceId, name);
    assert.equal(failing.kind, 'keyVault');
    assert.equal(failing.keyVault?.lastStatus?.code, 'Forbidden');
    assert.match(failing.keyVault?.lastStatus?.message ?? '', /refused to return secret 'billing-api-key'/);
    const failedAt = Date.parse(failing.keyVault?.lastStatus?.timeStampUtc ?? '');
    assert.ok(keyVaultFailure(failing), 'reported as a failure');
    assert.ok(setup.emu.requestLog.some((r) => r.method === 'POST' && r.path.includes(`/namedValues/${name}/refreshSecret`)));

    setup.emu.setVaultState('contoso-billing-kv', null, { status: 'ok' });
    const fixed = await access.refreshSecret(setup.emu.instanceId, name);
    assert.equal(fixed.keyVault?.lastStatus?.code, 'Success');
    assert.equal(fixed.keyVault?.lastStatus?.message, undefined);
    assert.ok(Date.parse(fixed.keyVault?.lastStatus?.timeStampUtc ?? '') > failedAt, 'the status time moved forward');
    assert.equal(keyVaultFailure(fixed), undefined);
  });

  it('refreshes many with at most N operations in flight and ordered progress', async () => {
    const names = await createKeyVaultNamedValues('kv-batch', 12);
    const progress: Array<[number, number, string]> = [];
    const summary = await refreshMany(handle, setup.emu.instanceId, names, { concurrency: 4, onProgress: (d, t, n) => progress.push([d, t, n]) });
    assert.deepEqual(summary.refreshed.map((r) => r.name).sort(), [...names].sort());
    assert.deepEqual(summary.failed, []);

    assert.deepEqual(progress.map(([done]) => done), names.map((_, i) => i + 1), 'done counts 1..N in order');
    assert.ok(progress.every(([, total]) => total === names.length));
    assert.deepEqual(progress.map(([, , n]) => n).sort(), [...names].sort(), 'each name reported once');

    // Count the emulator's operations by what they are: refreshes of this batch's names (creating the
    // named values above ran operations of their own, which must not count).
    const batch = new Set(names);
    const refreshes = [...setup.emu.state.operations.values()].filter((op) => op.kind === 'refreshSecret' && batch.has(op.target));
    assert.deepEqual(refreshes.map((op) => op.target).sort(), [...names].sort(), 'one refresh operation per name');
    assert.ok(refreshes.every((op) => op.endTime), 'every refresh operation was followed to its end');
    const ops = refreshes.map((op) => ({ start: Date.parse(op.startTime), end: Date.parse(op.endTime ?? '') }));
    const overlap = maxOverlap(ops);
    console.log(`      max overlapping refresh operations: ${overlap} (concurrency 4)`);
    assert.ok(overlap <= 4, `at most 4 operations overlapped (saw ${overlap})`);
    assert.ok(overlap >= 2, `operations did run concurrently (saw ${overlap})`);
    const posts = setup.emu.requestLog.filter((r) => r.method === 'POST' && /\/namedValues\/kv-batch-\d+\/refreshSecret/.test(r.path));
    assert.equal(posts.length, names.length);
  });

  it('cancels a batch in the middle and keeps the partial results', async () => {
    const names = await createKeyVaultNamedValues('kv-cancel', 10);
    const controller = new AbortController();
    const progress: number[] = [];
    const summary = await refreshMany(handle, setup.emu.instanceId, names, {
      concurrency: 2,
      signal: controller.signal,
      onProgress: (done) => {
        progress.push(done);
        if (done === 3) controller.abort();
      },
    });
    const finished = [...summary.refreshed.map((r) => r.name), ...summary.failed.map((f) => f.name)];
    assert.ok(finished.length >= 3, `kept the ${finished.length} finished before the abort`);
    assert.ok(summary.cancelled.length >= 1, 'the rest is reported as cancelled');
    assert.deepEqual([...finished, ...summary.cancelled].sort(), [...names].sort(), 'every name accounted for exactly once');
    assert.deepEqual(summary.failed, [], 'cancellation is not a failure');
  });

  it('reveals a secret value to the caller only, and reports missing names and non-Key Vault refreshes', async () => {
    const secretValue = record('orders-db-password').properties.value;
    assert.equal(typeof secretValue, 'string');
    const before = setup.logLines.length;
    const revealed = await access.revealValue(setup.emu.instanceId, 'orders-db-password');
    assert.equal(revealed, secretValue);
    assert.ok(setup.logLines.length > before, 'the listValue call was traced');
    assert.deepEqual(leakedIn(setup.logLines.join('\n'), [revealed]), [], 'the revealed value is not logged');

    const missing = await access.revealValue(setup.emu.instanceId, 'no-such-value').then(() => undefined, (e: unknown) => e);
    assert.ok(missing instanceof AzureAccessError);
    assert.equal(missing.kind, 'notFound');
    assert.match(missing.classification.userMessage, /"no-such-value" was not found/);

    const notKv = await access.refreshSecret(setup.emu.instanceId, 'backend-base-url').then(() => undefined, (e: unknown) => e);
    assert.ok(notKv instanceof AzureAccessError);
    assert.equal(notKv.kind, 'invalidInput');
    assert.match(notKv.classification.message, /not a Key Vault reference/);
  });
});
