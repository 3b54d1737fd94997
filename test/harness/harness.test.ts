// Self-tests of the harness: process cleanup, timeouts with clear messages, suite resolution,
// and the in-host runner's report on a failing suite. Run with the UI suites (they need
// provisioning): mocha --no-config --timeout 120000 out/test/harness/*.test.js
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeLoopbackPort, startCodeServer } from './codeServer';
import { resolveSuiteFiles } from './mochaInHost';
import { harnessSourceDir } from './paths';
import { runInHostSuite } from './runInHost';
import { waitFor, WaitTimeoutError } from './wait';

function processesInGroup(pgid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${pgid} `));
}

describe('test harness', function () {
  this.timeout(120_000);

  describe('waitFor', () => {
    it('returns the first truthy value of the check', async () => {
      let calls = 0;
      const value = await waitFor(() => (++calls === 3 ? 'ready' : undefined), { timeoutMs: 5000, intervalMs: 1, description: 'third call' });
      assert.equal(value, 'ready');
      assert.equal(calls, 3);
    });

    it('fails after the deadline with the description and the last error', async () => {
      const started = Date.now();
      await assert.rejects(
        waitFor(
          () => {
            throw new Error('still booting');
          },
          { timeoutMs: 300, intervalMs: 20, description: 'the thing' },
        ),
        (error: unknown) => error instanceof WaitTimeoutError && /the thing: not reached within 0\.3 s/.test(error.message) && /still booting/.test(error.message),
      );
      assert.ok(Date.now() - started < 2000);
    });
  });

  describe('resolveSuiteFiles', () => {
    let root = '';
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-suite-'));
      for (const file of ['a.test.js', 'b.js', 'nested/c.test.js', 'nested/deeper/d.test.js', 'other/e.test.js']) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), '');
      }
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('takes every *.test.js below a folder', () => {
      assert.deepEqual(resolveSuiteFiles(root).map((f) => path.relative(root, f)), ['a.test.js', 'nested/c.test.js', 'nested/deeper/d.test.js', 'other/e.test.js']);
    });

    it('expands * and ** globs', () => {
      assert.deepEqual(resolveSuiteFiles(path.join(root, 'nested/**/*.test.js')).map((f) => path.relative(root, f)), ['nested/c.test.js', 'nested/deeper/d.test.js']);
      assert.deepEqual(resolveSuiteFiles(path.join(root, '*.js')).map((f) => path.relative(root, f)), ['a.test.js', 'b.js']);
    });

    it('returns nothing for a missing path', () => {
      assert.deepEqual(resolveSuiteFiles(path.join(root, 'missing')), []);
    });
  });

  describe('startCodeServer', () => {
    it('answers on a loopback port, and stop() ends the whole process group and removes the run dir', async () => {
      const server = await startCodeServer({ workspaceFolder: path.join(harnessSourceDir(), 'fixtures', 'workspace') });
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const response = await fetch(`${server.url}healthz`);
      assert.equal(response.status, 200);
      assert.ok(processesInGroup(server.pid).length >= 1, 'code-server runs in its own process group');
      assert.ok(fs.existsSync(path.join(server.userDataDir, 'User', 'settings.json')));
      await Promise.all([server.stop(), server.stop()]);
      await server.stop();
      assert.deepEqual(processesInGroup(server.pid), []);
      assert.equal(fs.existsSync(server.runDir), false);
      await assert.rejects(fetch(`${server.url}healthz`));
    });

    it('fails with the address and the log path when code-server does not answer in time', async () => {
      await assert.rejects(startCodeServer({ startTimeoutMs: 1 }), (error: unknown) => {
        const message = error instanceof Error ? error.message : '';
        return /code-server did not answer on 127\.0\.0\.1:\d+: not reached within/.test(message) && /log: .*code-server\.log/.test(message);
      });
    });

    it('names a missing .vsix instead of starting', async () => {
      await assert.rejects(startCodeServer({ vsixPaths: ['/nonexistent/x.vsix'] }), /vsix not found: \/nonexistent\/x\.vsix/);
    });

    it('leaves no code-server behind when the test process is SIGKILLed', async () => {
      const tempsBefore = new Set(fs.readdirSync(os.tmpdir()));
      const script = `require(${JSON.stringify(path.join(__dirname, 'codeServer.js'))}).startCodeServer({}).then((s) => { console.log('STARTED ' + s.pid + ' ' + s.runDir); setInterval(() => {}, 1000); });`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [, pgid, runDir] = await waitFor(() => /STARTED (\d+) (\S+)/.exec(output) ?? undefined, { timeoutMs: 60_000, description: 'child started code-server' });
      assert.ok(processesInGroup(Number(pgid)).length >= 1);
      child.kill('SIGKILL');
      await waitFor(() => processesInGroup(Number(pgid)).length === 0, { timeoutMs: 10_000, description: `code-server group ${pgid} gone after its parent was SIGKILLed` });
      fs.rmSync(runDir, { recursive: true, force: true });
      for (const name of fs.readdirSync(os.tmpdir())) if (name.startsWith('apim-cs-') && !tempsBefore.has(name)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    });

    it('hands out free loopback ports', async () => {
      const port = await freeLoopbackPort();
      assert.ok(port > 0 && port < 65536);
    });
  });

  describe('runInHostSuite', () => {
    it('reports failures of a suite run in the extension host, with messages and stacks', async () => {
      const suiteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-failing-suite-'));
      try {
        fs.writeFileSync(
          path.join(suiteDir, 'sample.test.js'),
          [
            "const assert = require('node:assert/strict');",
            "const vscode = require('vscode');",
            "describe('sample', () => {",
            "  it('sees the vscode API', () => assert.equal(typeof vscode.window.showInformationMessage, 'function'));",
            "  it('fails on purpose', () => assert.equal(1 + 1, 3));",
            '});',
          ].join('\n'),
        );
        const result = await runInHostSuite({ suiteDir, print: false, workspaceFolder: path.join(harnessSourceDir(), 'fixtures', 'workspace') });
        assert.equal(result.passed, 1);
        assert.equal(result.failed, 1);
        const failure = result.results.tests.find((test) => test.state === 'failed');
        assert.equal(failure?.fullTitle, 'sample fails on purpose');
        assert.match(failure?.error?.message ?? '', /Expected values to be strictly equal/);
        assert.match(failure?.error?.stack ?? '', /sample\.test\.js/);
        assert.equal(result.results.host.vscodeVersion, '1.139.1');
        // A failed run keeps its run dir for debugging.
        assert.equal(fs.existsSync(result.runDir), true);
        fs.rmSync(result.runDir, { recursive: true, force: true });
      } finally {
        fs.rmSync(suiteDir, { recursive: true, force: true });
      }
    });

    it('fails fast, naming the running test, when the extension host dies', async () => {
      const suiteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-crashing-suite-'));
      const started = Date.now();
      try {
        fs.writeFileSync(path.join(suiteDir, 'crash.test.js'), "describe('crash', () => { it('kills its host', () => { process.kill(process.pid, 'SIGKILL'); }); });\n");
        await assert.rejects(runInHostSuite({ suiteDir, print: false, timeoutMs: 90_000 }), (error: unknown) => {
          const message = error instanceof Error ? error.message : '';
          return /extension host died before reporting/.test(message) && /start crash kills its host/.test(message);
        });
        assert.ok(Date.now() - started < 80_000, 'reported before the deadline');
      } finally {
        fs.rmSync(suiteDir, { recursive: true, force: true });
      }
    });
  });
});
