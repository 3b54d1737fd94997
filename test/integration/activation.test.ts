// In the extension host: the packaged extension activates for a policy file, hands out its API,
// starts its language server, and connects to the emulator through nothing but the workspace's
// settings and the environment's service principal.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ENV } from './support/envNames';
import { connectedApi, extensionApi, extensionId, openWorkspaceFile, requireEnv } from './support/host';

describe('activation', () => {
  it('opens policy.xml files in the apim-policy language and activates the extension with its API', async () => {
    const document = await openWorkspaceFile('apimartifacts/apis/orders-api/policy.xml');
    assert.equal(document.languageId, 'apim-policy');
    const extension = vscode.extensions.getExtension(extensionId());
    assert.ok(extension, `${extensionId()} is installed`);
    const api = await extensionApi();
    assert.equal(extension.isActive, true);
    assert.equal(typeof api.connection.whenIdle, 'function');
    assert.equal(typeof api.namedValues.getChildren, 'function');
    assert.ok(api.statusBar.item, 'the status bar item is exported');
  });

  it('runs its language server', async () => {
    const api = await extensionApi();
    assert.ok(api.languageClient, 'the language server started');
    // vscode-languageclient's State.Running
    assert.equal(api.languageClient.state, 2);
    assert.equal(api.languageClient.isRunning(), true);
  });

  it('connects to the instance named in the workspace settings, signed in with the environment credential', async () => {
    const settings = vscode.workspace.getConfiguration('apimPolicy');
    assert.equal(settings.get('cloud'), 'custom');
    assert.equal(settings.get('auth'), 'environment');
    assert.equal(settings.get('customCloud.armEndpoint'), requireEnv(ENV.emulatorUrl));
    const api = await connectedApi();
    assert.equal(api.connection.authState, 'signedIn');
    const metadata = api.connection.metadata();
    assert.ok(metadata);
    assert.equal(metadata.instanceId.toLowerCase(), String(settings.get('instance')).toLowerCase());
  });
});
