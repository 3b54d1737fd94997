// Page-level helpers for the UI suites: reading what the workbench shows (the Named Values rows,
// the suggest widget, hovers, theme colours) and cropped screenshots for the README. Everything
// waits by polling the page with a deadline.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { realExtensionVsix } from '../harness/paths';
import type { Workbench } from '../harness/ui';
import { waitFor } from '../harness/wait';

export interface TreeRow {
  /** The row's accessible label, e.g. "legacy-partner-key, Key Vault reference, refresh failed (SecretNotFound)". */
  ariaLabel: string;
  label: string;
  description: string;
  /** Codicon id from the icon's classes (`codicon-key` → `key`). */
  icon: string;
  /** Computed colour of the icon (rgb(…)). */
  color: string;
  /** Whether the icon carries an inline colour (a ThemeIcon colour) rather than the theme's foreground. */
  coloured: boolean;
}

/** One view of the side bar (a pane of the API Management container), found by its header title. */
export function sideBarPane(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`) }) });
}

/**
 * Expands or collapses a side-bar view by clicking its header, as a person would. Collapsing the
 * other views of the container gives this one the height, so its virtual tree renders every row.
 */
export async function setPaneExpanded(page: Page, title: string, expanded: boolean): Promise<void> {
  const header = sideBarPane(page, title).locator('.pane-header');
  await header.waitFor({ state: 'visible', timeout: 30_000 });
  const isExpanded = async () => (await header.getAttribute('aria-expanded')) === 'true';
  if ((await isExpanded()) !== expanded) await header.click();
  await waitFor(async () => (await isExpanded()) === expanded, { timeoutMs: 10_000, description: `the ${title} view ${expanded ? 'expanded' : 'collapsed'}` });
}

export const NAMED_VALUES_VIEW = 'Named Values';
export const POLICIES_VIEW = 'Policies';
export const KEY_VAULT_DOCTOR_VIEW = 'Key Vault Doctor';

/** The rows the Named Values view renders right now (the tree is virtual: only the visible ones). */
export function namedValuesRows(page: Page): Promise<TreeRow[]> {
  return treeRows(sideBarPane(page, NAMED_VALUES_VIEW));
}

/** The rows a tree view pane renders right now (the tree is virtual: only the visible ones). */
export async function treeRows(pane: Locator): Promise<TreeRow[]> {
  // Runs in the page (no DOM types in this project: the browser's objects are reached through the elements).
  return pane.locator('.pane-body .monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => {
      const icon = row.querySelector('.custom-view-tree-node-item-icon');
      const classes: string[] = icon ? [...icon.classList] : [];
      const codicon = classes.find((c) => c.startsWith('codicon-') && c !== 'codicon-colored') ?? '';
      return {
        ariaLabel: row.getAttribute('aria-label') ?? '',
        label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
        icon: codicon.replace(/^codicon-/, ''),
        color: icon ? String(row.ownerDocument.defaultView?.getComputedStyle(icon).color ?? '') : '',
        coloured: !!icon?.getAttribute('style')?.includes('color'),
      };
    }),
  );
}

/** What a theme colour id (e.g. `testing.iconPassed`) resolves to in the current theme, as rgb(…). */
export async function themeColor(page: Page, id: string): Promise<string> {
  return page.locator('.monaco-workbench').first().evaluate((workbench, variable) => {
    const probe = workbench.ownerDocument.createElement('div');
    probe.setAttribute('style', `color: var(${variable})`);
    workbench.appendChild(probe);
    const color = String(workbench.ownerDocument.defaultView?.getComputedStyle(probe).color ?? '');
    probe.remove();
    return color;
  }, `--vscode-${id.replace(/\./g, '-')}`);
}

/** Labels of the suggest widget's rendered rows, top to bottom. */
export async function suggestLabels(page: Page): Promise<string[]> {
  const rows = await page.locator('.editor-widget.suggest-widget.visible .monaco-list-row').evaluateAll((elements) =>
    elements.map((element) => ({
      top: Number.parseFloat(/top:\s*([\d.]+)px/.exec(element.getAttribute('style') ?? '')?.[1] ?? '0'),
      label: (element.querySelector('.label-name')?.textContent ?? element.getAttribute('aria-label')?.split(',')[0] ?? '').trim(),
    })),
  );
  return rows.sort((a, b) => a.top - b.top).map((row) => row.label);
}

/** Label of the suggest widget's focused (highlighted) row. */
export async function focusedSuggestion(page: Page): Promise<string | undefined> {
  const focused = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row.focused .label-name');
  return (await focused.count()) > 0 ? ((await focused.first().textContent()) ?? '').trim() : undefined;
}

/**
 * Moves the suggest widget's highlight to `label` with the arrow keys, re-reading the focus after
 * each key press (the list can be replaced by a late completion answer, which resets the focus).
 */
export async function focusSuggestion(page: Page, label: string, order: string[], timeoutMs = 15_000): Promise<void> {
  const target = order.indexOf(label);
  if (target < 0) throw new Error(`${label} is not among the suggestions ${order.join(', ')}`);
  let current: string | undefined;
  await waitFor(
    async () => {
      current = await focusedSuggestion(page);
      if (current === label) return true;
      const at = current === undefined ? -1 : order.indexOf(current);
      await page.keyboard.press(at > target ? 'ArrowUp' : 'ArrowDown');
      return false;
    },
    { timeoutMs, description: `suggestion ${label} highlighted`, detail: () => `highlighted: ${current ?? '(none)'}` },
  );
}

/**
 * Runs `label` from the open context menu with the keyboard: arrow keys until that item has the
 * focus, then Enter. Mouse clicks on a menu that has just opened are not reliably taken by the
 * workbench (seen with Chromium 156.0.8078.108: the item highlights, the click runs nothing), while
 * keyboard selection is what the menu always accepts.
 */
export async function chooseContextMenuItem(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  const menu = page.locator('.monaco-menu');
  await menu.first().waitFor({ state: 'visible', timeout: timeoutMs });
  const items = await menu.first().locator('.action-item:not(.disabled) .action-label').allInnerTexts();
  if (!items.some((text) => text.includes(label))) throw new Error(`the context menu has no "${label}": ${items.join(', ')}`);
  let focused = '';
  await waitFor(
    async () => {
      const current = menu.first().locator('.action-item.focused .action-label');
      focused = (await current.count()) > 0 ? (await current.first().innerText()).trim() : '';
      if (focused.includes(label)) return true;
      await page.keyboard.press('ArrowDown');
      return false;
    },
    { timeoutMs, description: `context menu item "${label}" focused`, detail: () => `focused: ${focused || '(none)'}; items: ${items.join(', ')}` },
  );
  await page.keyboard.press('Enter');
  await menu.first().waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Waits until the highlighted suggestion shows its detail text, i.e. the editor has resolved it. */
export async function waitForFocusedSuggestionDetail(page: Page, timeoutMs = 30_000): Promise<string> {
  const detail = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row.focused .details-label');
  return waitFor(
    async () => {
      const text = (await detail.count()) > 0 ? ((await detail.first().textContent()) ?? '').trim() : '';
      return text || undefined;
    },
    { timeoutMs, description: 'the highlighted suggestion resolved (its detail shown)' },
  );
}

/** Polls until the suggest widget shows rows that satisfy `accept`; returns their labels. */
export function waitForSuggestions(page: Page, accept: (labels: string[]) => boolean, description: string, timeoutMs = 30_000): Promise<string[]> {
  let last: string[] = [];
  return waitFor(
    async () => {
      last = await suggestLabels(page);
      return last.length > 0 && accept(last) ? last : undefined;
    },
    { timeoutMs, description, detail: () => `suggestions shown: ${last.join(', ') || '(none)'}` },
  );
}

/** Moves the keyboard cursor with Go to Line (Ctrl+G "line:column") and waits for the status bar to confirm. */
export async function goToLine(workbench: Workbench, line: number, column: number): Promise<void> {
  const { page } = workbench;
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  await workbench.waitForText('#status\\.editor\\.selection', `Ln ${line}, Col ${column}`);
}

/** Moves the mouse onto the middle of an element, as a person pointing at it. */
export async function pointAt(page: Page, target: Locator): Promise<void> {
  const box = await target.boundingBox();
  if (!box) throw new Error(`cannot point at ${String(target)}: not visible`);
  await page.mouse.move(box.x + Math.min(box.width / 2, 40), box.y + box.height / 2);
}

/** Parks the mouse over the editor's empty right margin so no hover or tooltip is left open. */
export async function parkMouse(page: Page): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  await page.mouse.move(viewport.width - 140, viewport.height - 60);
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest box around `boxes`, grown by `padding` and kept inside the viewport. */
export function unionBox(page: Page, boxes: Box[], padding = 12): Box {
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  const left = Math.max(0, Math.min(...boxes.map((b) => b.x)) - padding);
  const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - padding);
  const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b.x + b.width)) + padding);
  const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b.y + b.height)) + padding);
  return { x: Math.round(left), y: Math.round(top), width: Math.round(right - left), height: Math.round(bottom - top) };
}

/**
 * Waits until `target` has kept the same size and place over three polls 100 ms apart (widgets
 * such as the suggest details resize after their content renders) and returns that box.
 */
export async function waitForStableBox(target: Locator, description: string, timeoutMs = 10_000): Promise<Box> {
  let previous = '';
  let sameFor = 0;
  return waitFor(
    async () => {
      const box = await target.boundingBox();
      const key = JSON.stringify(box);
      sameFor = box && key === previous ? sameFor + 1 : 0;
      previous = key;
      return box && sameFor >= 2 ? box : undefined;
    },
    { timeoutMs, intervalMs: 100, description: `${description} kept moving or resizing`, detail: () => `last box: ${previous}` },
  );
}

/** The editor area's left edge as a box, so crops start at the line numbers instead of mid-line. */
export async function editorLeftEdge(page: Page, top: number): Promise<Box> {
  const editor = await boxOf(page.locator('.part.editor'));
  return { x: editor.x, y: top, width: 1, height: 1 };
}

export async function boxOf(target: Locator): Promise<Box> {
  const box = await target.boundingBox();
  if (!box) throw new Error(`${String(target)} is not visible`);
  return box;
}

/** Saves a cropped screenshot as test-results/<name>.png (the README's pictures are copied from these). */
export async function croppedScreenshot(workbench: Workbench, name: string, clip: Box): Promise<string> {
  const file = workbench.screenshotPath(name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await workbench.page.screenshot({ path: file, clip });
  return file;
}

/** The packaged extension (dist/apim-policy-studio.vsix); the UI suites never fall back to the harness's hello fixture. */
export function packagedExtension(): string[] {
  const vsix = realExtensionVsix();
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first (the UI tests use the packaged extension, never the harness's hello fixture)`);
  return [vsix];
}

/** Shows or hides the primary side bar with its palette command, as a person would. */
export async function setSideBarVisible(workbench: Workbench, visible: boolean): Promise<void> {
  const sideBar = workbench.page.locator('.part.sidebar');
  if ((await sideBar.isVisible()) === visible) return;
  await workbench.runCommand('View: Toggle Primary Side Bar Visibility');
  await waitFor(async () => (await sideBar.isVisible()) === visible, { timeoutMs: 10_000, description: `side bar ${visible ? 'shown' : 'hidden'}` });
}

/**
 * Selects `{{api-version-header}}` on line 6 of the demo's Orders API policy (`<value>{{api-version-header}}</value>`)
 * and types `{{` in its place, which opens the named value completion.
 */
export async function retypeNamedValueReference(workbench: Workbench): Promise<void> {
  const { page } = workbench;
  await goToLine(workbench, 6, 14);
  await page.keyboard.press('Shift+End');
  for (let i = 0; i < '</value>'.length; i++) await page.keyboard.press('Shift+ArrowLeft');
  await workbench.waitForText('#status\\.editor\\.selection', `(${'{{api-version-header}}'.length} selected)`);
  await page.keyboard.press('Delete');
  // The editor has the focus from Go to Line; typing goes to the cursor.
  await page.keyboard.type('{{');
}
