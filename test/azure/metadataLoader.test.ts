/**
 * Full metadata load of the emulator's demo instance through the real SDK,
 * checked against the emulator's own state; paging with 10,000 extra named
 * values; progress; fragment XML; cancellation.
 */
import * as assert from 'node:assert/strict';
import type { ResourceRecord } from '../../emulator';
import {
  AzureAccess,
  AzureAccessError,
  createApimClient,
  getFragmentXml,
  type LoadProgress,
  loadInstanceMetadata,
} from '../../client/src/azure';
import type { NamedValueKind } from '../../protocol/protocol';
import { type EmulatorSetup, startSetup, guardRejections } from './helpers';

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function names(records: Map<string, ResourceRecord>): string[] {
  return [...records.values()].map((r) => r.name).sort();
}

describe('azure/metadataLoader (emulator demo instance)', function () {
  this.timeout(30_000);
  let setup: EmulatorSetup;
  guardRejections();

  before(async () => {
    setup = await startSetup();
  });
  after(async () => {
    await setup?.emu.stop();
  });

  const demoService = () => {
    const service = setup.emu.state.services.find((s) => setup.emu.instanceId.endsWith(`/service/${s.name}`));
    assert.ok(service, 'demo service in emulator state');
    return service;
  };

  it('maps every part of the instance, with kinds and values only for plain named values', async () => {
    const progress: LoadProgress[] = [];
    const access = new AzureAccess(setup.credential, setup.options);
    const { metadata, extras } = await access.loadInstanceMetadata(setup.emu.instanceId, { onProgress: (p) => progress.push(p) });
    const service = demoService();

    assert.equal(metadata.instanceId, setup.emu.instanceId);
    assert.equal(metadata.displayName, service.name);
    assert.equal(metadata.stale, undefined);

    // Named values: one entry per ARM resource, kind from the wire properties.
    assert.deepEqual(metadata.namedValues.map((n) => n.name).sort(), names(service.namedValues));
    const kinds = new Set<NamedValueKind>();
    for (const record of service.namedValues.values()) {
      const info = metadata.namedValues.find((n) => n.name === record.name);
      assert.ok(info, record.name);
      const props = record.properties;
      const expectedKind: NamedValueKind = props.keyVault ? 'keyVault' : props.secret === true ? 'secret' : 'plain';
      kinds.add(expectedKind);
      assert.equal(info.kind, expectedKind, record.name);
      assert.equal(info.displayName, str(props.displayName) ?? record.name);
      assert.deepEqual(info.tags, Array.isArray(props.tags) && props.tags.length ? props.tags : undefined, `${record.name} tags`);
      if (expectedKind === 'plain') {
        assert.equal(info.value, props.value, `${record.name} plain value`);
      } else {
        assert.equal(info.value, undefined, `${record.name} must not carry a value`);
      }
      if (expectedKind === 'keyVault') {
        const kv = props.keyVault as { secretIdentifier: string; identityClientId?: string; lastStatus?: { code: string; message?: string; timeStampUtc: string } };
        assert.equal(info.keyVault?.secretIdentifier, kv.secretIdentifier);
        assert.equal(info.keyVault?.identityClientId, kv.identityClientId);
        assert.equal(info.keyVault?.lastStatus?.code, kv.lastStatus?.code);
        assert.equal(info.keyVault?.lastStatus?.message, kv.lastStatus?.message);
        assert.equal(Date.parse(info.keyVault?.lastStatus?.timeStampUtc ?? ''), Math.floor(Date.parse(kv.lastStatus?.timeStampUtc ?? '')));
      } else {
        assert.equal(info.keyVault, undefined);
      }
    }
    assert.deepEqual([...kinds].sort(), ['keyVault', 'plain', 'secret'], 'the fixture exercises all three kinds');
    assert.ok(metadata.namedValues.some((n) => n.kind === 'keyVault' && n.keyVault?.lastStatus?.code !== 'Success'), 'some Key Vault references fail');

    assert.deepEqual(metadata.backends.map((b) => b.name).sort(), names(service.backends));
    for (const backend of metadata.backends) {
      const props = service.backends.get(backend.name.toLowerCase())?.properties;
      assert.equal(backend.url, props?.url);
      assert.equal(backend.description, props?.description);
    }
    assert.deepEqual(metadata.policyFragments.map((f) => f.name).sort(), names(service.policyFragments));
    for (const fragment of metadata.policyFragments) {
      assert.equal(fragment.description, service.policyFragments.get(fragment.name.toLowerCase())?.properties.description);
    }
    assert.deepEqual(metadata.loggers.map((l) => l.name).sort(), names(service.loggers));
    for (const logger of metadata.loggers) {
      const props = service.loggers.get(logger.name.toLowerCase())?.properties;
      assert.equal(logger.loggerType, props?.loggerType);
      assert.deepEqual(Object.keys(logger).sort(), ['description', 'loggerType', 'name'], 'logger credentials are not copied');
    }
    assert.deepEqual(metadata.certificates?.map((c) => c.name).sort(), names(service.certificates));
    for (const certificate of metadata.certificates ?? []) {
      const props = service.certificates.get(certificate.name.toLowerCase())?.properties;
      assert.equal(certificate.subject, props?.subject);
      assert.equal(Date.parse(certificate.expirationDate ?? ''), Date.parse(str(props?.expirationDate) ?? ''));
    }
    assert.deepEqual(metadata.policyDescriptions?.map((d) => d.name).sort(), setup.emu.state.policyDescriptions.map((d) => d.name).sort());
    for (const description of metadata.policyDescriptions ?? []) {
      const expected = setup.emu.state.policyDescriptions.find((d) => d.name === description.name);
      assert.equal(description.description, expected?.description);
      assert.equal(description.scope, expected?.scope);
    }

    // Extras: parts outside the protocol, without their secret-bearing settings.
    assert.deepEqual(extras.authorizationProviders.map((p) => p.name).sort(), names(service.authorizationProviders));
    assert.deepEqual(extras.caches.map((c) => c.name).sort(), names(service.caches));
    for (const cache of extras.caches) assert.equal((cache as unknown as Record<string, unknown>).connectionString, undefined);
    assert.equal(extras.service.name, service.name);
    assert.equal(extras.service.location, service.location);
    assert.deepEqual(extras.partErrors, []);

    // Progress: each part starts at 0 and ends done with its final count.
    const parts = ['service', 'namedValues', 'backends', 'policyFragments', 'loggers', 'certificates', 'policyDescriptions', 'authorizationProviders', 'caches'];
    for (const part of parts) {
      const events = progress.filter((p) => p.part === part);
      assert.ok(events.length >= 2, part);
      assert.deepEqual({ loaded: events[0].loaded, done: events[0].done }, { loaded: 0, done: false }, part);
      const last = events[events.length - 1];
      assert.equal(last.done, true, part);
      assert.ok(!last.message.endsWith('…'), last.message);
    }
    const nvDone = progress.find((p) => p.part === 'namedValues' && p.done);
    assert.equal(nvDone?.message, `Named values ${service.namedValues.size}`);
  });

  it('fetches fragment XML on demand and optionally for all fragments', async () => {
    const handle = createApimClient(setup.credential, setup.emu.subscriptionId, setup.options);
    const service = demoService();
    const name = [...service.policyFragments.values()][0].name;
    const xml = await getFragmentXml(handle, setup.emu.instanceId, name);
    assert.match(xml, /^<fragment>[\s\S]*<\/fragment>$/);
    assert.ok(setup.emu.requestLog.some((r) => r.path.includes(`/policyFragments/${name}?`) && /format=rawxml/.test(r.path)), 'requested with format=rawxml');

    const { extras } = await loadInstanceMetadata(handle, setup.emu.instanceId, { fetchFragmentXml: true });
    assert.deepEqual(Object.keys(extras.fragmentXml ?? {}).sort(), names(service.policyFragments));
    assert.equal(extras.fragmentXml?.[name], xml);

    const missing = await getFragmentXml(handle, setup.emu.instanceId, 'no-such-fragment').then(() => undefined, (e: unknown) => e);
    assert.ok(missing instanceof AzureAccessError);
    assert.equal(missing.kind, 'notFound');
    assert.match(missing.classification.userMessage, /"no-such-fragment" was not found/);
  });

  it('reports a deleted or unknown instance as notFound with a pick-another hint', async () => {
    const access = new AzureAccess(setup.credential, setup.options);
    const gone = setup.emu.instanceId.replace(/\/service\/[^/]+$/, '/service/deleted-apim');
    const error = await access.loadInstanceMetadata(gone).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AzureAccessError, String(error));
    assert.equal(error.kind, 'notFound');
    assert.equal(error.classification.status, 404);
    assert.match(error.classification.userMessage, /"deleted-apim".*no longer exists or you lack access.*select another instance/);

    const badId = await access.loadInstanceMetadata('/subscriptions/oops').then(() => undefined, (e: unknown) => e);
    assert.ok(badId instanceof AzureAccessError);
    assert.equal(badId.kind, 'invalidInput');
  });
});

describe('azure/metadataLoader paging (10,000 extra named values)', function () {
  this.timeout(120_000);
  let setup: EmulatorSetup;
  guardRejections();

  before(async () => {
    setup = await startSetup({ extraNamedValues: 10_000 });
  });
  after(async () => {
    await setup?.emu.stop();
  });

  it('loads every page: all named values, unique', async () => {
    const access = new AzureAccess(setup.credential, setup.options);
    const service = setup.emu.state.services.find((s) => setup.emu.instanceId.endsWith(`/service/${s.name}`));
    assert.ok(service);
    const expected = service.namedValues.size;
    assert.ok(expected >= 10_000);
    const counts: number[] = [];
    const started = Date.now();
    const { metadata, extras } = await access.loadInstanceMetadata(setup.emu.instanceId, {
      onProgress: (p) => {
        if (p.part === 'namedValues') counts.push(p.loaded);
      },
    });
    const elapsed = Date.now() - started;
    const pages = setup.emu.requestLog.filter((r) => /\/namedValues\?/.test(r.path) && r.status === 200).length;
    console.log(`      loaded ${metadata.namedValues.length} named values in ${elapsed} ms (${pages} pages; loader reported ${extras.durationMs} ms)`);
    assert.equal(metadata.namedValues.length, expected);
    assert.equal(new Set(metadata.namedValues.map((n) => n.name.toLowerCase())).size, expected, 'names are unique');
    assert.ok(pages > 1, 'more than one page was requested');
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'progress counts never go down');
    assert.equal(counts[counts.length - 1], expected);
  });

  it('cancels mid-load: rejects with cancelled, stops paging, leaves no unhandled rejection', async () => {
    const access = new AzureAccess(setup.credential, setup.options);
    const controller = new AbortController();
    setup.emu.setFaults({ latencyMs: 30 });
    try {
      const before = setup.emu.requestLog.length;
      const error = await access
        .loadInstanceMetadata(setup.emu.instanceId, {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.part === 'namedValues' && p.loaded >= 200) controller.abort();
          },
        })
        .then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof AzureAccessError, String(error));
      assert.equal(error.kind, 'cancelled');
      assert.equal(error.classification.userMessage, 'Cancelled.');
      const pagesRequested = setup.emu.requestLog.slice(before).filter((r) => /\/namedValues\?/.test(r.path)).length;
      assert.ok(pagesRequested < 10, `paging stopped after the abort (${pagesRequested} pages)`);
    } finally {
      setup.emu.setFaults({ latencyMs: 0 });
    }
    // Already-aborted signal: fails before any request.
    const count = setup.emu.requestLog.length;
    const early = await access.loadInstanceMetadata(setup.emu.instanceId, { signal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e);
    assert.ok(early instanceof AzureAccessError && early.kind === 'cancelled');
    assert.equal(setup.emu.requestLog.length, count);
  });
});
