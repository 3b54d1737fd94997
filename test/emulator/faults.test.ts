// Each fault knob observed on the wire and through the real SDK; faults never touch token or control routes.
import * as assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { FaultInjector } from '../../emulator/faults';
import { armToken, DEMO_RG, DEMO_SERVICE, rawRequest, sdkClient } from './support';

describe('emulator: fault knobs', function () {
  this.timeout(30000);
  let emu: RunningEmulator;
  let token: string;
  let listPath: string;

  before(async () => {
    emu = await startEmulator({ quiet: true });
    token = await armToken(emu);
    listPath = `${emu.instanceId}/namedValues?api-version=2024-05-01`;
  });
  afterEach(() => {
    emu.setFaults({ latencyMs: 0, throttleRate: 0, retryAfterSeconds: null, serverErrorRate: 0, dropRate: 0, malformedRate: 0 });
  });
  after(async () => { await emu?.stop(); });

  it('throttles with 429 TooManyRequests and a Retry-After header when configured', async () => {
    emu.setFaults({ throttleRate: 1, retryAfterSeconds: 7 });
    const res = await rawRequest(emu, 'GET', listPath, { token });
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], '7');
    assert.equal((res.json as { error: { code: string } }).error.code, 'TooManyRequests');
  });

  it('throttles without Retry-After when it is null', async () => {
    emu.setFaults({ throttleRate: 1, retryAfterSeconds: null });
    const res = await rawRequest(emu, 'GET', listPath, { token });
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], undefined);
    await assert.rejects(sdkClient(emu, 0).namedValue.get(DEMO_RG, DEMO_SERVICE, 'backend-base-url'), (e: { statusCode?: number }) => e.statusCode === 429);
  });

  it('lets the SDK recover from a throttle after waiting Retry-After (seeded so only the first call is throttled)', async () => {
    // Find a seed whose first roll throttles and second does not, using the emulator's own injector.
    let seed = 0;
    for (;; seed++) {
      const probe = new FaultInjector({ throttleRate: 0.5, seed });
      if (probe.decide().kind === 'throttle' && probe.decide().kind === 'none') break;
    }
    const client = sdkClient(emu);
    await client.namedValue.get(DEMO_RG, DEMO_SERVICE, 'backend-base-url'); // token cached before the faults start
    emu.setFaults({ throttleRate: 0.5, retryAfterSeconds: 1, seed });
    const before = emu.requestLog.length;
    const started = Date.now();
    const nv = await client.namedValue.get(DEMO_RG, DEMO_SERVICE, 'backend-base-url');
    assert.equal(nv.value, 'https://orders.contoso.example/api');
    assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
    assert.deepEqual(emu.requestLog.slice(before).map((r) => r.status), [429, 200]);
  });

  it('fails with 500 / 503 and an ARM error body', async () => {
    emu.setFaults({ serverErrorRate: 1, seed: 3 });
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const res = await rawRequest(emu, 'GET', listPath, { token });
      assert.ok(res.status === 500 || res.status === 503, `status ${res.status}`);
      const code = (res.json as { error: { code: string; message: string } }).error.code;
      assert.equal(code, res.status === 500 ? 'InternalServerError' : 'ServiceUnavailable');
      seen.add(res.status);
    }
    assert.deepEqual([...seen].sort(), [500, 503]);
  });

  it('drops the connection without a response', async () => {
    emu.setFaults({ dropRate: 1 });
    await assert.rejects(rawRequest(emu, 'GET', listPath, { token }), (e: NodeJS.ErrnoException) => {
      assert.ok(e.code === 'ECONNRESET' || /socket hang up/.test(e.message), e.message);
      return true;
    });
    assert.equal(emu.requestLog.at(-1)?.status, 0);
    await assert.rejects(sdkClient(emu, 0).namedValue.get(DEMO_RG, DEMO_SERVICE, 'backend-base-url'));
  });

  it('corrupts 200 bodies so they no longer parse', async () => {
    emu.setFaults({ malformedRate: 1 });
    const res = await rawRequest(emu, 'GET', listPath, { token });
    assert.equal(res.status, 200);
    assert.ok(res.text.length > 0);
    assert.throws(() => JSON.parse(res.text));
    await assert.rejects(sdkClient(emu, 0).namedValue.get(DEMO_RG, DEMO_SERVICE, 'backend-base-url'), /JSON|parse|Unexpected|Unterminated/i);
    // Errors are never corrupted: a 404 still carries its ARM body.
    const missing = await rawRequest(emu, 'GET', `${emu.instanceId}/namedValues/nope?api-version=2024-05-01`, { token });
    assert.equal(missing.status, 404);
    assert.equal((missing.json as { error: { code: string } }).error.code, 'ResourceNotFound');
  });

  it('adds latency to ARM responses only', async () => {
    emu.setFaults({ latencyMs: 300 });
    let started = Date.now();
    const res = await rawRequest(emu, 'GET', listPath, { token });
    const armElapsed = Date.now() - started;
    assert.equal(res.status, 200);
    assert.ok(armElapsed >= 300, `ARM call took ${armElapsed} ms`);
    started = Date.now();
    const oidc = await rawRequest(emu, 'GET', `/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(oidc.status, 200);
    assert.ok(Date.now() - started < 300, 'the identity endpoint is not delayed');
  });

  it('never applies faults to the token and control endpoints', async () => {
    emu.setFaults({ throttleRate: 1, dropRate: 1, serverErrorRate: 1 });
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: emu.clientSecret, scope: `${emu.url}/.default` });
    for (let i = 0; i < 5; i++) {
      assert.equal((await rawRequest(emu, 'POST', `/${emu.tenantId}/oauth2/v2.0/token`, { form: form.toString() })).status, 200);
      assert.equal((await rawRequest(emu, 'GET', '/_emulator/state')).status, 200);
    }
  });

  it('replays the same faults for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      emu.setFaults({ serverErrorRate: 0.5, throttleRate: 0.2, seed: 1234 });
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) statuses.push((await rawRequest(emu, 'GET', listPath, { token })).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(second, first);
    assert.ok(first.includes(200) && first.some((s) => s >= 500) && first.includes(429), `a mix of outcomes: ${first.join(',')}`);
  });

  it('rejects out-of-range knobs', () => {
    assert.throws(() => emu.setFaults({ throttleRate: 1.5 }), RangeError);
    assert.throws(() => emu.setFaults({ latencyMs: -1 }), RangeError);
    assert.throws(() => emu.setFaults({ retryAfterSeconds: 1.5 }), RangeError);
  });
});
