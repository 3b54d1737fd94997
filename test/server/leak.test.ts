// Secrets planted in the emulator must never reach anything the language
// server sends, the trace-level log, or the metadata cache on disk — even
// while every feature runs on documents that use every named value, and
// after the user explicitly reveals a value.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureAccess, saveMetadataCache } from '../../client/src/azure';
import { leakedIn, plantedSecrets, startSetup, type EmulatorSetup } from '../azure/helpers';
import { LspSession } from './support/lspSession';

describe('secrets never leak (emulator → Azure layer → language server)', function () {
  this.timeout(60_000);
  let setup: EmulatorSetup;
  let session: LspSession;
  let cacheDir: string;

  before(async () => {
    setup = await startSetup();
    session = await LspSession.start();
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-leak-cache-'));
  });
  after(async () => {
    await session.stop();
    await setup.emu.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('keeps every planted secret out of the notification, server output, trace log and cache', async () => {
    const secrets = plantedSecrets(setup.emu);
    assert.ok(secrets.length >= 8, `expected the fixture's planted secrets, found ${secrets.length}`);
    const azure = new AzureAccess(setup.credential, setup.options);
    const { metadata } = await azure.loadInstanceMetadata(setup.emu.instanceId);
    const secretKinds = metadata.namedValues.filter((nv) => nv.kind !== 'plain');
    assert.ok(secretKinds.length >= 5, 'the demo instance has secret and Key Vault named values');

    // What the client sends to the server.
    assert.deepEqual(leakedIn(JSON.stringify(metadata), secrets), []);
    await session.sendMetadata(metadata);

    // A policy that uses every named value, then every feature over it.
    const uri = 'file:///leak/policy.xml';
    const uses = metadata.namedValues.map((nv, i) => `    <set-header name="h${i}"><value>{{${nv.displayName}}}</value></set-header>`).join('\n');
    const text = `<policies>\n  <inbound>\n    <base />\n${uses}\n    <set-header name="x"><value>{{</value></set-header>\n  </inbound>\n</policies>\n`;
    await session.open(uri, text);
    await session.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'key-vault-refresh-failed'));
    const completion = await session.completion(uri, text.lastIndexOf('{{') + 2);
    assert.equal(completion.items.length, metadata.namedValues.length);
    for (const nv of metadata.namedValues) {
      const at = text.indexOf(`{{${nv.displayName}}}`) + 3;
      await session.hover(uri, at);
      await session.definition(uri, at);
    }

    // The user explicitly reveals a secret: the value comes back to the caller only.
    const secret = secretKinds.find((nv) => nv.kind === 'secret');
    assert.ok(secret);
    const revealed = await azure.revealValue(setup.emu.instanceId, secret.name);
    assert.ok(secrets.includes(revealed), 'reveal returns the planted value');

    const cacheFile = await saveMetadataCache(cacheDir, metadata);
    const serverOutput = Buffer.concat(session.rawOutput).toString('utf8');
    assert.ok(serverOutput.includes('key-vault-refresh-failed'), 'the server output was captured');
    assert.deepEqual(leakedIn(serverOutput, secrets), [], 'server output');
    assert.ok(setup.logLines.length > 10, 'trace log lines were captured');
    assert.deepEqual(leakedIn(setup.logLines.join('\n'), secrets), [], 'trace log');
    const cached = fs.readdirSync(cacheDir).map((f) => fs.readFileSync(path.join(cacheDir, f), 'utf8')).join('\n');
    assert.ok(cached.length > 100 && typeof cacheFile === 'string');
    assert.deepEqual(leakedIn(cached, secrets), [], 'cache on disk');
  });
});
