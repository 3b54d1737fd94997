/**
 * Pure parts of the Azure layer: clouds, resource ids, error classification
 * and retry decisions (no network).
 */
import * as assert from 'node:assert/strict';
import type { NamedValueInfo } from '../../protocol/protocol';
import { createHttpHeaders, createPipelineRequest, type PipelineResponse, RestError } from '@azure/core-rest-pipeline';
import {
  AzureAccessError,
  classifyError,
  CONTRIBUTOR_ROLE,
  createCredential,
  describeUrlForLog,
  formatServiceResourceId,
  keyVaultAdvice,
  normalizeServiceResourceId,
  parseServiceResourceId,
  READER_ROLE,
  resolveCloud,
  resolveRetrySettings,
  validateServiceResourceId,
} from '../../client/src/azure';
import { armRetryStrategy, retryAfterInMs } from '../../client/src/azure/pipeline';

const ID = '/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg-contoso/providers/Microsoft.ApiManagement/service/contoso-apim';

function response(status: number, headers: Record<string, string> = {}, url = 'https://management.azure.com/x'): PipelineResponse {
  const request = createPipelineRequest({ url });
  return { status, headers: createHttpHeaders(headers), request };
}

function restError(status: number | undefined, code?: string, message = 'ARM says no', headers: Record<string, string> = {}): RestError {
  const res = status === undefined ? undefined : response(status, headers);
  return new RestError(message, { statusCode: status, code, request: createPipelineRequest({ url: 'https://management.azure.com/subscriptions/x' }), response: res });
}

describe('azure/clouds', () => {
  it('maps the well-known clouds to their ARM endpoint, authority and scope', () => {
    const pub = resolveCloud({ cloud: 'AzureCloud' });
    assert.equal(pub.armEndpoint, 'https://management.azure.com');
    assert.equal(pub.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(pub.armScope, 'https://management.azure.com/.default');
    assert.equal(pub.disableInstanceDiscovery, false);
    assert.equal(resolveCloud({ cloud: 'AzureChinaCloud' }).armEndpoint, 'https://management.chinacloudapi.cn');
    assert.equal(resolveCloud({ cloud: 'AzureChinaCloud' }).authorityHost, 'https://login.chinacloudapi.cn');
    assert.equal(resolveCloud({ cloud: 'AzureUSGovernment' }).armEndpoint, 'https://management.usgovcloudapi.net');
    assert.equal(resolveCloud({ cloud: 'AzureUSGovernment' }).authorityHost, 'https://login.microsoftonline.us');
  });

  it('takes custom endpoints from settings, trims trailing slashes and disables instance discovery', () => {
    const custom = resolveCloud({ cloud: 'custom', customArmEndpoint: 'https://arm.example.test/ ', customAuthorityHost: 'https://login.example.test/adfs/' });
    assert.equal(custom.armEndpoint, 'https://arm.example.test');
    assert.equal(custom.authorityHost, 'https://login.example.test/adfs');
    assert.equal(custom.armScope, 'https://arm.example.test/.default');
    assert.equal(custom.disableInstanceDiscovery, true);
  });

  it('rejects unusable custom endpoints with a setting-specific message', () => {
    const attempt = (arm?: string, auth?: string) => () => resolveCloud({ cloud: 'custom', customArmEndpoint: arm, customAuthorityHost: auth });
    assert.throws(attempt(undefined, 'https://login.example'), (e: AzureAccessError) => e.kind === 'invalidInput' && /customArmEndpoint/.test(e.message));
    assert.throws(attempt('http://arm.example', 'https://login.example'), /must use https/);
    assert.throws(attempt('https://arm.example', 'not a url'), /customAuthorityHost.*not a valid URL/);
    assert.throws(() => resolveCloud({ cloud: 'Mars' as never }), /Unknown Azure cloud "Mars"/);
  });
});

describe('azure/resourceId', () => {
  it('parses and formats a service id round trip', () => {
    const parsed = parseServiceResourceId(ID);
    assert.deepEqual(parsed, { subscriptionId: '6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc', resourceGroup: 'rg-contoso', serviceName: 'contoso-apim' });
    assert.equal(formatServiceResourceId(parsed), ID);
  });

  it('accepts keyword casing, trailing slashes and pasted portal URLs', () => {
    const odd = ' /SUBSCRIPTIONS/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourcegroups/rg-contoso/providers/microsoft.apimanagement/Service/contoso-apim/ ';
    assert.equal(normalizeServiceResourceId(odd), ID);
    assert.equal(normalizeServiceResourceId(`https://portal.azure.com/#@contoso/resource${ID}/overview`.replace('/overview', '')), ID);
  });

  it('explains what is wrong with malformed ids', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /it is empty/],
      ['subscriptions/x', /must start with "\/subscriptions\/"/],
      ['/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s', /"not-a-guid" is not a subscription id/],
      ['/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg/providers/Microsoft.Web/sites/s', /expected "Microsoft.ApiManagement" but found "Microsoft.Web"/],
      ['/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg', /ends before "providers"/],
      [`${ID}/namedValues/x`, /points below the service/],
      ['/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg/providers/Microsoft.ApiManagement/service/9bad', /not a valid API Management service name/],
      ['/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/r%zz/providers/Microsoft.ApiManagement/service/s', /broken %-escape/],
    ];
    for (const [input, expected] of cases) {
      const message = validateServiceResourceId(input);
      assert.ok(message, `expected "${input}" to be rejected`);
      assert.match(message, expected, input);
      assert.match(message, /Expected \/subscriptions\/\{subscriptionId\}/);
    }
    assert.equal(validateServiceResourceId(ID), undefined);
  });
});

describe('azure/errors classifyError', () => {
  it('maps HTTP statuses to kinds with actionable messages and RBAC roles', () => {
    const ctx = { instanceId: ID };
    const unauth = classifyError(restError(401, 'InvalidAuthenticationToken'), ctx);
    assert.equal(unauth.kind, 'unauthenticated');
    assert.match(unauth.userMessage, /sign in again.*tenant/);

    const read = classifyError(restError(403, 'AuthorizationFailed'), { ...ctx, operation: 'read' });
    assert.equal(read.kind, 'forbidden');
    assert.ok(read.userMessage.includes(READER_ROLE));
    assert.match(read.userMessage, /"contoso-apim"/);
    const reveal = classifyError(restError(403, 'AuthorizationFailed'), { ...ctx, operation: 'listValue', target: 'db-password' });
    assert.ok(reveal.userMessage.includes(CONTRIBUTOR_ROLE));
    assert.match(reveal.userMessage, /db-password/);
    assert.ok(classifyError(restError(403), { ...ctx, operation: 'refreshSecret' }).userMessage.includes(CONTRIBUTOR_ROLE));

    const missing = classifyError(restError(404, 'ResourceNotFound'), ctx);
    assert.equal(missing.kind, 'notFound');
    assert.match(missing.userMessage, /no longer exists or you lack access.*select another instance/);

    const throttled = classifyError(restError(429, 'TooManyRequests', 'slow down', { 'retry-after': '17' }));
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.retryAfterSeconds, 17);
    assert.match(throttled.userMessage, /throttling.*17 s/);

    assert.equal(classifyError(restError(503, 'ServiceUnavailable')).kind, 'server');
    assert.equal(classifyError(restError(400, 'ValidationError', 'bad name')).kind, 'invalidInput');
    assert.equal(classifyError(restError(400, 'ValidationError', 'bad name')).message, 'bad name');
  });

  it('classifies transport failures and names the endpoint', () => {
    const refused = classifyError(restError(undefined, 'ECONNREFUSED', 'connect ECONNREFUSED'));
    assert.equal(refused.kind, 'network');
    assert.equal(refused.retryable, true);
    assert.match(refused.userMessage, /Cannot reach https:\/\/management\.azure\.com/);
    const tls = classifyError(restError(undefined, 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'));
    assert.equal(tls.kind, 'network');
    assert.equal(tls.retryable, false);
    assert.match(tls.userMessage, /NODE_EXTRA_CA_CERTS/);
  });

  it('never echoes a response body that core-client put into a message', () => {
    const body = '{"value":[{"name":"x","properties":{"value":"SECRET-DO-NOT-LEAK-unit"}}';
    const parse = new RestError(`Error "SyntaxError" occurred while parsing the response body - ${body}.`, { code: 'PARSE_ERROR', statusCode: 200 });
    const classifiedParse = classifyError(parse);
    assert.equal(classifiedParse.kind, 'malformedResponse');
    assert.ok(!JSON.stringify(classifiedParse).includes('SECRET-DO-NOT-LEAK'));

    const res = { ...response(502), bodyAsText: 'SECRET-DO-NOT-LEAK-plain-body' };
    const raw = new RestError('SECRET-DO-NOT-LEAK-plain-body', { statusCode: 502, response: res });
    const classifiedRaw = classifyError(raw);
    assert.equal(classifiedRaw.kind, 'server');
    assert.ok(!JSON.stringify(classifiedRaw).includes('SECRET-DO-NOT-LEAK'));
  });

  it('recognises identity and abort errors', () => {
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    assert.equal(classifyError(abort).kind, 'cancelled');
    const msal = new Error('invalid_client: AADSTS7000215: Invalid client secret provided.');
    msal.name = 'AuthenticationRequiredError';
    const signIn = classifyError(msal);
    assert.equal(signIn.kind, 'unauthenticated');
    assert.equal(signIn.code, 'invalid_client');
    assert.match(signIn.userMessage, /client id, secret or certificate/);
    const wrapped = new AzureAccessError(signIn);
    assert.equal(classifyError(wrapped), signIn);
  });
});

describe('azure/pipeline retry rules', () => {
  const settings = resolveRetrySettings({ maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterSeconds: 30 });
  const strategy = armRetryStrategy(settings);

  it('honours Retry-After up to the cap and fails fast beyond it', () => {
    assert.deepEqual(strategy.retry({ retryCount: 0, response: response(429, { 'Retry-After': '5' }) }), { retryAfterInMs: 5000 });
    assert.deepEqual(strategy.retry({ retryCount: 0, response: response(503, { 'retry-after-ms': '250' }) }), { retryAfterInMs: 250 });
    const beyond = strategy.retry({ retryCount: 0, response: response(429, { 'Retry-After': '31' }) });
    const error = beyond.errorToThrow as unknown as AzureAccessError;
    assert.ok(error instanceof AzureAccessError);
    assert.equal(error.kind, 'throttled');
    assert.equal(error.classification.retryAfterSeconds, 31);
    assert.match(error.classification.userMessage, /retry after 31 s/);
  });

  it('backs off exponentially (with jitter, bounded) for 5xx, 408, header-less 429 and connection errors', () => {
    for (const [retryCount, max] of [[0, 100], [1, 200], [2, 400], [5, 1000]] as const) {
      const delay = strategy.retry({ retryCount, response: response(500) }).retryAfterInMs ?? -1;
      assert.ok(delay >= max / 2 && delay <= max, `retry ${retryCount}: ${delay} not in [${max / 2}, ${max}]`);
    }
    assert.ok((strategy.retry({ retryCount: 0, response: response(429) }).retryAfterInMs ?? -1) >= 50);
    assert.ok((strategy.retry({ retryCount: 0, response: response(408) }).retryAfterInMs ?? -1) >= 50);
    const reset = new RestError('socket hang up', { code: 'ECONNRESET' });
    assert.ok((strategy.retry({ retryCount: 0, responseError: reset }).retryAfterInMs ?? -1) >= 50);
  });

  it('does not retry client errors, 501 or non-transient failures', () => {
    for (const status of [400, 401, 403, 404, 409, 501, 505]) {
      assert.deepEqual(strategy.retry({ retryCount: 0, response: response(status) }), { skipStrategy: true }, String(status));
    }
    const tls = new RestError('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    assert.equal(strategy.retry({ retryCount: 0, responseError: tls }).errorToThrow, tls);
  });

  it('reads Retry-After as seconds or HTTP date', () => {
    assert.equal(retryAfterInMs(response(429, { 'Retry-After': '3' })), 3000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = retryAfterInMs(response(429, { 'Retry-After': inTenSeconds })) ?? -1;
    assert.ok(fromDate > 8000 && fromDate <= 10_000, String(fromDate));
    assert.equal(retryAfterInMs(response(429)), undefined);
  });

  it('logs URLs without unknown query parameters', () => {
    assert.equal(
      describeUrlForLog('https://login.example/t/oauth2/v2.0/token?client-request-id=abc&api-version=1'),
      'https://login.example/t/oauth2/v2.0/token?api-version=1&…',
    );
    assert.equal(describeUrlForLog('https://arm.example/x?sig=SECRET'), 'https://arm.example/x?…');
  });
});

describe('azure/keyVault advice', () => {
  const kv = (code: string, message: string, identityClientId?: string): NamedValueInfo => ({
    name: 'kv-x',
    displayName: 'x-key',
    kind: 'keyVault',
    keyVault: { secretIdentifier: 'https://contoso-kv.vault.azure.net/secrets/x', identityClientId, lastStatus: { code, message, timeStampUtc: '2024-01-01T00:00:00Z' } },
  });

  it('names the missing permission for RBAC and access-policy vaults', () => {
    const rbac = keyVaultAdvice(kv('Forbidden', 'Caller is not authorized to perform action on resource. Inner error: ForbiddenByRbac'));
    assert.match(rbac, /system-assigned managed identity/);
    assert.match(rbac, /assign it the "Key Vault Secrets User" role/);
    assert.doesNotMatch(rbac, /access policy/);
    const policy = keyVaultAdvice(kv('Forbidden', "The user, group or application does not have secrets get permission on key vault 'contoso-kv'.", 'cid-1'));
    assert.match(policy, /user-assigned managed identity cid-1/);
    assert.match(policy, /"Get" and "List" secret permissions in the vault access policy, then refresh/);
    const unknown = keyVaultAdvice(kv('Forbidden', 'Access denied.'));
    assert.match(unknown, /access policy, or the "Key Vault Secrets User" role if the vault uses Azure RBAC/);
  });

  it('explains unreachable vaults, missing and disabled secrets', () => {
    assert.match(keyVaultAdvice(kv('VaultNotFound', 'Could not reach Key Vault')), /could not be reached.*firewall/);
    assert.match(keyVaultAdvice(kv('SecretNotFound', 'no secret named x')), /does not exist in "contoso-kv\.vault\.azure\.net"/);
    assert.match(keyVaultAdvice(kv('SecretDisabled', 'Secret x is disabled')), /is disabled/);
    assert.match(keyVaultAdvice(kv('Weird', 'Something else')), /failed \(Weird: Something else\)/);
  });
});

describe('azure/credentials input checks', () => {
  it('rejects an incomplete service principal before any network call', () => {
    const cloud = resolveCloud({ cloud: 'AzureCloud' });
    assert.throws(
      () => createCredential({ kind: 'servicePrincipal', servicePrincipal: { tenantId: 't', clientId: 'c', clientSecret: ' ' }, cloud }),
      (e: AzureAccessError) => e.kind === 'invalidInput' && /clientSecret is missing/.test(e.message),
    );
    assert.throws(
      () => createCredential({ kind: 'servicePrincipal', servicePrincipal: { tenantId: '', clientId: 'c', certificatePath: '/x.pem' }, cloud }),
      /tenantId is missing/,
    );
  });
});
