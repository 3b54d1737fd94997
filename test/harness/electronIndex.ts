// extensionTestsPath for @vscode/test-electron: VS Code (Electron) loads this module in its
// extension host and awaits run(). It runs the same suite, the same way, as the code-server
// runner extension (mochaInHost.ts); the suite and mocha come from the environment.
import * as vscode from 'vscode';
import { runMochaSuite } from './mochaInHost';

export async function run(): Promise<void> {
  const suite = process.env.APIM_TEST_SUITE;
  const mochaPath = process.env.APIM_TEST_MOCHA;
  if (!suite || !mochaPath) throw new Error('electronIndex: APIM_TEST_SUITE and APIM_TEST_MOCHA must be set (test/harness/electron.ts sets them)');
  const results = await runMochaSuite({
    suite,
    mochaPath,
    resultsPath: process.env.APIM_TEST_RESULTS || undefined,
    timeoutMs: Number(process.env.APIM_TEST_TIMEOUT ?? '') || undefined,
    grep: process.env.APIM_TEST_GREP || undefined,
    vscodeVersion: vscode.version,
  });
  // The extension host's console reaches the terminal that ran test-electron.
  console.log(results.output.join('\n'));
  if (results.fatalError) throw new Error(`suite could not run: ${results.fatalError}`);
  if (results.failed > 0) throw new Error(`${results.failed} of ${results.passed + results.failed} test(s) failed`);
}
