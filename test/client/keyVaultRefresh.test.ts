/**
 * Key Vault refresh from the client's point of view, against the emulator's
 * vault simulation: "refresh all failed" with progress and a summary that
 * says what to fix (403 → which permission), "fix the vault, refresh, status
 * turns green" reaching the tree model, status bar and language server, the
 * refreshing state, ARM-level failures that keep the last known status,
 * cancellation, and no secret value anywhere.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { RunningEmulator } from '../../emulator';
import { cacheFilePath, loadMetadataCache } from '../../client/src/azure/metadataCache';
import type { ConnectionManager } from '../../client/src/connection/connectionManager';
import type { InstanceSession } from '../../client/src/connection/instanceSession';
import { presentStatusBar } from '../../client/src/namedValues/instanceModel';
import { NamedValueListModel, namedValueTooltip, presentNamedValue } from '../../client/src/namedValues/model';
import { failedKeyVaultNames, keyVaultPickRows, refreshProgressMessage, summarizeRefresh } from '../../client/src/namedValues/refreshFlow';
import { leakedIn, plantedSecrets, UnhandledRejectionGuard } from '../azure/helpers';
import { connectedToEmulator, MemoryLogger, RecordingSink, waitFor } from './support';
import { DEMO_FAILING_KEY_VAULT, demoFailingDisplayNames, demoNamedValues, repairEveryDemoKeyVaultFailure, RESTORED_DEMO_SECRET } from '../support/demoScenarios';

describe('client/Key Vault refresh (emulator)', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let manager: ConnectionManager;
  let session: InstanceSession;
  let sink: RecordingSink;
  let log: MemoryLogger;
  let cacheDir: string;
  let dispose: () => Promise<void>;
  const guard = new UnhandledRejectionGuard();

  before(async () => {
    guard.install();
    ({ emu, manager, sink, log, cacheDir, dispose } = await connectedToEmulator({ lroDurationMs: 150 }));
    session = manager.sessions()[0];
    assert.ok(session.currentMetadata);
  });
  after(async () => {
    guard.uninstall();
    await dispose?.();
  });
  afterEach(async () => {
    emu.setFaults({ serverErrorRate: 0, latencyMs: 0 });
    await guard.assertNone();
  });

  const status = (name: string) => session.findNamedValue(name)?.keyVault?.lastStatus?.code;

  it('offers failing Key Vault values first and preselected in the quick pick', () => {
    const rows = keyVaultPickRows(session.currentMetadata, new Set(), Date.now());
    const failing = demoFailingDisplayNames();
    const healthy = demoNamedValues().filter((nv) => nv.keyVault && !failing.includes(nv.displayName)).map((nv) => nv.displayName).sort();
    assert.deepEqual(rows.map((r) => [r.label, r.picked]), [
      ...failing.map((name) => [`$(error) ${name}`, true]),
      ...healthy.map((name) => [`$(key) ${name}`, false]),
    ]);
    assert.equal(rows[1].label, '$(error) billing-api-key');
    assert.match(rows[1].detail, /^Forbidden: Key Vault 'contoso-billing-kv' refused/);
    assert.equal(rows[1].description, 'contoso-billing-kv / billing-api-key');
  });

  it('refreshes all failed secrets with "n of N" progress and summarises what still fails and why', async () => {
    const names = failedKeyVaultNames(session.currentMetadata);
    const total = Object.keys(DEMO_FAILING_KEY_VAULT).length;
    assert.deepEqual([...names].sort(), Object.keys(DEMO_FAILING_KEY_VAULT).sort());
    const progress: string[] = [];
    const summary = await session.refreshSecrets(names, {
      concurrency: 2,
      onProgress: (done, total, name) => progress.push(refreshProgressMessage(done, total, session.findNamedValue(name)?.displayName ?? name)),
    });
    assert.deepEqual(progress.map((p) => p.split(' — ')[0]), names.map((_, i) => `${i + 1} of ${total}`));
    const report = summarizeRefresh(summary, session.currentMetadata);
    assert.equal(report.severity, 'warning');
    assert.equal(report.message, `Refreshed 0 of ${total} Key Vault secrets; ${total} still failing.`);
    const byName = new Map(report.stillFailing.map((f) => [f.displayName, f]));
    assert.equal(byName.get('billing-api-key')?.code, 'Forbidden');
    // The vault uses Azure RBAC and says so (ForbiddenByRbac): the advice names the role, not access policies.
    assert.match(byName.get('billing-api-key')?.advice ?? '', /denied the user-assigned managed identity 9e8d7c6b-5a49-4838-a726-1504f3e2d1c0 .*"Key Vault Secrets User" role/);
    assert.equal(byName.get('loyalty-api-key')?.code, 'Forbidden');
    assert.match(byName.get('loyalty-api-key')?.advice ?? '', /"Get" and "List" secret permissions in the vault access policy/);
    assert.equal(byName.get('legacy-partner-key')?.code, 'SecretNotFound');
    assert.match(byName.get('legacy-partner-key')?.advice ?? '', /does not exist in "contoso-kv\.vault\.azure\.net"/);
    assert.equal(byName.get('archive-storage-key')?.code, 'VaultNotFound');
    assert.match(byName.get('archive-storage-key')?.advice ?? '', /could not be reached.*firewall/);
    assert.match(report.detail, /^• archive-storage-key \(VaultNotFound\): /m);
    assert.equal(new NamedValueListModel(session.currentMetadata!).counts.failed, total);
  });

  it('fix the vault, refresh, status turns green — in the model, the status bar, the server and the cache', async () => {
    const before = sink.metadata().length;
    assert.equal(status('kv-billing-api-key'), 'Forbidden');
    const total = Object.keys(DEMO_FAILING_KEY_VAULT).length;
    assert.equal(presentStatusBar({ state: manager.state, session: session.snapshot, now: Date.now() }).text, `$(azure) contoso-apim $(warning) ${total}`);

    emu.setVaultState('contoso-billing-kv', null, { status: 'ok' });
    const summary = await session.refreshSecrets(['kv-billing-api-key']);
    const report = summarizeRefresh(summary, session.currentMetadata);
    assert.equal(report.message, 'Refreshed 1 of 1 Key Vault secret.');
    assert.equal(report.severity, 'info');

    assert.equal(status('kv-billing-api-key'), 'Success');
    const nv = session.findNamedValue('billing-api-key')!;
    assert.deepEqual(presentNamedValue(nv).icon, { id: 'key', color: 'testing.iconPassed' });
    const bar = presentStatusBar({ state: manager.state, session: session.snapshot, now: Date.now() });
    assert.equal(bar.text, `$(azure) contoso-apim $(warning) ${total - 1}`);

    assert.ok(sink.metadata().length > before, 'the server was told');
    const sent = sink.lastMetadata()?.namedValues.find((n) => n.name === 'kv-billing-api-key');
    assert.equal(sent?.keyVault?.lastStatus?.code, 'Success');
    const cached = await loadMetadataCache(cacheDir, emu.instanceId);
    assert.ok(cached.ok);
    assert.equal(cached.metadata.namedValues.find((n) => n.name === 'kv-billing-api-key')?.keyVault?.lastStatus?.code, 'Success');

    await repairEveryDemoKeyVaultFailure(emu);
    const rest = await session.refreshSecrets(failedKeyVaultNames(session.currentMetadata));
    assert.deepEqual(rest.failed.map((f) => `${f.name}: ${f.message}`), []);
    assert.equal(rest.refreshed.length, total - 1);
    assert.equal(new NamedValueListModel(session.currentMetadata!).counts.failed, 0);
    const healthy = presentStatusBar({ state: manager.state, session: session.snapshot, now: Date.now() });
    assert.equal(healthy.warning, false);
    assert.equal(healthy.text, '$(azure) contoso-apim');
  });

  it('shows the refreshing state while the long-running operation runs', async () => {
    const running = session.refreshSecrets(['kv-jwt-signing-secret']);
    assert.equal(session.isRefreshing('kv-jwt-signing-secret'), true);
    assert.equal(presentNamedValue(session.findNamedValue('kv-jwt-signing-secret')!, true).icon.id, 'sync~spin');
    assert.ok(keyVaultPickRows(session.currentMetadata, session.snapshot.refreshing, Date.now()).some((r) => r.label === '$(sync~spin) jwt-signing-secret'));
    await running;
    assert.equal(session.isRefreshing('kv-jwt-signing-secret'), false);
  });

  it('keeps the last known status when the refresh call itself fails, and says why in the tooltip', async () => {
    assert.equal(status('kv-payment-gateway-key'), 'Success');
    const previous = session.findNamedValue('kv-payment-gateway-key')?.keyVault?.lastStatus;
    emu.setFaults({ serverErrorRate: 1 });
    const summary = await session.refreshSecrets(['kv-payment-gateway-key']);
    assert.equal(summary.failed.length, 1);
    assert.equal(summary.failed[0].error?.kind, 'server');
    assert.deepEqual(session.findNamedValue('kv-payment-gateway-key')?.keyVault?.lastStatus, previous, 'last known status kept');
    const error = session.refreshErrorFor('kv-payment-gateway-key');
    assert.equal(error?.kind, 'server');
    const tooltip = namedValueTooltip(session.findNamedValue('kv-payment-gateway-key')!, { now: Date.now(), refreshError: error });
    assert.match(tooltip, /Last refresh attempt failed: Azure returned a server error \\\(HTTP 50[03]/);
    const report = summarizeRefresh(summary, session.currentMetadata);
    assert.match(report.detail, /payment-gateway-key \((InternalServerError|ServiceUnavailable)\): Azure returned a server error/);

    emu.setFaults({ serverErrorRate: 0 });
    await session.refreshSecrets(['kv-payment-gateway-key']);
    assert.equal(session.refreshErrorFor('kv-payment-gateway-key'), undefined, 'a successful refresh clears it');
  });

  it('cancels a batch: unfinished names come back as cancelled and nothing stays "refreshing"', async () => {
    emu.setFaults({ latencyMs: 200 });
    const names = ['kv-payment-gateway-key', 'kv-jwt-signing-secret', 'kv-billing-api-key', 'kv-archive-storage-key'];
    const controller = new AbortController();
    const running = session.refreshSecrets(names, { concurrency: 1, signal: controller.signal });
    await waitFor(() => session.isRefreshing('kv-payment-gateway-key'), 'the refresh to start');
    controller.abort();
    const summary = await running;
    assert.ok(summary.cancelled.length >= 3, JSON.stringify(summary.cancelled));
    assert.equal(summarizeRefresh(summary, session.currentMetadata).cancelled.length, summary.cancelled.length);
    for (const name of names) assert.equal(session.isRefreshing(name), false, name);
  });

  it('never lets a secret value reach the server, the log or the cache', async () => {
    const secrets = plantedSecrets(emu);
    assert.ok(secrets.some((s) => s.includes(RESTORED_DEMO_SECRET)));
    assert.deepEqual(leakedIn(sink.text(), secrets), []);
    assert.deepEqual(leakedIn(log.lines.join('\n'), secrets), []);
    assert.deepEqual(leakedIn(await fs.readFile(cacheFilePath(cacheDir, emu.instanceId), 'utf8'), secrets), []);
  });
});
