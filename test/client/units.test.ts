/**
 * Small vscode-free pieces of the client: settings parsing and CA files,
 * settings → credential, read-only document URIs and content, notifications
 * to the server, error buttons, token expiry, the refresh scheduler and the
 * event emitter.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { instanceDocumentUri, parseInstanceDocumentPath, parseInstanceDocumentUri, type InstanceDocument } from '../../protocol/instanceDocuments';
import type { NamedValueInfo } from '../../protocol/protocol';
import { buildCredential, credentialConfigured, vscodeAuthProviderId } from '../../client/src/auth/credentialFactory';
import { jwtExpiresOn, sessionScopes } from '../../client/src/auth/tokens';
import { resolveCloud } from '../../client/src/azure/clouds';
import { AzureAccessError, classifyError, type ClassifiedError } from '../../client/src/azure/errors';
import { toFoldersNotification, toMetadataNotification, toRemovedNotification } from '../../client/src/connection/notifications';
import { RefreshScheduler } from '../../client/src/connection/refreshScheduler';
import { errorActions } from '../../client/src/errorActions';
import { Emitter } from '../../client/src/events';
import { summarizeRefresh } from '../../client/src/namedValues/refreshFlow';
import { loadCaCertificates, readConnectionSettings, resolveSettingPath } from '../../client/src/settings';
import { missingNamedValueJson, namedValueDefinitionJson } from '../../client/src/policies/namedValueDocument';
import { missingFilters } from '../../client/src/policies/xmlValidationFilters';
import { FakeClock, sampleMetadata, tempDir } from './support';

const PLANTED = 'SECRET-DO-NOT-LEAK-units-41c9';

describe('client/settings', () => {
  it('reads defaults when nothing is set', () => {
    const { settings, problems } = readConnectionSettings(() => undefined);
    assert.deepEqual(settings, {
      auth: 'vscode',
      cloud: { cloud: 'AzureCloud' },
      tenant: undefined,
      servicePrincipal: { tenantId: undefined, clientId: undefined, certificatePath: undefined },
      refreshIntervalMinutes: 15,
      extraCaCertificates: [],
      parallelRequests: 8,
    });
    assert.deepEqual(problems, []);
  });

  it('reads a custom cloud with a service principal, trimming values', () => {
    const values: Record<string, unknown> = {
      'apimPolicy.auth': 'servicePrincipal',
      'apimPolicy.cloud': 'custom',
      'apimPolicy.customCloud.armEndpoint': ' https://127.0.0.1:8443 ',
      'apimPolicy.customCloud.authorityHost': 'https://127.0.0.1:8443',
      'apimPolicy.servicePrincipal.tenantId': 'tenant',
      'apimPolicy.servicePrincipal.clientId': 'client',
      'apimPolicy.refreshIntervalMinutes': 0,
      'apimPolicy.extraCaCertificates': ['/tmp/ca.pem', '  '],
    };
    const { settings, problems } = readConnectionSettings((k) => values[k]);
    assert.equal(settings.auth, 'servicePrincipal');
    assert.deepEqual(settings.cloud, { cloud: 'custom', customArmEndpoint: 'https://127.0.0.1:8443', customAuthorityHost: 'https://127.0.0.1:8443' });
    assert.equal(settings.refreshIntervalMinutes, 0);
    assert.deepEqual(settings.extraCaCertificates, ['/tmp/ca.pem']);
    assert.equal(problems.length, 1, 'the blank CA entry is reported');
  });

  it('falls back to defaults for wrong values and says which', () => {
    const values: Record<string, unknown> = {
      'apimPolicy.auth': 'password',
      'apimPolicy.cloud': 42,
      'apimPolicy.refreshIntervalMinutes': -5,
      'apimPolicy.extraCaCertificates': 7,
      'apimPolicy.maxParallelRequests': 2.5,
    };
    const { settings, problems } = readConnectionSettings((k) => values[k]);
    assert.equal(settings.auth, 'vscode');
    assert.equal(settings.cloud.cloud, 'AzureCloud');
    assert.equal(settings.refreshIntervalMinutes, 15);
    assert.equal(settings.parallelRequests, 8);
    assert.equal(problems.length, 5);
    assert.match(problems.join('\n'), /apimPolicy\.maxParallelRequests must be a whole number from 1 to 32; using 8/);
    assert.equal(readConnectionSettings((k) => (k === 'apimPolicy.maxParallelRequests' ? 500 : undefined)).settings.parallelRequests, 32, 'capped');
    assert.match(problems.join('\n'), /apimPolicy\.auth "password" is not one of vscode, azureCli, environment, servicePrincipal, default/);
  });

  it('resolves ~, ${userHome}, ${workspaceFolder} and relative paths', () => {
    const ws = path.join(os.tmpdir(), 'ws');
    assert.equal(resolveSettingPath('~/ca.pem', ws), path.join(os.homedir(), 'ca.pem'));
    assert.equal(resolveSettingPath('${userHome}/ca.pem', ws), path.join(os.homedir(), 'ca.pem'));
    assert.equal(resolveSettingPath('${workspaceFolder}/certs/ca.pem', ws), path.join(ws, 'certs', 'ca.pem'));
    assert.equal(resolveSettingPath('certs/ca.pem', ws), path.join(ws, 'certs', 'ca.pem'));
  });

  it('loads PEM files and reports unreadable or non-PEM ones without failing', async () => {
    const dir = await tempDir('apim-ca-');
    try {
      await fs.writeFile(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      await fs.writeFile(path.join(dir, 'note.txt'), 'hello');
      const result = await loadCaCertificates(['ca.pem', 'note.txt', 'missing.pem'], dir);
      assert.equal(result.pems.length, 1);
      assert.equal(result.problems.length, 2);
      assert.match(result.problems[0], /note\.txt .*holds no PEM certificate/);
      assert.match(result.problems[1], /Cannot read .*missing\.pem .*ENOENT/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('client/credentials from settings', () => {
  const base = readConnectionSettings(() => undefined).settings;
  const publicCloud = { cloud: resolveCloud({ cloud: 'AzureCloud' }) };
  const custom = { cloud: resolveCloud({ cloud: 'custom', customArmEndpoint: 'https://arm.example', customAuthorityHost: 'https://login.example' }) };

  function failure(fn: () => unknown): ClassifiedError {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof AzureAccessError, String(e));
      return e.classification;
    }
    assert.fail('expected an AzureAccessError');
  }

  it('uses the VS Code account for public and sovereign clouds, never for custom ones', async () => {
    assert.equal(vscodeAuthProviderId(resolveCloud({ cloud: 'AzureCloud' })), 'microsoft');
    assert.equal(vscodeAuthProviderId(resolveCloud({ cloud: 'AzureUSGovernment' })), 'microsoft-sovereign-cloud');
    assert.equal(vscodeAuthProviderId(custom.cloud), undefined);
    const asked: unknown[] = [];
    const credential = buildCredential({ ...base, tenant: 'contoso.onmicrosoft.com' }, publicCloud, {
      vscodeAccount: (providerId, cloud, tenant) => {
        asked.push(providerId, cloud.armScope, tenant);
        return { getToken: async () => ({ token: 't', expiresOnTimestamp: 1 }) };
      },
    });
    assert.deepEqual(await credential.getToken('https://management.azure.com/.default'), { token: 't', expiresOnTimestamp: 1 });
    assert.deepEqual(asked, ['microsoft', 'https://management.azure.com/.default', 'contoso.onmicrosoft.com']);
    assert.match(failure(() => buildCredential(base, custom, { vscodeAccount: () => assert.fail('not for custom clouds') })).userMessage, /cannot sign in to a custom cloud.*apimPolicy\.auth/);
  });

  it('wraps VS Code account failures as classified errors', async () => {
    const credential = buildCredential(base, publicCloud, {
      vscodeAccount: () => ({ getToken: async () => Promise.reject(Object.assign(new Error('User did not consent'), { name: 'Error' })) }),
    });
    await assert.rejects(credential.getToken('scope'), (e: unknown) => e instanceof AzureAccessError);
  });

  it('needs tenant, client and a secret or certificate for a service principal, and says how to provide them', () => {
    const sp = { ...base, auth: 'servicePrincipal' as const };
    assert.match(failure(() => buildCredential(sp, custom, {})).userMessage, /apimPolicy\.servicePrincipal\.tenantId.*apimPolicy\.servicePrincipal\.clientId/);
    const withIds = { ...sp, servicePrincipal: { tenantId: 't', clientId: 'c' } };
    const noSecret = failure(() => buildCredential(withIds, custom, {}));
    assert.equal(noSecret.kind, 'unauthenticated');
    assert.match(noSecret.userMessage, /Set Service Principal Secret/);
    assert.ok(buildCredential(withIds, custom, { servicePrincipalSecret: 's' }));
    assert.ok(buildCredential(withIds, custom, { servicePrincipalCertificatePath: '/tmp/sp.pem' }));
    assert.deepEqual(credentialConfigured(withIds, false).ready, false);
    assert.deepEqual(credentialConfigured(withIds, true), { ready: true });
    assert.deepEqual(credentialConfigured({ ...withIds, servicePrincipal: { ...withIds.servicePrincipal, certificatePath: 'x.pem' } }, false), { ready: true });
    assert.deepEqual(credentialConfigured(base, false), { ready: true });
  });

  it('builds CLI, environment and default credentials without contacting anything', () => {
    for (const auth of ['azureCli', 'environment', 'default'] as const) {
      const credential = buildCredential({ ...base, auth }, publicCloud, {});
      assert.equal(typeof credential.getToken, 'function', auth);
    }
  });

  it('reads token expiry from the JWT and passes the tenant as a VS Code pseudo-scope', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_800_000_000, aud: 'x' })).toString('base64url');
    assert.equal(jwtExpiresOn(`h.${payload}.s`), 1_800_000_000_000);
    assert.equal(jwtExpiresOn('opaque-token'), undefined);
    assert.equal(jwtExpiresOn('a.%%%.b'), undefined);
    assert.deepEqual(sessionScopes('https://management.azure.com/.default', 'tid'), ['https://management.azure.com/.default', 'VSCODE_TENANT:tid']);
    assert.deepEqual(sessionScopes(['a', ''], undefined), ['a']);
  });
});

describe('client/instance documents', () => {
  const metadata = sampleMetadata();
  const instanceId = metadata.instanceId;

  it('round-trips every kind of instance document through the URI string and VS Code\'s decoded path', () => {
    const documents: InstanceDocument[] = [
      { kind: 'policy', instanceId, scope: { kind: 'global' } },
      { kind: 'policy', instanceId, scope: { kind: 'api', api: 'orders-api;rev=2' } },
      { kind: 'policy', instanceId, scope: { kind: 'operation', api: 'orders api', operation: 'get ünïcode' } },
      { kind: 'policy', instanceId, scope: { kind: 'product', product: 'starter' } },
      { kind: 'policy', instanceId, scope: { kind: 'fragment', fragment: 'cors-default' } },
      { kind: 'policy', instanceId, scope: { kind: 'global', workspace: 'team-orders' } },
      { kind: 'policy', instanceId, scope: { kind: 'operation', workspace: 'team-orders', api: 'fulfilment-api', operation: 'create-shipment' } },
      { kind: 'named-value', instanceId, name: 'backend-key' },
      { kind: 'named-value', instanceId, workspace: 'team-orders', name: 'odd name/with?chars#and%' },
    ];
    for (const document of documents) {
      const uri = instanceDocumentUri(document);
      assert.match(uri, /^apim-instance:\//);
      assert.deepEqual(parseInstanceDocumentUri(uri), document, uri);
      // VS Code's Uri gives the path percent-decoded.
      assert.deepEqual(parseInstanceDocumentPath(decodeURIComponent(new URL(uri).pathname)), document, uri);
    }
    assert.match(instanceDocumentUri(documents[1]), /\/apis\/orders-api%3Brev%3D2\.policy\.xml$/, 'the file name is the tab title');
    assert.equal(parseInstanceDocumentUri('file:///x/apis/a.policy.xml'), undefined);
    assert.equal(parseInstanceDocumentPath('/sub/rg/svc/apis/a.xml'), undefined);
    assert.equal(parseInstanceDocumentPath('/sub/rg/svc/backends/a.policy.xml'), undefined);
    assert.equal(parseInstanceDocumentPath('/sub/rg'), undefined);
  });

  it('renders a named value definition without secret values', () => {
    const withPlanted = sampleMetadata();
    for (const nv of withPlanted.namedValues) if (nv.kind !== 'plain') nv.value = PLANTED;
    const find = (n: string) => withPlanted.namedValues.find((nv) => nv.displayName.toLowerCase() === n.toLowerCase()) as NamedValueInfo;
    const secretDoc = namedValueDefinitionJson(find('Backend-Key'), instanceId);
    assert.equal(JSON.parse(secretDoc).properties.value, '(secret — value hidden)');
    const kvDoc = namedValueDefinitionJson(find('billing-key'), instanceId);
    assert.equal(JSON.parse(kvDoc).properties.keyVault.lastStatus.code, 'Forbidden');
    for (const doc of [secretDoc, kvDoc]) assert.ok(!doc.includes(PLANTED));
    assert.equal(JSON.parse(namedValueDefinitionJson(find('alpha'), instanceId)).properties.value, 'a');
    const inWorkspace = JSON.parse(namedValueDefinitionJson(find('alpha'), instanceId, 'team-orders')) as { id: string; type: string };
    assert.equal(inWorkspace.id, `${instanceId}/workspaces/team-orders/namedValues/nv-alpha`);
    assert.equal(inWorkspace.type, 'Microsoft.ApiManagement/service/workspaces/namedValues');
    assert.match(missingNamedValueJson('nope', "is not in the instance's metadata."), /"Named value \\"nope\\" is not in the instance's metadata\."/);
  });
});

describe('client/Red Hat XML validation filters for policy files', () => {
  it('adds only the policy-file filters that are not already turned off, keeping nothing else in the way', () => {
    const both = [{ pattern: '**/*.policy.xml', enabled: false }, { pattern: '**/policy.xml', enabled: false }];
    assert.deepEqual(missingFilters(undefined), both);
    assert.deepEqual(missingFilters('not a list'), both);
    assert.deepEqual(missingFilters([{ pattern: '**/*.xsd', enabled: false }, null, 7]), both);
    assert.deepEqual(missingFilters([{ pattern: '**/policy.xml', enabled: false }]), [{ pattern: '**/*.policy.xml', enabled: false }]);
    // A filter that keeps validation on for the pattern is not ours to count as done.
    assert.deepEqual(missingFilters([{ pattern: '**/*.policy.xml', enabled: true }, { pattern: '**/policy.xml', enabled: false }]), [{ pattern: '**/*.policy.xml', enabled: false }]);
    assert.deepEqual(missingFilters(both), []);
  });
});

describe('client/notifications to the language server', () => {
  it('sends metadata through the allow-list: no value on secret or Key Vault named values, stale flag set', () => {
    const metadata = sampleMetadata();
    for (const nv of metadata.namedValues) if (nv.kind !== 'plain') nv.value = PLANTED;
    const sent = toMetadataNotification(metadata, true);
    assert.equal(sent.stale, true);
    assert.ok(!JSON.stringify(sent).includes(PLANTED));
    assert.equal(sent.namedValues.find((nv) => nv.name === 'nv-alpha')?.value, 'a');
    assert.equal(sent.namedValues.length, metadata.namedValues.length);
    assert.equal(toMetadataNotification(metadata, false).stale, undefined);
  });

  it('maps folders once each, skipping folders without an instance', () => {
    assert.deepEqual(
      toFoldersNotification([
        { folderUri: 'file:///a', instanceId: '/x' },
        { folderUri: 'file:///b' },
        { folderUri: 'file:///a', instanceId: '/y' },
      ]),
      { folders: [{ folderUri: 'file:///a', instanceId: '/x' }] },
    );
    assert.deepEqual(toRemovedNotification('/x'), { instanceId: '/x' });
  });
});

describe('client/errors, summaries, scheduler, events', () => {
  it('offers buttons that fit the error', () => {
    const of = (kind: ClassifiedError['kind']) => errorActions({ kind, message: '', userMessage: '', retryable: false });
    assert.deepEqual(of('unauthenticated'), ['Sign In', 'Open Settings']);
    assert.deepEqual(of('notFound'), ['Select Instance', 'Retry']);
    assert.deepEqual(of('network'), ['Retry', 'Open Settings', 'Show Log']);
    assert.deepEqual(of('invalidInput'), ['Open Settings']);
    assert.deepEqual(of('cancelled'), []);
    assert.deepEqual(errorActions(classifyError(Object.assign(new Error('x'), { statusCode: 503, name: 'RestError' })), false), ['Show Log']);
  });

  it('summarises an empty or cancelled refresh', () => {
    assert.equal(summarizeRefresh({ refreshed: [], failed: [], cancelled: [] }, undefined).message, 'No Key Vault secrets to refresh.');
    const cancelled = summarizeRefresh({ refreshed: [], failed: [], cancelled: ['kv-ok'] }, sampleMetadata());
    assert.equal(cancelled.message, 'Refreshed 0 of 1 Key Vault secret; 1 cancelled.');
    assert.equal(cancelled.detail, 'Not refreshed (cancelled): payment-key');
  });

  it('schedules background refreshes on the interval, restarts after a manual one, and turns off at 0', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const scheduler = new RefreshScheduler(clock, async () => {
      runs++;
    });
    scheduler.setIntervalMinutes(10);
    const start = clock.now();
    assert.equal(scheduler.nextDueAt, start + 600_000);
    clock.advance(599_999);
    assert.equal(runs, 0);
    clock.advance(1);
    assert.equal(runs, 1);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(scheduler.nextDueAt, start + 1_200_000, 'the next one is scheduled after the run');
    clock.advance(300_000);
    scheduler.refreshed();
    assert.equal(scheduler.nextDueAt, clock.now() + 600_000);
    scheduler.setIntervalMinutes(0);
    assert.equal(scheduler.nextDueAt, undefined);
    assert.equal(clock.pending, 0);
    scheduler.setIntervalMinutes(1);
    scheduler.dispose();
    assert.equal(clock.pending, 0);
  });

  it('keeps firing to other listeners when one throws, and stops after dispose', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    emitter.event(() => {
      throw new Error('broken listener');
    });
    const sub = emitter.event((n) => seen.push(n));
    emitter.fire(1);
    sub.dispose();
    emitter.fire(2);
    assert.deepEqual(seen, [1]);
  });
});
