/**
 * The Named Values panel and status bar model: sorting, filters, per-item
 * presentation for every kind and Key Vault state, tooltips, the guarantee
 * that no secret value is rendered, and a 10,000-item instance.
 */
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { InstanceMetadata, NamedValueInfo } from '../../protocol/protocol';
import { parseServiceResourceId } from '../../client/src/azure/resourceId';
import type { SessionSnapshot } from '../../client/src/connection/instanceSession';
import { COMMANDS } from '../../client/src/contributions';
import { presentInstance, presentStatusBar, staleMarker } from '../../client/src/namedValues/instanceModel';
import {
  describeSecretIdentifier,
  filterDescription,
  keyVaultState,
  NamedValueListModel,
  namedValueReference,
  namedValueTooltip,
  presentNamedValue,
} from '../../client/src/namedValues/model';
import { formatAbsoluteTime, formatRelativeTime } from '../../client/src/time';
import { sampleMetadata } from './support';

const NOW = Date.parse('2026-01-15T10:00:00Z');
const PLANTED = 'SECRET-DO-NOT-LEAK-model-7f3a';

function byName(metadata: InstanceMetadata, name: string): NamedValueInfo {
  const nv = metadata.namedValues.find((n) => n.name === name);
  assert.ok(nv, name);
  return nv;
}

function snapshot(metadata: InstanceMetadata | undefined, extra: Partial<SessionSnapshot> = {}): SessionSnapshot {
  const instanceId = sampleMetadata().instanceId;
  return {
    instanceId,
    resource: parseServiceResourceId(instanceId),
    status: metadata ? (extra.stale ? 'stale' : 'ready') : 'idle',
    metadata,
    stale: false,
    loading: false,
    refreshing: new Set(),
    refreshErrors: new Map(),
    version: 1,
    ...extra,
  };
}

describe('client/namedValues model', () => {
  it('sorts by display name, ignoring case and ordering numbers naturally', () => {
    const model = new NamedValueListModel(sampleMetadata());
    assert.deepEqual(model.sorted.map((nv) => nv.displayName), [
      'alpha', 'archive-key', 'Backend-Key', 'billing-key', 'fresh-key', 'item9', 'item10', 'payment-key', 'Zeta-URL',
    ]);
  });

  it('filters All / Key Vault / Failed only, keeping the sort, and counts each kind', () => {
    const model = new NamedValueListModel(sampleMetadata());
    assert.equal(model.items('all').length, 9);
    assert.deepEqual(model.items('keyVault').map((nv) => nv.displayName), ['archive-key', 'billing-key', 'fresh-key', 'payment-key']);
    assert.deepEqual(model.items('failed').map((nv) => nv.displayName), ['archive-key', 'billing-key']);
    assert.deepEqual(model.counts, { total: 9, plain: 4, secret: 1, keyVault: 4, failed: 2 });
    assert.equal(filterDescription('all'), undefined);
    assert.equal(filterDescription('keyVault', 4), 'Key Vault only (4)');
    assert.equal(filterDescription('failed', 2), 'Failed only (2)');
  });

  it('presents plain values with a truncated one-line preview', () => {
    const p = presentNamedValue(byName(sampleMetadata(), 'zeta'));
    assert.equal(p.label, 'Zeta-URL');
    assert.ok(p.description.endsWith('…'), p.description);
    assert.ok(p.description.length <= 48);
    assert.ok('https://zeta.contoso.example/api/v1/orders?expand=lines&includeArchived=true'.startsWith(p.description.slice(0, -1)));
    assert.deepEqual(p.icon, { id: 'symbol-string' });
    assert.equal(p.contextValue, 'namedValue.plain');
    assert.equal(presentNamedValue({ name: 'x', displayName: 'x', kind: 'plain', value: 'line1\n  line2' }).description, 'line1 line2');
  });

  it('presents secrets as "secret" with a lock', () => {
    const p = presentNamedValue(byName(sampleMetadata(), 'backend-key'));
    assert.equal(p.description, 'secret');
    assert.deepEqual(p.icon, { id: 'lock' });
    assert.equal(p.contextValue, 'namedValue.secret');
  });

  it('presents each Key Vault state with its own icon, colour, context value and accessible label', () => {
    const m = sampleMetadata();
    const cases: Array<[string, boolean, string, string, string | undefined]> = [
      ['kv-ok', false, 'succeeded', 'key', 'testing.iconPassed'],
      ['kv-denied', false, 'failed', 'error', 'problemsErrorIcon.foreground'],
      ['kv-new', false, 'notRefreshed', 'key', 'disabledForeground'],
      ['kv-ok', true, 'refreshing', 'sync~spin', undefined],
    ];
    for (const [name, refreshing, state, icon, color] of cases) {
      const nv = byName(m, name);
      assert.equal(keyVaultState(nv, refreshing), state, name);
      const p = presentNamedValue(nv, refreshing);
      assert.deepEqual(p.icon, color ? { id: icon, color } : { id: icon }, `${name} ${state}`);
      assert.equal(p.contextValue, `namedValue.keyVault.${state}`);
      assert.equal(p.description, `contoso-kv / ${nv.displayName}`);
    }
    assert.match(presentNamedValue(byName(m, 'kv-denied')).accessibilityLabel, /billing-key, Key Vault reference, refresh failed \(Forbidden\)/);
    assert.equal(keyVaultState(byName(m, 'zeta')), undefined);
  });

  it('describes secret identifiers as vault / secret, with the version when pinned', () => {
    assert.equal(describeSecretIdentifier('https://kv1.vault.azure.net/secrets/api-key'), 'kv1 / api-key');
    assert.equal(describeSecretIdentifier('https://kv1.vault.azure.net/secrets/api-key/0123456789abcdef'), 'kv1 / api-key (version 01234567…)');
    assert.equal(describeSecretIdentifier('not a url'), 'not a url');
    assert.equal(describeSecretIdentifier(undefined), 'Key Vault');
  });

  it('writes Key Vault tooltips with identifier, identity, status code, message, relative and absolute time, and advice', () => {
    const m = sampleMetadata();
    const failed = namedValueTooltip(byName(m, 'kv-denied'), { now: NOW });
    assert.match(failed, /\*\*billing\\-key\*\* — Key Vault reference/);
    assert.match(failed, /Reference: `\{\{billing-key\}\}`/);
    assert.match(failed, /Secret identifier: `https:\/\/contoso-kv\.vault\.azure\.net\/secrets\/billing-key`/);
    assert.match(failed, /Identity: system-assigned managed identity/);
    assert.match(failed, /Last status: \$\(error\) `Forbidden` — Key Vault 'contoso\\-kv' refused access/);
    assert.match(failed, /Checked: 3 hours ago \\\(2026\\-01\\-15 07:00:00 UTC\\\)/);
    assert.match(failed, /What to do: .*Key Vault Secrets User/);

    const ok = namedValueTooltip(byName(m, 'kv-ok'), { now: NOW });
    assert.match(ok, /Identity: user-assigned managed identity `9e8d7c6b-5a49-4838-a726-1504f3e2d1c0`/);
    assert.match(ok, /Last status: \$\(pass\) `Success`/);
    assert.match(ok, /Checked: 5 minutes ago/);
    assert.doesNotMatch(ok, /What to do/);

    const fresh = namedValueTooltip(byName(m, 'kv-new'), { now: NOW, refreshing: true });
    assert.match(fresh, /not refreshed yet/);
    assert.match(fresh, /Refreshing now/);

    const withArmFailure = namedValueTooltip(byName(m, 'kv-denied'), {
      now: NOW,
      refreshError: { kind: 'forbidden', status: 403, code: 'AuthorizationFailed', message: 'no', userMessage: 'You may not refresh this named value.', retryable: false },
    });
    assert.match(withArmFailure, /Last refresh attempt failed: You may not refresh this named value\\\. \(`AuthorizationFailed`\)/);
  });

  it('writes plain and secret tooltips with kind, tags and resource name', () => {
    const m = sampleMetadata();
    const plain = namedValueTooltip(byName(m, 'nv-alpha'), { now: NOW });
    assert.match(plain, /— Plain/);
    assert.match(plain, /Resource name: `nv-alpha`/);
    assert.match(plain, /Value: `a`/);
    assert.match(plain, /Tags: `cors`, `frontend`/);
    const secret = namedValueTooltip(byName(m, 'backend-key'), { now: NOW });
    assert.match(secret, /— Secret/);
    assert.match(secret, /Value: \*hidden \(secret\)\*/);
  });

  it('escapes Markdown in names and messages so instance data cannot inject links or icons', () => {
    const nv: NamedValueInfo = {
      name: 'x',
      displayName: 'a*b_[click](command:evil)',
      kind: 'keyVault',
      keyVault: { secretIdentifier: 'https://v.vault.azure.net/secrets/s', lastStatus: { code: 'Forbidden', message: '$(alert) <img src=x> [x](http://evil)', timeStampUtc: '2026-01-15T09:00:00Z' } },
    };
    // Code spans render literally; everything outside them must be escaped.
    const tooltip = namedValueTooltip(nv, { now: NOW }).replace(/`[^`]*`/g, '');
    // Unescaped means: not preceded by a backslash.
    assert.doesNotMatch(tooltip, /(^|[^\\])\[click(\\)?\]\(/);
    assert.doesNotMatch(tooltip, /(^|[^\\])<img/);
    assert.doesNotMatch(tooltip, /\$\(alert/);
    assert.doesNotMatch(tooltip, /(^|[^\\])\[x(\\)?\]\(/);
    assert.match(tooltip, /\\<img src=x\\>/, 'the text itself is still shown');
  });

  it('never renders the value of a secret or Key Vault named value, even if one slipped into the metadata', () => {
    const m = sampleMetadata();
    for (const nv of m.namedValues) if (nv.kind !== 'plain') nv.value = PLANTED;
    const model = new NamedValueListModel(m);
    const rendered: string[] = [];
    for (const nv of model.items('all')) {
      for (const refreshing of [false, true]) {
        const p = presentNamedValue(nv, refreshing);
        rendered.push(p.label, p.description, p.accessibilityLabel, namedValueTooltip(nv, { now: NOW, refreshing }));
      }
    }
    rendered.push(presentInstance(snapshot(m), NOW).tooltip, presentStatusBar({ state: 'connected', session: snapshot(m), now: NOW }).tooltip);
    const leaks = rendered.filter((text) => text.includes(PLANTED));
    assert.deepEqual(leaks, []);
    assert.ok(rendered.some((text) => text.includes('https://zeta.contoso.example')), 'plain values are shown');
  });

  it('copies references as {{displayName}}', () => {
    assert.equal(namedValueReference({ displayName: 'backend-key' }), '{{backend-key}}');
  });

  it('builds the model for 10,000 named values lazily and fast', () => {
    const namedValues: NamedValueInfo[] = [];
    for (let i = 0; i < 10_000; i++) {
      const n = String(i).padStart(5, '0');
      if (i % 10 === 0) namedValues.push({ name: `kv-${n}`, displayName: `KV-${n}`, kind: 'keyVault', keyVault: { secretIdentifier: `https://bulk.vault.azure.net/secrets/s${n}`, lastStatus: { code: i % 30 === 0 ? 'SecretNotFound' : 'Success', timeStampUtc: '2026-01-15T09:00:00Z' } } });
      else if (i % 7 === 0) namedValues.push({ name: `secret-${n}`, displayName: `secret-${n}`, kind: 'secret' });
      else namedValues.push({ name: `bulk-${n}`, displayName: `bulk-nv-${(9999 - i).toString().padStart(5, '0')}`, kind: 'plain', value: `value ${i} `.repeat(10) });
    }
    let reads = 0;
    const metadata = { ...sampleMetadata(), get namedValues() {
      reads++;
      return namedValues;
    } } as InstanceMetadata;

    const t0 = performance.now();
    const model = new NamedValueListModel(metadata);
    const tConstruct = performance.now() - t0;
    assert.equal(reads, 0, 'constructing the model must not touch the named values');

    const t1 = performance.now();
    const all = model.items('all');
    const tSort = performance.now() - t1;
    const t2 = performance.now();
    const failed = model.items('failed');
    const keyVault = model.items('keyVault');
    const tFilter = performance.now() - t2;
    const t3 = performance.now();
    let chars = 0;
    for (const nv of all) {
      const p = presentNamedValue(nv);
      chars += p.label.length + p.description.length;
    }
    const tPresent = performance.now() - t3;
    const t4 = performance.now();
    assert.equal(model.items('all'), all, 'the sorted list is reused');
    const tAgain = performance.now() - t4;
    const t5 = performance.now();
    const tooltip = namedValueTooltip(all[0], { now: NOW });
    const tTooltip = performance.now() - t5;

    assert.equal(all.length, 10_000);
    assert.equal(keyVault.length, 1000);
    assert.equal(failed.length, 334);
    assert.ok(chars > 0 && tooltip.length > 0);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].displayName.localeCompare(all[i].displayName, 'en', { sensitivity: 'base', numeric: true }) <= 0);
    console.log(
      `      10,000 named values: construct ${tConstruct.toFixed(2)} ms, sort ${tSort.toFixed(1)} ms, filters ${tFilter.toFixed(1)} ms, ` +
        `labels+descriptions for all ${tPresent.toFixed(1)} ms, cached re-read ${tAgain.toFixed(3)} ms, one tooltip ${tTooltip.toFixed(2)} ms`,
    );
    assert.ok(tSort + tFilter + tPresent < 1500, `model work took ${(tSort + tFilter + tPresent).toFixed(0)} ms`);
  });
});

describe('client/namedValues instance root and status bar', () => {
  it('describes the root with subscription / resource group, and loading, stale or failed states', () => {
    const m = sampleMetadata();
    const fresh = presentInstance(snapshot(m, { subscriptionName: 'Contoso Production', dataTime: '2026-01-15T09:58:00Z' }), NOW);
    assert.equal(fresh.label, 'contoso-apim');
    assert.equal(fresh.description, 'Contoso Production / rg-contoso-apis');
    assert.equal(fresh.contextValue, 'apimInstance');
    assert.deepEqual(fresh.icon, { id: 'azure' });
    assert.match(fresh.tooltip, /Named values: 9 \(4 plain, 1 secret, 4 Key Vault, \*\*2 failing\*\*\)/);

    const stale = presentInstance(snapshot(m, { stale: true, dataTime: '2026-01-15T08:00:00Z' }), NOW);
    assert.equal(stale.description, '6a1f2c3d-7e8b-4c9d-a0e1-f23456789abc / rg-contoso-apis · stale since 2 hours ago');
    assert.equal(stale.icon.id, 'history');
    assert.equal(staleMarker(snapshot(m, { stale: true, dataTime: '2026-01-15T08:00:00Z' }), NOW), 'stale since 2 hours ago');
    assert.equal(staleMarker(snapshot(m), NOW), undefined);

    const loading = presentInstance(snapshot(undefined, { loading: true, status: 'loading', progress: 'Named values 300…' }), NOW);
    assert.match(loading.description, /loading Named values 300…/);
    assert.equal(loading.icon.id, 'loading~spin');
    assert.equal(loading.label, 'contoso-apim');

    const failed = presentInstance(snapshot(undefined, { status: 'error', lastError: { kind: 'notFound', status: 404, code: 'ResourceNotFound', message: 'gone', userMessage: 'The instance no longer exists.', retryable: false } }), NOW);
    assert.match(failed.description, /failed: ResourceNotFound/);
    assert.deepEqual(failed.icon, { id: 'error', color: 'problemsErrorIcon.foreground' });
    assert.match(failed.tooltip, /Last load failed \(HTTP 404, `ResourceNotFound`\): The instance no longer exists\\\./);
  });

  it('shows the instance and failing Key Vault count in the status bar, with a warning background above zero', () => {
    const m = sampleMetadata();
    const failing = presentStatusBar({ state: 'connected', session: snapshot(m), now: NOW });
    assert.equal(failing.text, '$(azure) contoso-apim $(warning) 2');
    assert.equal(failing.warning, true);
    assert.equal(failing.command, COMMANDS.showFailedNamedValues);
    assert.match(failing.tooltip, /2 Key Vault secrets failing to refresh\. Click to show them\./);

    const healthy = sampleMetadata();
    healthy.namedValues = healthy.namedValues.filter((nv) => nv.name !== 'kv-denied' && nv.name !== 'kv-missing');
    const ok = presentStatusBar({ state: 'connected', session: snapshot(healthy), now: NOW });
    assert.equal(ok.text, '$(azure) contoso-apim');
    assert.equal(ok.warning, false);

    const stale = presentStatusBar({ state: 'stale', session: snapshot(healthy, { stale: true, dataTime: '2026-01-15T09:00:00Z' }), now: NOW });
    assert.equal(stale.text, '$(azure) contoso-apim (stale)');
    assert.match(stale.tooltip, /stale since 1 hour ago/);

    assert.deepEqual(
      [presentStatusBar({ state: 'signedOut', now: NOW }).command, presentStatusBar({ state: 'noInstance', now: NOW }).command],
      [COMMANDS.signIn, COMMANDS.selectInstance],
    );
    const broken = presentStatusBar({ state: 'error', session: snapshot(undefined, { lastError: { kind: 'network', message: 'x', userMessage: 'Cannot reach Azure.', retryable: true } }), now: NOW });
    assert.equal(broken.text, '$(error) contoso-apim');
  });

  it('formats times relative and absolute (UTC)', () => {
    assert.equal(formatRelativeTime('2026-01-15T09:59:40Z', NOW), 'just now');
    assert.equal(formatRelativeTime('2026-01-15T09:55:00Z', NOW), '5 minutes ago');
    assert.equal(formatRelativeTime('2026-01-14T10:00:00Z', NOW), 'yesterday');
    assert.equal(formatRelativeTime('2025-12-01T10:00:00Z', NOW), 'last month');
    assert.equal(formatRelativeTime('2026-01-15T12:00:00Z', NOW), 'in 2 hours');
    assert.equal(formatRelativeTime('garbage', NOW), undefined);
    assert.equal(formatAbsoluteTime('2020-09-11T00:54:31.8024882Z'), '2020-09-11 00:54:31 UTC');
  });
});
