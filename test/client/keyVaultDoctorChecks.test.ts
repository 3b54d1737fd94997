/**
 * The doctor's pure checks on facts the demo does not cover (each verdict the
 * check can reach), and the view rows they turn into: icons per outcome, fix
 * rows that run the fix command, and context values the menus match.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClassifiedError } from '../../client/src/azure/errors';
import type { VaultFacts } from '../../client/src/azure/keyVaultReads';
import { parseSecretIdentifier } from '../../client/src/azure/secretIdentifier';
import { type DoctorFacts, lengthCheck, networkCheck, permissionCheck, runChecks, secretCheck, statusCheck } from '../../client/src/keyVaultDoctor/checks';
import { type DoctorReport, summarizeReport } from '../../client/src/keyVaultDoctor/diagnose';
import { allFixes, childrenOf, present } from '../../client/src/keyVaultDoctor/presentation';
import { repoRoot } from '../support/repo';

const PRINCIPAL = '11111111-2222-4333-8444-555555555555';
const VAULT_ID = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1';

function vault(overrides: Partial<VaultFacts> = {}): VaultFacts {
  return {
    id: VAULT_ID, name: 'kv1', subscriptionId: 's1', resourceGroup: 'rg', tenantId: 't', vaultUri: 'https://kv1.vault.azure.net/', rbac: false,
    accessPolicies: [{ objectId: PRINCIPAL, secrets: ['get', 'list'] }], publicNetworkAccess: 'Enabled', defaultAction: 'Allow', bypass: 'AzureServices',
    ipRules: [], virtualNetworkRules: 0, ...overrides,
  };
}

function facts(overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  const identifier = parseSecretIdentifier('https://kv1.vault.azure.net/secrets/s');
  assert.ok(identifier);
  return {
    now: Date.parse('2026-06-01T00:00:00Z'),
    serviceName: 'apim1',
    namedValue: { name: 'nv', displayName: 'nv', kind: 'keyVault', keyVault: { secretIdentifier: 'https://kv1.vault.azure.net/secrets/s', lastStatus: { code: 'Success', timeStampUtc: '2026-05-31T00:00:00Z' } } },
    identifier,
    service: { ok: true, value: { systemAssigned: { principalId: PRINCIPAL }, userAssigned: [], publicIpAddresses: ['20.1.2.3'], virtualNetworkType: 'None' } },
    vaultSearch: { ok: true, value: { location: VAULT_ID, subscriptions: 1, failedSubscriptions: 0 } },
    vault: { ok: true, value: vault() },
    secret: { ok: true, value: { name: 's', enabled: true } },
    ...overrides,
  };
}

const forbidden: ClassifiedError = { kind: 'forbidden', status: 403, code: 'AuthorizationFailed', message: 'no', userMessage: 'no', retryable: false };

describe('client/Key Vault doctor checks', () => {
  it('warns when an access policy allows Get without List, and offers to add List', () => {
    const result = permissionCheck(facts({ vault: { ok: true, value: vault({ accessPolicies: [{ objectId: PRINCIPAL, secrets: ['get'] }] }) } }));
    assert.equal(result.outcome, 'warning');
    assert.deepEqual(result.fixes.map((f) => f.kind), ['addAccessPolicy']);
    assert.deepEqual((result.fixes[0] as { permission: unknown }).permission, { allowed: 'unknown', requiredRole: 'Key Vault Contributor' }, 'no permission read: unknown, with the role');
  });

  it('treats an RBAC grant behind a condition as a warning, and a missing role-assignment read as could-not-check', () => {
    const rbac = { ok: true as const, value: vault({ rbac: true }) };
    const conditional = permissionCheck(facts({
      vault: rbac,
      roleGrants: { ok: true, value: [{ assignmentId: 'a', scope: VAULT_ID, roleDefinitionId: 'r', roleName: 'Key Vault Secrets User', permissions: [{ actions: [], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action'], notDataActions: [] }], condition: '@Resource[…]' }] },
    }));
    assert.equal(conditional.outcome, 'warning');
    const unreadable = permissionCheck(facts({ vault: rbac, roleGrants: { ok: false, error: forbidden } }));
    assert.equal(unreadable.outcome, 'unknown');
    assert.match(unreadable.found, /You may not read this \(AuthorizationFailed\)/);
    const notData = permissionCheck(facts({
      vault: rbac,
      roleGrants: { ok: true, value: [{ assignmentId: 'a', scope: '/subscriptions/s1', roleDefinitionId: 'r', roleName: 'Owner', permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }] }] },
    }));
    assert.equal(notData.outcome, 'fail', 'Owner manages the vault but cannot read its secrets');
  });

  it('fails disabled public access, but only warns for an instance in a virtual network', () => {
    const closed = { ok: true as const, value: vault({ publicNetworkAccess: 'Disabled' }) };
    assert.equal(networkCheck(facts({ vault: closed })).outcome, 'fail');
    const inVnet = facts({ vault: closed, service: { ok: true, value: { systemAssigned: { principalId: PRINCIPAL }, userAssigned: [], publicIpAddresses: [], virtualNetworkType: 'Internal' } } });
    assert.equal(networkCheck(inVnet).outcome, 'warning');
    const allowedByIp = networkCheck(facts({ vault: { ok: true, value: vault({ defaultAction: 'Deny', bypass: 'None', ipRules: ['20.1.2.3/32'] }) } }));
    assert.equal(allowedByIp.outcome, 'pass');
    assert.match(allowedByIp.found, /allows the gateway's addresses \(20\.1\.2\.3\)/);
  });

  it('warns about a secret that is not valid yet, fails an empty one, and never checks the length unasked', () => {
    const future = secretCheck(facts({ secret: { ok: true, value: { name: 's', enabled: true, notBefore: new Date('2026-07-01T00:00:00Z') } } }));
    assert.equal(future.outcome, 'warning');
    assert.match(future.found, /not valid before 2026-07-01 00:00:00Z/);
    assert.equal(lengthCheck(facts({ length: { ok: true, value: 0 } })).outcome, 'fail');
    assert.equal(lengthCheck(facts({ length: { ok: true, value: 4096 } })).outcome, 'pass');
    assert.equal(lengthCheck(facts()).outcome, 'unknown');
    assert.equal(statusCheck(facts({ draft: true })).outcome, 'unknown', 'a draft has no status yet');
  });

  it('turns a report into view rows: outcome icons, fix rows that run the fix command, menu context values', () => {
    const report: DoctorReport = {
      instanceId: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim1', serviceName: 'apim1', name: 'nv', displayName: 'nv',
      facts: facts(), finishedAt: 0,
      checks: runChecks(facts({ identifier: parseSecretIdentifier('https://kv1.vault.azure.net/secrets/s/0abc'), vault: { ok: true, value: vault({ accessPolicies: [] }) }, namedValue: { name: 'nv', displayName: 'nv', kind: 'keyVault', keyVault: { secretIdentifier: 'https://kv1.vault.azure.net/secrets/s/0abc', lastStatus: { code: 'Forbidden', timeStampUtc: '' } } } })),
    };
    assert.equal(summarizeReport(report).text, '2 checks fail, 1 warning, 1 not checked');
    const root = childrenOf(report, undefined)[0];
    assert.equal(present(report, root).icon.id, 'error');
    const checks = childrenOf(report, root);
    const permission = checks.find((c) => c.kind === 'check' && c.check.id === 'permission');
    assert.ok(permission);
    assert.equal(present(report, permission).contextValue, 'keyVaultDoctor.check.fail.fixable');
    const fixRow = childrenOf(report, permission).find((n) => n.kind === 'fix');
    assert.ok(fixRow);
    assert.deepEqual(present(report, fixRow).fixTarget, { checkId: 'permission', fixIndex: 0 });
    assert.deepEqual(allFixes(report).map((f) => f.fix.kind), ['refresh', 'addAccessPolicy', 'useLatestVersion', 'checkLength'], 'failing checks first');

    // The menus of the doctor view target exactly these rows.
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when?: string }>> } };
    const entry = manifest.contributes.menus['view/item/context'].find((e) => e.command === 'apimPolicy.applyKeyVaultFix');
    const pattern = new RegExp(/viewItem =~ \/(.+)\/$/.exec(entry?.when ?? '')?.[1] ?? '^$');
    const contextValues = (n: typeof root) => present(report, n).contextValue;
    assert.ok(pattern.test(contextValues(permission)) && pattern.test(contextValues(fixRow)));
    const passing = checks.find((c) => c.kind === 'check' && c.check.outcome === 'pass');
    assert.ok(passing && !pattern.test(contextValues(passing)), 'no fix menu on a passing check');
  });
});
