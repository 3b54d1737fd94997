// CLI for in-host suites that need only an editor: `node out/test/harness/integrationMain.js --suite <compiled dir|file|glob> [--grep <re>]`.
// The product's own suite needs the emulator too: run it with `node out/test/integration/run.js`. Installs the extension under test (the real .vsix when
// built, else the hello fixture), runs the suite inside code-server's extension host, prints
// mocha's output and a closing "N passed, N failed" line, and exits non-zero on any failure.
import * as path from 'node:path';
import { provision } from './provision';
import { harnessSourceDir, repoRoot } from './paths';
import { runInHostSuite } from './runInHost';
import { extensionUnderTest } from './vsix';
import { formatSeconds } from './wait';
import { argument, runMain } from './cli';

async function main(): Promise<number> {
  const suite = argument('--suite');
  if (!suite) {
    console.error('usage: integrationMain --suite <compiled dir|file|glob> [--grep <re>]\nThe extension\'s own in-host suite needs the emulator: run `node out/test/integration/run.js` (npm run test:integration).');
    return 2;
  }
  const started = Date.now();
  const provisioned = await provision();
  const suiteDir = path.resolve(suite);
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

runMain(main);
