// The real @azure/arm-apimanagement SDK and @azure/identity ClientSecretCredential against the emulator,
// in-process, trusting its certificate through a per-call pipeline policy.
import * as assert from 'node:assert/strict';
import type { ApiManagementClient, NamedValueContract } from '@azure/arm-apimanagement';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { armToken, credentialFor, DEMO_RG, DEMO_SERVICE, pipelineOptions, rawRequest, sdkClient } from './support';
import { ClientSecretCredential } from '@azure/identity';
import { DEMO_FAILING_KEY_VAULT, demoNamedValues } from '../support/demoScenarios';

const LEAK_MARKER = 'SECRET-DO-NOT-LEAK-';

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

function restStatus(status: number, code?: string): (e: unknown) => boolean {
  return (e: unknown) => {
    const err = e as { statusCode?: number; code?: string; message?: string };
    assert.equal(err.statusCode, status, `expected HTTP ${status}, got ${String(err.statusCode)}: ${String(err.message)}`);
    if (code !== undefined) assert.equal(err.code, code);
    return true;
  };
}

describe('emulator: real SDK and identity', function () {
  this.timeout(30000);
  let emu: RunningEmulator;
  let client: ApiManagementClient;

  before(async () => {
    emu = await startEmulator({ quiet: true, lroDurationMs: 150 });
    client = sdkClient(emu, 0);
  });
  after(async () => { await emu?.stop(); });

  describe('identity', () => {
    it('issues a token to the service principal for the emulator and for the public ARM audience', async () => {
      const cred = credentialFor(emu);
      for (const scope of [`${emu.url}/.default`, 'https://management.azure.com/.default']) {
        const token = await cred.getToken(scope);
        assert.ok(token.token.split('.').length === 3, 'a JWT');
        assert.ok(token.expiresOnTimestamp > Date.now() + 30 * 60_000, 'valid for about an hour');
      }
    });

    it('serves OIDC discovery whose issuer shares the authority origin', async () => {
      const res = await rawRequest(emu, 'GET', `/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const doc = res.json as Record<string, string>;
      assert.equal(doc.issuer, `${emu.url}/${emu.tenantId}/v2.0`);
      assert.equal(doc.token_endpoint, `${emu.url}/${emu.tenantId}/oauth2/v2.0/token`);
      for (const k of ['authorization_endpoint', 'jwks_uri']) assert.ok(doc[k].startsWith(emu.url), k);
    });

    it('rejects a wrong client secret with an AADSTS invalid_client error', async () => {
      const cred = credentialFor(emu, 'not-the-secret');
      await assert.rejects(cred.getToken(`${emu.url}/.default`), (e: Error) => {
        assert.match(e.message, /invalid_client/);
        assert.match(e.message, /AADSTS7000215/);
        assert.ok(!e.message.includes(emu.clientSecret), 'the real secret is not echoed');
        return true;
      });
      const raw = await rawRequest(emu, 'POST', `/${emu.tenantId}/oauth2/v2.0/token`, {
        form: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: 'nope', scope: `${emu.url}/.default` }).toString(),
      });
      assert.equal(raw.status, 401);
      assert.equal((raw.json as { error: string }).error, 'invalid_client');
    });

    it('rejects an unknown client id and an unknown tenant', async () => {
      const wrongClient = new ClientSecretCredential(emu.tenantId, '00000000-0000-4000-8000-000000000000', emu.clientSecret, {
        authorityHost: emu.url, disableInstanceDiscovery: true, ...pipelineOptions(emu),
      });
      await assert.rejects(wrongClient.getToken(`${emu.url}/.default`), /AADSTS700016/);
      const wrongTenant = await rawRequest(emu, 'GET', '/99999999-9999-4999-8999-999999999999/v2.0/.well-known/openid-configuration');
      assert.equal(wrongTenant.status, 400);
      assert.match(String((wrongTenant.json as { error_description: string }).error_description), /AADSTS90002/);
    });

    it('answers ARM calls without a valid bearer token with 401 AuthenticationFailed', async () => {
      const path = `${emu.instanceId}/namedValues?api-version=2024-05-01`;
      for (const token of [undefined, 'garbage', `${(await armToken(emu)).slice(0, -4)}AAAA`]) {
        const res = await rawRequest(emu, 'GET', path, { token });
        assert.equal(res.status, 401, `token ${String(token).slice(0, 10)}`);
        assert.equal((res.json as { error: { code: string } }).error.code, 'AuthenticationFailed');
        assert.match(String(res.headers['www-authenticate']), /^Bearer /);
      }
    });

    it('rejects a token issued by another emulator instance', async () => {
      const other = await startEmulator({ quiet: true });
      try {
        const foreign = await armToken(other);
        const res = await rawRequest(emu, 'GET', `${emu.instanceId}?api-version=2024-05-01`, { token: foreign });
        assert.equal(res.status, 401);
      } finally {
        await other.stop();
      }
    });
  });

  describe('ARM contract', () => {
    it('lists subscriptions and services, by subscription and by resource group', async () => {
      const token = await armToken(emu);
      const subs = await rawRequest(emu, 'GET', '/subscriptions?api-version=2022-12-01', { token });
      assert.deepEqual((subs.json as { value: Array<{ subscriptionId: string }> }).value.map((s) => s.subscriptionId), [emu.subscriptionId]);
      const services = await all(client.apiManagementService.list());
      assert.deepEqual(services.map((s) => s.name).sort(), ['contoso-apim', 'contoso-apim-staging']);
      const inRg = await all(client.apiManagementService.listByResourceGroup(DEMO_RG));
      assert.deepEqual(inRg.map((s) => s.id), [emu.instanceId]);
      const one = await client.apiManagementService.get(DEMO_RG, DEMO_SERVICE);
      assert.equal(one.gatewayUrl, 'https://contoso-apim.azure-api.net');
      assert.equal(one.sku.name, 'Developer');
    });

    it('answers 404 ResourceNotFound for a missing service and a missing named value', async () => {
      await assert.rejects(client.namedValue.get(DEMO_RG, 'no-such-service', 'backend-base-url'), restStatus(404, 'ResourceNotFound'));
      await assert.rejects(client.namedValue.get(DEMO_RG, DEMO_SERVICE, 'no-such-value'), restStatus(404, 'ResourceNotFound'));
      await assert.rejects(client.apiManagementService.get(DEMO_RG, 'no-such-service'), restStatus(404, 'ResourceNotFound'));
    });

    it('validates the api-version', async () => {
      const token = await armToken(emu);
      const bad = await rawRequest(emu, 'GET', `${emu.instanceId}/namedValues?api-version=2099-01-01`, { token });
      assert.equal(bad.status, 400);
      assert.equal((bad.json as { error: { code: string } }).error.code, 'InvalidApiVersionParameter');
      const missing = await rawRequest(emu, 'GET', `${emu.instanceId}/namedValues`, { token });
      assert.equal(missing.status, 400);
      assert.equal((missing.json as { error: { code: string } }).error.code, 'MissingApiVersionParameter');
      const unknown = await rawRequest(emu, 'GET', `${emu.instanceId}/notAThing?api-version=2024-05-01`, { token });
      assert.equal(unknown.status, 404);
    });

    it('never returns secret or Key Vault values from GET or list, only from listValue', async () => {
      const token = await armToken(emu);
      const list = await rawRequest(emu, 'GET', `${emu.instanceId}/namedValues?api-version=2024-05-01`, { token });
      assert.ok(!list.text.includes(LEAK_MARKER), 'list body leaks a secret');
      for (const name of ['nv-backend-key', 'kv-payment-gateway-key']) {
        const one = await rawRequest(emu, 'GET', `${emu.instanceId}/namedValues/${name}?api-version=2024-05-01`, { token });
        assert.ok(!one.text.includes(LEAK_MARKER), `${name} leaks`);
      }
      const plain = await client.namedValue.listValue(DEMO_RG, DEMO_SERVICE, 'backend-base-url');
      assert.equal(plain.value, 'https://orders.contoso.example/api');
      const secret = await client.namedValue.listValue(DEMO_RG, DEMO_SERVICE, 'nv-backend-key');
      assert.ok(secret.value?.startsWith(LEAK_MARKER));
      const fromVault = await client.namedValue.listValue(DEMO_RG, DEMO_SERVICE, 'kv-payment-gateway-key');
      assert.ok(fromVault.value?.startsWith(`${LEAK_MARKER}kv-`));
    });

    it('keeps display names and resource names apart', async () => {
      const nv = await client.namedValue.get(DEMO_RG, DEMO_SERVICE, 'nv-backend-key');
      assert.equal(nv.name, 'nv-backend-key');
      assert.equal(nv.displayName, 'backend-key');
      assert.equal(nv.secret, true);
      assert.equal(nv.value, undefined);
    });

    it('filters named values with the documented OData subset and rejects the rest with 400', async () => {
      const names = async (filter: string) => (await all(client.namedValue.listByService(DEMO_RG, DEMO_SERVICE, { filter }))).map((n) => n.name).sort();
      assert.deepEqual(await names("properties/displayName eq 'backend-key'"), ['nv-backend-key']);
      assert.deepEqual(await names("contains(properties/displayName, 'partner')"), ['kv-legacy-partner-key', 'partner-api-token']);
      assert.deepEqual(await names("startswith(displayName, 'API-')"), ['api-version-header']);
      assert.deepEqual(await names("substringof('gateway', displayName)"), ['kv-payment-gateway-key']);
      assert.deepEqual(await names("tags/any(t: t eq 'auth')"), ['aad-tenant-id', 'kv-jwt-signing-secret']);
      assert.deepEqual(await names("tags/any(t: t eq 'partner') and not contains(displayName, 'legacy')"), ['partner-api-token']);
      for (const bad of ["value eq 'x'", "displayName eq", "tags eq 'auth'", "tolower(displayName) eq 'x'"]) {
        await assert.rejects(names(bad), restStatus(400, 'ValidationError'), bad);
      }
    });

    it('pages with $top/$skip and an absolute nextLink, with count across pages', async () => {
      const token = await armToken(emu);
      const first = await rawRequest(emu, 'GET', `${emu.instanceId}/namedValues?api-version=2024-05-01&$top=4`, { token });
      const body = first.json as { value: unknown[]; count: number; nextLink: string };
      assert.equal(body.value.length, 4);
      assert.equal(body.count, demoNamedValues().length);
      assert.ok(body.nextLink.startsWith(`${emu.url}${emu.instanceId}/namedValues?`), body.nextLink);
      const next = new URL(body.nextLink);
      assert.equal(next.searchParams.get('$skip'), '4');
      const viaSdk = await all(client.namedValue.listByService(DEMO_RG, DEMO_SERVICE, { top: 4 }));
      assert.equal(viaSdk.length, demoNamedValues().length);
      assert.equal(new Set(viaSdk.map((n) => n.name)).size, demoNamedValues().length);
    });

    it('lists only failed Key Vault refreshes with isKeyVaultRefreshFailed=true, with realistic statuses', async () => {
      const failed = await all(client.namedValue.listByService(DEMO_RG, DEMO_SERVICE, { isKeyVaultRefreshFailed: true }));
      const codes = Object.fromEntries(failed.map((n) => [n.name, n.keyVault?.lastStatus?.code]));
      assert.deepEqual(codes, DEMO_FAILING_KEY_VAULT);
      for (const n of failed) {
        assert.ok((n.keyVault?.lastStatus?.message ?? '').length > 20, 'a message that explains the failure');
        assert.ok(n.keyVault?.lastStatus?.timeStampUtc instanceof Date);
      }
      const notFailed = await all(client.namedValue.listByService(DEMO_RG, DEMO_SERVICE, { isKeyVaultRefreshFailed: false }));
      assert.equal(notFailed.length, demoNamedValues().length - Object.keys(DEMO_FAILING_KEY_VAULT).length);
      assert.ok(notFailed.every((n) => !(String(n.name) in codes)));
    });

    it('refreshes a Key Vault named value through the LRO, fails after the vault breaks, and recovers when fixed', async () => {
      const ok = await client.namedValue.beginRefreshSecretAndWait(DEMO_RG, DEMO_SERVICE, 'kv-jwt-signing-secret', { updateIntervalInMs: 30 });
      assert.equal(ok.name, 'kv-jwt-signing-secret');
      assert.equal(ok.keyVault?.lastStatus?.code, 'Success');

      emu.setVaultState('contoso-kv', 'jwt-signing-secret', { status: 'missing' });
      await assert.rejects(
        client.namedValue.beginRefreshSecretAndWait(DEMO_RG, DEMO_SERVICE, 'kv-jwt-signing-secret', { updateIntervalInMs: 30 }),
        /SecretNotFound/,
      );
      const broken = await client.namedValue.get(DEMO_RG, DEMO_SERVICE, 'kv-jwt-signing-secret');
      assert.equal(broken.keyVault?.lastStatus?.code, 'SecretNotFound');

      emu.setVaultState('contoso-kv', 'jwt-signing-secret', { status: 'ok', value: `${LEAK_MARKER}kv-rotated` });
      const fixed = await client.namedValue.beginRefreshSecretAndWait(DEMO_RG, DEMO_SERVICE, 'kv-jwt-signing-secret', { updateIntervalInMs: 30 });
      assert.equal(fixed.keyVault?.lastStatus?.code, 'Success');
      assert.equal((await client.namedValue.listValue(DEMO_RG, DEMO_SERVICE, 'kv-jwt-signing-secret')).value, `${LEAK_MARKER}kv-rotated`);
    });

    it('turns a denied vault green once access is granted', async () => {
      await assert.rejects(client.namedValue.beginRefreshSecretAndWait(DEMO_RG, DEMO_SERVICE, 'kv-billing-api-key', { updateIntervalInMs: 30 }), /Forbidden/);
      emu.setVaultState('contoso-billing-kv', null, { status: 'ok' });
      const res = await client.namedValue.beginRefreshSecretAndWait(DEMO_RG, DEMO_SERVICE, 'kv-billing-api-key', { updateIntervalInMs: 30 });
      assert.equal(res.keyVault?.lastStatus?.code, 'Success');
      const failed = await all(client.namedValue.listByService(DEMO_RG, DEMO_SERVICE, { isKeyVaultRefreshFailed: true }));
      assert.ok(!failed.some((n) => n.name === 'kv-billing-api-key'));
    });

    it('keeps the refresh InProgress for a real while before it settles', async () => {
      const poller = await client.namedValue.beginRefreshSecret(DEMO_RG, DEMO_SERVICE, 'kv-payment-gateway-key', { updateIntervalInMs: 30 });
      const started = Date.now();
      await poller.poll();
      assert.equal(poller.isDone(), false, 'still running right after the first poll');
      const result = await poller.pollUntilDone();
      assert.ok(Date.now() - started >= 100, 'took at least most of the configured duration');
      assert.equal(result.keyVault?.lastStatus?.code, 'Success');
    });

    it('creates, updates (with ETag) and deletes named values', async () => {
      const created: NamedValueContract = await client.namedValue.beginCreateOrUpdateAndWait(DEMO_RG, DEMO_SERVICE, 'planted-value',
        { displayName: 'planted-value', value: 'first', tags: ['test'] }, { updateIntervalInMs: 30 });
      assert.equal(created.value, 'first');
      const etag = (await client.namedValue.getEntityTag(DEMO_RG, DEMO_SERVICE, 'planted-value')).eTag;
      assert.match(String(etag), /^"[A-Za-z0-9+/=]+"$/);
      await assert.rejects(
        client.namedValue.beginUpdateAndWait(DEMO_RG, DEMO_SERVICE, 'planted-value', '"AAAAAAAAAAA="', { value: 'x' }, { updateIntervalInMs: 30 }),
        restStatus(412),
      );
      const updated = await client.namedValue.beginUpdateAndWait(DEMO_RG, DEMO_SERVICE, 'planted-value', String(etag), { value: 'second' }, { updateIntervalInMs: 30 });
      assert.equal(updated.value, 'second');
      assert.equal(updated.displayName, 'planted-value');
      await assert.rejects(
        client.namedValue.beginCreateOrUpdateAndWait(DEMO_RG, DEMO_SERVICE, 'another', { displayName: 'planted-value', value: 'dup' }),
        restStatus(400, 'ValidationError'),
      );
      await assert.rejects(
        client.namedValue.beginCreateOrUpdateAndWait(DEMO_RG, DEMO_SERVICE, 'bad', { displayName: 'has space', value: 'v' }),
        restStatus(400, 'ValidationError'),
      );
      await client.namedValue.delete(DEMO_RG, DEMO_SERVICE, 'planted-value', '*');
      await assert.rejects(client.namedValue.get(DEMO_RG, DEMO_SERVICE, 'planted-value'), restStatus(404));
    });

    it('plants a Key Vault named value whose failing fetch shows in lastStatus', async () => {
      const nv = await client.namedValue.beginCreateOrUpdateAndWait(DEMO_RG, DEMO_SERVICE, 'kv-planted', {
        displayName: 'kv-planted', secret: true,
        keyVault: { secretIdentifier: 'https://contoso-kv.vault.azure.net/secrets/not-there', identityClientId: '9e8d7c6b-5a49-4838-a726-1504f3e2d1c0' },
      }, { updateIntervalInMs: 30 });
      assert.equal(nv.keyVault?.lastStatus?.code, 'SecretNotFound');
      await client.namedValue.delete(DEMO_RG, DEMO_SERVICE, 'kv-planted', '*');
    });

    it('serves policies and fragments in xml and rawxml', async () => {
      const raw = await client.policyFragment.get(DEMO_RG, DEMO_SERVICE, 'correlation-id', { format: 'rawxml' });
      const xml = await client.policyFragment.get(DEMO_RG, DEMO_SERVICE, 'correlation-id');
      assert.equal(raw.format, 'rawxml');
      assert.equal(xml.format, 'xml');
      assert.match(raw.value ?? '', /incoming\.Length > 0/);
      assert.match(xml.value ?? '', /incoming\.Length &gt; 0/);
      assert.match(raw.value ?? '', /^<fragment>/);
      const fragments = await all(client.policyFragment.listByService(DEMO_RG, DEMO_SERVICE));
      assert.deepEqual(fragments.map((f) => f.name), ['cors-default', 'correlation-id', 'backend-auth']);

      const service = await client.policy.get(DEMO_RG, DEMO_SERVICE, 'policy', { format: 'rawxml' });
      assert.match(service.value ?? '', /<include-fragment fragment-id="cors-default" \/>/);
      // SDK quirk (Azure/azure-sdk-for-js#31566): apiPolicy.get's operation spec is marked isXML, so the
      // JSON body's properties.value is dropped; the raw response still carries it.
      let rawBody = '';
      const api = await client.apiPolicy.get(DEMO_RG, DEMO_SERVICE, 'orders-api', 'policy', {
        onResponse: (response) => { rawBody = response.bodyAsText ?? ''; },
      });
      assert.equal(api.value, undefined);
      assert.match((JSON.parse(rawBody) as { properties: { value: string } }).properties.value, /\{\{api-version-header\}\}/);
      const opRaw = await client.apiOperationPolicy.get(DEMO_RG, DEMO_SERVICE, 'orders-api', 'create-order', 'policy', { format: 'rawxml' });
      const opXml = await client.apiOperationPolicy.get(DEMO_RG, DEMO_SERVICE, 'orders-api', 'create-order', 'policy');
      assert.match(opRaw.value ?? '', /As<JObject>\(preserveContent: true\)\["items"\]/);
      assert.match(opXml.value ?? '', /As&lt;JObject&gt;\(preserveContent: true\)\[&quot;items&quot;\]/);
      await assert.rejects(client.apiOperationPolicy.get(DEMO_RG, DEMO_SERVICE, 'orders-api', 'list-orders', 'policy'), restStatus(404));
      const product = await client.productPolicy.get(DEMO_RG, DEMO_SERVICE, 'starter', 'policy');
      assert.match(product.value ?? '', /rate-limit calls="\{\{rate-limit-calls\}\}"/);
    });

    it('serves the read-only collections the extension shows', async () => {
      assert.deepEqual((await all(client.backend.listByService(DEMO_RG, DEMO_SERVICE))).map((b) => b.name), ['orders-backend', 'payments-backend', 'legacy-soap-backend']);
      const loggers = await all(client.logger.listByService(DEMO_RG, DEMO_SERVICE));
      assert.deepEqual(loggers.map((l) => l.loggerType), ['applicationInsights', 'azureEventHub']);
      assert.equal((await all(client.certificate.listByService(DEMO_RG, DEMO_SERVICE))).length, 2);
      const providers = await all(client.authorizationProvider.listByService(DEMO_RG, DEMO_SERVICE));
      assert.deepEqual(providers.map((p) => p.identityProvider), ['github', 'aad']);
      const authorizations = await all(client.authorization.listByAuthorizationProvider(DEMO_RG, DEMO_SERVICE, 'contoso-aad'));
      assert.equal(authorizations[0].status, 'Error');
      assert.equal((await all(client.cache.listByService(DEMO_RG, DEMO_SERVICE)))[0].connectionString, '{{redis-cache-connection}}');
      const apis = await all(client.api.listByService(DEMO_RG, DEMO_SERVICE));
      assert.deepEqual(apis.map((a) => a.name), ['orders-api', 'payments-api', 'echo-api']);
      const ops = await all(client.apiOperation.listByApi(DEMO_RG, DEMO_SERVICE, 'orders-api'));
      assert.deepEqual(ops.map((o) => `${o.method} ${o.urlTemplate}`), ['GET /orders', 'GET /orders/{orderId}', 'POST /orders']);
      assert.deepEqual((await all(client.product.listByService(DEMO_RG, DEMO_SERVICE))).map((p) => p.name), ['starter', 'unlimited']);
      assert.deepEqual((await all(client.workspace.listByService(DEMO_RG, DEMO_SERVICE))).map((w) => w.name), ['team-orders', 'team-payments']);
      const backend = await client.backend.get(DEMO_RG, DEMO_SERVICE, 'payments-backend');
      assert.deepEqual(backend.credentials?.header, { 'x-api-key': ['{{backend-key}}'] });
    });

    it('lists policy descriptions filtered by scope', async () => {
      const all_ = (await client.policyDescription.listByService(DEMO_RG, DEMO_SERVICE)).value ?? [];
      const product = (await client.policyDescription.listByService(DEMO_RG, DEMO_SERVICE, { scope: 'Product' })).value ?? [];
      const tenant = (await client.policyDescription.listByService(DEMO_RG, DEMO_SERVICE, { scope: 'Tenant' })).value ?? [];
      assert.ok(all_.length >= 50);
      assert.ok(product.some((d) => d.name === 'quota'));
      assert.ok(!tenant.some((d) => d.name === 'quota'), 'quota is a product-scope policy');
      assert.ok(tenant.some((d) => d.name === 'cross-domain'));
      assert.ok(all_.every((d) => typeof d.description === 'string' && d.description.length > 0));
    });
  });
});

describe('emulator: a huge instance (10,000 extra named values)', function () {
  this.timeout(60000);
  let emu: RunningEmulator;
  before(async () => { emu = await startEmulator({ quiet: true, extraNamedValues: 10000 }); });
  after(async () => { await emu?.stop(); });

  it('lists every named value across pages of 100 through the SDK', async () => {
    const client = sdkClient(emu);
    const started = Date.now();
    const names = (await all(client.namedValue.listByService(DEMO_RG, DEMO_SERVICE))).map((n) => String(n.name));
    const elapsed = Date.now() - started;
    assert.equal(names.length, demoNamedValues().length + 10000);
    assert.equal(new Set(names).size, demoNamedValues().length + 10000, 'no duplicates across pages');
    const pages = emu.requestLog.filter((r) => r.method === 'GET' && /\/namedValues\?/.test(r.path));
    assert.equal(pages.length, 101);
    assert.ok(elapsed < 20000, `listing took ${elapsed} ms`);
  });

  it('filters the huge list on the server', async () => {
    const client = sdkClient(emu);
    const tagged = await all(client.namedValue.listByService(DEMO_RG, DEMO_SERVICE, { filter: "tags/any(t: t eq 'group-1')" }));
    // Every 7th generated value is tagged, with group-(i % 3).
    const expected = Array.from({ length: 10000 }, (_, k) => k + 1).filter((i) => i % 7 === 0 && i % 3 === 1).length;
    assert.equal(tagged.length, expected);
    const page = await rawRequest(emu, 'GET', `${emu.instanceId}/namedValues?api-version=2024-05-01&$top=1000&$skip=9000`, { token: await armToken(emu) });
    assert.equal((page.json as { value: unknown[] }).value.length, 1000);
  });
});
