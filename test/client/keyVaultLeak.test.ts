/**
 * Planted secrets never leak from the new flows: the Key Vault doctor on every
 * demo reference with the length check (the only place a Key Vault value is
 * read), its fixes and the refreshes after them, creating and editing secret
 * named values, and loading a secret's value for an edit. Searched: the
 * diagnosis view's rows and tooltips, the messages the commands show, the
 * trace and session logs, what the language server is sent, and the cache.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { RunningEmulator } from '../../emulator';
import { createNamedValue, readForEdit, updateNamedValue } from '../../client/src/azure';
import { cacheFilePath } from '../../client/src/azure/metadataCache';
import type { ConnectionManager } from '../../client/src/connection/connectionManager';
import { applyFix, isChangingFix } from '../../client/src/keyVaultDoctor/fixes';
import { diagnose, type DoctorReport, summarizeReport } from '../../client/src/keyVaultDoctor/diagnose';
import { childrenOf, type DoctorNode, present } from '../../client/src/keyVaultDoctor/presentation';
import { draftFrom } from '../../client/src/namedValueEditing/validation';
import { leakedIn, plantedSecrets, UnhandledRejectionGuard } from '../azure/helpers';
import { connectedToEmulator, MemoryLogger, RecordingSink } from './support';

/** Every row of the doctor view, as text: labels, descriptions, tooltips, accessibility labels. */
function viewText(report: DoctorReport): string {
  const lines: string[] = [];
  const walk = (node: DoctorNode | undefined) => {
    for (const child of childrenOf(report, node)) {
      const row = present(report, child);
      lines.push(row.label, row.description ?? '', row.tooltip, row.accessibilityLabel);
      walk(child);
    }
  };
  walk(undefined);
  return lines.join('\n');
}

describe('client/secrets never leak from the Key Vault doctor and named value edits (emulator)', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let manager: ConnectionManager;
  let sink: RecordingSink;
  let log: MemoryLogger;
  let cacheDir: string;
  let dispose: () => Promise<void>;
  const guard = new UnhandledRejectionGuard();

  before(async () => {
    guard.install();
    ({ emu, manager, sink, log, cacheDir, dispose } = await connectedToEmulator({ lroDurationMs: 30 }));
  });
  after(async () => {
    guard.uninstall();
    await dispose?.();
  });

  it('keeps every planted secret out of the view, messages, logs, server traffic and cache', async () => {
    const session = manager.sessions()[0];
    const access = await session.access();
    const shown: string[] = [];
    const keyVaultNames = (session.currentMetadata?.namedValues ?? []).filter((nv) => nv.kind === 'keyVault').map((nv) => nv.name);
    assert.ok(keyVaultNames.length >= 10, 'every demo scenario is diagnosed');

    // Diagnose everything, reading every readable secret to measure it.
    const reports: DoctorReport[] = [];
    for (const name of keyVaultNames) reports.push(await diagnose(access, emu.instanceId, name, { checkLength: true, onProgress: (m) => shown.push(m) }));
    const measured = reports.filter((r) => r.checks.find((c) => c.id === 'length')?.outcome === 'pass');
    assert.ok(measured.length >= 3, `values were really read (${measured.length} measured)`);

    // Apply every changing fix offered, then refresh as the command does.
    for (const report of reports) {
      const fix = report.checks.flatMap((c) => c.fixes).find(isChangingFix);
      if (!fix) continue;
      shown.push(await applyFix(access, report, fix));
      const summary = await session.refreshSecrets([report.name]);
      shown.push(...summary.failed.map((f) => f.userMessage));
      const after = await diagnose(access, emu.instanceId, report.name, { checkLength: true });
      reports.push(after);
      shown.push(summarizeReport(after).text);
    }

    // Create and edit secrets, and load one for editing (an explicit reveal).
    const created = await createNamedValue(access.clients, emu.instanceId, 'leak-test-secret', {
      kind: 'secret', displayName: 'leak-test-secret', tags: [], value: 'SECRET-DO-NOT-LEAK-created-in-test',
    });
    shown.push(JSON.stringify(created));
    const current = await readForEdit(access.clients, emu.instanceId, 'leak-test-secret');
    const loaded = await session.revealValue('leak-test-secret');
    assert.equal(loaded, 'SECRET-DO-NOT-LEAK-created-in-test');
    shown.push(JSON.stringify(await updateNamedValue(access.clients, emu.instanceId, current, { ...draftFrom(current.info), kind: 'secret', value: 'SECRET-DO-NOT-LEAK-edited-in-test' })));
    await session.load();

    const secrets = plantedSecrets(emu);
    assert.ok(secrets.some((s) => s.includes('edited-in-test')) && secrets.some((s) => s.length > 4096), 'the new and the long secrets are hunted for');
    assert.deepEqual(leakedIn(reports.map(viewText).join('\n'), secrets), [], 'the doctor view');
    assert.deepEqual(leakedIn(JSON.stringify(reports), secrets), [], 'the reports (API)');
    assert.deepEqual(leakedIn(shown.join('\n'), secrets), [], 'messages and progress');
    assert.ok(log.lines.some((l) => l.includes('keyvault GET')), 'data-plane calls were traced');
    assert.deepEqual(leakedIn(log.lines.join('\n'), secrets), [], 'logs');
    assert.deepEqual(leakedIn(sink.text(), secrets), [], 'what the language server is sent');
    assert.deepEqual(leakedIn(await fs.readFile(cacheFilePath(cacheDir, emu.instanceId), 'utf8'), secrets), [], 'the cache');
  });
});
