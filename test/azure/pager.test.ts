/**
 * Parallel paging against the emulator with 10,000 named values beside the demo's (101 pages of 100): the same
 * items in the same order as a sequential load, never more requests in flight than the bound,
 * a whole load that slows down under injected 429s and still completes, cancellation, and a
 * page that keeps failing.
 */
import * as assert from 'node:assert/strict';
import { AzureAccessError, createApimClient, loadInstanceMetadata, type ApimClientHandle, type LoadProgress } from '../../client/src/azure';
import { RequestGate, type GateStats } from '../../client/src/azure/pager';
import { waitFor } from '../harness/wait';
import { demoNamedValues } from '../support/demoScenarios';
import { guardRejections, startSetup, type EmulatorSetup } from './helpers';

/** The demo fixture's named values plus 10,000 generated ones, 100 to a page. */
const TOTAL = 10_000 + demoNamedValues().length;
const PAGES = Math.ceil(TOTAL / 100);

describe(`azure/pager (emulator, ${TOTAL.toLocaleString('en')} named values)`, function () {
  this.timeout(120_000);
  let setup: EmulatorSetup;
  let handle: ApimClientHandle;
  let sequential: string[];
  guardRejections();

  before(async () => {
    setup = await startSetup({ extraNamedValues: 10_000 });
    handle = createApimClient(setup.credential, setup.emu.subscriptionId, setup.options);
    const baseline = await loadInstanceMetadata(handle, setup.emu.instanceId, { parallelRequests: 1 });
    sequential = baseline.metadata.namedValues.map((nv) => nv.name);
  });
  after(async () => {
    await setup?.emu.stop();
  });
  beforeEach(() => {
    setup.emu.setFaults({ latencyMs: 0, throttleRate: 0, retryAfterSeconds: null, failMatching: null });
    setup.emu.resetStats();
  });

  async function load(parallelRequests: number, more: { signal?: AbortSignal; onProgress?: (p: LoadProgress) => void } = {}) {
    let stats: GateStats | undefined;
    const result = await loadInstanceMetadata(handle, setup.emu.instanceId, { parallelRequests, onStats: (s) => (stats = s), ...more });
    return { result, stats: stats!, emulator: setup.emu.stats() };
  }

  it('loads every page in parallel, in the service\'s order, identical to the sequential load', async () => {
    assert.equal(sequential.length, TOTAL);
    const pages: Array<{ done: number; total?: number }> = [];
    const { result, stats } = await load(8, { onProgress: (p) => p.part === 'namedValues' && p.pages && pages.push(p.pages) });
    assert.deepEqual(result.metadata.namedValues.map((nv) => nv.name), sequential);
    assert.equal(stats.maxInFlight, 8, 'the gate filled every slot');
    const named = pages.filter((p) => p.total !== undefined);
    assert.equal(named.at(-1)?.done, PAGES, 'progress counts pages up to the total');
    assert.ok(named.every((p) => p.total === PAGES));
    assert.deepEqual(named.map((p) => p.done), [...named.map((p) => p.done)].sort((a, b) => a - b), 'page counts only grow');
  });

  it('never has more requests in flight than the bound, as the emulator counts them', async () => {
    setup.emu.setFaults({ latencyMs: 25 });
    for (const bound of [3, 8]) {
      setup.emu.resetStats();
      const { result, emulator, stats } = await load(bound);
      assert.equal(result.metadata.namedValues.length, TOTAL);
      console.log(`      bound ${bound}: ${emulator.requests} requests, at most ${emulator.maxInFlight} at once at the emulator (gate: ${stats.maxInFlight})`);
      assert.ok(emulator.maxInFlight <= bound, `at most ${bound} in flight (saw ${emulator.maxInFlight})`);
      assert.equal(stats.maxInFlight, bound);
    }
  });

  it('completes under 10 % injected 429s with Retry-After: 1, slowing the whole load and keeping the bound', async () => {
    setup.emu.setFaults({ throttleRate: 0.1, retryAfterSeconds: 1, seed: 42 });
    const { result, stats, emulator } = await load(8);
    console.log(`      throttled ${emulator.throttled}× of ${emulator.requests} requests; the gate's bound went from 8 down to ${stats.lowestLimit}, ending at ${stats.limit}`);
    assert.deepEqual(result.metadata.namedValues.map((nv) => nv.name), sequential);
    assert.ok(emulator.throttled > 0, 'some requests were throttled');
    assert.equal(stats.throttled, emulator.throttled, 'every 429 reached the gate');
    assert.ok(stats.lowestLimit < 8, 'throttling lowered the bound');
    assert.ok(emulator.maxInFlight <= 8);
  });

  it('starts no request after the abort, and rejects as cancelled', async () => {
    setup.emu.setFaults({ latencyMs: 10 });
    const controller = new AbortController();
    let atAbort = 0;
    const error = await load(4, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.part === 'namedValues' && (p.pages?.done ?? 0) >= 5 && !controller.signal.aborted) {
          atAbort = setup.emu.stats().requests;
          controller.abort();
        }
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof AzureAccessError && error.kind === 'cancelled', String(error));
    // Requests already on their way when the abort came may still arrive; there are at most as many as the bound.
    await waitFor(() => setup.emu.stats().inFlight === 0, { timeoutMs: 10_000, description: 'the emulator finished what it got' });
    const after = setup.emu.stats().requests;
    assert.ok(after - atAbort <= 4, `no new request after the abort (${atAbort} before, ${after} after)`);
  });

  it('fails the load when one page keeps failing, naming the server error', async () => {
    setup.emu.setFaults({ failMatching: '/namedValues?api-version=2024-05-01&$top=100&$skip=5000' });
    const error = await load(8).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'server');
    const failedPage = setup.emu.requestLog.filter((r) => r.path.endsWith('$skip=5000') && r.status === 500);
    assert.ok(failedPage.length >= 2, 'the failing page was retried before the load gave up');
  });
});

describe('azure/pager RequestGate', () => {
  const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

  it('leaves no timer behind when every request waiting out a long Retry-After is cancelled', async () => {
    const gate = new RequestGate(1);
    let release: (() => void) | undefined;
    const first = gate.run(undefined, () => new Promise<void>((resolve) => (release = resolve)));
    await waitFor(() => release !== undefined, { timeoutMs: 5_000, intervalMs: 1, description: 'the first request started' });
    const before = timers();
    gate.throttled(120_000); // a 429 asked for two minutes
    const controller = new AbortController();
    const queued = gate.run(controller.signal, async () => 'ran');
    release?.();
    await first;
    assert.equal(timers(), before + 1, 'the queued request waits for the pause to end');
    controller.abort();
    await assert.rejects(queued, (e: unknown) => e instanceof AzureAccessError && e.kind === 'cancelled');
    assert.equal(timers(), before, 'nothing waits any more, so no timer keeps the process alive for two minutes');
  });
});
