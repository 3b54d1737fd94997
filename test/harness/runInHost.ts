// Runs a compiled mocha suite inside code-server's extension host: installs the runner extension
// next to the extensions under test, points it at the suite through the environment, opens the
// workbench in headless Chromium (the extension host only starts when a client connects), and
// polls for the JSON report the runner writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCodeServer, type CodeServer } from './codeServer';
import type { SuiteResults } from './mochaInHost';
import { harnessOutDir, mochaPackagePath, safeFileName, testResultsDir } from './paths';
import { tailOfFile } from './processes';
import { launchBrowser, type BrowserSession } from './ui';
import { runnerExtensionVsix } from './vsix';
import { AbortWait, formatSeconds, waitFor } from './wait';

export interface InHostSuiteOptions {
  /** Extensions under test (.vsix); the runner extension is added by the harness. */
  vsixPaths?: string[];
  /** Compiled suite: a folder (every *.test.js below it), a file, or a glob. */
  suiteDir: string;
  workspaceFolder?: string;
  /** Copy the workspace folder into the run dir first (default true: tests may change files). */
  copyWorkspace?: boolean;
  userSettings?: Record<string, unknown>;
  /** Environment for code-server and so for the extension host and the tests. */
  env?: Record<string, string>;
  /** Deadline for the whole run, from start to report (default 5 min, or APIM_IN_HOST_TIMEOUT ms). */
  timeoutMs?: number;
  /** mocha's per-test timeout inside the host (default 20 s). */
  mochaTimeoutMs?: number;
  grep?: string;
  /** Print the mocha output and timings (default true). */
  print?: boolean;
}

export interface InHostSuiteResult {
  passed: number;
  failed: number;
  results: SuiteResults;
  resultsPath: string;
  /** Kept (with logs) when the run failed; removed otherwise unless APIM_KEEP_RUN_DIR=1. */
  runDir: string;
  /** Milliseconds from the start of runInHostSuite to each milestone. */
  timings: { codeServerMs: number; browserMs: number; runnerActivatedMs?: number; untilResultsMs: number; totalMs: number };
}

function exthostLogs(server: CodeServer): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'remoteexthost.log') found.push(full);
    }
  };
  walk(server.logsDir);
  return found;
}

/** The runner's last progress lines (which test was running), for failure messages. */
function runnerProgress(resultsPath: string): string {
  const progressFile = `${resultsPath}.progress`;
  return fs.existsSync(progressFile)
    ? `runner progress (${progressFile}):\n${tailOfFile(progressFile, 10)}`
    : 'the runner extension never activated (no progress file): the extension host did not start or did not load it';
}

/** When the runner extension activated (first progress line), relative to `since`. */
function activationTime(progressFile: string, since: number): number | undefined {
  const firstLine = tailOfFile(progressFile, 1000).split('\n').find((line) => line.includes('runner activated'));
  const stamp = firstLine ? Date.parse(firstLine.split(' ')[0]) : NaN;
  return Number.isNaN(stamp) ? undefined : stamp - since;
}

export async function runInHostSuite(options: InHostSuiteOptions): Promise<InHostSuiteResult> {
  const print = options.print ?? true;
  const started = Date.now();
  const suite = path.resolve(options.suiteDir);
  const resultsPath = path.join(testResultsDir(), `in-host-${safeFileName(path.basename(suite))}.json`);
  fs.mkdirSync(path.dirname(resultsPath), { recursive: true });
  fs.rmSync(resultsPath, { force: true });
  fs.rmSync(`${resultsPath}.progress`, { force: true });
  const timeoutMs = options.timeoutMs ?? (Number(process.env.APIM_IN_HOST_TIMEOUT) || 5 * 60_000);

  const runnerVsix = await runnerExtensionVsix();
  const server = await startCodeServer({
    vsixPaths: [runnerVsix, ...(options.vsixPaths ?? [])],
    workspaceFolder: options.workspaceFolder,
    copyWorkspace: options.copyWorkspace ?? true,
    userSettings: options.userSettings,
    env: {
      ...options.env,
      APIM_TEST_SUITE: suite,
      APIM_TEST_RESULTS: resultsPath,
      APIM_TEST_MOCHA: mochaPackagePath(),
      APIM_TEST_RUNNER: path.join(harnessOutDir(), 'mochaInHost.js'),
      ...(options.mochaTimeoutMs ? { APIM_TEST_TIMEOUT: String(options.mochaTimeoutMs) } : {}),
      ...(options.grep ? { APIM_TEST_GREP: options.grep } : {}),
    },
  });
  const codeServerMs = Date.now() - started;
  let browser: BrowserSession | undefined;
  let succeeded = false;
  try {
    browser = await launchBrowser();
    const browserMs = Date.now() - started;
    const page = browser.page;
    let pageCrashed = false;
    page.on('crash', () => (pageCrashed = true));
    await page.goto(server.workbenchUrl(), { timeout: 60_000 });
    const remaining = timeoutMs - (Date.now() - started);
    await waitFor(
      () => {
        if (fs.existsSync(resultsPath)) return true;
        if (pageCrashed) throw new AbortWait(`in-host suite ${suite}: the workbench page crashed`);
        const exit = /Extension Host Process exited with code: [^\n]*/.exec(tailOfFile(server.logFile, 200));
        if (exit) throw new AbortWait(`in-host suite ${suite}: the extension host died before reporting (${exit[0]})\n${runnerProgress(resultsPath)}\ncode-server log: ${server.logFile}`);
        return false;
      },
      {
        timeoutMs: Math.max(remaining, 1000),
        intervalMs: 200,
        description: `in-host suite ${suite} did not report`,
        detail: () => {
          const logs = exthostLogs(server);
          return `${runnerProgress(resultsPath)}\nextension host log: ${logs.join(', ') || '(none yet)'}\n${logs[0] ? tailOfFile(logs[0], 15) : ''}\ncode-server log: ${server.logFile}`;
        },
      },
    );
    const untilResultsMs = Date.now() - started;
    const results = JSON.parse(fs.readFileSync(resultsPath, 'utf8')) as SuiteResults;
    const runnerActivatedMs = activationTime(`${resultsPath}.progress`, started);
    if (print) {
      console.log(results.output.map((line) => `    ${line}`).join('\n'));
      console.log(
        `    [in-host] VS Code ${results.host.vscodeVersion ?? '?'} (Node ${results.host.node}): code-server answered at ${formatSeconds(codeServerMs)}, ` +
          `Chromium up at ${formatSeconds(browserMs)}, runner activated at ${runnerActivatedMs === undefined ? '?' : formatSeconds(runnerActivatedMs)}, report at ${formatSeconds(untilResultsMs)}`,
      );
    }
    if (results.fatalError) throw new Error(`in-host suite ${suite} could not run: ${results.fatalError}`);
    succeeded = results.failed === 0;
    return {
      passed: results.passed,
      failed: results.failed,
      results,
      resultsPath,
      runDir: server.runDir,
      timings: { codeServerMs, browserMs, runnerActivatedMs, untilResultsMs, totalMs: Date.now() - started },
    };
  } finally {
    await browser?.close();
    await server.stop({ keepRunDir: !succeeded });
    if (!succeeded && print) console.log(`    [in-host] run dir kept for debugging: ${server.runDir}`);
  }
}
