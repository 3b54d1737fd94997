// Driver of the in-host integration suites (`npm run test:integration`, `npm run test:electron`):
//
//   node out/test/integration/run.js [--host code-server|electron] [--suite <compiled dir|file|glob>] [--grep <re>]
//
// It starts the local ARM emulator in this process (the demo instance, plus a second one with
// 10,000 extra named values), copies demo/workspace with a .vscode/settings.json that points the
// extension at the emulator through its ordinary settings, and runs the suites inside the
// extension host of
//   - code-server (default): the packaged extension, dist/apim-policy-studio.vsix from
//     `npm run package`, installed into a fresh profile (no fallback to the harness's hello fixture);
//   - desktop VS Code via @vscode/test-electron (`--host electron`): the built extension folder
//     (dist/client.js from `npm run build`); needs Microsoft's download service and a display.
// The service principal's secret reaches the editor only through its environment. Everything
// started here is stopped before exiting; the exit code is non-zero on any failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runElectronSuite } from '../harness/electron';
import type { SuiteResults } from '../harness/mochaInHost';
import { provision } from '../harness/provision';
import { realExtensionVsix, repoRoot } from '../harness/paths';
import { runInHostSuite } from '../harness/runInHost';
import { formatSeconds } from '../harness/wait';
import { startIntegrationEnvironment, type IntegrationEnvironment } from './environment';
import { REAL_EXTENSION_ID } from './support/envNames';
import { argument, runMain } from '../harness/cli';

type Host = 'code-server' | 'electron';

/** Per-test deadline inside the host: loading 10,000 named values on a busy 2-core machine takes seconds. */
const MOCHA_TIMEOUT_MS = 60_000;

function parseHost(): Host {
  const host = argument('--host') ?? 'code-server';
  if (host !== 'code-server' && host !== 'electron') throw new Error(`--host must be code-server or electron, not "${host}"`);
  return host;
}

async function runInCodeServer(environment: IntegrationEnvironment, suiteDir: string, grep: string | undefined): Promise<{ passed: number; failed: number }> {
  const vsix = realExtensionVsix();
  const result = await runInHostSuite({
    suiteDir,
    vsixPaths: [vsix],
    workspaceFolder: environment.workspaceFolder,
    // The copy is already a scratch folder owned by this run.
    copyWorkspace: false,
    env: environment.env,
    mochaTimeoutMs: MOCHA_TIMEOUT_MS,
    timeoutMs: Number(process.env.APIM_IN_HOST_TIMEOUT) || 10 * 60_000,
    grep,
  });
  console.log(
    `code-server answered at ${formatSeconds(result.timings.codeServerMs)}, suite reported at ${formatSeconds(result.timings.untilResultsMs)} ` +
      `(mocha itself ${formatSeconds(result.results.durationMs)})`,
  );
  return { passed: result.passed, failed: result.failed };
}

async function main(): Promise<number> {
  const started = Date.now();
  const host = parseHost();
  const suiteDir = path.resolve(argument('--suite') ?? __dirname);
  const grep = argument('--grep');

  if (host === 'code-server') {
    if (!fs.existsSync(realExtensionVsix())) {
      throw new Error(`${realExtensionVsix()} does not exist: run \`npm run package\` first (the in-host suites test the packaged extension, never the harness's hello fixture)`);
    }
    const provisioned = await provision();
    console.log(`provisioning checked in ${formatSeconds(provisioned.totalMs)}`);
  } else if (!fs.existsSync(path.join(repoRoot(), 'dist', 'client.js'))) {
    throw new Error(`${path.join(repoRoot(), 'dist', 'client.js')} does not exist: run \`npm run build\` first`);
  }

  const environment = await startIntegrationEnvironment({ bigInstance: true });
  console.log(`emulators at ${environment.emulator.url} (demo instance) and ${environment.bigEmulator?.url} (10,000 more named values); workspace ${environment.workspaceFolder}`);
  let outcome: { passed: number; failed: number };
  try {
    if (host === 'code-server') {
      outcome = await runInCodeServer(environment, suiteDir, grep);
    } else {
      const { exitCode, resultsPath } = await runElectronSuite({
        suite: suiteDir,
        extensionDevelopmentPath: repoRoot(),
        extensionId: REAL_EXTENSION_ID,
        workspaceFolder: environment.workspaceFolder,
        env: environment.env,
        mochaTimeoutMs: MOCHA_TIMEOUT_MS,
        grep,
      });
      // The Electron entry prints mocha's lines itself; the counts come from its report.
      const report = fs.existsSync(resultsPath) ? (JSON.parse(fs.readFileSync(resultsPath, 'utf8')) as SuiteResults) : undefined;
      outcome = { passed: report?.passed ?? 0, failed: exitCode === 0 ? (report?.failed ?? 0) : Math.max(report?.failed ?? 0, 1) };
    }
  } finally {
    await environment.stop();
  }
  console.log(`in-host suites (${host}) finished in ${formatSeconds(Date.now() - started)}`);
  console.log(`${outcome.passed} passed, ${outcome.failed} failed`);
  return outcome.failed === 0 && outcome.passed > 0 ? 0 : 1;
}

runMain(main);
