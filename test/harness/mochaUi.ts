// Mocha glue for UI suites: one code-server + Chromium per `describe`, a screenshot of every
// failing test (test-results/<full title>-failure.png), and everything stopped in `after`
// (the run dir is kept when a test failed).
import type { Context } from 'mocha';
import { startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { openWorkbench, type Workbench } from './ui';
import { formatSeconds } from './wait';

export interface WorkbenchSuiteOptions extends Omit<CodeServerOptions, 'vsixPaths'> {
  /** Extensions to install; a function so packaging happens inside `before` (with its timeout). */
  vsixPaths?: () => Promise<string[]> | string[];
  /** Deadline for code-server + Chromium + workbench together (default 180 s). */
  setupTimeoutMs?: number;
}

export interface WorkbenchFixture {
  readonly server: CodeServer;
  readonly workbench: Workbench;
}

/** Call inside `describe`: registers before/beforeEach/afterEach/after hooks and returns live handles. */
export function useWorkbench(options: WorkbenchSuiteOptions = {}): WorkbenchFixture {
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let anyFailed = false;

  before(async function (this: Context) {
    this.timeout(options.setupTimeoutMs ?? 180_000);
    const suiteTitle = this.test?.parent?.fullTitle() ?? 'ui';
    const { vsixPaths, setupTimeoutMs: _setup, ...serverOptions } = options;
    const started = Date.now();
    const extensions = vsixPaths ? await vsixPaths() : [];
    server = await startCodeServer({ ...serverOptions, vsixPaths: extensions });
    const serverMs = Date.now() - started;
    try {
      workbench = await openWorkbench(server, { testName: suiteTitle });
    } catch (error) {
      anyFailed = true;
      throw error;
    }
    if (process.env.APIM_UI_TIMINGS !== '0') {
      console.log(`      [ui] code-server answered after ${formatSeconds(serverMs)}, workbench ready after ${formatSeconds(Date.now() - started)}`);
    }
  });

  beforeEach(function (this: Context) {
    if (workbench && this.currentTest) workbench.testName = this.currentTest.fullTitle();
  });

  afterEach(async function (this: Context) {
    if (this.currentTest?.state !== 'failed') return;
    anyFailed = true;
    if (!workbench) return;
    const file = await workbench.screenshot(`${this.currentTest.fullTitle()}-failure`).catch((error: unknown) => `(screenshot failed: ${String(error)})`);
    console.log(`      failure screenshot: ${file}`);
  });

  after(async function (this: Context) {
    this.timeout(60_000);
    await workbench?.close();
    await server?.stop({ keepRunDir: anyFailed });
    if (anyFailed && server) console.log(`      run dir kept for debugging: ${server.runDir} (code-server log: ${server.logFile})`);
  });

  return {
    get server() {
      if (!server) throw new Error('useWorkbench: code-server is not running (the before hook failed or has not run)');
      return server;
    },
    get workbench() {
      if (!workbench) throw new Error('useWorkbench: the workbench is not open (the before hook failed or has not run)');
      return workbench;
    },
  };
}
