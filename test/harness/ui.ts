// Drives the code-server workbench in Debian's Chromium through playwright-core. Every wait polls
// a condition with a deadline; screenshots land in test-results/<name>.png.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { removeOnExit } from './processes';
import { CHROMIUM_PATH, safeFileName, testResultsDir } from './paths';
import { waitFor, withTimeout } from './wait';

/** Flags that keep Debian's Chromium from phoning home or needing a GPU/sandbox in a container. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // No crashpad handler processes or crash database under ~/.config/chromium.
  '--disable-crash-reporter',
  '--disable-breakpad',
];

export const DEFAULT_UI_TIMEOUT_MS = 30_000;

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  profileDir: string;
  /** Closes Chromium and removes its profile; idempotent. */
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh profile. APIM_UI_HEADED=1 shows the window (needs an X display,
 * e.g. `xvfb-run -a`); APIM_UI_SLOWMO=<ms> slows every action down for watching.
 */
export async function launchBrowser(options: { headed?: boolean; viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`node out/test/harness/provision.js\` (apt-get install chromium)`);
  const headed = options.headed ?? process.env.APIM_UI_HEADED === '1';
  if (headed && !process.env.DISPLAY) throw new Error('APIM_UI_HEADED=1 needs an X display: set DISPLAY or run under `xvfb-run -a`');
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-chromium-'));
  const forgetProfileDir = removeOnExit(profileDir);
  const context = await withTimeout(
    chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: !headed,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      slowMo: Number(process.env.APIM_UI_SLOWMO) || undefined,
      // The workbench relays the extension host's vscode.env.clipboard to the page's Clipboard API;
      // without the grant, readText() waits forever on a permission prompt nobody answers.
      permissions: ['clipboard-read', 'clipboard-write'],
      // Chromium puts its crash database and caches under the XDG dirs: keep them in the scratch profile.
      env: { ...process.env, XDG_CONFIG_HOME: path.join(profileDir, 'xdg-config'), XDG_CACHE_HOME: path.join(profileDir, 'xdg-cache') },
      timeout: 60_000,
    }),
    90_000,
    `launching ${CHROMIUM_PATH}`,
  );
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(DEFAULT_UI_TIMEOUT_MS);
  let closing: Promise<void> | undefined;
  return {
    context,
    page,
    profileDir,
    close() {
      closing ??= (async () => {
        await withTimeout(context.close(), 30_000, 'closing Chromium').catch(() => undefined);
        fs.rmSync(profileDir, { recursive: true, force: true });
        forgetProfileDir();
      })();
      return closing;
    },
  };
}

export interface OpenWorkbenchOptions {
  /** Names screenshots; usually the test's title. */
  testName: string;
  /** Folder to open (default: the server's workspace folder). */
  folder?: string;
  headed?: boolean;
  /** Deadline for the workbench to render (default 90 s). */
  timeoutMs?: number;
}

/** Opens the workbench in a fresh Chromium and waits until its parts have rendered. */
export async function openWorkbench(server: CodeServer, options: OpenWorkbenchOptions): Promise<Workbench> {
  const browser = await launchBrowser({ headed: options.headed });
  const workbench = new Workbench(server, browser, options.testName);
  try {
    await workbench.page.goto(server.workbenchUrl(options.folder), { timeout: 60_000 });
    await workbench.waitUntilReady(options.timeoutMs ?? 90_000, options.folder ?? server.workspaceFolder);
  } catch (error) {
    await workbench.screenshot(`${options.testName}-workbench-not-ready`).catch(() => undefined);
    await browser.close();
    throw error;
  }
  return workbench;
}

export class Workbench {
  readonly page: Page;
  /** Console errors of the workbench page, for diagnosing failures. */
  readonly consoleErrors: string[] = [];

  constructor(
    readonly server: CodeServer,
    readonly browser: BrowserSession,
    public testName: string,
  ) {
    this.page = browser.page;
    this.page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
  }

  /** Waits for the activity bar, editor area and status bar, and for the folder's explorer tree when a folder is open. */
  async waitUntilReady(timeoutMs: number, folder?: string): Promise<void> {
    const parts = ['.monaco-workbench .part.activitybar', '.monaco-workbench .part.editor', '.monaco-workbench .part.statusbar'];
    await waitFor(
      async () => {
        for (const selector of parts) if (!(await this.page.locator(selector).first().isVisible())) return false;
        // The explorer lists the folder only once the remote file system answers.
        if (folder) return (await this.page.locator('.explorer-folders-view .monaco-list-row').count()) > 0;
        return true;
      },
      {
        timeoutMs,
        intervalMs: 200,
        description: `workbench at ${this.server.workbenchUrl(folder)} did not render`,
        detail: () => `code-server log: ${this.server.logFile}\nconsole errors:\n${this.consoleErrors.slice(-5).join('\n')}`,
      },
    );
  }

  /** The visible quick input (command palette / quick open) text box. */
  private quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  private async waitForQuickInputClosed(timeoutMs: number): Promise<void> {
    await waitFor(async () => !(await this.page.locator('.quick-input-widget').isVisible()), { timeoutMs, description: 'quick input did not close' });
  }

  /**
   * Runs a command by its palette title (e.g. "View: Toggle Status Bar Visibility"): F1, type,
   * wait until a row with exactly that label shows, select it.
   */
  async runCommand(title: string, timeoutMs = DEFAULT_UI_TIMEOUT_MS): Promise<void> {
    await this.startCommand(title, timeoutMs);
    await this.waitForQuickInputClosed(timeoutMs);
  }

  /**
   * Starts a command whose own quick pick follows (for example a picker flow): like
   * `runCommand`, but returns once the command is chosen instead of waiting for the
   * quick input to close.
   */
  async startCommand(title: string, timeoutMs = DEFAULT_UI_TIMEOUT_MS): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.quickInput();
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(`>${title}`);
    const row = await this.waitForQuickPickRow((label) => label === title, `command "${title}" in the command palette`, timeoutMs);
    await row.click();
  }

  /** Waits for a quick pick row whose label (and description) match, then picks it. */
  async pickQuickPickItem(matches: (label: string, description: string) => boolean, what: string, timeoutMs = DEFAULT_UI_TIMEOUT_MS): Promise<void> {
    const row = await this.waitForQuickPickRow(matches, what, timeoutMs);
    await row.click();
  }

  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab to be active. */
  async openFile(relativePath: string, timeoutMs = DEFAULT_UI_TIMEOUT_MS): Promise<void> {
    const fileName = path.basename(relativePath);
    const folder = path.dirname(relativePath) === '.' ? '' : path.dirname(relativePath);
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+P');
    const input = this.quickInput();
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(relativePath);
    // Rows read "<file name>" with the folder as description; search results arrive asynchronously.
    const row = await this.waitForQuickPickRow(
      (label, description) => label === fileName && (folder === '' || description.replace(/\\/g, '/').endsWith(folder)),
      `"${relativePath}" in Quick Open`,
      timeoutMs,
    );
    await row.click();
    await this.waitForQuickInputClosed(timeoutMs);
    await this.waitForActiveTab(fileName, timeoutMs);
  }

  /** Waits until the active editor tab shows `fileName` (e.g. "Untitled-1" after "File: New Untitled Text File"). */
  async waitForActiveTab(fileName: string, timeoutMs = DEFAULT_UI_TIMEOUT_MS): Promise<void> {
    let activeTab: string | undefined;
    await waitFor(async () => (activeTab = await this.activeTabLabel()) === fileName, {
      timeoutMs,
      description: `editor tab "${fileName}" did not become active`,
      detail: () => `active tab: ${activeTab ?? '(none)'}`,
    });
  }

  private async waitForQuickPickRow(matches: (label: string, description: string) => boolean, what: string, timeoutMs: number): Promise<Locator> {
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    let seen: string[] = [];
    return waitFor(
      async () => {
        // One DOM read per poll: Playwright's per-element getters would wait for absent descriptions.
        const entries = await rows.evaluateAll((elements) =>
          elements.map((element) => ({
            label: (element.querySelector('.label-name')?.textContent ?? '').trim(),
            description: (element.querySelector('.label-description')?.textContent ?? '').trim(),
          })),
        );
        seen = entries.map((entry) => (entry.description ? `${entry.label} (${entry.description})` : entry.label));
        const entry = entries.find((e) => matches(e.label, e.description));
        if (!entry) return undefined;
        // By its label and description, not its index: the list may re-render (items arriving while it loads) before
        // the click, and rows may share a label (every APIOps policy is a policy.xml).
        let row = rows.filter({ has: this.page.locator('.label-name').getByText(entry.label, { exact: true }) });
        if (entry.description) row = row.filter({ has: this.page.locator('.label-description').getByText(entry.description, { exact: true }) });
        return row.first();
      },
      { timeoutMs, intervalMs: 100, description: `${what} did not show`, detail: () => `rows shown: ${seen.join(' | ') || '(none)'}` },
    );
  }

  /** The file name of the active editor tab (e.g. "sample.policy.xml", "Untitled-1"), or undefined. */
  async activeTabLabel(): Promise<string | undefined> {
    const tab = this.page.locator('.editor-group-container.active .tab.active').first();
    if ((await tab.count()) === 0) return undefined;
    return (await tab.getAttribute('data-resource-name', { timeout: 1000 })) ?? undefined;
  }

  /** The active editor (Monaco) in the active editor group. */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Focuses the active editor and types `text` at the cursor (keyboard events, like a person). */
  async typeInEditor(text: string, timeoutMs = DEFAULT_UI_TIMEOUT_MS): Promise<void> {
    const editor = this.activeEditor();
    await editor.waitFor({ state: 'visible', timeout: timeoutMs });
    await waitFor(
      async () => {
        if (await editor.evaluate((node) => node.classList.contains('focused'))) return true;
        // Short click timeout: a covering widget should cost one poll, not the whole deadline.
        await editor.locator('.view-lines').click({ timeout: 2000 });
        return false;
      },
      { timeoutMs, description: 'the active editor did not take focus' },
    );
    await this.page.keyboard.type(text);
  }

  /** Text of the active editor's rendered lines (only what is scrolled into view). */
  async editorText(): Promise<string> {
    const text = (await this.activeEditor().locator('.view-lines').innerText()) ?? '';
    return text.replace(/\u00a0/g, ' ');
  }

  /** Polls `locator`'s text until it contains `expected` (string or RegExp). */
  async waitForText(locator: Locator | string, expected: string | RegExp, timeoutMs = DEFAULT_UI_TIMEOUT_MS): Promise<string> {
    const target = typeof locator === 'string' ? this.page.locator(locator) : locator;
    let last = '';
    return waitFor(
      async () => {
        const texts = await target.allInnerTexts();
        last = texts.join('\n').replace(/\u00a0/g, ' ');
        const found = typeof expected === 'string' ? last.includes(expected) : expected.test(last);
        return found ? last : undefined;
      },
      { timeoutMs, intervalMs: 100, description: `text ${String(expected)} did not appear in ${String(target)}`, detail: () => `last text: ${JSON.stringify(last.slice(0, 500))}` },
    );
  }

  /** Texts of the notification toasts currently shown. */
  async notificationTexts(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-toast').allInnerTexts()).map((text) => text.trim());
  }

  /** Dismisses every notification (they can cover editors and the status bar). */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  screenshotPath(name: string): string {
    return path.join(testResultsDir(), `${safeFileName(name)}.png`);
  }

  /** Saves test-results/<name>.png and returns its path. */
  async screenshot(name = this.testName): Promise<string> {
    const file = this.screenshotPath(name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file, timeout: 30_000 });
    return file;
  }

  /** Closes the browser (the server is the caller's to stop). */
  async close(): Promise<void> {
    await this.browser.close();
  }
}
