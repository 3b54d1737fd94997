// In the extension host: the Named Values panel's items as VS Code renders them (through the
// extension's exported API: the tree provider's TreeItems, tooltips resolved) and the status bar,
// checked against the emulator's demo fixture and its live Key Vault statuses.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ApimPolicyExtensionApi } from '../../client/src/api';
import {
  assertNoSecrets,
  connectedApi,
  demoFixture,
  emulator,
  fixtureNamedValues,
  markdownText,
  resetInstance,
  unescapeMarkdown,
  until,
  type FixtureNamedValue,
} from './support/host';
import type { KeyVaultStatusSummary } from './support/emulatorClient';
import { repairEveryDemoKeyVaultFailure } from '../support/demoScenarios';

interface RenderedItem {
  label: string;
  description: string;
  icon: string;
  color?: string;
  contextValue: string;
  tooltip: string;
}

function render(api: ApimPolicyExtensionApi, node: Parameters<ApimPolicyExtensionApi['namedValues']['getTreeItem']>[0]): RenderedItem {
  const item = api.namedValues.getTreeItem(node);
  const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : markdownText(item.tooltip);
  return { label, description: String(item.description ?? ''), icon: icon?.id ?? '(not a theme icon)', color: icon?.color?.id, contextValue: item.contextValue ?? '', tooltip };
}

function namedValueRows(api: ApimPolicyExtensionApi): RenderedItem[] {
  const [root] = api.namedValues.getChildren();
  assert.ok(root, 'the panel has an instance root');
  return api.namedValues.getChildren(root).map((node) => render(api, node));
}

/** What the panel should show for a named value of the given kind and Key Vault status (client/README.md, "Panel"). */
function expectedIcon(nv: FixtureNamedValue, status: KeyVaultStatusSummary | undefined): { icon: string; color?: string } {
  if (nv.kind === 'plain') return { icon: 'symbol-string' };
  if (nv.kind === 'secret') return { icon: 'lock' };
  if (!status?.lastStatus) return { icon: 'key', color: 'disabledForeground' };
  return status.lastStatus.code === 'Success' ? { icon: 'key', color: 'testing.iconPassed' } : { icon: 'error', color: 'problemsErrorIcon.foreground' };
}

function expectedDescription(nv: FixtureNamedValue): string {
  if (nv.kind === 'secret') return 'secret';
  if (nv.kind === 'keyVault') {
    const url = new URL(nv.secretIdentifier ?? '');
    const [, , secret, version] = url.pathname.split('/');
    return `${url.hostname.split('.')[0]} / ${secret}${version ? ` (version ${version.slice(0, 8)}…)` : ''}`;
  }
  return nv.value ?? '';
}

describe('Named Values panel and status bar', () => {
  let api: ApimPolicyExtensionApi;

  before(async function () {
    this.timeout(90_000);
    api = await connectedApi();
    await resetInstance(api);
  });

  it('shows the connected instance as the root, with its subscription and resource group', () => {
    const roots = api.namedValues.getChildren();
    assert.equal(roots.length, 1);
    const root = render(api, roots[0]);
    const service = demoFixture().services[0];
    const subscription = demoFixture().subscriptions.find((s) => s.subscriptionId === service.subscriptionId);
    assert.equal(root.label, service.name);
    assert.ok(subscription && root.description.includes(subscription.displayName), `root description names the subscription: ${root.description}`);
    assert.ok(root.description.includes(service.resourceGroup), `root description names the resource group: ${root.description}`);
    assert.equal(root.contextValue, 'apimInstance');
  });

  it('lists every named value of the instance, sorted by display name', () => {
    const labels = namedValueRows(api).map((row) => row.label);
    const expected = fixtureNamedValues().map((nv) => nv.displayName).sort((a, b) => a.localeCompare(b));
    assert.deepEqual(labels, expected);
  });

  it('gives each item the icon, colour, description and context value of its kind and Key Vault status', async () => {
    const statuses = await emulator().keyVaultStatuses();
    const rows = new Map(namedValueRows(api).map((row) => [row.label, row]));
    for (const nv of fixtureNamedValues()) {
      const row = rows.get(nv.displayName);
      assert.ok(row, `${nv.displayName} is listed`);
      const status = statuses.get(nv.displayName);
      const icon = expectedIcon(nv, status);
      assert.deepEqual({ icon: row.icon, color: row.color }, { icon: icon.icon, color: icon.color }, `icon of ${nv.displayName} (${nv.kind}, ${status?.lastStatus?.code ?? 'no status'})`);
      assert.equal(row.description, expectedDescription(nv), `description of ${nv.displayName}`);
      const state = nv.kind !== 'keyVault' ? '' : status?.lastStatus?.code === 'Success' ? '.succeeded' : '.failed';
      assert.equal(row.contextValue, `namedValue.${nv.kind}${state}`);
    }
    // The fixture covers both Key Vault outcomes, so both colours were checked.
    assert.ok([...statuses.values()].some((s) => s.refreshFailed) && [...statuses.values()].some((s) => s.lastStatus?.code === 'Success'));
  });

  it('explains Key Vault items in Markdown tooltips (status, identity, time), and no label, description or tooltip holds a secret', async () => {
    const statuses = await emulator().keyVaultStatuses();
    const rows = new Map(namedValueRows(api).map((row) => [row.label, row]));
    for (const nv of fixtureNamedValues()) {
      const row = rows.get(nv.displayName);
      assert.ok(row);
      const tooltip = unescapeMarkdown(row.tooltip);
      assert.ok(tooltip.includes(`{{${nv.displayName}}}`), `tooltip of ${nv.displayName} gives its reference:\n${tooltip}`);
      assertNoSecrets(`${row.label}\n${row.description}\n${row.tooltip}`, `panel item ${nv.displayName}`);
      if (nv.kind !== 'keyVault') continue;
      const status = statuses.get(nv.displayName)?.lastStatus;
      assert.ok(status, `the emulator has a status for ${nv.displayName}`);
      assert.ok(tooltip.includes(status.code), `tooltip of ${nv.displayName} gives the status ${status.code}:\n${tooltip}`);
      assert.ok(tooltip.includes(nv.secretIdentifier ?? '?'), `tooltip of ${nv.displayName} gives the secret identifier`);
      if (nv.identityClientId) assert.ok(tooltip.includes(nv.identityClientId), `tooltip of ${nv.displayName} names the user-assigned identity`);
      else assert.match(tooltip, /system-assigned/i, `tooltip of ${nv.displayName} says the system-assigned identity is used`);
      // Absolute time (UTC) and a relative one.
      assert.ok(tooltip.includes(status.timeStampUtc.slice(0, 10)) && /UTC/.test(tooltip), `tooltip of ${nv.displayName} gives the time of ${status.timeStampUtc}:\n${tooltip}`);
      assert.match(tooltip, /\bago\b|just now/, `tooltip of ${nv.displayName} gives a relative time`);
    }
  });

  it('filters to Key Vault or failing items and says so in the view description', async () => {
    const statuses = await emulator().keyVaultStatuses();
    try {
      api.namedValues.setFilter('failed');
      const failing = [...statuses.values()].filter((s) => s.refreshFailed).map((s) => s.displayName).sort();
      assert.deepEqual(namedValueRows(api).map((row) => row.label).sort(), failing);
      assert.match(api.namedValues.treeView.description ?? '', new RegExp(`Failed only \\(${failing.length}\\)`));
      await vscode.commands.executeCommand('apimPolicy.filterNamedValues', 'keyVault');
      assert.equal(api.namedValues.filter, 'keyVault');
      assert.deepEqual(namedValueRows(api).map((row) => row.label).sort(), fixtureNamedValues().filter((nv) => nv.kind === 'keyVault').map((nv) => nv.displayName).sort());
      assert.match(api.namedValues.treeView.description ?? '', /Key Vault only/);
    } finally {
      api.namedValues.setFilter('all');
    }
    assert.equal(api.namedValues.treeView.description, undefined);
    assert.equal(namedValueRows(api).length, fixtureNamedValues().length);
  });

  it('counts the failing Key Vault secrets in the status bar, with the warning colour only while some fail', async () => {
    const failingCount = [...(await emulator().keyVaultStatuses()).values()].filter((s) => s.refreshFailed).length;
    assert.ok(failingCount > 0, 'the fixture has failing Key Vault secrets');
    const before = api.statusBar.presentation;
    assert.ok(before.visible);
    assert.ok(before.text.includes(demoFixture().services[0].name), before.text);
    assert.ok(before.text.includes(`$(warning) ${failingCount}`), before.text);
    assert.equal(before.warning, true);
    assert.equal((api.statusBar.item.backgroundColor as vscode.ThemeColor | undefined)?.id, 'statusBarItem.warningBackground');
    assert.equal(before.command, 'apimPolicy.showFailedNamedValues');

    try {
      // Fix every failing reference as its owner would, refresh the failing secrets: the count and the colour go away.
      await repairEveryDemoKeyVaultFailure({
        setVaultState: (vault, secret, state) => emulator().setVault(vault, secret, state),
        attachIdentity: (service, clientId, principalId) => emulator().attachIdentity(service, clientId, principalId),
      });
      await vscode.commands.executeCommand('apimPolicy.refreshFailedKeyVaultSecrets');
      assert.deepEqual(api.namedValues.lastRefreshReport?.stillFailing, []);
      const after = await until(() => (api.statusBar.presentation.warning ? undefined : api.statusBar.presentation), 'the status bar without the warning');
      assert.equal(after.text.includes('$(warning)'), false, after.text);
      assert.equal(api.statusBar.item.backgroundColor, undefined);
      const rows = namedValueRows(api).filter((row) => row.contextValue.startsWith('namedValue.keyVault'));
      assert.ok(rows.every((row) => row.icon === 'key' && row.color === 'testing.iconPassed'), JSON.stringify(rows.map((r) => [r.label, r.icon, r.color])));
      for (const row of rows) assertNoSecrets(row.tooltip, `tooltip of ${row.label} after the refresh`);
    } finally {
      await resetInstance(api);
    }
    await until(() => api.statusBar.presentation.text.includes(`$(warning) ${failingCount}`), 'the status bar back to the fixture\'s count');
  });
});
