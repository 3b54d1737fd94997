// The /_emulator/ control endpoints that out-of-process tests use, driven over HTTPS like such a test would.
import * as assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { armToken, rawRequest, waitFor } from './support';
import { DEMO_FAILING_KEY_VAULT, demoNamedValues } from '../support/demoScenarios';

const LEAK_MARKER = 'SECRET-DO-NOT-LEAK-';

interface Summary {
  services: Array<{ name: string; counts: Record<string, number>; keyVaultNamedValues: Array<{ name: string; refreshFailed: boolean; lastStatus: { code: string } }> }>;
  vaults: Record<string, { reachable: boolean; accessDenied: boolean; secrets: Record<string, { enabled: boolean }> }>;
  faults: Record<string, unknown>;
}

describe('emulator: control endpoints', function () {
  this.timeout(30000);
  let emu: RunningEmulator;
  let token: string;

  before(async () => {
    emu = await startEmulator({ quiet: true, lroDurationMs: 50 });
    token = await armToken(emu);
  });
  after(async () => { await emu?.stop(); });

  async function summary(): Promise<Summary> {
    const res = await rawRequest(emu, 'GET', '/_emulator/state');
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes(LEAK_MARKER), 'the state summary must not contain secret values');
    assert.ok(!res.text.includes(emu.clientSecret), 'nor the client secret');
    return res.json as Summary;
  }

  async function refresh(name: string): Promise<{ status: string; error?: { code: string } }> {
    const start = await rawRequest(emu, 'POST', `${emu.instanceId}/namedValues/${name}/refreshSecret?api-version=2024-05-01`, { token });
    assert.equal(start.status, 202);
    const opUrl = String(start.headers['azure-asyncoperation']).slice(emu.url.length);
    return waitFor(async () => {
      const body = (await rawRequest(emu, 'GET', opUrl, { token })).json as { status: string; error?: { code: string } };
      return body.status === 'InProgress' ? undefined : body;
    }, 5000, `refresh of ${name}`);
  }

  it('summarises services, Key Vault statuses and vaults without any secret value', async () => {
    const s = await summary();
    const demo = s.services.find((x) => x.name === 'contoso-apim');
    assert.ok(demo);
    assert.equal(demo.counts.namedValues, demoNamedValues().length);
    const failing = demo.keyVaultNamedValues.filter((k) => k.refreshFailed).map((k) => `${k.name}:${k.lastStatus.code}`).sort();
    assert.deepEqual(failing, Object.entries(DEMO_FAILING_KEY_VAULT).map(([name, code]) => `${name}:${code}`).sort());
    assert.deepEqual(s.vaults['contoso-old-kv'], { reachable: false, accessDenied: false, secrets: { 'archive-storage-key': { enabled: true } } });
  });

  it('fixes an unreachable vault so the next refresh succeeds', async () => {
    const broken = await refresh('kv-archive-storage-key');
    assert.equal(broken.status, 'Failed');
    assert.equal(broken.error?.code, 'VaultNotFound');
    const res = await rawRequest(emu, 'POST', '/_emulator/vaults/contoso-old-kv', { body: { status: 'ok' } });
    assert.equal(res.status, 200);
    assert.equal((res.json as Summary['vaults'])['contoso-old-kv'].reachable, true);
    assert.equal((await refresh('kv-archive-storage-key')).status, 'Succeeded');
    const kv = (await summary()).services[0].keyVaultNamedValues.find((k) => k.name === 'kv-archive-storage-key');
    assert.equal(kv?.lastStatus.code, 'Success');
  });

  it('disables and deletes secrets, and creates them with a value', async () => {
    let res = await rawRequest(emu, 'POST', '/_emulator/vaults/contoso-kv/secrets/payment-gateway-key', { body: { status: 'disabled' } });
    assert.equal(res.status, 200);
    let outcome = await refresh('kv-payment-gateway-key');
    assert.equal(outcome.error?.code, 'SecretDisabled');
    res = await rawRequest(emu, 'POST', '/_emulator/vaults/contoso-kv/secrets/legacy-partner-key', { body: { status: 'ok', value: `${LEAK_MARKER}restored` } });
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes(LEAK_MARKER), 'the response shows no secret value');
    outcome = await refresh('kv-legacy-partner-key');
    assert.equal(outcome.status, 'Succeeded');
    const value = await rawRequest(emu, 'POST', `${emu.instanceId}/namedValues/kv-legacy-partner-key/listValue?api-version=2024-05-01`, { token });
    assert.equal((value.json as { value: string }).value, `${LEAK_MARKER}restored`);
  });

  it('rejects malformed vault changes and unknown endpoints', async () => {
    assert.equal((await rawRequest(emu, 'POST', '/_emulator/vaults/contoso-kv', { body: { status: 'sideways' } })).status, 400);
    assert.equal((await rawRequest(emu, 'POST', '/_emulator/vaults/contoso-kv', { body: { status: 'missing' } })).status, 400, 'missing applies to a secret');
    assert.equal((await rawRequest(emu, 'POST', '/_emulator/vaults/contoso-kv/secrets/x', { body: { status: 'unreachable' } })).status, 400);
    assert.equal((await rawRequest(emu, 'GET', '/_emulator/nothing')).status, 404);
  });

  it('sets fault knobs over HTTP', async () => {
    const res = await rawRequest(emu, 'POST', '/_emulator/faults', { body: { throttleRate: 1, retryAfterSeconds: 3 } });
    assert.equal(res.status, 200);
    assert.equal((res.json as { throttleRate: number }).throttleRate, 1);
    const throttled = await rawRequest(emu, 'GET', `${emu.instanceId}?api-version=2024-05-01`, { token });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '3');
    assert.equal((await rawRequest(emu, 'POST', '/_emulator/faults', { body: { dropRate: 2 } })).status, 400);
    await rawRequest(emu, 'POST', '/_emulator/faults', { body: { throttleRate: 0 } });
    assert.equal((await rawRequest(emu, 'GET', `${emu.instanceId}?api-version=2024-05-01`, { token })).status, 200);
  });

  it('logs requests without bodies, tokens or secrets', async () => {
    const res = await rawRequest(emu, 'GET', '/_emulator/requests');
    assert.equal(res.status, 200);
    const log = res.json as Array<{ method: string; path: string; status: number }>;
    assert.ok(log.some((e) => e.method === 'POST' && e.path.includes('/oauth2/v2.0/token') && e.status === 200));
    assert.ok(log.some((e) => e.status === 429));
    for (const forbidden of [emu.clientSecret, token, LEAK_MARKER]) assert.ok(!res.text.includes(forbidden));
    assert.ok(log.every((e) => !e.path.startsWith('/_emulator')), 'control calls are not logged');
  });

  it('resets state, faults and the log in place', async () => {
    await rawRequest(emu, 'PUT', `${emu.instanceId}/namedValues/planted?api-version=2024-05-01`, {
      token, body: { properties: { displayName: 'planted', value: 'v' } },
    });
    await rawRequest(emu, 'POST', '/_emulator/faults', { body: { latencyMs: 5 } });
    const stateObject = emu.state;
    const res = await rawRequest(emu, 'POST', '/_emulator/reset');
    assert.equal(res.status, 200);
    assert.equal(emu.state, stateObject, 'the same state object, refilled');
    assert.equal(emu.state.services[0].namedValues.has('planted'), false);
    assert.equal(emu.requestLog.length, 0);
    const s = await summary();
    assert.equal(s.faults.latencyMs, 0);
    assert.equal(s.vaults['contoso-old-kv'].reachable, false, 'vault fixes are undone');
    // Tokens issued before the reset still work: the service principal is unchanged.
    assert.equal((await rawRequest(emu, 'GET', `${emu.instanceId}?api-version=2024-05-01`, { token })).status, 200);
  });
});
