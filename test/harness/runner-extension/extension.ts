// The in-host test runner: a tiny extension activated at startup ('*'). When the harness has set
// APIM_TEST_SUITE / APIM_TEST_RESULTS / APIM_TEST_MOCHA / APIM_TEST_RUNNER in code-server's
// environment (which the extension host inherits), it loads the harness's compiled
// mochaInHost.js by absolute path and runs the suite there. Only this file goes into the .vsix.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import type { runMochaSuite as RunMochaSuite } from '../mochaInHost';

export function activate(): void {
  const suite = process.env.APIM_TEST_SUITE;
  const resultsPath = process.env.APIM_TEST_RESULTS;
  const mochaPath = process.env.APIM_TEST_MOCHA;
  const runnerModule = process.env.APIM_TEST_RUNNER;
  if (!suite || !resultsPath || !mochaPath || !runnerModule) return;
  // A reloaded window restarts the extension host: the suite runs once per harness run.
  if (fs.existsSync(resultsPath) || fs.existsSync(`${resultsPath}.progress`)) return;
  fs.writeFileSync(`${resultsPath}.progress`, `${new Date().toISOString()} runner activated in pid ${process.pid}, VS Code ${vscode.version}\n`);
  void (async () => {
    const loadModule = createRequire(__filename);
    const { runMochaSuite } = loadModule(runnerModule) as { runMochaSuite: typeof RunMochaSuite };
    const timeoutMs = Number(process.env.APIM_TEST_TIMEOUT ?? '') || undefined;
    await runMochaSuite({ suite, mochaPath, resultsPath, timeoutMs, grep: process.env.APIM_TEST_GREP || undefined, vscodeVersion: vscode.version });
  })().catch((error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const report = { passed: 0, failed: 0, pending: 0, durationMs: 0, tests: [], output: [`fatal: ${message}`], files: [], fatalError: message, host: { vscodeVersion: vscode.version, node: process.version, pid: process.pid } };
    fs.writeFileSync(resultsPath, JSON.stringify(report, null, 2) + '\n');
  });
}

export function deactivate(): void {
  // Nothing to release: the harness stops the whole code-server process group.
}
