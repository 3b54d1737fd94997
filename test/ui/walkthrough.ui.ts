// The Get Started walkthrough in the workbench, as a new user goes through it: code-server with the
// packaged extension, a copy of the demo workspace that knows the emulator (started in this process)
// but has no instance selected yet, and headless Chromium. Each test does one step's action the way
// the step suggests (mostly its own button) and watches the step's check mark in the walkthrough.
// Saves test-results/<title>.png per test and test-results/readme-walkthrough.png (the README's picture).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { waitFor } from '../harness/wait';
import { useDemoWorkbench } from './demoWorkbench';
import { boxOf, croppedScreenshot, goToLine, parkMouse, retypeNamedValueReference, setSideBarVisible, waitForSuggestions } from './workbenchPage';

const WALKTHROUGH_TITLE = 'Get started with APIM Policy Studio';
const ORDERS_API_POLICY = 'apimartifacts/apis/orders-api/policy.xml';
const STEPS = ['signIn', 'selectInstance', 'openPolicy', 'namedValueCompletion', 'namedValuesPanel', 'diagnoseKeyVault'] as const;
type StepId = (typeof STEPS)[number];

describe('the Get Started walkthrough', () => {
  const demo = useDemoWorkbench({
    // Reduced motion: the walkthrough moves the focus to a selected step at once instead of after its animation.
    userSettings: { 'workbench.welcomePage.preferReducedMotion': true },
    // Connected to the emulator, but no instance chosen: the user has that step still to do.
    environment: { workspaceSettings: { 'apimPolicy.instance': '' } },
  });
  const { fixture } = demo;

  /** A step's row in the open walkthrough (VS Code ids it `<extension>#<walkthrough>#<step>`). */
  function step(id: StepId): Locator {
    return fixture.workbench.page.locator(`.gettingStartedContainer button.getting-started-step[data-step-id$="#${id}"]`);
  }

  async function stepStates(): Promise<Record<string, boolean>> {
    const states: Record<string, boolean> = {};
    for (const id of STEPS) states[id] = (await step(id).getAttribute('aria-checked', { timeout: 5_000 })) === 'true';
    return states;
  }

  /**
   * Brings the walkthrough to the front with APIM Policy: Get Started (it opens once and is reused),
   * and waits until it has moved the focus to its selected step, which it does a moment after showing:
   * a quick pick opened before that would close when the focus moves.
   */
  async function showWalkthrough(): Promise<void> {
    const { workbench } = fixture;
    await workbench.runCommand('APIM Policy: Get Started');
    await workbench.waitForText('.gettingStartedContainer .category-title', WALKTHROUGH_TITLE);
    const container = workbench.page.locator('.gettingStartedContainer');
    // Runs in the page (no DOM types in this project: the document is reached through an element).
    await waitFor(() => container.evaluate((element) => !!element.ownerDocument.activeElement?.matches('.gettingStartedContainer button.getting-started-step')), {
      timeoutMs: 10_000,
      description: 'the walkthrough focused its selected step',
    });
  }

  /**
   * Back to the policy opened by "Open a policy" through its tab. Quick Open again would list the open
   * editor first and then its file search results, and a click can land while that list re-renders.
   */
  async function showPolicyTab(): Promise<void> {
    const { workbench } = fixture;
    const tabs = workbench.page.locator('.tabs-container .tab[data-resource-name="policy.xml"]');
    assert.equal(await tabs.count(), 1, 'one policy is open');
    await tabs.click();
    await workbench.waitForActiveTab('policy.xml');
    await workbench.waitForText(workbench.activeEditor().locator('.view-lines'), '{{api-version-header}}');
  }

  /** Waits until exactly `done` are checked, the other steps not. */
  async function waitForDone(done: readonly StepId[], timeoutMs = 30_000): Promise<void> {
    let states: Record<string, boolean> = {};
    await waitFor(
      async () => {
        states = await stepStates();
        return STEPS.every((id) => states[id] === done.includes(id));
      },
      { timeoutMs, description: `steps done: ${done.join(', ')}`, detail: () => JSON.stringify(states) },
    );
  }

  /**
   * Expands a step and presses the button in its description with that label. The walkthrough moves
   * the focus to a step just after selecting it; pressing before that would let the focus move away
   * from whatever the button opens (a quick pick closes when it loses the focus).
   */
  async function pressStepButton(id: StepId, label: string): Promise<void> {
    await step(id).click();
    await waitFor(async () => (await step(id).getAttribute('aria-expanded')) === 'true', { timeoutMs: 10_000, description: `step ${id} expanded` });
    // With reduced motion the walkthrough focuses the step from a zero-delay timer queued while selecting it;
    // a zero-delay timer queued now runs after that one.
    await step(id).evaluate((element) => new Promise<void>((resolve) => element.ownerDocument.defaultView?.setTimeout(resolve, 0) ?? resolve()));
    await step(id).locator('.button-container .monaco-button', { hasText: label }).click();
  }

  it('opens from APIM Policy: Get Started and ticks "Sign in" from its button', async () => {
    const { workbench } = fixture;
    // The extension is up (and signed in with the emulator's service principal) when its status bar entry shows.
    await workbench.waitForText('.part.statusbar', 'APIM: Select instance', 60_000);
    await showWalkthrough();
    await pressStepButton('signIn', 'Sign In');
    await waitForDone(['signIn']);
    await fixture.workbench.screenshot();
  });

  it('ticks "Select your instance" once the instance picked through its button has loaded', async () => {
    const { workbench } = fixture;
    const subscription = demo.environment().emulator.state.subscriptions[0];
    const service = demo.environment().emulator.state.services[0];
    assert.ok(subscription && service, 'the emulator serves a subscription and a service');
    await pressStepButton('selectInstance', 'Select Instance');
    await workbench.pickQuickPickItem((label) => label.includes(String(subscription.displayName)), `subscription "${subscription.displayName}"`);
    await workbench.pickQuickPickItem((label) => label === service.name, `the service ${service.name}`);
    await waitForDone(['signIn', 'selectInstance']);
    // The selection itself went through: the instance loaded and was saved for the folder.
    await workbench.waitForText('.part.statusbar', service.name, 60_000);
    const settings = fs.readFileSync(path.join(demo.environment().workspaceFolder, '.vscode', 'settings.json'), 'utf8');
    assert.ok(settings.includes(`/providers/Microsoft.ApiManagement/service/${service.name}"`), settings);
  });

  it('ticks "Open a policy" when a policy is shown in an editor', async () => {
    const { workbench } = fixture;
    await workbench.openFile(ORDERS_API_POLICY);
    await showWalkthrough();
    await waitForDone(['signIn', 'selectInstance', 'openPolicy']);
  });

  it('ticks "Type {{" only once {{ has listed the instance\'s named values', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    // Completion that is not about named values leaves the step open: policies after "<" on a new line.
    await showPolicyTab();
    await goToLine(workbench, 3, 1);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('<');
    await waitForSuggestions(page, (labels) => labels.includes('choose'), 'policies after <');
    await page.keyboard.press('Escape');
    await workbench.runCommand('File: Revert File');
    await showWalkthrough();
    await waitForDone(['signIn', 'selectInstance', 'openPolicy']);

    await showPolicyTab();
    await retypeNamedValueReference(workbench);
    const names = new Set([...(demo.environment().emulator.state.services[0].namedValues.values() ?? [])].map((record) => String(record.properties.displayName)));
    await waitForSuggestions(page, (labels) => labels.every((label) => names.has(label)), 'named values after {{');
    await page.keyboard.press('Escape');
    await workbench.runCommand('File: Revert File');
    await showWalkthrough();
    await waitForDone(['signIn', 'selectInstance', 'openPolicy', 'namedValueCompletion']);
  });

  it('ticks "Open the Named Values panel" from its button', async () => {
    const { workbench } = fixture;
    await pressStepButton('namedValuesPanel', 'Open Named Values');
    await workbench.waitForText('.part.sidebar .composite.title', /API Management/i);
    await waitForDone(['signIn', 'selectInstance', 'openPolicy', 'namedValueCompletion', 'namedValuesPanel']);
  });

  it('ticks "Diagnose a failing Key Vault reference" when the doctor is started from its button', async () => {
    const { workbench } = fixture;
    await pressStepButton('diagnoseKeyVault', 'Diagnose Key Vault Reference');
    // The doctor asks which Key Vault reference first; leaving the pick is enough for the step (the doctor has its own tests).
    const failing = [...(demo.environment().emulator.state.services[0].namedValues.values() ?? [])].find((record) => {
      const code = (record.properties.keyVault as { lastStatus?: { code?: string } } | undefined)?.lastStatus?.code;
      return code !== undefined && code !== 'Success';
    });
    assert.ok(failing, 'the demo instance has a failing Key Vault reference');
    await workbench.waitForText('.quick-input-widget .quick-input-list', String(failing.properties.displayName));
    await workbench.page.keyboard.press('Escape');
    await waitForDone([...STEPS]);
  });

  it('shows the finished walkthrough (the README\'s picture)', async () => {
    const { workbench } = fixture;
    const { page } = workbench;
    await setSideBarVisible(workbench, false);
    // A taller window, so the picture shows every step without scrolling the list.
    await page.setViewportSize({ width: 1280, height: 940 });
    await showWalkthrough();
    // The {{ step's page on the right: its text and the completion picture.
    await step('namedValueCompletion').click();
    const list = page.locator('.gettingStartedContainer .step-list-container');
    await waitFor(
      async () => {
        const [box, first, last] = await Promise.all([list.boundingBox(), step('signIn').boundingBox(), step('diagnoseKeyVault').boundingBox()]);
        return !!box && !!first && !!last && first.y >= box.y && last.y + last.height <= box.y + box.height;
      },
      { timeoutMs: 10_000, description: 'every step in view' },
    );
    // The page renders in a webview (an iframe in an iframe); wait for its picture to have loaded.
    const picture = page.frameLocator('.gettingStartedContainer .getting-started-media iframe').frameLocator('iframe').locator('img');
    await waitFor(async () => (await picture.count()) > 0 && (await picture.first().evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)), { timeoutMs: 30_000, description: 'the step page\'s picture loaded' });
    await parkMouse(page);
    await workbench.screenshot();
    await croppedScreenshot(workbench, 'readme-walkthrough', await boxOf(page.locator('.part.editor')));
  });
});
