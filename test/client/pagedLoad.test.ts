/**
 * An instance of 2,000 named values beside the demo's (21 pages) through the client's connection manager: the
 * `apimPolicy.maxParallelRequests` setting bounds the load, progress counts pages, and a page
 * that keeps failing mid-way fails the refresh while the last good data and its cache stay.
 */
import * as assert from 'node:assert/strict';
import type { RunningEmulator } from '../../emulator';
import { loadMetadataCache } from '../../client/src/azure/metadataCache';
import { SETTINGS } from '../../client/src/contributions';
import { UnhandledRejectionGuard } from '../azure/helpers';
import { demoNamedValues } from '../support/demoScenarios';
import { managerFor, startQuietEmulator } from './support';

const FOLDER = 'file:///work/big-instance';

/** The demo fixture's named values plus 2,000 generated ones, 100 to a page. */
const TOTAL = 2_000 + demoNamedValues().length;
const PAGES = Math.ceil(TOTAL / 100);

describe(`client/paged load (emulator, ${TOTAL.toLocaleString('en')} named values)`, function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  const guard = new UnhandledRejectionGuard();

  before(async () => {
    guard.install();
    emu = await startQuietEmulator({ extraNamedValues: 2_000 });
  });
  after(async () => {
    guard.uninstall();
    await emu?.stop();
  });

  it('loads with at most the configured requests in flight, counting pages, and keeps the cache when a page fails mid-way', async () => {
    const { manager, sink, cacheDir, dispose } = await managerFor(emu, { settings: { [SETTINGS.maxParallelRequests]: 3 } });
    try {
      emu.setFaults({ latencyMs: 15 });
      emu.resetStats();
      manager.setAuthState('signedIn');
      manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
      await manager.whenIdle();
      assert.equal(manager.state, 'connected');
      // A refresh as the Refresh command runs it, with its progress messages.
      emu.resetStats();
      const messages: string[] = [];
      const [loaded] = await manager.refresh({ onProgress: (p) => messages.push(p.message) });
      assert.equal(loaded.outcome.ok, true);
      assert.equal(sink.lastMetadata()?.namedValues.length, TOTAL);
      const stats = emu.stats();
      console.log(`      ${stats.requests} requests, at most ${stats.maxInFlight} in flight (setting: 3)`);
      assert.ok(stats.maxInFlight <= 3, `the setting bounds the load (saw ${stats.maxInFlight})`);
      assert.ok(messages.some((m) => /^Named values \d+… \(page \d+ of (\d+)\)$/.exec(m)?.[1] === String(PAGES)), `progress counts pages: ${messages.join(' | ')}`);

      // The twelfth page now fails every time: the refresh fails, nothing is lost.
      emu.setFaults({ latencyMs: 0, failMatching: '/namedValues?api-version=2024-05-01&$top=100&$skip=1100' });
      const [failed] = await manager.refresh();
      assert.equal(failed.outcome.ok, false);
      assert.ok(!failed.outcome.ok && failed.outcome.keptMetadata, 'the last good metadata is kept');
      assert.equal(manager.state, 'stale');
      assert.equal(sink.lastMetadata()?.namedValues.length, TOTAL, 'the server still has every named value');
      const cached = await loadMetadataCache(cacheDir, emu.instanceId);
      assert.ok(cached.ok);
      assert.equal(cached.metadata.namedValues.length, TOTAL, 'the cache was not overwritten by a partial load');
    } finally {
      emu.setFaults({ latencyMs: 0, failMatching: null });
      await dispose();
      await guard.assertNone();
    }
  });
});
