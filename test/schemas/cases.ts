/**
 * Hand-made APIOps files for the schema tests: broken ones, each with the place its problem must be
 * reported, and valid ones beyond the official examples that APIM or APIOps accept, so the schemas
 * must too (zero false errors).
 */
import type { ArtifactFile, JsonPath } from './support';

export interface BrokenFile {
  name: string;
  value: unknown;
  /** Where the problem is: the object missing a property, or the offending value. */
  at: JsonPath;
  /** The draft-07 keyword Ajv reports there. */
  keyword: string;
  /** What VS Code's message there must say, when the schema words it itself. */
  vscodeMessage?: RegExp;
}

export interface AcceptedFile {
  name: string;
  value: unknown;
}

const chars = (count: number): string => 'x'.repeat(count);
const file = (properties: Record<string, unknown>) => ({ properties });
const BACKEND_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/backends/';

export const BROKEN_FILES: Record<ArtifactFile, BrokenFile[]> = {
  'namedValueInformation.json': [
    {
      name: 'a Key Vault reference without secretIdentifier',
      value: file({ displayName: 'partner-key', secret: true, keyVault: { identityClientId: 'ceaa6b06-c00f-43ef-99ac-f53d1fe876a0' } }),
      at: ['properties', 'keyVault'],
      keyword: 'required',
      vscodeMessage: /"secretIdentifier"/,
    },
    {
      name: 'a display name with a space',
      value: file({ displayName: 'partner key', value: 'x' }),
      at: ['properties', 'displayName'],
      keyword: 'pattern',
      vscodeMessage: /only letters, digits, '\.', '-' and '_'/,
    },
    { name: 'a display name of 257 characters', value: file({ displayName: chars(257), value: 'x' }), at: ['properties', 'displayName'], keyword: 'maxLength' },
    { name: 'no display name', value: file({ value: 'x', secret: false }), at: ['properties'], keyword: 'required', vscodeMessage: /"displayName"/ },
    { name: 'a value of 4,097 characters', value: file({ displayName: 'big', value: chars(4097) }), at: ['properties', 'value'], keyword: 'maxLength' },
    { name: 'a value of only whitespace', value: file({ displayName: 'blank', value: ' \t ' }), at: ['properties', 'value'], keyword: 'pattern', vscodeMessage: /empty or consist only of whitespace/ },
    { name: '33 tags', value: file({ displayName: 'tagged', value: 'x', tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }), at: ['properties', 'tags'], keyword: 'maxItems' },
    { name: '"secret" as a string', value: file({ displayName: 'flag', value: 'x', secret: 'true' }), at: ['properties', 'secret'], keyword: 'type' },
  ],
  'policyFragmentInformation.json': [
    { name: 'a description of 1,001 characters', value: file({ description: chars(1001) }), at: ['properties', 'description'], keyword: 'maxLength' },
    { name: 'a format that is not a string', value: file({ format: 1 }), at: ['properties', 'format'], keyword: 'type' },
  ],
  'apiInformation.json': [
    { name: 'a display name of 301 characters', value: file({ displayName: chars(301), path: 'orders' }), at: ['properties', 'displayName'], keyword: 'maxLength' },
    { name: 'protocols as one string instead of a list', value: file({ displayName: 'Orders', path: 'orders', protocols: 'https' }), at: ['properties', 'protocols'], keyword: 'type' },
    { name: 'a path of 401 characters', value: file({ displayName: 'Orders', path: chars(401) }), at: ['properties', 'path'], keyword: 'maxLength' },
  ],
  'backendInformation.json': [
    { name: 'a single backend without url', value: file({ protocol: 'http', title: 'orders' }), at: ['properties'], keyword: 'required', vscodeMessage: /"url"/ },
    { name: 'a "Single" backend without protocol', value: file({ type: 'Single', url: 'https://orders.contoso.com' }), at: ['properties'], keyword: 'required', vscodeMessage: /"protocol"/ },
    {
      name: 'a pool member with weight 101',
      value: file({ type: 'Pool', pool: { services: [{ id: `${BACKEND_ID}a`, weight: 101 }] } }),
      at: ['properties', 'pool', 'services', 0, 'weight'],
      keyword: 'maximum',
    },
    { name: 'a pool member without id', value: file({ type: 'Pool', pool: { services: [{ priority: 1 }] } }), at: ['properties', 'pool', 'services', 0], keyword: 'required', vscodeMessage: /"id"/ },
    {
      name: 'a circuit-breaker status code of 600',
      value: file({ url: 'https://orders.contoso.com', protocol: 'http', circuitBreaker: { rules: [{ name: 'r', failureCondition: { count: 3, statusCodeRanges: [{ min: 500, max: 600 }] } }] } }),
      at: ['properties', 'circuitBreaker', 'rules', 0, 'failureCondition', 'statusCodeRanges', 0, 'max'],
      keyword: 'maximum',
    },
  ],
  'productInformation.json': [
    { name: 'a state outside the contract ("Published")', value: file({ displayName: 'Starter', state: 'Published' }), at: ['properties', 'state'], keyword: 'enum' },
    { name: 'no display name', value: file({ description: 'Starter tier' }), at: ['properties'], keyword: 'required', vscodeMessage: /"displayName"/ },
    { name: 'subscriptionsLimit as text', value: file({ displayName: 'Starter', subscriptionsLimit: '5' }), at: ['properties', 'subscriptionsLimit'], keyword: 'type' },
  ],
  'loggerInformation.json': [
    { name: 'no loggerType', value: file({ description: 'orders', credentials: { instrumentationKey: '{{ai-key}}' } }), at: ['properties'], keyword: 'required', vscodeMessage: /"loggerType"/ },
    { name: 'a description of 257 characters', value: file({ loggerType: 'applicationInsights', description: chars(257) }), at: ['properties', 'description'], keyword: 'maxLength' },
  ],
  'versionSetInformation.json': [
    { name: 'no versioningScheme', value: file({ displayName: 'Orders' }), at: ['properties'], keyword: 'required', vscodeMessage: /"versioningScheme"/ },
    { name: 'a display name of 101 characters', value: file({ displayName: chars(101), versioningScheme: 'Segment' }), at: ['properties', 'displayName'], keyword: 'maxLength' },
  ],
  'diagnosticInformation.json': [
    { name: 'no loggerId', value: file({ alwaysLog: 'allErrors' }), at: ['properties'], keyword: 'required', vscodeMessage: /"loggerId"/ },
    { name: 'a sampling percentage of 150', value: file({ loggerId: '/loggers/ai', sampling: { samplingType: 'fixed', percentage: 150 } }), at: ['properties', 'sampling', 'percentage'], keyword: 'maximum' },
    {
      name: 'logging 9,000 bytes of the request body',
      value: file({ loggerId: '/loggers/ai', frontend: { request: { body: { bytes: 9000 } } } }),
      at: ['properties', 'frontend', 'request', 'body', 'bytes'],
      keyword: 'maximum',
    },
  ],
  'gatewayInformation.json': [
    { name: 'a location without name', value: file({ locationData: { city: 'Seattle' } }), at: ['properties', 'locationData'], keyword: 'required', vscodeMessage: /"name"/ },
    { name: 'a description of 1,001 characters', value: file({ description: chars(1001) }), at: ['properties', 'description'], keyword: 'maxLength' },
  ],
  'groupInformation.json': [
    { name: 'a type outside the contract ("internal")', value: file({ displayName: 'Partners', type: 'internal' }), at: ['properties', 'type'], keyword: 'enum' },
    { name: 'no display name', value: file({ description: 'Partners' }), at: ['properties'], keyword: 'required', vscodeMessage: /"displayName"/ },
  ],
  'tagInformation.json': [
    { name: 'a display name of 161 characters', value: file({ displayName: chars(161) }), at: ['properties', 'displayName'], keyword: 'maxLength' },
    { name: 'an empty display name', value: file({ displayName: '' }), at: ['properties', 'displayName'], keyword: 'minLength' },
  ],
  'subscriptionInformation.json': [
    { name: 'a state outside the contract ("enabled")', value: file({ scope: '/apis', displayName: 'all', state: 'enabled' }), at: ['properties', 'state'], keyword: 'enum' },
    { name: 'no scope', value: file({ displayName: 'all' }), at: ['properties'], keyword: 'required', vscodeMessage: /"scope"/ },
    { name: 'an empty primary key', value: file({ scope: '/apis', primaryKey: '' }), at: ['properties', 'primaryKey'], keyword: 'minLength' },
  ],
  'workspaceInformation.json': [{ name: 'no display name', value: file({ description: 'Team A' }), at: ['properties'], keyword: 'required', vscodeMessage: /"displayName"/ }],
};

/**
 * Files APIM (or the APIOps publisher) takes that the official examples do not show: JSON nulls (ARM
 * treats them as absent), properties of newer api-versions, values of extensible enums that newer
 * api-versions add, and what the extractor writes for secrets and revisions.
 */
export const FILES_APIM_ACCEPTS: Partial<Record<ArtifactFile, AcceptedFile[]>> = {
  'namedValueInformation.json': [
    { name: 'an extracted secret named value (no value: APIM never returns it)', value: file({ displayName: 'partner-secret', secret: true, tags: [] }) },
    { name: 'nulls for optional settings', value: file({ displayName: 'plain', value: 'x', secret: null, tags: null, keyVault: null }) },
    { name: 'a value of 4,096 characters with a policy expression', value: file({ displayName: 'expr', value: `@(context.Request.Url.Path)${chars(4096 - 27)}` }) },
    { name: 'a versioned secret identifier with a token a release pipeline replaces', value: file({ displayName: 'kv', secret: true, keyVault: { secretIdentifier: '#{KeyVaultUri}#/secrets/partner/0123456789abcdef' } }) },
  ],
  'policyFragmentInformation.json': [{ name: 'what APIOps v7 writes: the description only', value: file({ description: 'CORS for browser clients' }) }],
  'apiInformation.json': [
    { name: 'a non-current revision without the settings APIOps copies from the current one', value: file({ apiRevision: '2', apiRevisionDescription: 'Adds paging', isCurrent: false }) },
    { name: 'an API type a newer api-version adds', value: file({ displayName: 'Agents', path: 'agents', type: 'mcp', protocols: ['https'] }) },
  ],
  'backendInformation.json': [
    {
      name: 'credentials of a newer api-version (managedIdentity) and a circuit breaker',
      value: file({
        url: 'https://orders.contoso.com',
        protocol: 'http',
        credentials: { managedIdentity: { clientId: 'ceaa6b06-c00f-43ef-99ac-f53d1fe876a0', resource: 'api://orders' }, header: { 'x-key': ['{{orders-key}}'] } },
        circuitBreaker: { rules: [{ name: 'trip', tripDuration: 'PT1M', acceptRetryAfter: true, failureCondition: { count: 3, interval: 'PT1H', statusCodeRanges: [{ min: 500, max: 599 }] } }] },
      }),
    },
    { name: 'a pool with weights at the limits', value: file({ type: 'Pool', pool: { services: [{ id: `${BACKEND_ID}a`, weight: 0, priority: 100 }, { id: `${BACKEND_ID}b`, weight: 100 }] } }) },
  ],
  'loggerInformation.json': [{ name: 'a logger type a newer api-version adds', value: file({ loggerType: 'someFutureSink', isBuffered: null }) }],
  'subscriptionInformation.json': [{ name: 'a subscription without a display name (ARM returns null for one)', value: file({ scope: '/apis', state: 'active', displayName: null }) }],
};
