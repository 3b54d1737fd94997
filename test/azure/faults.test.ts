/**
 * Resilience against the emulator's fault knobs: latency, throttling with and
 * without Retry-After (and beyond the cap), 5xx, dropped connections and
 * malformed bodies. Retry delays are shortened; the Retry-After cap is real.
 */
import * as assert from 'node:assert/strict';
import type { RequestLogEntry } from '../../emulator';
import { AzureAccess, AzureAccessError, DEFAULT_RETRY_SETTINGS, listSubscriptions, type RetrySettings } from '../../client/src/azure';
import { type EmulatorSetup, FAST_RETRY, startSetup, guardRejections } from './helpers';

describe('azure/faults (emulator fault knobs)', function () {
  this.timeout(60_000);
  let setup: EmulatorSetup;
  guardRejections();

  before(async () => {
    setup = await startSetup();
  });
  after(async () => {
    await setup?.emu.stop();
  });
  afterEach(async () => {
    setup.emu.setFaults({ latencyMs: 0, throttleRate: 0, retryAfterSeconds: null, serverErrorRate: 0, dropRate: 0, malformedRate: 0 });
  });

  const access = (retry: Partial<RetrySettings> = FAST_RETRY) => new AzureAccess(setup.credential, { ...setup.options, retry });

  /** Runs a load and returns its outcome, the elapsed time and the ARM requests it made. */
  async function load(retry?: Partial<RetrySettings>) {
    const before = setup.emu.requestLog.length;
    const started = Date.now();
    const outcome = await access(retry).loadInstanceMetadata(setup.emu.instanceId).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    const requests = setup.emu.requestLog.slice(before).filter((r) => r.path.startsWith('/subscriptions/'));
    return { ...outcome, elapsed: Date.now() - started, requests };
  }

  /**
   * Attempts per request URL. The first part to fail cancels the others, so
   * only the part that failed first is sure to have used all its attempts.
   */
  function attempts(requests: RequestLogEntry[]): { max: number; all: number[] } {
    const perPath = new Map<string, number>();
    for (const r of requests) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
    const all = [...perPath.values()];
    return { max: Math.max(...all), all };
  }

  function assertAttempts(requests: RequestLogEntry[], expected: number): void {
    const { max, all } = attempts(requests);
    assert.equal(max, expected, `the first failing request was tried ${expected} times`);
    assert.ok(all.every((n) => n <= expected), `no request tried more than ${expected} times: ${all.join(',')}`);
  }

  it('tolerates latency and loads parts in parallel', async () => {
    await load(); // warm the connections so the timing below measures latency, not TLS handshakes
    setup.emu.setFaults({ latencyMs: 400 });
    const { result, error, elapsed, requests } = await load();
    assert.equal(error, undefined);
    assert.ok(result && result.metadata.namedValues.length > 0);
    assert.ok(elapsed >= 400, `elapsed ${elapsed} ms includes the latency`);
    // Nine requests at 400 ms each would take 3.6 s one after another.
    assert.ok(elapsed < requests.length * 400 * 0.6, `elapsed ${elapsed} ms for ${requests.length} requests: parts ran in parallel`);
  });

  it('retries 429 after the Retry-After delay and succeeds when throttling is intermittent', async () => {
    setup.emu.setFaults({ throttleRate: 0.3, retryAfterSeconds: 1, seed: 7 });
    const { result, error, elapsed, requests } = await load({ ...FAST_RETRY, maxRetries: 8 });
    assert.equal(error, undefined, String(error));
    assert.ok(result);
    const throttled = requests.filter((r) => r.status === 429).length;
    assert.ok(throttled > 0, 'some requests were throttled');
    assert.ok(elapsed >= 1000, `waited for Retry-After (elapsed ${elapsed} ms)`);
  });

  it('gives up on constant 429 with Retry-After within the cap: throttled error after the retries', async () => {
    setup.emu.setFaults({ throttleRate: 1, retryAfterSeconds: 1 });
    const { error, elapsed, requests } = await load({ ...FAST_RETRY, maxRetries: 2 });
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'throttled');
    assert.equal(error.classification.status, 429);
    assert.equal(error.classification.retryAfterSeconds, 1);
    assert.match(error.classification.userMessage, /throttling requests \(HTTP 429\)\. Retry after 1 s\./);
    assert.ok(elapsed >= 2000 && elapsed < 8000, `two waits of 1 s, no more (elapsed ${elapsed} ms)`);
    assertAttempts(requests, 3);
  });

  it('fails fast when Retry-After exceeds the cap instead of hanging', async () => {
    const askFor = DEFAULT_RETRY_SETTINGS.maxRetryAfterSeconds * 4;
    setup.emu.setFaults({ throttleRate: 1, retryAfterSeconds: askFor });
    const { error, elapsed, requests } = await load({ ...FAST_RETRY, maxRetryAfterSeconds: DEFAULT_RETRY_SETTINGS.maxRetryAfterSeconds });
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'throttled');
    assert.equal(error.classification.retryAfterSeconds, askFor);
    assert.match(error.classification.userMessage, new RegExp(`retry after ${askFor} s`));
    assert.ok(elapsed < 5000, `no wait for the ${askFor} s Retry-After (elapsed ${elapsed} ms)`);
    assertAttempts(requests, 1);
  });

  it('backs off on 429 without Retry-After, then reports throttled', async () => {
    setup.emu.setFaults({ throttleRate: 1, retryAfterSeconds: null });
    const { error, requests } = await load();
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'throttled');
    assert.equal(error.classification.retryAfterSeconds, undefined);
    assert.match(error.classification.userMessage, /Try again in a minute/);
    assertAttempts(requests, (FAST_RETRY.maxRetries ?? 0) + 1);
  });

  it('retries 5xx with backoff, succeeding when errors are intermittent', async () => {
    setup.emu.setFaults({ serverErrorRate: 0.3, seed: 11 });
    const { result, error, requests } = await load({ ...FAST_RETRY, maxRetries: 8 });
    assert.equal(error, undefined, String(error));
    assert.ok(result);
    assert.ok(requests.some((r) => r.status >= 500), 'some requests failed with 5xx');
  });

  it('reports constant 5xx as a server error after the bounded retries', async () => {
    setup.emu.setFaults({ serverErrorRate: 1 });
    const { error, requests } = await load();
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'server');
    assert.equal(error.classification.retryable, true);
    assert.ok(error.classification.status === 500 || error.classification.status === 503);
    assert.match(error.classification.userMessage, /server error \(HTTP 50[03], (InternalServerError|ServiceUnavailable)\) and retries did not help/);
    assertAttempts(requests, (FAST_RETRY.maxRetries ?? 0) + 1);
  });

  it('reports dropped connections as a network error after the retries', async () => {
    setup.emu.setFaults({ dropRate: 1 });
    const { error, requests } = await load();
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'network');
    assert.equal(error.classification.code, 'ECONNRESET');
    assert.match(error.classification.userMessage, /Cannot reach https:\/\/127\.0\.0\.1:\d+ \(ECONNRESET\)/);
    assertAttempts(requests, (FAST_RETRY.maxRetries ?? 0) + 1);
  });

  it('reports malformed bodies as malformedResponse without echoing the body', async () => {
    setup.emu.setFaults({ malformedRate: 1 });
    const { error } = await load();
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'malformedResponse');
    assert.match(error.classification.userMessage, /could not be read/);
    const text = JSON.stringify(error.classification) + error.message;
    const service = setup.emu.state.services[0];
    for (const record of service.namedValues.values()) {
      if (typeof record.properties.value === 'string' && record.properties.value.length > 8) {
        assert.ok(!text.includes(record.properties.value), 'the truncated body is not part of the error');
      }
    }
    // The raw subscriptions request goes through the same guard.
    const subscriptions = await listSubscriptions(setup.credential, setup.options).then(() => undefined, (e: unknown) => e);
    assert.ok(subscriptions instanceof AzureAccessError);
    assert.equal(subscriptions.kind, 'malformedResponse');
  });

  it('keeps working after faults are cleared', async () => {
    const { result, error } = await load();
    assert.equal(error, undefined);
    assert.ok(result && result.metadata.backends.length > 0);
  });
});
