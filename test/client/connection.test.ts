/**
 * The connection state machine against the real emulator through the
 * extension's own settings path: sign-in state, instance sessions per
 * folder, cache-then-network, offline with the cache, failed refreshes that
 * keep the last data, errors a user can act on, background refresh on a
 * fake clock, and what the language server is told.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { RunningEmulator } from '../../emulator';
import { cacheFilePath, loadMetadataCache } from '../../client/src/azure/metadataCache';
import { formatServiceResourceId } from '../../client/src/azure/resourceId';
import { errorActions } from '../../client/src/errorActions';
import { presentInstance, presentStatusBar, staleMarker } from '../../client/src/namedValues/instanceModel';
import { leakedIn, plantedSecrets, UnhandledRejectionGuard } from '../azure/helpers';
import { FakeClock, managerFor, startQuietEmulator, tempDir, waitFor } from './support';
import { DEMO_FAILING_KEY_VAULT, demoNamedValues } from '../support/demoScenarios';

const FOLDER = 'file:///work/contoso-policies';

describe('client/connection (emulator)', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  const guard = new UnhandledRejectionGuard();
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    guard.install();
    emu = await startQuietEmulator();
  });
  after(async () => {
    guard.uninstall();
    await emu?.stop();
  });
  afterEach(async () => {
    emu.setFaults({ latencyMs: 0, throttleRate: 0, serverErrorRate: 0, dropRate: 0, malformedRate: 0 });
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await guard.assertNone();
  });

  async function setup(options: Parameters<typeof managerFor>[1] = {}) {
    const s = await managerFor(emu, options);
    cleanups.push(s.dispose);
    return s;
  }

  it('stays signed out without sessions, metadata or folder mappings until signed in', async () => {
    const { manager, sink } = await setup();
    assert.equal(manager.state, 'signedOut');
    manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    assert.equal(manager.state, 'signedOut');
    assert.equal(manager.sessions().length, 0);
    assert.deepEqual(sink.metadata(), []);
    assert.deepEqual(sink.events.filter((e) => e.type === 'folders').at(-1)?.params, { folders: [] });
    manager.setAuthState('signedIn');
    manager.configure({ folders: [{ folderUri: FOLDER }], refreshIntervalMinutes: 0 });
    assert.equal(manager.state, 'noInstance');
  });

  it('connects: loading, then connected, with metadata sent to the server and cached, and no secret anywhere', async () => {
    const { manager, sink, log, cacheDir } = await setup();
    const states: string[] = [];
    manager.onDidChange(() => {
      if (states.at(-1) !== manager.state) states.push(manager.state);
    });
    manager.setAuthState('signedIn');
    manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/') }], refreshIntervalMinutes: 0 });
    assert.equal(manager.state, 'loading');
    await manager.whenIdle();
    assert.equal(manager.state, 'connected');
    assert.deepEqual(states, ['noInstance', 'loading', 'connected']);

    const session = manager.sessions()[0];
    assert.equal(session.resource.serviceName, 'CONTOSO-APIM');
    assert.equal(session.subscriptionName, 'Contoso Production', 'the subscription name is looked up for the panel');
    assert.match(presentInstance(session.snapshot, Date.now()).description, /^Contoso Production \/ RG-CONTOSO-APIS$/);
    const sent = sink.lastMetadata();
    assert.ok(sent);
    assert.equal(sent.namedValues.length, demoNamedValues().length);
    assert.equal(sent.stale, undefined);
    assert.equal(sent.instanceId.toLowerCase(), emu.instanceId.toLowerCase());
    const folders = sink.events.filter((e) => e.type === 'folders').at(-1);
    assert.deepEqual(folders?.params, { folders: [{ folderUri: FOLDER, instanceId: session.instanceId }] });
    assert.equal(manager.sessionForFolder(FOLDER), session);
    assert.equal(manager.sessionForFolder('file:///elsewhere'), session, 'the only instance serves every document');

    const cached = await loadMetadataCache(cacheDir, emu.instanceId);
    assert.ok(cached.ok);
    assert.equal(cached.metadata.namedValues.length, demoNamedValues().length);

    const secrets = plantedSecrets(emu);
    const cacheText = await fs.readFile(cacheFilePath(cacheDir, emu.instanceId), 'utf8');
    assert.deepEqual(leakedIn(sink.text(), secrets), [], 'notifications');
    assert.deepEqual(leakedIn(log.lines.join('\n'), secrets), [], 'log (trace level included)');
    assert.deepEqual(leakedIn(cacheText, secrets), [], 'cache file');
    assert.ok(log.lines.some((l) => l.startsWith('trace ') && l.includes('namedValues')), 'HTTP lines reach the trace log');
  });

  it('serves the cache at once (stale), then replaces it with fresh metadata', async () => {
    const first = await setup();
    first.manager.setAuthState('signedIn');
    first.manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await first.manager.whenIdle();

    emu.setFaults({ latencyMs: 300 });
    const second = await setup({ cacheDir: await copyDir(first.cacheDir) });
    second.manager.setAuthState('signedIn');
    second.manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await waitFor(() => second.sink.metadata().length > 0, 'the cached metadata');
    const session = second.manager.sessions()[0];
    assert.equal(second.sink.metadata()[0].stale, true, 'the cache goes out first, marked stale');
    assert.equal(second.manager.state, 'stale');
    assert.equal(session.snapshot.loading, true, 'the network load is still running');
    assert.match(staleMarker(session.snapshot, Date.now()) ?? '', /^stale since (just now|\d+ seconds? ago)$/);

    await second.manager.whenIdle();
    assert.equal(second.manager.state, 'connected');
    assert.equal(second.sink.lastMetadata()?.stale, undefined);
    assert.equal(session.snapshot.stale, false);
  });

  it('works offline from the cache: network failures keep the cached data, marked stale, with the reason', async () => {
    const online = await setup();
    online.manager.setAuthState('signedIn');
    online.manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await online.manager.whenIdle();
    const savedAt = (await loadMetadataCache(online.cacheDir, emu.instanceId));
    assert.ok(savedAt.ok);

    emu.setFaults({ dropRate: 1 });
    const offline = await setup({ cacheDir: await copyDir(online.cacheDir) });
    offline.manager.setAuthState('signedIn');
    offline.manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await offline.manager.whenIdle();
    const snapshot = offline.manager.sessions()[0].snapshot;
    assert.equal(offline.manager.state, 'stale');
    assert.equal(snapshot.metadata?.namedValues.length, demoNamedValues().length);
    assert.equal(snapshot.dataTime, savedAt.savedAt, 'stale since the time the cache was written');
    assert.equal(snapshot.lastError?.kind, 'network');
    assert.match(snapshot.lastError?.userMessage ?? '', /Cannot reach https:\/\/127\.0\.0\.1:\d+/);
    assert.ok(errorActions(snapshot.lastError!).includes('Retry'));
    assert.ok(offline.sink.metadata().every((m) => m.stale === true), 'the server only ever saw stale data');
    assert.equal(presentStatusBar({ state: offline.manager.state, session: snapshot, now: Date.now() }).text, `$(azure) contoso-apim (stale) $(warning) ${Object.keys(DEMO_FAILING_KEY_VAULT).length}`);

    // Without a cache there is nothing to show: an error state that says why.
    const empty = await setup();
    empty.manager.setAuthState('signedIn');
    empty.manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await empty.manager.whenIdle();
    assert.equal(empty.manager.state, 'error');
    assert.equal(empty.manager.sessions()[0].snapshot.metadata, undefined);
    assert.deepEqual(empty.sink.metadata(), []);
  });

  it('keeps the last data when a refresh fails, marks it stale, and recovers on the next refresh', async () => {
    const { manager, sink } = await setup();
    manager.setAuthState('signedIn');
    manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await manager.whenIdle();
    emu.setFaults({ serverErrorRate: 1 });
    const [failed] = await manager.refresh();
    assert.equal(failed.outcome.ok, false);
    assert.ok(!failed.outcome.ok && failed.outcome.keptMetadata);
    assert.ok(!failed.outcome.ok && failed.outcome.error.kind === 'server');
    assert.ok(!failed.outcome.ok && /HTTP 50[03]/.test(failed.outcome.error.userMessage), 'the ARM status is named');
    assert.equal(manager.state, 'stale');
    assert.equal(sink.lastMetadata()?.stale, true);
    assert.equal(sink.lastMetadata()?.namedValues.length, demoNamedValues().length);

    emu.setFaults({ serverErrorRate: 0 });
    const [ok] = await manager.refresh();
    assert.equal(ok.outcome.ok, true);
    assert.equal(manager.state, 'connected');
    assert.equal(manager.sessions()[0].snapshot.lastError, undefined);
    assert.equal(sink.lastMetadata()?.stale, undefined);
  });

  it('cancels a running load without marking anything failed', async () => {
    const { manager } = await setup();
    manager.setAuthState('signedIn');
    emu.setFaults({ latencyMs: 400 });
    manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await manager.whenIdle();
    const controller = new AbortController();
    const refreshing = manager.refresh({ signal: controller.signal });
    controller.abort();
    const [result] = await refreshing;
    assert.ok(!result.outcome.ok && result.outcome.error.kind === 'cancelled');
    assert.equal(manager.sessions()[0].snapshot.lastError, undefined);
    assert.equal(manager.state, 'connected');
  });

  it('reports errors a user can act on: unknown instance (404), rejected credentials (401), bad instance ids', async () => {
    const missing = formatServiceResourceId({ subscriptionId: emu.subscriptionId, resourceGroup: 'rg-contoso-apis', serviceName: 'no-such-apim' });
    const a = await setup();
    a.manager.setAuthState('signedIn');
    a.manager.configure({ folders: [{ folderUri: FOLDER, instance: missing }], refreshIntervalMinutes: 0 });
    await a.manager.whenIdle();
    const notFound = a.manager.sessions()[0].snapshot.lastError;
    assert.equal(notFound?.kind, 'notFound');
    assert.match(notFound?.userMessage ?? '', /no-such-apim.*no longer exists.*select another instance/);
    assert.deepEqual(errorActions(notFound!), ['Select Instance', 'Retry']);

    const b = await managerFor(emu, { settings: { 'apimPolicy.servicePrincipal.clientId': '00000000-0000-0000-0000-000000000000' } });
    cleanups.push(b.dispose);
    b.manager.setAuthState('signedIn');
    b.manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    await b.manager.whenIdle();
    const rejected = b.manager.sessions()[0].snapshot.lastError;
    assert.equal(rejected?.kind, 'unauthenticated');
    assert.ok(errorActions(rejected!).includes('Sign In'));
    assert.equal(b.manager.state, 'error');

    const c = await setup();
    c.manager.setAuthState('signedIn');
    c.manager.configure({ folders: [{ folderUri: FOLDER, folderName: 'policies', instance: '/subscriptions/x/resourceGroups/rg' }], refreshIntervalMinutes: 0 });
    assert.equal(c.manager.sessions().length, 0);
    assert.equal(c.manager.state, 'noInstance');
    assert.match(c.manager.configurationProblems[0], /^policies: .*is not an API Management resource id/);
  });

  it('maps several folders to their instances and forgets instances on sign-out', async () => {
    const staging = formatServiceResourceId({ subscriptionId: emu.subscriptionId, resourceGroup: 'rg-contoso-staging', serviceName: 'contoso-apim-staging' });
    const { manager, sink } = await setup();
    manager.setAuthState('signedIn');
    manager.configure({
      folders: [
        { folderUri: 'file:///ws/prod', instance: emu.instanceId },
        { folderUri: 'file:///ws/staging', instance: staging },
        { folderUri: 'file:///ws/docs' },
      ],
      refreshIntervalMinutes: 0,
    });
    await manager.whenIdle();
    assert.equal(manager.sessions().length, 2);
    assert.equal(manager.sessionForFolder('file:///ws/staging')?.resource.serviceName, 'contoso-apim-staging');
    assert.equal(manager.sessionForFolder('file:///ws/docs'), undefined, 'with two instances a folder without one gets none');
    const folders = sink.events.filter((e) => e.type === 'folders').at(-1);
    assert.deepEqual(folders?.params, { folders: [{ folderUri: 'file:///ws/prod', instanceId: emu.instanceId }, { folderUri: 'file:///ws/staging', instanceId: staging }] });
    assert.deepEqual(new Set(sink.metadata().map((m) => m.displayName)), new Set(['contoso-apim', 'contoso-apim-staging']));

    manager.configure({ folders: [{ folderUri: 'file:///ws/prod', instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    assert.deepEqual(sink.events.filter((e) => e.type === 'removed').map((e) => e.params), [{ instanceId: staging }]);

    manager.setAuthState('signedOut');
    assert.equal(manager.state, 'signedOut');
    assert.deepEqual(sink.events.filter((e) => e.type === 'removed').map((e) => e.params), [{ instanceId: staging }, { instanceId: emu.instanceId }]);
    assert.deepEqual(sink.events.filter((e) => e.type === 'folders').at(-1)?.params, { folders: [] }, 'no folder maps to an instance once signed out');
  });

  it('refreshes in the background on the configured interval (fake clock), and a manual refresh restarts the count', async () => {
    const clock = new FakeClock(Date.now());
    const { manager, sink } = await setup({ clock });
    manager.setAuthState('signedIn');
    manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 5 });
    await manager.whenIdle();
    const loads = () => emu.requestLog.filter((r) => r.method === 'GET' && /\/namedValues\?/.test(r.path)).length;
    const publishes = () => sink.metadata().length;
    const before = { loads: loads(), publishes: publishes() };
    assert.equal(manager.nextRefreshAt, clock.now() + 5 * 60_000);

    clock.advance(4 * 60_000 + 59_000);
    await manager.whenIdle();
    assert.equal(loads(), before.loads, 'nothing before the interval');

    clock.advance(1000);
    await waitFor(() => manager.sessions()[0].snapshot.loading || loads() > before.loads, 'the background load to start');
    await manager.whenIdle();
    assert.ok(loads() > before.loads, 'background refresh reloaded the named values');
    assert.ok(publishes() > before.publishes, 'and sent them to the server');
    await waitFor(() => manager.nextRefreshAt !== undefined, 'the next background refresh to be scheduled');
    assert.equal(manager.nextRefreshAt, clock.now() + 5 * 60_000);

    clock.advance(2 * 60_000);
    await manager.refresh();
    assert.equal(manager.nextRefreshAt, clock.now() + 5 * 60_000, 'a manual refresh pushes the background one a full interval away');

    manager.configure({ folders: [{ folderUri: FOLDER, instance: emu.instanceId }], refreshIntervalMinutes: 0 });
    assert.equal(manager.nextRefreshAt, undefined);
    assert.equal(clock.pending, 0, '0 switches background refresh off');
  });
});

async function copyDir(dir: string): Promise<string> {
  const target = await tempDir('apim-client-cache-copy-');
  await fs.cp(dir, target, { recursive: true });
  return target;
}
