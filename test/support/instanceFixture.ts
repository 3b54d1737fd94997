/**
 * Instance metadata written for tests (Contoso-style, invented): every kind
 * of named value, Key Vault ones succeeding and failing, and entities.
 */
import type { InstanceMetadata } from '../../protocol/protocol';

export const TEST_INSTANCE_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-test/providers/Microsoft.ApiManagement/service/contoso-test';

export function testInstance(overrides: Partial<InstanceMetadata> = {}): InstanceMetadata {
  return {
    instanceId: TEST_INSTANCE_ID,
    displayName: 'contoso-test',
    namedValues: [
      { name: 'backend-url', displayName: 'backend-url', kind: 'plain', value: 'https://orders.contoso.example/api' },
      { name: 'nv-api-version', displayName: 'api-version', kind: 'plain', value: '2024-05-01', tags: ['versioning'] },
      { name: 'client-secret', displayName: 'client-secret', kind: 'secret' },
      {
        name: 'kv-orders-key',
        displayName: 'orders-key',
        kind: 'keyVault',
        keyVault: {
          secretIdentifier: 'https://contoso-vault.vault.azure.net/secrets/orders-key',
          lastStatus: { code: 'Success', timeStampUtc: '2026-11-20T08:00:00Z' },
        },
      },
      {
        name: 'kv-partner-token',
        displayName: 'partner-token',
        kind: 'keyVault',
        keyVault: {
          secretIdentifier: 'https://contoso-vault.vault.azure.net/secrets/partner-token',
          identityClientId: '11111111-2222-3333-4444-555555555555',
          lastStatus: {
            code: 'Forbidden',
            message: 'The managed identity lacks permission to get secrets from this vault.',
            timeStampUtc: '2026-11-21T09:30:00Z',
          },
        },
      },
    ],
    backends: [
      { name: 'orders-backend', url: 'https://orders.contoso.example', description: 'Order service' },
      { name: 'billing-backend', url: 'https://billing.contoso.example' },
    ],
    policyFragments: [{ name: 'cors-defaults', description: 'Shared CORS settings' }],
    loggers: [{ name: 'appinsights', loggerType: 'applicationInsights' }],
    certificates: [{ name: 'partner-cert', subject: 'CN=partner.contoso.example', expirationDate: '2027-01-01T00:00:00Z' }],
    ...overrides,
  };
}
