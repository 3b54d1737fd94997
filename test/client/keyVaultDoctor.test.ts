/**
 * The Key Vault doctor against the emulator's demo instance: every check on
 * the scenario built for its failure kind (plus an all-green reference), the
 * fixes (access policy, role assignment, latest version) taking a reference
 * from failing to green through a real refresh, and the signed-in user who may
 * not make a change being told which role it takes.
 */
import * as assert from 'node:assert/strict';
import { AzureAccess, classifyError } from '../../client/src/azure';
import { listSecretNames, listVaults } from '../../client/src/azure/keyVaultReads';
import { RequestGate } from '../../client/src/azure/pager';
import { type CheckId, type CheckResult, type FixProposal, type Outcome } from '../../client/src/keyVaultDoctor/checks';
import { diagnose, type DoctorReport, summarizeReport } from '../../client/src/keyVaultDoctor/diagnose';
import { applyFix, isChangingFix } from '../../client/src/keyVaultDoctor/fixes';
import type { InstanceFixture } from '../../emulator';
import { loadFixture } from '../../emulator';
import { SECRETS_PAGE_SIZE } from '../../emulator/keyVaultArm';
import { type EmulatorSetup, guardRejections, startSetup } from '../azure/helpers';

const UAI_PRINCIPAL = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';

function check(report: DoctorReport, id: CheckId): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `check ${id}`);
  return found;
}

function outcomes(report: DoctorReport): Record<CheckId, Outcome> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.outcome])) as Record<CheckId, Outcome>;
}

function fixOf<K extends FixProposal['kind']>(result: CheckResult, kind: K): Extract<FixProposal, { kind: K }> {
  const fix = result.fixes.find((f) => f.kind === kind);
  assert.ok(fix, `a ${kind} fix on ${result.id}: ${JSON.stringify(result.fixes.map((f) => f.kind))}`);
  return fix as Extract<FixProposal, { kind: K }>;
}

describe('client/Key Vault doctor (emulator)', function () {
  this.timeout(60_000);
  guardRejections();
  let setup: EmulatorSetup;
  let access: AzureAccess;
  const run = (name: string, checkLength = false) => diagnose(access, setup.emu.instanceId, name, { checkLength });

  before(async () => {
    setup = await startSetup({ lroDurationMs: 30 });
    access = new AzureAccess(setup.credential, setup.options);
  });
  after(async () => {
    await setup?.emu.stop();
  });

  describe('checks, one scenario per failure kind', () => {
    it('passes every check, length included, for a healthy reference (user-assigned identity, access policy)', async () => {
      const report = await run('kv-payment-gateway-key', true);
      assert.deepEqual(outcomes(report), {
        status: 'pass', identity: 'pass', identifier: 'pass', vault: 'pass', permission: 'pass', network: 'pass', secret: 'pass', length: 'pass',
      });
      assert.match(check(report, 'identity').found, new RegExp(`user-assigned identity id-contoso-apim .*principal id ${UAI_PRINCIPAL}`));
      assert.match(check(report, 'vault').found, /Vault "contoso-kv" in resource group rg-contoso-security .*access policies/);
      assert.match(check(report, 'length').found, /has 32 characters/);
      assert.equal(summarizeReport(report).text, 'All checks pass');
      assert.ok(report.checks.every((c) => c.fixes.every((f) => f.kind === 'refresh' || f.kind === 'checkLength')));
    });

    it('leaves the length unchecked, with a consent action, unless asked', async () => {
      const report = await run('kv-jwt-signing-secret');
      const length = check(report, 'length');
      assert.equal(length.outcome, 'unknown');
      assert.match(length.advice ?? '', /never shown, logged, cached or sent anywhere/);
      fixOf(length, 'checkLength');
      assert.equal(check(report, 'identity').found, 'APIM reads the secret with the system-assigned identity, principal id 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d.');
      assert.equal(summarizeReport(report).text, 'No problems found; 1 not checked');
    });

    it('reports APIM\'s failing status with its code, message and time, and offers a refresh', async () => {
      const status = check(await run('kv-legacy-partner-key'), 'status');
      assert.equal(status.outcome, 'fail');
      assert.match(status.found, /^APIM's last fetch failed on \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: SecretNotFound — Key Vault 'contoso-kv' has no secret/);
      fixOf(status, 'refresh');
    });

    it('fails the identity check when the user-assigned identity is not attached to the instance', async () => {
      const report = await run('kv-reporting-api-key');
      const identity = check(report, 'identity');
      assert.equal(identity.outcome, 'fail');
      assert.match(identity.found, /No user-assigned identity with client id 5f4e3d2c-1b0a-4987-a654-3210fedcba98 .*Can not find Managed Identity/);
      assert.match(identity.advice ?? '', /id-contoso-apim \(9e8d7c6b-5a49-4838-a726-1504f3e2d1c0\), or the system-assigned identity/);
      assert.equal(check(report, 'permission').outcome, 'unknown', 'no principal, so no grant to look for');
    });

    it('fails the identity check when the instance has no system-assigned identity', async () => {
      const fixture = loadFixture(undefined);
      fixture.services[0].identity = {
        type: 'UserAssigned',
        userAssignedIdentities: (fixture.services[0].identity as { userAssignedIdentities: unknown }).userAssignedIdentities,
      };
      const other = await startSetup({ fixture, lroDurationMs: 30 });
      try {
        const report = await diagnose(new AzureAccess(other.credential, other.options), other.emu.instanceId, 'kv-jwt-signing-secret');
        assert.equal(check(report, 'identity').outcome, 'fail');
        assert.match(check(report, 'identity').found, /has no system-assigned managed identity/);
        assert.equal(check(report, 'status').outcome, 'fail', 'APIM itself could not read it');
      } finally {
        await other.emu.stop();
      }
    });

    it('warns about a versioned identifier and offers the latest version', async () => {
      const report = await run('kv-signing-cert-password');
      const identifier = check(report, 'identifier');
      assert.equal(identifier.outcome, 'warning');
      assert.match(identifier.found, /Pinned to version 3b9d5e0a7c2f4e81b6d4a9c0e5f71328: .*automatic rotation is off/);
      const fix = fixOf(identifier, 'useLatestVersion');
      assert.equal(fix.secretIdentifier, 'https://contoso-kv.vault.azure.net/secrets/signing-cert-password');
      assert.deepEqual(fix.permission, { allowed: true });
      assert.match(check(report, 'secret').found, /checked the current version; the named value pins another one/);
    });

    it('fails the vault check when the vault is not in any subscription the user can see', async () => {
      const report = await run('kv-archive-storage-key');
      const vault = check(report, 'vault');
      assert.equal(vault.outcome, 'fail');
      assert.equal(vault.found, 'No vault named "contoso-old-kv" in the 1 subscription you can see.');
      assert.match(vault.advice ?? '', /subscription your account cannot see/);
      for (const id of ['permission', 'network', 'secret'] as const) assert.equal(check(report, id).outcome, 'unknown', id);
    });

    it('fails the permission check on an RBAC vault whose roles for the identity do not include getSecret, and offers Key Vault Secrets User', async () => {
      const report = await run('kv-billing-api-key');
      const permission = check(report, 'permission');
      assert.equal(permission.outcome, 'fail');
      assert.match(permission.found, /uses Azure RBAC .*Its roles there \(Key Vault Reader\) do not include Microsoft\.KeyVault\/vaults\/secrets\/getSecret\/action/);
      const scopes = permission.fixes.filter((f) => f.kind === 'assignSecretsUser').map((f) => (f as { scope: string }).scope);
      assert.deepEqual(scopes.map((s) => s.split('/').slice(-2).join('/')), ['secrets/billing-api-key', 'vaults/contoso-billing-kv']);
      assert.deepEqual(fixOf(permission, 'assignSecretsUser').permission, { allowed: true });
    });

    it('fails the permission check on an access-policy vault whose policy lacks Get, and offers Get and List', async () => {
      const permission = check(await run('kv-loyalty-api-key'), 'permission');
      assert.equal(permission.outcome, 'fail');
      assert.match(permission.found, /allows secret list, not Get/);
      const fix = fixOf(permission, 'addAccessPolicy');
      assert.equal(fix.principalId, UAI_PRINCIPAL);
      assert.match(fix.change, /Adds secret permissions Get and List .* Key Vault "contoso-loyalty-kv"/);
    });

    it('fails the network check for a default-deny firewall without the trusted services bypass', async () => {
      const report = await run('kv-fraud-model-key', true);
      const network = check(report, 'network');
      assert.equal(network.outcome, 'fail');
      assert.match(network.found, /denies requests by default .*20\.0\.113\.17 is not allowed/);
      assert.match(network.advice ?? '', /Allow trusted Microsoft services to bypass this firewall/);
      assert.equal(check(report, 'permission').outcome, 'pass', 'the grant itself is fine');
      const length = check(report, 'length');
      assert.equal(length.outcome, 'unknown', 'the firewall blocks the user too');
      assert.match(length.found, /Key Vault refused your account \(Client address is not authorized/);
    });

    it('fails the secret check for a missing and a disabled secret, and warns about an expired one', async () => {
      assert.match(check(await run('kv-legacy-partner-key'), 'secret').found, /Vault "contoso-kv" has no secret named "legacy-partner-key"/);
      const disabled = check(await run('kv-webhook-signing-secret'), 'secret');
      assert.equal(disabled.outcome, 'fail');
      assert.equal(disabled.found, 'Secret "webhook-signing-secret" is disabled.');
      const expired = await run('kv-mobile-push-key');
      assert.equal(check(expired, 'secret').outcome, 'warning');
      assert.match(check(expired, 'secret').found, /expired on 2025-01-31 00:00:00Z/);
      assert.equal(check(expired, 'status').outcome, 'pass', 'Key Vault still returns an expired secret');
    });

    it('fails the length check for a secret longer than 4,096 characters', async () => {
      const report = await run('kv-saml-signing-key', true);
      const length = check(report, 'length');
      assert.equal(length.outcome, 'fail');
      assert.match(length.found, /has 5,000 characters; a named value holds at most 4,096/);
      assert.equal(check(report, 'secret').outcome, 'pass');
    });

    it('recognises a grant through a custom role, read from its definition rather than its name', async () => {
      const fixture: InstanceFixture = loadFixture(undefined);
      fixture.roleDefinitions = [{ id: '7d2c1b0a-9f8e-4d7c-b6a5-948372615040', roleName: 'Contoso Payments Secret Reader', permissions: [{ dataActions: ['Microsoft.KeyVault/vaults/secrets/*'], notDataActions: ['Microsoft.KeyVault/vaults/secrets/setSecret/action'] }] }];
      fixture.roleAssignments = [...(fixture.roleAssignments ?? []), {
        scope: '/subscriptions/6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc/resourceGroups/rg-contoso-security', role: 'Contoso Payments Secret Reader', principalId: UAI_PRINCIPAL,
      }];
      const other = await startSetup({ fixture, lroDurationMs: 30 });
      try {
        const report = await diagnose(new AzureAccess(other.credential, other.options), other.emu.instanceId, 'kv-billing-api-key');
        assert.equal(check(report, 'permission').outcome, 'pass');
        assert.match(check(report, 'permission').found, /Role "Contoso Payments Secret Reader" .* at resource group "rg-contoso-security" grants reading secrets/);
        assert.equal(check(report, 'status').outcome, 'pass', 'APIM agrees');
      } finally {
        await other.emu.stop();
      }
    });

    it('names the role the signed-in user would need when they may not make the change, and the write says so too', async () => {
      const fixture: InstanceFixture = loadFixture(undefined);
      fixture.roleAssignments = (fixture.roleAssignments ?? []).map((a) => (a.role === 'Owner' ? { ...a, role: 'Reader' } : a));
      const other = await startSetup({ fixture, lroDurationMs: 30 });
      try {
        const readerAccess = new AzureAccess(other.credential, other.options);
        const report = await diagnose(readerAccess, other.emu.instanceId, 'kv-billing-api-key');
        const fix = fixOf(check(report, 'permission'), 'assignSecretsUser');
        assert.deepEqual(fix.permission, { allowed: false, requiredRole: 'Role Based Access Control Administrator' });
        const loyalty = fixOf(check(await diagnose(readerAccess, other.emu.instanceId, 'kv-loyalty-api-key'), 'permission'), 'addAccessPolicy');
        assert.deepEqual(loyalty.permission, { allowed: false, requiredRole: 'Key Vault Contributor' });
        const error = await applyFix(readerAccess, report, fix).then(() => undefined, (e: unknown) => classifyError(e));
        assert.equal(error?.kind, 'forbidden');
        assert.match(error?.userMessage ?? '', /needs the "Role Based Access Control Administrator" role/);
      } finally {
        await other.emu.stop();
      }
    });
  });

  describe('fixes: diagnose → fix → refresh → green', () => {
    async function fixAndRefresh(name: string, pick: (r: DoctorReport) => FixProposal): Promise<DoctorReport> {
      const before = await run(name);
      const fix = pick(before);
      assert.ok(isChangingFix(fix));
      await applyFix(access, before, fix);
      const refreshed = await access.refreshSecret(setup.emu.instanceId, name);
      assert.equal(refreshed.keyVault?.lastStatus?.code, 'Success', JSON.stringify(refreshed.keyVault?.lastStatus));
      return run(name);
    }

    it('assigns Key Vault Secrets User on the secret of an RBAC vault', async () => {
      const after = await fixAndRefresh('kv-billing-api-key', (r) => fixOf(check(r, 'permission'), 'assignSecretsUser'));
      assert.equal(check(after, 'permission').outcome, 'pass');
      assert.match(check(after, 'permission').found, /Role "Key Vault Secrets User" .* at secret "billing-api-key"/);
      assert.equal(check(after, 'status').outcome, 'pass');
      const created = [...setup.emu.state.roleAssignments.values()].filter((a) => a.principalId === UAI_PRINCIPAL && a.scope.endsWith('/secrets/billing-api-key'));
      assert.equal(created.length, 1, 'exactly one role assignment was created');
    });

    it('adds Get and List to the access policy of an access-policy vault', async () => {
      const after = await fixAndRefresh('kv-loyalty-api-key', (r) => fixOf(check(r, 'permission'), 'addAccessPolicy'));
      assert.equal(check(after, 'permission').outcome, 'pass');
      const policy = setup.emu.state.vaults.get('contoso-loyalty-kv')?.accessPolicies.find((p) => p.objectId === UAI_PRINCIPAL);
      assert.deepEqual([...(policy?.permissions.secrets ?? [])].sort(), ['get', 'list']);
      assert.deepEqual(summarizeReport(after).failed, 0);
    });

    it('switches a pinned reference to the latest version and keeps it a Key Vault reference with the same identity', async () => {
      const after = await fixAndRefresh('kv-signing-cert-password', (r) => fixOf(check(r, 'identifier'), 'useLatestVersion'));
      assert.equal(check(after, 'identifier').outcome, 'pass');
      const stored = setup.emu.state.services[0].namedValues.get('kv-signing-cert-password');
      assert.deepEqual(stored?.properties.keyVault && { ...(stored.properties.keyVault as object), lastStatus: undefined }, {
        secretIdentifier: 'https://contoso-kv.vault.azure.net/secrets/signing-cert-password', lastStatus: undefined,
      });
      assert.equal(stored?.properties.value, undefined, 'no value: still a Key Vault reference');
      assert.equal(stored?.properties.secret, true);
      assert.equal((await access.revealValue(setup.emu.instanceId, 'kv-signing-cert-password')).endsWith('5e7a1c9b30'), true, 'APIM now serves the current version');
    });
  });
  describe('listings for pickers and the vault lookup', () => {
    const bulk = Array.from({ length: 2 * SECRETS_PAGE_SIZE + 5 }, (_, i) => `bulk-secret-${String(i).padStart(2, '0')}`);
    before(() => {
      for (const name of bulk) setup.emu.setVaultState('contoso-kv', name, { status: 'ok', value: `SECRET-DO-NOT-LEAK-${name}` });
    });
    after(() => {
      setup.emu.setFaults({ latencyMs: 0 });
      for (const name of bulk) setup.emu.setVaultState('contoso-kv', name, { status: 'missing' });
    });

    it('pages through every secret name and every subscription\'s vaults, all within one request gate', async () => {
      const subscriptions = await access.listSubscriptions();
      const vault = (await listVaults(access.keyVault, setup.emu.subscriptionId)).find((v) => v.name === 'contoso-kv');
      assert.ok(vault, 'contoso-kv is found by resource lookup');
      const stored = [...(setup.emu.state.vaults.get('contoso-kv')?.secrets.values() ?? [])].map((s) => s.name).sort((a, b) => a.localeCompare(b));
      const pages = Math.ceil(stored.length / SECRETS_PAGE_SIZE);
      assert.ok(pages >= 3, `the vault's secrets span ${pages} pages`);

      setup.emu.setFaults({ latencyMs: 20 });
      setup.emu.resetStats();
      const gate = new RequestGate(2);
      const [names, ...vaultLists] = await Promise.all([
        listSecretNames(access.keyVault, vault, { gate }),
        ...subscriptions.map((s) => listVaults(access.keyVault, s.subscriptionId, { gate })),
      ]);
      assert.deepEqual(names.map((n) => n.name), stored, 'every name, from every page, sorted');
      assert.ok(vaultLists.flat().some((v) => v.name === 'contoso-kv'));
      assert.equal(gate.stats.requests, pages + subscriptions.length, 'each page and each subscription\'s listing went through the gate');
      const served = setup.emu.stats();
      assert.equal(served.requests, gate.stats.requests, 'the emulator served exactly those requests');
      assert.ok(served.maxInFlight <= 2, `never more than the gate's bound at the emulator (saw ${served.maxInFlight})`);
    });
  });
});
