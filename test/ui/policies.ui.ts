// UI test of policies on the instance, as a person uses them: open the API Management view, open the Orders
// API's policy from the Policies view, type, save (confirming "Publish"), and walk the conflict flow after a
// colleague changed the policy on the instance (the diff appears with Overwrite / Merge / Keep; merging keeps
// the text unsaved; saving again publishes over the version that was shown). The emulator (in this process)
// is the truth. Saves test-results/<title>.png per test and test-results/readme-policies-conflict.png.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { waitFor } from '../harness/wait';
import { useDemoWorkbench } from './demoWorkbench';
import { boxOf, croppedScreenshot, goToLine, NAMED_VALUES_VIEW, parkMouse, POLICIES_VIEW, setPaneExpanded, sideBarPane } from './workbenchPage';

const TAB = 'orders-api.policy.xml';

/** The rows of the sidebar's Policies view, by label. */

function policiesRow(page: Page, label: string): Locator {
  return sideBarPane(page, POLICIES_VIEW).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
}

describe('Policies on the instance in the workbench', () => {
  const demo = useDemoWorkbench();
  const { fixture } = demo;

  /** The Orders API's policy as the emulator holds it now. */
  function onInstance(): string {
    const stored = demo.environment().emulator.state.services[0].policies.get('apis/orders-api')?.value;
    assert.ok(stored, 'the emulator has a policy for orders-api');
    return stored;
  }

  async function dialog(question: RegExp): Promise<Locator> {
    const box = fixture.workbench.page.locator('.monaco-dialog-box');
    await fixture.workbench.waitForText(box, question, 60_000);
    return box;
  }

  async function press(box: Locator, button: string): Promise<void> {
    // Exactly this label: "Publish" must not pick "Publish, Don't Ask Again".
    await box.locator('.monaco-button').filter({ hasText: new RegExp(`^${button.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).click();
    await waitFor(async () => (await box.count()) === 0 || !(await box.isVisible()), { timeoutMs: 10_000, description: `the dialog closed after "${button}"` });
  }

  async function activeTabDirty(): Promise<boolean> {
    return (await fixture.workbench.page.locator('.editor-group-container.active .tab.active.dirty').count()) > 0;
  }

  it('opens a policy from the Policies view as the instance\'s live copy', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await page.locator('.part.activitybar .action-item a[aria-label^="API Management"]').click();
    // Collapse the Named Values view so the Policies view has the room.
    await setPaneExpanded(page, NAMED_VALUES_VIEW, false);
    await setPaneExpanded(page, POLICIES_VIEW, true);

    await policiesRow(page, 'APIs').waitFor({ state: 'visible', timeout: 60_000 });
    await policiesRow(page, 'APIs').click();
    const orders = policiesRow(page, 'Orders API');
    await orders.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await orders.innerText(), /\/orders/);
    await orders.click();
    await workbench.waitForActiveTab(TAB, 60_000);
    await workbench.waitForText(workbench.activeEditor().locator('.view-lines'), 'include-fragment');
    // The status bar says whose copy this is.
    await workbench.waitForText('.part.statusbar', /contoso-apim: live policy/);
    await parkMouse(page);
    await workbench.screenshot();
  });

  it('types and saves: after "Publish" the instance holds the new text', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await goToLine(workbench, 3, 1);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('<set-header name="x-typed-in-ui" exists-action="override" />');
    await page.keyboard.press('Escape');
    await waitFor(activeTabDirty, { timeoutMs: 10_000, description: 'the tab shows unsaved changes' });
    await page.keyboard.press('Control+S');
    const confirm = await dialog(/Publish the policy of API "orders-api" to contoso-apim\?/);
    await workbench.screenshot(`confirm - ${workbench.testName}`);
    await press(confirm, 'Publish');
    await waitFor(() => onInstance().includes('x-typed-in-ui'), { timeoutMs: 30_000, description: 'the emulator holds the typed header' });
    await waitFor(async () => !(await activeTabDirty()), { timeoutMs: 10_000, description: 'the tab is saved' });
    await workbench.screenshot();
  });

  it('walks the conflict flow when a colleague changed the policy meanwhile', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    // A colleague saves in the portal.
    const theirs = demo.environment().emulator.changePolicy('apis/orders-api');
    assert.match(theirs, /Changed on the instance/);

    await goToLine(workbench, 4, 1);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('<set-header name="x-second-edit" exists-action="override" />');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');
    await press(await dialog(/Publish the policy of API "orders-api"/), 'Publish');

    // The instance's version beside mine, and the question.
    const conflict = await dialog(/changed on contoso-apim since you opened it/);
    const diff = page.locator('.editor-group-container.active .monaco-diff-editor');
    await diff.waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.waitForText(diff, /Changed on the instance/);
    await workbench.waitForText(diff, /x-second-edit/);
    for (const button of ['Overwrite', 'Merge in the Diff Editor', 'Keep Mine Unsaved']) {
      assert.equal(await conflict.locator('.monaco-button').filter({ hasText: new RegExp(`^${button}$`) }).count(), 1, button);
    }
    await workbench.screenshot();
    const editorPart = await boxOf(page.locator('.part.editor'));
    await croppedScreenshot(workbench, 'readme-policies-conflict', {
      x: Math.round(editorPart.x), y: Math.round(editorPart.y), width: Math.round(editorPart.width), height: Math.round(editorPart.height),
    });

    // Merge: nothing is published, my text stays unsaved, the diff stays to take what I need.
    await press(conflict, 'Merge in the Diff Editor');
    await workbench.waitForText('.notifications-toasts', /Not published: .* changed on contoso-apim/);
    assert.doesNotMatch(onInstance(), /x-second-edit/, 'nothing was published');
    assert.match(onInstance(), /Changed on the instance/, "the colleague's change is still there");
    await workbench.screenshot(`merge - ${workbench.testName}`);
    await workbench.clearNotifications();

    // Saving again is checked against the version the diff showed: it publishes.
    await workbench.runCommand('File: Save');
    await press(await dialog(/Publish the policy of API "orders-api"/), 'Publish');
    await waitFor(() => onInstance().includes('x-second-edit'), { timeoutMs: 30_000, description: 'the emulator holds the second edit' });
    assert.match(onInstance(), /x-typed-in-ui/);
    await workbench.screenshot(`published - ${workbench.testName}`);
  });
});
