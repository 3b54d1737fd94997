// The in-host suites under real desktop VS Code via @vscode/test-electron. It downloads VS Code
// from Microsoft, so it only works where that service is reachable (not on this project's
// machines or CI, which reach only npm and Debian): there it fails fast with a clear message
// instead of hanging. Needs an X display on Linux (e.g. `xvfb-run -a`).
//
// `runElectronSuite()` is what test/integration/run.ts (`--host electron`, i.e. `npm run
// test:electron`) calls after starting the emulator and preparing the workspace; running this
// file directly (`node out/test/harness/electron.js [--suite …]`) runs a suite that needs nothing
// but an editor, in the harness's fixture workspace.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { VSCODE_VERSION, harnessOutDir, harnessSourceDir, mochaPackagePath, repoRoot, testResultsDir } from './paths';
import { FIXTURE_EXTENSION_ID, REAL_EXTENSION_ID } from './vsix';
import { formatSeconds, withTimeout } from './wait';
import { argument, runMain } from './cli';

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|getaddrinfo|socket hang up|timed? ?out|Failed to get|download/i;

export interface ElectronSuiteOptions {
  /** Compiled suite: a folder (every *.test.js below it), a file, or a glob. */
  suite: string;
  /** Folder holding the extension's package.json and its built code (dist/). */
  extensionDevelopmentPath: string;
  extensionId: string;
  /** Opened as is (copy it first if tests may change it). */
  workspaceFolder: string;
  /** Extra environment for VS Code and so for the extension host and the tests. */
  env?: Record<string, string>;
  /** mocha's per-test timeout inside the host. */
  mochaTimeoutMs?: number;
  grep?: string;
  /** Deadline for the whole run including the download (default 15 min, or APIM_ELECTRON_TIMEOUT ms). */
  timeoutMs?: number;
}

export interface ElectronSuiteResult {
  /** VS Code's exit code (0 = every test passed), 1 when it could not run. */
  exitCode: number;
  /** The JSON report (mochaInHost's SuiteResults), when the suite got to run. */
  resultsPath: string;
}

/** Runs the suite in desktop VS Code; never rejects (failures are reported and give a non-zero exit code). */
export async function runElectronSuite(options: ElectronSuiteOptions): Promise<ElectronSuiteResult> {
  const started = Date.now();
  const suite = path.resolve(options.suite);
  const resultsPath = path.join(testResultsDir(), `electron-${path.basename(suite)}.json`);
  fs.rmSync(resultsPath, { force: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-electron-'));
  const timeoutMs = options.timeoutMs ?? (Number(process.env.APIM_ELECTRON_TIMEOUT) || 15 * 60_000);
  console.log(`test-electron: VS Code ${VSCODE_VERSION}, extension ${options.extensionId} from ${options.extensionDevelopmentPath}, suite ${suite}`);
  try {
    const exitCode = await withTimeout(
      runTests({
        version: VSCODE_VERSION,
        // Idle timeout of the VS Code download: an unreachable service fails within it.
        timeout: 30_000,
        extensionDevelopmentPath: options.extensionDevelopmentPath,
        extensionTestsPath: path.join(harnessOutDir(), 'electronIndex.js'),
        extensionTestsEnv: {
          ...options.env,
          APIM_TEST_SUITE: suite,
          APIM_TEST_MOCHA: mochaPackagePath(),
          APIM_TEST_RESULTS: resultsPath,
          APIM_EXTENSION_ID: options.extensionId,
          ...(options.mochaTimeoutMs ? { APIM_TEST_TIMEOUT: String(options.mochaTimeoutMs) } : {}),
          ...(options.grep ? { APIM_TEST_GREP: options.grep } : {}),
        },
        launchArgs: [
          options.workspaceFolder,
          '--disable-extensions',
          '--disable-workspace-trust',
          '--skip-welcome',
          '--skip-release-notes',
          '--user-data-dir',
          path.join(scratch, 'user-data'),
        ],
      }),
      timeoutMs,
      'test-electron run',
    );
    console.log(`test-electron finished with exit code ${exitCode} after ${formatSeconds(Date.now() - started)}`);
    return { exitCode, resultsPath };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (NETWORK_ERROR.test(message)) {
      console.error(
        `test-electron could not get VS Code ${VSCODE_VERSION}: ${message}\n` +
          `@vscode/test-electron downloads VS Code from Microsoft's update service, which this machine cannot reach ` +
          `(only the npm registry and Debian packages are). Run the same suite in code-server instead: npm run test:integration`,
      );
    } else {
      console.error(`test-electron failed: ${message}${process.platform === 'linux' && !process.env.DISPLAY ? '\n(no DISPLAY: on Linux run it under xvfb-run -a)' : ''}`);
    }
    return { exitCode: 1, resultsPath };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The real extension when it has been built (dist/client.js), else the hello fixture folder. */
function extensionDevelopmentPath(): { folder: string; id: string } {
  if (fs.existsSync(path.join(repoRoot(), 'dist', 'client.js'))) return { folder: repoRoot(), id: REAL_EXTENSION_ID };
  return { folder: path.join(harnessSourceDir(), 'fixtures', 'hello-extension'), id: FIXTURE_EXTENSION_ID };
}

async function main(): Promise<number> {
  const suite = argument('--suite');
  if (!suite) {
    console.error('usage: node out/test/harness/electron.js --suite <compiled dir|file|glob>\n(the integration suites need their emulator: npm run test:electron runs them through test/integration/run.js --host electron)');
    return 2;
  }
  const extension = extensionDevelopmentPath();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-electron-workspace-'));
  const workspace = path.join(scratch, 'workspace');
  fs.cpSync(path.join(harnessSourceDir(), 'fixtures', 'workspace'), workspace, { recursive: true });
  try {
    return (await runElectronSuite({ suite, extensionDevelopmentPath: extension.folder, extensionId: extension.id, workspaceFolder: workspace })).exitCode;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  // Exit explicitly: a failed download can leave a socket that would keep Node alive.
  runMain(main);
}
