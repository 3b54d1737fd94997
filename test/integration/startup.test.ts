// In the extension host: how soon the editor is complete. Prints the time from activation to the
// first instance metadata that reached the language server, and — for an instance with a cache,
// while Azure answers slowly — the time until the cached metadata is sent and until an opened
// policy has its first diagnostics, both before the network load returns.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApimPolicyExtensionApi } from '../../client/src/api';
import { SETTINGS } from '../../client/src/contributions';
import { connectedApi, diagnosticCode, emulator, resetInstance, scratchFile, until, waitForDiagnostics } from './support/host';

/** Azure held for longer than the test: whatever the editor shows meanwhile came from the cache. */
const HELD_ARM_MS = 600_000;

describe('startup', () => {
  let api: ApimPolicyExtensionApi;
  let instanceId: string;

  before(async function () {
    this.timeout(90_000);
    api = await connectedApi();
    const configured = vscode.workspace.getConfiguration().get<string>(SETTINGS.instance);
    assert.ok(configured, 'the workspace names an instance');
    instanceId = configured;
  });

  after(async function () {
    this.timeout(120_000);
    // Disconnecting cancels a load Azure still holds; then the instance connects again at full speed.
    const configuration = vscode.workspace.getConfiguration();
    await configuration.update(SETTINGS.instance, undefined, vscode.ConfigurationTarget.Workspace);
    await until(() => api.connection.manager.sessions().length === 0, 'the instance disconnected');
    await emulator().reset();
    await configuration.update(SETTINGS.instance, instanceId, vscode.ConfigurationTarget.Workspace);
    await until(() => api.connection.state === 'connected', 'connected to Azure again', 60_000);
    await resetInstance(api);
  });

  it('sends the instance metadata to the language server soon after activation', function () {
    const first = api.startup.metadataSent[0];
    assert.ok(first, 'metadata reached the language server');
    // The measurement travels in the reported title (the host's console is not the driver's).
    if (this.test) this.test.title += ` [activation → metadata at the server: ${first.at - api.startup.activatedAt} ms, ${first.stale ? 'from the cache' : 'from Azure'}, ${first.namedValues} named values]`;
    assert.ok(first.at >= api.startup.activatedAt);
  });

  it('with a cache, completes the editor from it before Azure answers', async function () {
    this.timeout(120_000);
    const configuration = vscode.workspace.getConfiguration();
    await api.connection.whenIdle(); // the previous load is cached

    // Disconnect, slow Azure down, and connect again: as a window opening on a cached instance.
    await configuration.update(SETTINGS.instance, undefined, vscode.ConfigurationTarget.Workspace);
    await until(() => api.connection.manager.sessions().length === 0, 'the instance disconnected');
    await emulator().setFaults({ latencyMs: HELD_ARM_MS });
    const connectedAt = Date.now();
    const sentBefore = api.startup.metadataSent.length;
    await configuration.update(SETTINGS.instance, instanceId, vscode.ConfigurationTarget.Workspace);

    const cached = await until(() => api.startup.metadataSent.slice(sentBefore)[0], 'metadata sent after reconnecting', 30_000);
    assert.equal(cached.stale, true, 'the first metadata after reconnecting came from the cache');
    const document = await scratchFile('startup.policy.xml', '<policies>\n  <inbound>\n    <set-header name="x" exists-action="override">\n      <value>{{no-such-named-value}}</value>\n    </set-header>\n  </inbound>\n</policies>\n');
    const openedAt = Date.now();
    await waitForDiagnostics(document.uri, (d) => d.some((x) => diagnosticCode(x) === 'unknown-named-value'), 'unknown-named-value from the cached metadata', 30_000);
    const diagnosedAt = Date.now();
    if (this.test) {
      this.test.title += ` [metadata at the server ${cached.at - connectedAt} ms after connecting, first diagnostics ${diagnosedAt - openedAt} ms after opening a policy, Azure not answering]`;
    }
    assert.equal(api.startup.metadataSent.slice(sentBefore).filter((s) => !s.stale).length, 0, 'nothing came from Azure meanwhile');
    assert.ok(api.connection.manager.sessions()[0]?.isBusy, 'the network load is still running');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
