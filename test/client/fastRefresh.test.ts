/**
 * A Key Vault refresh whose operation has already failed when the SDK polls
 * it for the first time (inside `beginRefreshSecret`) must still report the
 * vault's status code and advice, not an "unexpected error". Seen in the
 * real workbench, where the emulator's operations settle within one poll.
 */
import * as assert from 'node:assert/strict';
import type { ConnectionManager } from '../../client/src/connection/connectionManager';
import { failedKeyVaultNames, summarizeRefresh } from '../../client/src/namedValues/refreshFlow';
import { connectedToEmulator } from './support';
import { DEMO_FAILING_KEY_VAULT, demoNamedValues } from '../support/demoScenarios';

describe('client/Key Vault refresh of operations that settle at once (emulator)', function () {
  this.timeout(30_000);
  let manager: ConnectionManager;
  let dispose: () => Promise<void>;

  before(async () => {
    ({ manager, dispose } = await connectedToEmulator({ lroDurationMs: 0 }));
  });
  after(async () => {
    await dispose?.();
  });

  it('reports the vault status codes and advice for every failing secret', async () => {
    const session = manager.sessions()[0];
    const summary = await session.refreshSecrets(failedKeyVaultNames(session.currentMetadata), { concurrency: 3 });
    const report = summarizeRefresh(summary, session.currentMetadata);
    assert.deepEqual(
      report.stillFailing.map((f) => `${f.displayName}:${f.code}`).sort(),
      demoNamedValues().filter((nv) => nv.name in DEMO_FAILING_KEY_VAULT).map((nv) => `${nv.displayName}:${DEMO_FAILING_KEY_VAULT[nv.name]}`).sort(),
    );
    assert.doesNotMatch(report.detail, /Unexpected error/);
  });
});
