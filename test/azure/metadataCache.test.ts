/**
 * Offline metadata cache: round trip, stale flag, bad files, atomic writes,
 * defensive stripping, and the end-to-end leak test against every secret the
 * emulator planted.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AzureAccess,
  cacheFilePath,
  loadMetadataCache,
  saveMetadataCache,
} from '../../client/src/azure';
import type { InstanceMetadata } from '../../protocol/protocol';
import { type EmulatorSetup, leakedIn, plantedSecrets, startSetup, guardRejections } from './helpers';

const INSTANCE = '/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg-x/providers/Microsoft.ApiManagement/service/apim-x';

function sample(): InstanceMetadata {
  return {
    instanceId: INSTANCE,
    displayName: 'apim-x',
    namedValues: [
      { name: 'plain-one', displayName: 'plain-one', kind: 'plain', value: 'https://example.test', tags: ['a'] },
      { name: 'secret-one', displayName: 'secret-one', kind: 'secret' },
      {
        name: 'kv-one',
        displayName: 'kv-one',
        kind: 'keyVault',
        keyVault: { secretIdentifier: 'https://kv.vault.azure.net/secrets/one', identityClientId: 'cid', lastStatus: { code: 'Forbidden', message: 'denied', timeStampUtc: '2024-01-01T00:00:00.000Z' } },
      },
    ],
    backends: [{ name: 'b', url: 'https://b.test', description: 'backend' }],
    policyFragments: [{ name: 'f', description: 'fragment' }],
    loggers: [{ name: 'l', loggerType: 'applicationInsights' }],
    certificates: [{ name: 'c', subject: 'CN=c', expirationDate: '2030-01-01T00:00:00.000Z' }],
    policyDescriptions: [{ name: 'rate-limit', description: 'Limits calls', scope: 15 }],
  };
}

describe('azure/metadataCache', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-cache-test-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('round-trips metadata and marks it stale with the save time', async () => {
    const savedAt = new Date('2025-06-01T12:34:56.000Z');
    const file = await saveMetadataCache(dir, sample(), savedAt);
    assert.equal(file, cacheFilePath(dir, INSTANCE));
    const loaded = await loadMetadataCache(dir, INSTANCE);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.reason);
    assert.equal(loaded.savedAt, savedAt.toISOString());
    assert.deepEqual(loaded.metadata, { ...sample(), stale: true });
    // Same instance spelled differently finds the same file.
    const respelled = await loadMetadataCache(dir, `${INSTANCE.replace('/resourceGroups/', '/resourcegroups/')}/`);
    assert.ok(respelled.ok);
  });

  it('strips any secret value or unknown field, even when handed one', async () => {
    const poisoned = sample() as unknown as { namedValues: Array<Record<string, unknown>>; backends: Array<Record<string, unknown>>; loggers: Array<Record<string, unknown>> } & Record<string, unknown>;
    poisoned.namedValues[1].value = 'SECRET-DO-NOT-LEAK-handed-secret';
    poisoned.namedValues[2].value = 'SECRET-DO-NOT-LEAK-handed-kv';
    (poisoned.namedValues[2].keyVault as Record<string, unknown>).value = 'SECRET-DO-NOT-LEAK-nested';
    poisoned.backends[0].credentials = { header: { 'x-key': ['SECRET-DO-NOT-LEAK-backend'] } };
    poisoned.loggers[0].credentials = { instrumentationKey: 'SECRET-DO-NOT-LEAK-logger' };
    poisoned.apiKey = 'SECRET-DO-NOT-LEAK-top';
    const file = await saveMetadataCache(dir, poisoned as unknown as InstanceMetadata);
    const text = await fs.readFile(file, 'utf8');
    assert.ok(!text.includes('SECRET-DO-NOT-LEAK'), text);
    assert.ok(text.includes('https://example.test'), 'plain values are kept');
    const loaded = await loadMetadataCache(dir, INSTANCE);
    assert.ok(loaded.ok);
    assert.ok(!JSON.stringify(loaded.metadata).includes('SECRET-DO-NOT-LEAK'));
  });

  it('ignores corrupt, foreign, old-format and missing files with a reason', async () => {
    const file = cacheFilePath(dir, INSTANCE);
    const missing = await loadMetadataCache(dir, INSTANCE);
    assert.deepEqual({ ok: missing.ok, reason: missing.ok ? '' : missing.reason }, { ok: false, reason: 'no cached metadata for this instance' });

    await fs.writeFile(file, '{"kind":"apim-policy-studio/instance-metadata","formatVersion":1,"savedAt":"2025-');
    const corrupt = await loadMetadataCache(dir, INSTANCE);
    assert.ok(!corrupt.ok && /not valid JSON/.test(corrupt.reason));

    await saveMetadataCache(dir, sample());
    const valid = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(file, JSON.stringify({ ...valid, formatVersion: 0 }));
    const old = await loadMetadataCache(dir, INSTANCE);
    assert.ok(!old.ok && /format 0 is not the supported format 1/.test(old.reason));

    await fs.writeFile(file, JSON.stringify({ ...valid, instanceId: INSTANCE.replace('apim-x', 'apim-y') }));
    const foreign = await loadMetadataCache(dir, INSTANCE);
    assert.ok(!foreign.ok && /another instance/.test(foreign.reason));

    await fs.writeFile(file, JSON.stringify({ ...valid, savedAt: 'yesterday' }));
    const noDate = await loadMetadataCache(dir, INSTANCE);
    assert.ok(!noDate.ok && /savedAt/.test(noDate.reason));

    await fs.writeFile(file, JSON.stringify([1, 2, 3]));
    const notOurs = await loadMetadataCache(dir, INSTANCE);
    assert.ok(!notOurs.ok && /not a metadata cache file/.test(notOurs.reason));
  });

  it('writes atomically: concurrent saves leave one complete file and no temp files', async () => {
    const versions = Array.from({ length: 12 }, (_, i) => ({ ...sample(), displayName: `version-${i}` }));
    await Promise.all(versions.map((m) => saveMetadataCache(dir, m)));
    const entries = await fs.readdir(dir);
    assert.deepEqual(entries, [path.basename(cacheFilePath(dir, INSTANCE))]);
    const loaded = await loadMetadataCache(dir, INSTANCE);
    assert.ok(loaded.ok, 'the surviving file is complete');
    assert.match(loaded.metadata.displayName, /^version-\d+$/);
  });
});

describe('azure/metadataCache leak test (emulator)', function () {
  this.timeout(30_000);
  let setup: EmulatorSetup;
  let dir: string;
  guardRejections();

  before(async () => {
    setup = await startSetup();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apim-leak-test-'));
  });
  after(async () => {
    await setup?.emu.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('no planted secret appears in the cache file, the log lines or anything returned', async () => {
    const secrets = plantedSecrets(setup.emu);
    assert.ok(secrets.filter((s) => s.startsWith('SECRET-DO-NOT-LEAK')).length >= 10, `found the planted markers: ${secrets.length}`);

    const access = new AzureAccess(setup.credential, setup.options);
    const subscriptions = await access.listSubscriptions();
    const services = await access.listServices(setup.emu.subscriptionId);
    const { metadata, extras } = await access.loadInstanceMetadata(setup.emu.instanceId, { fetchFragmentXml: true });
    const file = await saveMetadataCache(dir, metadata);
    const cached = await loadMetadataCache(dir, setup.emu.instanceId);
    assert.ok(cached.ok);

    // The check is meaningful only if the material is there: plain values and many log lines.
    assert.ok(metadata.namedValues.some((n) => n.kind === 'plain' && n.value));
    assert.ok(setup.logLines.length >= 12, `captured ${setup.logLines.length} log lines`);

    const haystacks: Record<string, string> = {
      cacheFile: await fs.readFile(file, 'utf8'),
      logLines: setup.logLines.join('\n'),
      metadata: JSON.stringify(metadata),
      extras: JSON.stringify(extras),
      cached: JSON.stringify(cached),
      discovery: JSON.stringify({ subscriptions, services }),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      assert.deepEqual(leakedIn(text, secrets), [], `secret found in ${where}`);
    }
  });
});
