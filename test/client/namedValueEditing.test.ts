/**
 * Create, edit and delete named values against the emulator through the same
 * functions the commands use: APIM's validation rules before sending, every
 * change carrying the ETag it was read with (412 when someone else changed it,
 * with what changed), a Key Vault reference that stays one after an edit, and
 * a secret whose value is kept when an edit does not set a new one.
 */
import * as assert from 'node:assert/strict';
import type { NamedValueInfo } from '../../protocol/protocol';
import {
  AzureAccess, classifyError, createNamedValue, deleteNamedValue, isPreconditionFailed, readForEdit, updateNamedValue,
} from '../../client/src/azure';
import { describeChanges, draftFrom, parseTags, resourceNameFor, validateDisplayName, validateValue } from '../../client/src/namedValueEditing/validation';
import { type EmulatorSetup, guardRejections, startSetup } from '../azure/helpers';

const existing: NamedValueInfo[] = [
  { name: 'nv-backend-key', displayName: 'backend-key', kind: 'secret' },
  { name: 'backend-base-url', displayName: 'backend-base-url', kind: 'plain', value: 'https://x' },
];

describe('client/named value editing rules', () => {
  it('validates display names as APIM does: characters, length, unique ignoring case', () => {
    assert.equal(validateDisplayName('orders-api.key_2', existing), undefined);
    assert.match(validateDisplayName('', existing) ?? '', /required/);
    assert.match(validateDisplayName('has space', existing) ?? '', /letters, digits, dash/);
    assert.match(validateDisplayName('x'.repeat(257), existing) ?? '', /At most 256 characters \(this has 257\)/);
    assert.match(validateDisplayName('Backend-Key', existing) ?? '', /"backend-key" already exists \(resource nv-backend-key\)/);
    assert.equal(validateDisplayName('Backend-Key', existing, 'nv-backend-key'), undefined, 'renaming a value to its own name in other case is fine');
  });

  it('refuses empty, over-long and {{…}}-holding values with the reason', () => {
    assert.equal(validateValue('x'.repeat(4096)), undefined);
    assert.match(validateValue('') ?? '', /required/);
    assert.match(validateValue('x'.repeat(4097)) ?? '', /At most 4,096 characters \(this has 4,097\)/);
    assert.match(validateValue('Bearer {{token}}') ?? '', /cannot contain another named value \(\{\{token\}\}\)/);
  });

  it('parses tags, picks a free resource name and describes what changed without values', () => {
    assert.deepEqual(parseTags(' auth, cors ,auth,, '), { tags: ['auth', 'cors'] });
    assert.match((parseTags('ok, not ok') as { error: string }).error, /Tag "not ok"/);
    assert.equal(resourceNameFor('new-value', existing), 'new-value');
    assert.equal(resourceNameFor('backend-base-url', existing), 'backend-base-url-2');
    const before: NamedValueInfo = { name: 'kv', displayName: 'kv', kind: 'keyVault', tags: ['a'], keyVault: { secretIdentifier: 'https://v.vault.azure.net/secrets/s' } };
    const after: NamedValueInfo = { ...before, displayName: 'kv2', tags: [], keyVault: { secretIdentifier: 'https://v.vault.azure.net/secrets/t', identityClientId: 'c1' } };
    assert.deepEqual(describeChanges(before, after), [
      'display name: kv → kv2', 'tags: a → (none)', 'secret identifier: https://v.vault.azure.net/secrets/s → https://v.vault.azure.net/secrets/t', 'identity: system-assigned → c1',
    ]);
    assert.deepEqual(describeChanges({ name: 's', displayName: 's', kind: 'secret' }, { name: 's', displayName: 's', kind: 'secret' }), ['the secret value (values are not compared)']);
  });
});

describe('client/named value create, edit, delete (emulator)', function () {
  this.timeout(60_000);
  guardRejections();
  let setup: EmulatorSetup;
  let access: AzureAccess;
  let instanceId: string;
  const stored = (name: string) => setup.emu.state.services[0].namedValues.get(name.toLowerCase());
  const writes = () => setup.emu.requestLog.filter((r) => r.method === 'PATCH' || r.method === 'PUT' || r.method === 'DELETE').length;

  before(async () => {
    setup = await startSetup({ lroDurationMs: 20 });
    access = new AzureAccess(setup.credential, setup.options);
    instanceId = setup.emu.instanceId;
  });
  after(async () => {
    await setup?.emu.stop();
  });

  it('creates plain, secret and Key Vault named values; secrets come back without their value', async () => {
    const plain = await createNamedValue(access.clients, instanceId, 'new-plain', { kind: 'plain', displayName: 'new-plain', tags: ['t1'], value: 'hello' });
    assert.deepEqual(plain, { name: 'new-plain', displayName: 'new-plain', kind: 'plain', value: 'hello', tags: ['t1'] });
    const secret = await createNamedValue(access.clients, instanceId, 'new-secret', { kind: 'secret', displayName: 'new-secret', tags: [], value: 'SECRET-DO-NOT-LEAK-created' });
    assert.equal(secret.kind, 'secret');
    assert.equal(secret.value, undefined);
    assert.equal(stored('new-secret')?.properties.value, 'SECRET-DO-NOT-LEAK-created');
    const kv = await createNamedValue(access.clients, instanceId, 'new-kv', {
      kind: 'keyVault', displayName: 'new-kv', tags: [], secretIdentifier: 'https://contoso-kv.vault.azure.net/secrets/payment-gateway-key', identityClientId: '9e8d7c6b-5a49-4838-a726-1504f3e2d1c0',
    });
    assert.equal(kv.kind, 'keyVault');
    assert.equal(kv.keyVault?.lastStatus?.code, 'Success', 'APIM fetched the secret while creating');
    assert.equal(stored('new-kv')?.properties.value, undefined);
  });

  it('refuses an identity the instance does not have, as APIM does', async () => {
    const error = await createNamedValue(access.clients, instanceId, 'bad-kv', {
      kind: 'keyVault', displayName: 'bad-kv', tags: [], secretIdentifier: 'https://contoso-kv.vault.azure.net/secrets/payment-gateway-key', identityClientId: '00000000-1111-2222-3333-444444444444',
    }).then(() => undefined, (e: unknown) => classifyError(e));
    assert.equal(error?.status, 400);
    assert.match(error?.userMessage ?? '', /Can not find Managed Identity with provided IdentityClientId : 00000000-1111-2222-3333-444444444444/);
    assert.equal(stored('bad-kv'), undefined);
  });

  it('writes an edit with the ETag read, and answers 412 when someone else changed it in between', async () => {
    const mine = await readForEdit(access.clients, instanceId, 'backend-base-url');
    const theirs = await readForEdit(access.clients, instanceId, 'backend-base-url');
    await updateNamedValue(access.clients, instanceId, theirs, { ...draftFrom(theirs.info), kind: 'plain', value: 'https://theirs.contoso.example', tags: ['theirs'] });
    const before = writes();
    const error = await updateNamedValue(access.clients, instanceId, mine, { ...draftFrom(mine.info), kind: 'plain', value: 'https://mine.contoso.example' }).then(() => undefined, (e: unknown) => e);
    assert.ok(error && isPreconditionFailed(error), `expected 412, got ${String(error)}`);
    assert.equal(classifyError(error).status, 412);
    assert.equal(writes(), before + 1, 'the refused PATCH was sent once');
    assert.equal(stored('backend-base-url')?.properties.value, 'https://theirs.contoso.example', 'their change was not overwritten');
    const fresh = await readForEdit(access.clients, instanceId, 'backend-base-url');
    assert.deepEqual(describeChanges(mine.info, fresh.info), ['value changed', 'tags: (none) → theirs']);
    const written = await updateNamedValue(access.clients, instanceId, fresh, { ...draftFrom(fresh.info), kind: 'plain', value: 'https://mine.contoso.example' });
    assert.equal(written.value, 'https://mine.contoso.example');
    assert.deepEqual(written.tags, ['theirs'], 'applied on top of theirs');
  });

  it('keeps a Key Vault reference a Key Vault reference with its identity when its display name and tags change', async () => {
    const current = await readForEdit(access.clients, instanceId, 'kv-payment-gateway-key');
    const written = await updateNamedValue(access.clients, instanceId, current, { ...draftFrom(current.info), displayName: 'payment-gateway-key-v2', tags: ['payments', 'renamed'] });
    assert.equal(written.kind, 'keyVault');
    assert.equal(written.displayName, 'payment-gateway-key-v2');
    const kv = stored('kv-payment-gateway-key')?.properties.keyVault as { secretIdentifier: string; identityClientId?: string; lastStatus?: { code: string } };
    assert.equal(kv.secretIdentifier, 'https://contoso-kv.vault.azure.net/secrets/payment-gateway-key');
    assert.equal(kv.identityClientId, '9e8d7c6b-5a49-4838-a726-1504f3e2d1c0');
    assert.equal(kv.lastStatus?.code, 'Success');
    assert.equal(stored('kv-payment-gateway-key')?.properties.value, undefined, 'no plain value was written');
  });

  it('refuses, before sending anything, to write a Key Vault reference as a plain value', async () => {
    const current = await readForEdit(access.clients, instanceId, 'kv-jwt-signing-secret');
    const before = writes();
    const error = await updateNamedValue(access.clients, instanceId, current, { kind: 'plain', displayName: 'jwt-signing-secret', tags: [], value: 'oops' })
      .then(() => undefined, (e: unknown) => classifyError(e));
    assert.equal(error?.kind, 'invalidInput');
    assert.match(error?.userMessage ?? '', /is a Key Vault reference and stays one/);
    assert.equal(writes(), before, 'no request was sent');
    assert.ok(stored('kv-jwt-signing-secret')?.properties.keyVault);
  });

  it('keeps a secret\'s value when an edit does not set a new one, and replaces it when it does', async () => {
    const current = await readForEdit(access.clients, instanceId, 'orders-db-password');
    const original = stored('orders-db-password')?.properties.value;
    await updateNamedValue(access.clients, instanceId, current, { ...draftFrom(current.info), tags: ['db'] });
    assert.equal(stored('orders-db-password')?.properties.value, original);
    const again = await readForEdit(access.clients, instanceId, 'orders-db-password');
    await updateNamedValue(access.clients, instanceId, again, { ...draftFrom(again.info), kind: 'secret', value: 'SECRET-DO-NOT-LEAK-rotated-db' });
    assert.equal(await access.revealValue(instanceId, 'orders-db-password'), 'SECRET-DO-NOT-LEAK-rotated-db');
  });

  it('deletes with the ETag read: 412 after someone else\'s change, then deleted with the fresh one', async () => {
    const mine = await readForEdit(access.clients, instanceId, 'new-plain');
    const theirs = await readForEdit(access.clients, instanceId, 'new-plain');
    await updateNamedValue(access.clients, instanceId, theirs, { ...draftFrom(theirs.info), tags: ['still-needed'] });
    const error = await deleteNamedValue(access.clients, instanceId, mine).then(() => undefined, (e: unknown) => e);
    assert.ok(error && isPreconditionFailed(error));
    assert.ok(stored('new-plain'), 'not deleted');
    await deleteNamedValue(access.clients, instanceId, await readForEdit(access.clients, instanceId, 'new-plain'));
    assert.equal(stored('new-plain'), undefined);
  });
});
