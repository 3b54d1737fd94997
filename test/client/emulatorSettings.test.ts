/**
 * The emulator is reachable purely through the extension's ordinary
 * settings: take exactly what `npm run emulator` prints (settings JSON and
 * environment), read it like the extension does, and load the demo
 * instance — once with `environment` auth, once with a stored service
 * principal secret — and show the error users get without the CA.
 */
import * as assert from 'node:assert/strict';
import type { RunningEmulator } from '../../emulator';
import { connectionInstructions } from '../../emulator/cli';
import { createAccessFromSettings } from '../../client/src/connection/accessFactory';
import { classifyError } from '../../client/src/azure/errors';
import { readConnectionSettings } from '../../client/src/settings';
import { FAST_RETRY, startQuietEmulator } from './support';
import { demoNamedValues } from '../support/demoScenarios';

function jsonBlocks(text: string): Array<Record<string, unknown>> {
  return [...text.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map((m) => JSON.parse(m[0]) as Record<string, unknown>);
}

describe('client/emulator through ordinary settings', function () {
  this.timeout(30_000);
  let emu: RunningEmulator;
  let printed: string;
  const savedEnv = { ...process.env };

  before(async () => {
    emu = await startQuietEmulator();
    printed = connectionInstructions(emu);
  });
  after(async () => {
    await emu?.stop();
  });
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });

  it('prints the extension settings and environment variables', () => {
    const [settings, servicePrincipal] = jsonBlocks(printed);
    assert.deepEqual(settings, {
      'apimPolicy.cloud': 'custom',
      'apimPolicy.customCloud.armEndpoint': emu.url,
      'apimPolicy.customCloud.authorityHost': emu.url,
      'apimPolicy.auth': 'environment',
      'apimPolicy.extraCaCertificates': [emu.caFile],
      'apimPolicy.instance': emu.instanceId,
    });
    assert.deepEqual(servicePrincipal, {
      'apimPolicy.auth': 'servicePrincipal',
      'apimPolicy.servicePrincipal.tenantId': emu.tenantId,
      'apimPolicy.servicePrincipal.clientId': emu.clientId,
    });
    const exports = Object.fromEntries([...printed.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    assert.equal(exports.AZURE_TENANT_ID, emu.tenantId);
    assert.equal(exports.AZURE_CLIENT_ID, emu.clientId);
    assert.equal(exports.AZURE_CLIENT_SECRET, emu.clientSecret);
    assert.equal(exports.NODE_EXTRA_CA_CERTS, emu.caFile);
    assert.match(printed, /Set Service Principal Secret/);
  });

  it('loads the demo instance with the printed settings and environment (auth: environment)', async () => {
    const [settingsJson] = jsonBlocks(printed);
    for (const [, key, value] of printed.matchAll(/export (AZURE_\w+)=(\S+)/g)) process.env[key] = value;
    const { settings, problems } = readConnectionSettings((key) => settingsJson[key]);
    assert.deepEqual(problems, []);
    const parts = await createAccessFromSettings(settings, { retry: FAST_RETRY });
    assert.equal(parts.caCount, 1);
    assert.equal(parts.cloud.armEndpoint, emu.url);
    const { metadata } = await parts.access.loadInstanceMetadata(String(settingsJson['apimPolicy.instance']));
    assert.equal(metadata.displayName, 'contoso-apim');
    assert.equal(metadata.namedValues.length, demoNamedValues().length);
  });

  it('loads it with the service principal variant and the secret from secret storage', async () => {
    const [settingsJson, servicePrincipal] = jsonBlocks(printed);
    for (const key of Object.keys(process.env)) if (key.startsWith('AZURE_')) delete process.env[key];
    const values = { ...settingsJson, ...servicePrincipal };
    const { settings } = readConnectionSettings((key) => values[key]);
    const parts = await createAccessFromSettings(settings, { servicePrincipalSecret: emu.clientSecret, retry: FAST_RETRY });
    const subscriptions = await parts.access.listSubscriptions();
    assert.deepEqual(subscriptions.map((s) => s.displayName), ['Contoso Production']);
    const services = await parts.access.listServices(emu.subscriptionId);
    assert.ok(services.some((s) => s.id.toLowerCase() === emu.instanceId.toLowerCase()));
  });

  it('without the CA certificate, says to add it to apimPolicy.extraCaCertificates', async () => {
    const [settingsJson, servicePrincipal] = jsonBlocks(printed);
    const values: Record<string, unknown> = { ...settingsJson, ...servicePrincipal, 'apimPolicy.extraCaCertificates': [] };
    const { settings } = readConnectionSettings((key) => values[key]);
    const parts = await createAccessFromSettings(settings, { servicePrincipalSecret: emu.clientSecret, retry: { ...FAST_RETRY, maxRetries: 0 } });
    const error = await parts.access.listSubscriptions().then(
      () => assert.fail('an untrusted emulator must fail'),
      (e: unknown) => classifyError(e),
    );
    assert.equal(error.kind, 'network');
    assert.match(error.userMessage, /not trusted.*extra CA certificates setting.*NODE_EXTRA_CA_CERTS/);
  });
});
