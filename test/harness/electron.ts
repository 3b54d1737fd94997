// `npm run test:electron`: the in-host suites under real desktop VS Code via @vscode/test-electron.
// It downloads VS Code from Microsoft, so it only works where that service is reachable (not on
// this project's machines or CI, which reach only npm and Debian): there it fails fast with a
// clear message instead of hanging. Needs an X display on Linux (e.g. `xvfb-run -a`).
// Usage: node out/test/harness/electron.js [--suite <compiled dir|file|glob>]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { VSCODE_VERSION, harnessOutDir, harnessSourceDir, mochaPackagePath, repoRoot, testResultsDir } from './paths';
import { FIXTURE_EXTENSION_ID, REAL_EXTENSION_ID } from './vsix';
import { formatSeconds, withTimeout } from './wait';

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|getaddrinfo|socket hang up|timed? ?out|Failed to get|download/i;

/** The real extension when it has been built (dist/client.js), else the hello fixture folder. */
function extensionDevelopmentPath(): { folder: string; id: string } {
  if (fs.existsSync(path.join(repoRoot(), 'dist', 'client.js'))) return { folder: repoRoot(), id: REAL_EXTENSION_ID };
  return { folder: path.join(harnessSourceDir(), 'fixtures', 'hello-extension'), id: FIXTURE_EXTENSION_ID };
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<number> {
  const started = Date.now();
  const suite = path.resolve(argument('--suite') ?? path.join(repoRoot(), 'out', 'test', 'integration'));
  const extension = extensionDevelopmentPath();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-electron-'));
  const workspace = path.join(scratch, 'workspace');
  fs.cpSync(path.join(harnessSourceDir(), 'fixtures', 'workspace'), workspace, { recursive: true });
  const timeoutMs = Number(process.env.APIM_ELECTRON_TIMEOUT) || 15 * 60_000;
  console.log(`test-electron: VS Code ${VSCODE_VERSION}, extension ${extension.id} from ${extension.folder}, suite ${suite}`);
  try {
    const exitCode = await withTimeout(
      runTests({
        version: VSCODE_VERSION,
        // Idle timeout of the VS Code download: an unreachable service fails within it.
        timeout: 30_000,
        extensionDevelopmentPath: extension.folder,
        extensionTestsPath: path.join(harnessOutDir(), 'electronIndex.js'),
        extensionTestsEnv: {
          APIM_TEST_SUITE: suite,
          APIM_TEST_MOCHA: mochaPackagePath(),
          APIM_TEST_RESULTS: path.join(testResultsDir(), `electron-${path.basename(suite)}.json`),
          APIM_EXTENSION_ID: extension.id,
        },
        launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(scratch, 'user-data')],
      }),
      timeoutMs,
      'test-electron run',
    );
    console.log(`test-electron finished with exit code ${exitCode} after ${formatSeconds(Date.now() - started)}`);
    return exitCode;
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
    return 1;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

// Exit explicitly: a failed download can leave a socket that would keep Node alive.
main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
