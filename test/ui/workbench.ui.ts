// UI tests, driven from plain Node as a person would use the editor: code-server with the
// packaged extension (dist/apim-policy-studio.vsix, no fallback), a copy of the demo workspace
// configured for the local ARM emulator (started in this process), and headless Chromium.
// One workbench for the whole describe; the tests run in order and build on each other's state
// (the Key Vault refresh comes after the hover that expects the secret to be failing).
// Every test saves test-results/<full title>.png; four also save the cropped README pictures
// test-results/readme-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import type { NamedValueRecord } from '../../emulator/types';
import { waitFor } from '../harness/wait';
import { useDemoWorkbench } from './demoWorkbench';
import { SECRET_MARKER } from '../integration/support/envNames';
import {
  boxOf,
  chooseContextMenuItem,
  croppedScreenshot,
  editorLeftEdge,
  focusedSuggestion,
  focusSuggestion,
  waitForFocusedSuggestionDetail,
  goToLine,
  retypeNamedValueReference,
  KEY_VAULT_DOCTOR_VIEW,
  NAMED_VALUES_VIEW,
  namedValuesRows,
  POLICIES_VIEW,
  parkMouse,
  pointAt,
  setPaneExpanded,
  sideBarPane,
  suggestLabels,
  treeRows,
  themeColor,
  unionBox,
  waitForStableBox,
  waitForSuggestions,
  type TreeRow,
} from './workbenchPage';

const ORDERS_API_POLICY = 'apimartifacts/apis/orders-api/policy.xml';
const GET_ORDER_POLICY = 'apimartifacts/apis/orders-api/operations/get-order/policy.xml';
const REFRESH_FAILED_TITLE = 'APIM Policy: Refresh All Failed Key Vault Secrets';

/**
 * Opens the Problems panel by clicking the errors/warnings counter in the
 * status bar, as a person would — only when it is not already showing, since
 * the counter toggles the panel (an earlier test may have left it open).
 */
async function showProblems(page: Page): Promise<Locator> {
  const markers = page.locator('.markers-panel');
  if (!(await markers.isVisible())) await page.locator('#status\\.problems').click();
  return markers;
}

describe('APIM Policy Studio in the workbench', () => {
  const demo = useDemoWorkbench();
  const { fixture } = demo;

  function emulatorNamedValues(): NamedValueRecord[] {
    return [...demo.environment().emulator.state.services[0].namedValues.values()];
  }

  /** Display name → last Key Vault status code, from the emulator's live state. */
  function keyVaultCodes(): Map<string, string | undefined> {
    const codes = new Map<string, string | undefined>();
    for (const record of emulatorNamedValues()) {
      const keyVault = record.properties.keyVault as { lastStatus?: { code: string } } | undefined;
      if (keyVault) codes.set(String(record.properties.displayName), keyVault.lastStatus?.code);
    }
    return codes;
  }

  const failingCount = () => [...keyVaultCodes().values()].filter((code) => code !== undefined && code !== 'Success').length;

  function displayNames(): string[] {
    return emulatorNamedValues().map((record) => String(record.properties.displayName)).sort((a, b) => a.localeCompare(b));
  }

  /** The status bar entry of the connected instance ("contoso-apim ⚠ 3"). */
  function instanceStatus() {
    return fixture.workbench.page.locator('.part.statusbar .statusbar-item', { hasText: demo.environment().emulator.state.services[0].name ?? 'contoso-apim' });
  }

  /** The status bar entry reads "<instance> ⚠ <count>" (the icon is not text). */
  function failingCountInStatusBar(count: number): RegExp {
    return new RegExp(`\\b${count}\\s*$`);
  }

  async function waitForConnection(): Promise<void> {
    await fixture.workbench.waitForText(instanceStatus(), failingCountInStatusBar(failingCount()), 60_000);
  }

  async function setSideBarVisible(visible: boolean): Promise<void> {
    const { page } = fixture.workbench;
    const sideBar = page.locator('.part.sidebar');
    if ((await sideBar.isVisible()) === visible) return;
    await fixture.workbench.runCommand('View: Toggle Primary Side Bar Visibility');
    await waitFor(async () => (await sideBar.isVisible()) === visible, { timeoutMs: 10_000, description: `side bar ${visible ? 'shown' : 'hidden'}` });
  }

  function assertNoSecretIn(text: string, where: string): void {
    assert.equal(text.includes(SECRET_MARKER), false, `${where} shows a secret value:\n${text}`);
  }

  it('lists the named values when {{ is typed in a policy', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await workbench.openFile(ORDERS_API_POLICY);
    await waitForConnection();
    // Room on the right of the suggestions for their details.
    await setSideBarVisible(false);

    await retypeNamedValueReference(workbench);

    const expected = displayNames();
    const shown = await waitForSuggestions(page, (labels) => labels.length >= Math.min(8, expected.length), 'named values in the suggest widget');
    assert.deepEqual(shown, expected.slice(0, shown.length), 'the first rows are the instance\'s named values in order');

    // Open the details, highlight a failing Key Vault reference: its status is there.
    const failing = expected.find((name) => {
      const code = keyVaultCodes().get(name);
      return code !== undefined && code !== 'Success';
    });
    assert.ok(failing, 'the demo instance has a failing Key Vault reference');
    // Items arrive light; the editor resolves the highlighted one (detail, documentation) before it
    // has details to show. Open the details panel once that answer is in.
    await waitForFocusedSuggestionDetail(page);
    await page.keyboard.press('Control+Space');
    const details = page.locator('.suggest-details-container');
    await details.waitFor({ state: 'visible' });
    // An extension activating elsewhere (registering its own completion provider) makes VS Code
    // recompute the open list, which moves the highlight back to the top: take the pictures
    // again until the highlight stayed on the failing reference throughout.
    let attempts = 0;
    await waitFor(
      async () => {
        attempts++;
        await focusSuggestion(page, failing, expected);
        const detailText = await workbench.waitForText(details, new RegExp(`${failing}[\\s\\S]*${keyVaultCodes().get(failing)}`));
        assertNoSecretIn(detailText, 'the suggestion details');
        const detailsBox = await waitForStableBox(details, 'the suggestion details');
        await workbench.screenshot();
        const cursor = await boxOf(workbench.activeEditor().locator('.cursors-layer .cursor').first());
        // From the line numbers, one line above the cursor, to the details' far corner.
        await croppedScreenshot(workbench, 'readme-completion', unionBox(page, [await boxOf(page.locator('.editor-widget.suggest-widget.visible')), detailsBox, cursor, await editorLeftEdge(page, cursor.y - 2 * cursor.height + 12)], 12));
        return (await focusedSuggestion(page)) === failing;
      },
      { timeoutMs: 60_000, intervalMs: 0, description: `pictures of the suggestions with ${failing} highlighted`, detail: () => `${attempts} attempt(s)` },
    );

    // Typing narrows the list.
    await page.keyboard.type('legacy');
    await waitForSuggestions(page, (labels) => labels.length === 1 && labels[0] === 'legacy-partner-key', 'only legacy-partner-key after typing "legacy"');
    await page.keyboard.press('Escape');
    await workbench.runCommand('File: Revert File');
    await workbench.waitForText(workbench.activeEditor().locator('.view-lines'), '{{api-version-header}}');
    assert.deepEqual(await suggestLabels(page), []);
  });

  it('shows a Key Vault reference\'s status when hovered', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await workbench.openFile(ORDERS_API_POLICY);
    const code = keyVaultCodes().get('legacy-partner-key');
    assert.ok(code && code !== 'Success', 'the fixture keeps legacy-partner-key failing');
    const reference = workbench.activeEditor().locator('.view-lines .view-line span', { hasText: 'legacy-partner-key' }).last();
    await pointAt(page, reference);
    const hover = page.locator('.monaco-hover:visible', { hasText: '{{legacy-partner-key}}' }).first();
    const text = await workbench.waitForText(hover, code);
    assert.match(text, /Key Vault secret/);
    assert.match(text, /https:\/\/contoso-kv\.vault\.azure\.net\/secrets\/legacy-partner-key/);
    assert.match(text, /value hidden/);
    assert.match(text, /Diagnose this Key Vault reference…/, 'the hover links to the Key Vault doctor');
    assertNoSecretIn(text, 'the hover');
    await workbench.screenshot();
    const hoverBox = await waitForStableBox(hover, 'the hover');
    await croppedScreenshot(workbench, 'readme-hover', unionBox(page, [hoverBox, await boxOf(reference), await editorLeftEdge(page, hoverBox.y)], 12));
    await parkMouse(page);
    await waitFor(async () => !(await hover.isVisible()), { timeoutMs: 10_000, description: 'the hover closed' });
  });

  it('completes, explains and checks C# in policy expressions', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await setSideBarVisible(false);
    // Still open from the hover test; both demo files are named policy.xml, so wait for this one's text.
    await workbench.openFile(ORDERS_API_POLICY);
    const editorLines = workbench.activeEditor().locator('.view-lines');
    await workbench.waitForText(editorLines, 'context.Request.Headers');

    // A new statement after <base /> on line 3, typed as a person would: the editor closes quotes and parentheses.
    await goToLine(workbench, 3, 13);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('<set-variable name="probe" value="@(context.');
    const contextMembers = await waitForSuggestions(page, (labels) => labels.includes('Request'), 'the members of context after @(context.');
    for (const member of ['Api', 'Request']) assert.ok(contextMembers.includes(member), contextMembers.join(', '));
    await workbench.screenshot(`context members - ${workbench.testName}`);

    await page.keyboard.type('Request.');
    const requestMembers = await waitForSuggestions(page, (labels) => labels.includes('Headers') && !labels.includes('Variables'), 'the members of IRequest after @(context.Request.');
    assert.ok(requestMembers.includes('Body'), requestMembers.join(', '));
    await focusSuggestion(page, 'Headers', requestMembers);
    // Ctrl+Space on an open list toggles the details of the highlighted member.
    const details = page.locator('.suggest-details-container');
    await waitFor(
      async () => {
        if (await details.isVisible()) return true;
        await page.keyboard.press('Control+Space');
        return false;
      },
      { timeoutMs: 10_000, intervalMs: 500, description: 'the details of Headers shown' },
    );
    await workbench.waitForText(details, /IReadOnlyDictionary<string, string\[\]> IRequest\.Headers/);
    await workbench.screenshot();
    const cursor = await boxOf(workbench.activeEditor().locator('.cursors-layer .cursor').first());
    await croppedScreenshot(
      workbench,
      'readme-expression-completion',
      unionBox(page, [await boxOf(page.locator('.editor-widget.suggest-widget.visible')), await waitForStableBox(details, 'the member details'), cursor, await editorLeftEdge(page, cursor.y - cursor.height)], 12),
    );
    await page.keyboard.press('Escape');
    await workbench.runCommand('File: Revert File');
    await waitFor(async () => !(await editorLines.innerText()).includes('probe'), { timeoutMs: 10_000, description: 'the typed statement reverted' });

    // Hover a member of the existing condition: point at the word "Headers" itself (the token may hold the whole chain).
    const line = workbench.activeEditor().locator('.view-lines .view-line', { hasText: 'context.Request.Headers' }).first();
    // The editor font is monospaced: the word's place inside its token is proportional to its characters.
    const tokens = line.locator('span > span');
    const texts = await tokens.allInnerTexts();
    const index = texts.findIndex((text) => text.includes('Headers'));
    assert.ok(index >= 0, `the word Headers on screen: ${texts.join('|')}`);
    const token = await boxOf(tokens.nth(index));
    const characterWidth = token.width / texts[index].length;
    const word = { x: token.x + characterWidth * (texts[index].indexOf('Headers') + 3.5), y: token.y + token.height / 2 };
    await page.mouse.move(word.x, word.y, { steps: 4 });
    const hover = page.locator('.monaco-hover:visible', { hasText: 'IRequest.Headers' }).first();
    const hoverText = await workbench.waitForText(hover, /IReadOnlyDictionary<string, string\[\]> IRequest\.Headers/);
    assert.match(hoverText, /Documentation/);
    await workbench.screenshot(`hover - ${workbench.testName}`);
    await parkMouse(page);

    // The demo's C# mistake in the Problems panel.
    await workbench.openFile(GET_ORDER_POLICY);
    const markers = await showProblems(page);
    const text = await workbench.waitForText(markers, /'IUser' has no member 'EmailAddress'[\s\S]*unknown-member/);
    assert.match(text, /Did you mean 'Email'\?/);
    const row = markers.locator('.monaco-list-row', { hasText: 'EmailAddress' });
    assert.equal(await row.locator('.codicon-error').count(), 1, 'unknown-member is an error');
    await workbench.screenshot(`problems - ${workbench.testName}`);
  });

  it('lists the named values in the API Management view, with icons by kind and status', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await page.locator('.part.activitybar .action-item a[aria-label^="API Management"]').click();
    // The container holds Named Values and Policies; this test looks at Named Values alone, at full height.
    await setPaneExpanded(page, NAMED_VALUES_VIEW, true);
    await setPaneExpanded(page, POLICIES_VIEW, false);
    const expected = displayNames();
    await waitFor(async () => (await namedValuesRows(page)).length === expected.length + 1, { timeoutMs: 30_000, description: 'the instance and its named values in the view' });

    // Widen the side bar (drag its edge) so descriptions are readable.
    const sash = await boxOf(page.locator('.monaco-sash.vertical.primary-sidebar-sash'));
    await page.mouse.move(sash.x + sash.width / 2, sash.y + sash.height / 2);
    await page.mouse.down();
    await page.mouse.move(sash.x + 240, sash.y + sash.height / 2, { steps: 8 });
    await page.mouse.up();
    await parkMouse(page);

    const rows = await namedValuesRows(page);
    const root = rows[0];
    assert.equal(root.label, demo.environment().emulator.state.services[0].name);
    assert.match(root.description, /rg-contoso-apis/);
    const named = rows.slice(1);
    assert.deepEqual(named.map((row) => row.label), expected);

    const passed = await themeColor(page, 'testing.iconPassed');
    const failed = await themeColor(page, 'problemsErrorIcon.foreground');
    const codes = keyVaultCodes();
    for (const record of emulatorNamedValues()) {
      const name = String(record.properties.displayName);
      const row = named.find((r) => r.label === name) as TreeRow;
      const where = `${name}: ${JSON.stringify(row)}`;
      if (codes.has(name)) {
        const ok = codes.get(name) === 'Success';
        assert.equal(row.icon, ok ? 'key' : 'error', where);
        assert.equal(row.color, ok ? passed : failed, where);
        assert.equal(row.coloured, true, where);
      } else {
        assert.equal(row.icon, record.properties.secret ? 'lock' : 'symbol-string', where);
        assert.equal(row.coloured, false, where);
      }
      assertNoSecretIn(`${row.ariaLabel} ${row.description}`, `the row of ${name}`);
    }
    assert.notEqual(passed, failed, 'the theme tells the two states apart');
    await workbench.screenshot();
    const lastRow = sideBarPane(page, NAMED_VALUES_VIEW).locator('.pane-body .monaco-list-row').last();
    const sideBar = await boxOf(page.locator('.part.sidebar'));
    const bottom = await boxOf(lastRow);
    await croppedScreenshot(workbench, 'readme-panel', { x: Math.round(sideBar.x), y: Math.round(sideBar.y), width: Math.round(sideBar.width), height: Math.round(bottom.y + bottom.height + 10 - sideBar.y) });

    // A failing item's tooltip says why, for which identity, and when.
    const billing = emulatorNamedValues().find((r) => r.properties.displayName === 'billing-api-key');
    const identity = (billing?.properties.keyVault as { identityClientId?: string } | undefined)?.identityClientId;
    assert.ok(identity, 'billing-api-key uses a user-assigned identity in the fixture');
    await pointAt(page, page.locator('.part.sidebar .monaco-list-row[aria-label^="billing-api-key,"] .label-name'));
    const tooltip = page.locator('.workbench-hover:visible', { hasText: '{{billing-api-key}}' }).first();
    const tooltipText = await workbench.waitForText(tooltip, codes.get('billing-api-key') ?? 'Forbidden');
    assert.ok(tooltipText.includes(identity), tooltipText);
    assert.match(tooltipText, /UTC/);
    assertNoSecretIn(tooltipText, 'the tooltip');
    await workbench.screenshot(`tooltip - ${workbench.testName}`);
    await parkMouse(page);
  });

  it('refreshes failed Key Vault secrets from the command palette', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    const before = failingCount();
    await workbench.waitForText(instanceStatus(), failingCountInStatusBar(before));
    const row = () => namedValuesRows(page).then((rows) => rows.find((r) => r.label === 'legacy-partner-key'));
    assert.equal((await row())?.icon, 'error');

    // The secret is back in the vault; the instance does not know until it refreshes.
    demo.environment().emulator.setVaultState('contoso-kv', 'legacy-partner-key', { status: 'ok', value: `${SECRET_MARKER}restored-by-the-ui-test` });
    await workbench.runCommand(REFRESH_FAILED_TITLE);
    const summary = await workbench.waitForText('.notifications-toasts', new RegExp(`Refreshed 1 of ${before} Key Vault secrets; ${before - 1} still failing`));
    assertNoSecretIn(summary, 'the summary notification');
    const passed = await themeColor(page, 'testing.iconPassed');
    let last: TreeRow | undefined;
    await waitFor(async () => {
      last = await row();
      return last?.icon === 'key' && last.color === passed && /secret resolved/.test(last.ariaLabel);
    }, {
      timeoutMs: 30_000,
      description: 'legacy-partner-key shown as resolved',
      detail: () => JSON.stringify(last),
    });
    assert.equal(failingCount(), before - 1, 'the emulator recorded the refresh');
    await workbench.waitForText(instanceStatus(), failingCountInStatusBar(before - 1));
    await workbench.screenshot();
    await workbench.clearNotifications();
  });

  it('shows the policy\'s mistakes in the Problems panel', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await setSideBarVisible(false);
    await workbench.openFile(GET_ORDER_POLICY);
    const markers = await showProblems(page);
    const text = await workbench.waitForText(markers, /api-verison-header[\s\S]*unknown-named-value/);
    assert.match(text, /<forward-request> is not allowed in the inbound section[\s\S]*misplaced-policy/);
    assert.match(text, /orders-backend-v2[\s\S]*unknown-entity/);
    const errorRow = markers.locator('.monaco-list-row', { hasText: 'api-verison-header' });
    assert.equal(await errorRow.locator('.codicon-error').count(), 1, 'the unknown named value is an error');
    await parkMouse(page);
    await workbench.screenshot();
    const editor = await boxOf(page.locator('.part.editor'));
    const lastMarker = await boxOf(markers.locator('.monaco-list-row').last());
    await croppedScreenshot(workbench, 'readme-problems', { x: Math.round(editor.x), y: Math.round(editor.y), width: Math.round(editor.width), height: Math.round(lastMarker.y + lastMarker.height + 10 - editor.y) });
  });

  it('reveals a secret only after a modal confirmation, and only in the dialog', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await page.locator('.part.activitybar .action-item a[aria-label^="API Management"]').click();
    await setSideBarVisible(true);
    const record = emulatorNamedValues().find((r) => r.properties.displayName === 'backend-key');
    const planted = record?.properties.value;
    assert.ok(typeof planted === 'string' && planted.includes(SECRET_MARKER), 'backend-key holds a planted secret in the fixture');

    // Right-click the item, as a person would, and pick the command from its context menu.
    const row = page.locator('.part.sidebar .monaco-list-row[aria-label^="backend-key,"]');
    await row.click({ button: 'right' });
    await chooseContextMenuItem(page, 'Reveal Value');
    const dialog = page.locator('.monaco-dialog-box');
    const question = await workbench.waitForText(dialog, /Reveal the value of "backend-key"\?/);
    assertNoSecretIn(question, 'the confirmation');
    await dialog.locator('.monaco-button', { hasText: 'Show Value' }).click();
    const shown = await workbench.waitForText(dialog, planted);
    assert.match(shown, /Value of "backend-key"/);
    await workbench.screenshot();
    await page.keyboard.press('Escape');
    await waitFor(async () => (await dialog.count()) === 0 || !(await dialog.isVisible()), { timeoutMs: 10_000, description: 'the value dialog closed' });
    // Nothing else on screen carries the value once the dialog is gone.
    assertNoSecretIn(await page.locator('.monaco-workbench').innerText(), 'the workbench after the dialog closed');
  });

  it('diagnoses a failing Key Vault reference, applies the fix it offers after a confirmation, and sees the status turn green', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    const before = failingCount();
    assert.notEqual(keyVaultCodes().get('billing-api-key'), 'Success', 'the fixture keeps billing-api-key failing');
    // From the item's context menu, as a person would.
    await page.locator('.part.sidebar .monaco-list-row[aria-label^="billing-api-key,"]').click({ button: 'right' });
    await chooseContextMenuItem(page, 'Diagnose Key Vault Reference…');
    const doctor = sideBarPane(page, KEY_VAULT_DOCTOR_VIEW);
    await workbench.waitForText(doctor, /billing-api-key[\s\S]*2 checks fail/, 60_000);
    // Room for the diagnosis: fold the Named Values pane while it is read.
    await setPaneExpanded(page, NAMED_VALUES_VIEW, false);
    let rows: TreeRow[] = [];
    await waitFor(async () => {
      rows = await treeRows(doctor);
      return rows.some((r) => r.ariaLabel.startsWith('Fix: Assign "Key Vault Secrets User" on the secret'));
    }, { timeoutMs: 20_000, description: 'the permission check and its fixes in the doctor view', detail: () => rows.map((r) => r.ariaLabel).join(' | ') });
    const failed = await themeColor(page, 'testing.iconFailed');
    const permission = rows.find((r) => r.label === 'Permission');
    assert.equal(permission?.icon, 'error');
    assert.equal(permission?.color, failed);
    assert.match(permission?.description ?? '', /uses Azure RBAC/);
    assert.equal(rows.find((r) => r.label === 'Managed identity')?.icon, 'pass');
    for (const row of rows) assertNoSecretIn(`${row.ariaLabel} ${row.description}`, `the doctor row ${row.label}`);
    await parkMouse(page);
    await workbench.screenshot();
    const pane = await boxOf(doctor);
    const lastDoctorRow = await boxOf(doctor.locator('.monaco-list-row').last());
    await croppedScreenshot(workbench, 'readme-doctor', {
      x: Math.round(pane.x), y: Math.round(pane.y), width: Math.round(pane.width), height: Math.round(lastDoctorRow.y + lastDoctorRow.height + 10 - pane.y),
    });

    // The fix, from the keyboard-friendly palette command; it asks first and says what changes.
    await workbench.startCommand('APIM Policy: Apply Key Vault Fix…');
    await workbench.pickQuickPickItem((label) => label === 'Assign "Key Vault Secrets User" on the secret', 'the role assignment fix');
    const dialog = page.locator('.monaco-dialog-box');
    const question = await workbench.waitForText(dialog, /Assign "Key Vault Secrets User" on the secret\?[\s\S]*Creates a role assignment: "Key Vault Secrets User" for user-assigned identity/);
    assert.match(question, /on secret "billing-api-key" of Key Vault "contoso-billing-kv" only/);
    await dialog.locator('.monaco-button', { hasText: 'Apply' }).click();
    await workbench.waitForText('.notifications-toasts', /"billing-api-key" refreshed: APIM reads the secret now/, 60_000);
    assert.equal(keyVaultCodes().get('billing-api-key'), 'Success', 'the emulator recorded the refresh');
    const passed = await themeColor(page, 'testing.iconPassed');
    await waitFor(async () => {
      rows = await treeRows(doctor);
      const row = rows.find((r) => r.label === 'Permission');
      return row?.icon === 'pass' && row.color === passed;
    }, { timeoutMs: 30_000, description: 'the permission check passing', detail: () => rows.map((r) => `${r.label}:${r.icon}`).join(' | ') });
    await workbench.waitForText(instanceStatus(), failingCountInStatusBar(before - 1));
    await setPaneExpanded(page, NAMED_VALUES_VIEW, true);
    let item: TreeRow | undefined;
    await waitFor(async () => {
      item = (await namedValuesRows(page)).find((r) => r.label === 'billing-api-key');
      return item?.icon === 'key' && item.color === passed;
    }, { timeoutMs: 30_000, description: 'billing-api-key green in the panel', detail: () => JSON.stringify(item) });
    assertNoSecretIn(await page.locator('.monaco-workbench').innerText(), 'the workbench after the fix');
    await workbench.screenshot(`after the fix - ${workbench.testName}`);
    await workbench.clearNotifications();
  });

  it('creates a plain named value, edits its value in an in-memory editor, and deletes it after showing its usages', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    const stored = () => emulatorNamedValues().find((r) => r.properties.displayName === 'ui-test-value');
    const quickInput = page.locator('.quick-input-widget .quick-input-box input');
    /** Types into the next input box or pick filter: one that is shown and still empty, not the one just answered. */
    const typeIntoNextInput = async (text: string) => {
      await waitFor(async () => (await quickInput.isVisible()) && (await quickInput.inputValue()) === '', { timeoutMs: 30_000, description: 'the next input box' });
      await quickInput.fill(text);
    };
    /** Answers the next input box, as a person would. */
    const answer = async (text: string) => {
      await typeIntoNextInput(text);
      await page.keyboard.press('Enter');
    };

    await workbench.startCommand('APIM Policy: Create Named Value…');
    await workbench.pickQuickPickItem((label) => label.endsWith('Plain'), 'the plain kind');
    await answer('ui-test-value');
    await answer('first version');
    await answer('ui, test');
    await workbench.waitForText('.notifications-toasts', /Created named value "ui-test-value" in contoso-apim/, 60_000);
    assert.equal(stored()?.properties.value, 'first version');
    assert.deepEqual(stored()?.properties.tags, ['ui', 'test']);

    await workbench.startCommand('APIM Policy: Edit Named Value…');
    await typeIntoNextInput('ui-test-value'); // the list renders only the rows that fit
    await workbench.pickQuickPickItem((label) => label.endsWith('ui-test-value'), 'the new named value');
    await workbench.pickQuickPickItem((label) => label.endsWith('Value'), 'its value');
    await workbench.waitForActiveTab('ui-test-value');
    assert.match(await workbench.editorText(), /first version/);
    await workbench.activeEditor().locator('.view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('second version');
    await page.keyboard.press('Control+S');
    await waitFor(() => stored()?.properties.value === 'second version', { timeoutMs: 30_000, description: 'the edited value saved to the instance' });
    assert.deepEqual(stored()?.properties.tags, ['ui', 'test'], 'the edit kept the tags');
    const dirtyTab = page.locator('.editor-group-container.active .tab.active.dirty');
    await waitFor(async () => (await dirtyTab.count()) === 0, { timeoutMs: 30_000, description: 'the editor saved (no longer dirty)' });
    await workbench.screenshot();
    await workbench.runCommand('View: Close Editor');

    await workbench.startCommand('APIM Policy: Delete Named Value…');
    await typeIntoNextInput('ui-test-value'); // the list renders only the rows that fit
    await workbench.pickQuickPickItem((label) => label.endsWith('ui-test-value'), 'the named value to delete');
    const dialog = page.locator('.monaco-dialog-box');
    await workbench.waitForText(dialog, /Delete named value "ui-test-value" from contoso-apim\?[\s\S]*No policy in this workspace uses \{\{ui-test-value\}\}/, 60_000);
    await dialog.locator('.monaco-button', { hasText: 'Delete' }).click();
    await waitFor(() => stored() === undefined, { timeoutMs: 30_000, description: 'the named value deleted from the instance' });
    await waitFor(async () => !(await namedValuesRows(page)).some((r) => r.label === 'ui-test-value'), { timeoutMs: 30_000, description: 'the panel without it' });
    await workbench.clearNotifications();
  });

  it('selects another instance through the subscription and service pickers', async () => {
    const { workbench } = fixture;
    const subscription = demo.environment().emulator.state.subscriptions[0];
    assert.ok(subscription, 'the emulator has a subscription');
    await workbench.startCommand('APIM Policy: Select Instance…');
    // Items arrive while the picker shows progress; each step is a click, as a person would.
    await workbench.pickQuickPickItem((label) => label.includes(String(subscription.displayName)), `subscription "${subscription.displayName}"`);
    await workbench.pickQuickPickItem((label) => label === 'contoso-apim-staging', 'the staging service');
    const staging = workbench.page.locator('.part.statusbar .statusbar-item', { hasText: 'contoso-apim-staging' });
    await workbench.waitForText(staging, 'contoso-apim-staging', 60_000);
    // The panel follows: its root becomes the staging instance with its own named values.
    let rows: TreeRow[] = [];
    await waitFor(async () => {
      rows = await namedValuesRows(workbench.page);
      return rows[0]?.label === 'contoso-apim-staging' && rows.length > 1 && !rows.some((r) => r.label === 'legacy-partner-key');
    }, { timeoutMs: 60_000, description: 'the panel shows the staging instance', detail: () => rows.map((r) => r.label).join(', ') });
    const settings = fs.readFileSync(`${demo.environment().workspaceFolder}/.vscode/settings.json`, 'utf8');
    assert.match(settings, /"apimPolicy\.instance": "\/subscriptions\/[^"]+\/resourceGroups\/rg-contoso-staging\/providers\/Microsoft\.ApiManagement\/service\/contoso-apim-staging"/);
    await workbench.screenshot();
  });
});
