// CLI for the in-host suites: `node out/test/harness/integrationMain.js [--suite <compiled dir|file|glob>] [--grep <re>]`
// (default suite: out/test/integration). Installs the extension under test (the real .vsix when
// built, else the hello fixture), runs the suite inside code-server's extension host, prints
// mocha's output and a closing "N passed, N failed" line, and exits non-zero on any failure.
import * as path from 'node:path';
import { provision } from './provision';
import { harnessSourceDir, repoRoot } from './paths';
import { runInHostSuite } from './runInHost';
import { extensionUnderTest } from './vsix';
import { formatSeconds } from './wait';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<number> {
  const started = Date.now();
  const provisioned = await provision();
  const suiteDir = path.resolve(argument('--suite') ?? path.join(repoRoot(), 'out', 'test', 'integration'));
  const extension = await extensionUnderTest();
  console.log(`in-host suite ${path.relative(repoRoot(), suiteDir)}: extension under test ${extension.extensionId} (${extension.kind === 'real' ? extension.vsixPath : 'hello fixture: dist/apim-policy-studio.vsix not built'})`);
  const result = await runInHostSuite({
    suiteDir,
    vsixPaths: [extension.vsixPath],
    workspaceFolder: path.join(harnessSourceDir(), 'fixtures', 'workspace'),
    env: { APIM_EXTENSION_ID: extension.extensionId },
    grep: argument('--grep'),
  });
  console.log(`provision ${formatSeconds(provisioned.totalMs)}, code-server start ${formatSeconds(result.timings.codeServerMs)}, suite reported after ${formatSeconds(result.timings.untilResultsMs)}, total ${formatSeconds(Date.now() - started)}`);
  console.log(`${result.passed} passed, ${result.failed} failed`);
  return result.failed === 0 && result.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
