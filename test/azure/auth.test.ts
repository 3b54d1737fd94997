/**
 * Sign-in through the emulator's Entra stand-in with the real
 * ClientSecretCredential, CA trust on both pipelines, and discovery.
 */
import * as assert from 'node:assert/strict';
import {
  AzureAccess,
  AzureAccessError,
  createCredential,
  listServices,
  listSubscriptions,
  resolveCloud,
} from '../../client/src/azure';
import { type EmulatorSetup, startSetup, guardRejections } from './helpers';

describe('azure/auth and discovery (emulator)', function () {
  this.timeout(30_000);
  let setup: EmulatorSetup;
  guardRejections();

  before(async () => {
    setup = await startSetup();
  });
  after(async () => {
    await setup?.emu.stop();
  });

  const servicePrincipal = (clientSecret: string) => ({
    kind: 'servicePrincipal' as const,
    servicePrincipal: { tenantId: setup.emu.tenantId, clientId: setup.emu.clientId, clientSecret },
  });

  it('gets an ARM token from the emulator token endpoint with a client secret', async () => {
    const token = await setup.credential.getToken(setup.options.cloud.armScope);
    assert.ok(token && token.token.split('.').length === 3, 'expected a JWT');
    assert.ok(token.expiresOnTimestamp > Date.now() + 60_000);
    assert.ok(setup.logLines.some((l) => /^auth POST https:\/\/127\.0\.0\.1:\d+\/[^ ]+\/oauth2\/v2\.0\/token/.test(l) && / → 200 /.test(l)), setup.logLines.join('\n'));
  });

  it('passes the cloud authority and CA trust through the environment and default credentials', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AZURE_TENANT_ID: setup.emu.tenantId,
      AZURE_CLIENT_ID: setup.emu.clientId,
      AZURE_CLIENT_SECRET: setup.emu.clientSecret,
    });
    delete process.env.AZURE_AUTHORITY_HOST;
    try {
      for (const kind of ['environment', 'default'] as const) {
        const credential = createCredential({ kind, ...setup.options });
        const token = await credential.getToken(setup.options.cloud.armScope);
        assert.ok(token?.token, `${kind} credential got a token from the emulator`);
        const services = await listServices(credential, setup.options, setup.emu.subscriptionId);
        assert.ok(services.length > 0, kind);
      }
    } finally {
      for (const key of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('reports a wrong client secret as an actionable sign-in error', async () => {
    const credential = createCredential({ ...servicePrincipal('not-the-secret'), ...setup.options });
    const direct = await credential.getToken(setup.options.cloud.armScope).then(() => undefined, (e: unknown) => e);
    assert.ok(direct instanceof AzureAccessError, String(direct));
    assert.equal(direct.kind, 'unauthenticated');
    assert.equal(direct.classification.code, 'invalid_client');
    assert.match(direct.classification.userMessage, /client id, secret or certificate/);

    const viaArm = await listSubscriptions(credential, setup.options).then(() => undefined, (e: unknown) => e);
    assert.ok(viaArm instanceof AzureAccessError);
    assert.equal(viaArm.kind, 'unauthenticated');
    assert.equal(viaArm.classification.code, 'invalid_client');
  });

  it('reports an unknown tenant with the HTTP status the authority gave', async () => {
    const credential = createCredential({
      kind: 'servicePrincipal',
      servicePrincipal: { tenantId: '11111111-2222-3333-4444-555555555555', clientId: setup.emu.clientId, clientSecret: setup.emu.clientSecret },
      ...setup.options,
    });
    const error = await credential.getToken(setup.options.cloud.armScope).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AzureAccessError);
    assert.equal(error.kind, 'unauthenticated');
    assert.ok(error.classification.status !== undefined && error.classification.status >= 400, JSON.stringify(error.classification));
    assert.match(error.classification.userMessage, /tenant id/);
  });

  it('applies extra CA certificates to token requests and to ARM requests separately', async () => {
    const withoutCa = { ...setup.options, extraCaCertificates: [] };
    // Credential without the CA: discovery of the authority fails on TLS, and the error says so.
    const untrustedCredential = createCredential({ ...servicePrincipal(setup.emu.clientSecret), ...withoutCa });
    const signIn = await untrustedCredential.getToken(setup.options.cloud.armScope).then(() => undefined, (e: unknown) => e);
    assert.ok(signIn instanceof AzureAccessError);
    assert.equal(signIn.kind, 'network');
    assert.match(signIn.classification.userMessage, /TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted.*NODE_EXTRA_CA_CERTS/);

    // Trusted credential, ARM client without the CA: the token works, the ARM call fails on TLS.
    const arm = await listSubscriptions(setup.credential, withoutCa).then(() => undefined, (e: unknown) => e);
    assert.ok(arm instanceof AzureAccessError);
    assert.equal(arm.kind, 'network');
    assert.equal(arm.classification.retryable, false);
    assert.match(arm.classification.userMessage, /not trusted/);
  });

  it('reports an unreachable ARM endpoint as a network error naming it', async () => {
    const deadArm = resolveCloud({ cloud: 'custom', customArmEndpoint: 'https://127.0.0.1:1', customAuthorityHost: setup.emu.url });
    const options = { ...setup.options, cloud: deadArm };
    // The emulator only issues tokens for its own audience, so ask for one it knows while calling the dead endpoint.
    const error = await listServices(setup.credential, { ...options, cloud: { ...deadArm, armScope: setup.options.cloud.armScope } }, setup.emu.subscriptionId)
      .then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AzureAccessError);
    assert.equal(error.kind, 'network');
    assert.equal(error.classification.code, 'ECONNREFUSED');
    assert.match(error.classification.userMessage, /Cannot reach https:\/\/127\.0\.0\.1:1/);
  });

  it('lists subscriptions and API Management services as plain records', async () => {
    const access = new AzureAccess(setup.credential, setup.options);
    const subscriptions = await access.listSubscriptions();
    assert.deepEqual(
      subscriptions.map((s) => s.subscriptionId).sort(),
      setup.emu.state.subscriptions.map((s) => s.subscriptionId).sort(),
    );
    const first = subscriptions.find((s) => s.subscriptionId === setup.emu.subscriptionId);
    assert.ok(first);
    assert.equal(first.displayName, setup.emu.state.subscriptions[0].displayName);
    assert.equal(first.tenantId, setup.emu.tenantId);

    const services = await access.listServices(setup.emu.subscriptionId);
    const expected = setup.emu.state.services.filter((s) => s.subscriptionId === setup.emu.subscriptionId);
    assert.deepEqual(services.map((s) => s.name).sort(), expected.map((s) => s.name).sort());
    const demo = services.find((s) => s.id === setup.emu.instanceId);
    assert.ok(demo, 'the demo instance is listed with its resource id');
    assert.equal(demo.resourceGroup, expected.find((s) => s.name === demo.name)?.resourceGroup);
    assert.ok(demo.location && demo.skuName && demo.gatewayUrl);
  });
});
