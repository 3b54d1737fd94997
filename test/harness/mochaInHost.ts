// Runs a compiled mocha suite inside a VS Code extension host (code-server's or Electron's) and
// writes a JSON report. Loaded by absolute path from the runner extension and from the
// @vscode/test-electron index, so both run suites the same way. Depends on Node only: mocha is
// loaded from the path given, because the extension host has no node_modules of its own.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type Mocha from 'mocha';

export interface TestOutcome {
  title: string;
  fullTitle: string;
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: { message: string; stack?: string; actual?: string; expected?: string };
}

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: TestOutcome[];
  /** Spec-reporter-like lines, for printing outside the host. */
  output: string[];
  /** The files mocha loaded. */
  files: string[];
  /** Set when the run could not start (no files, mocha failed to load, a file threw on load). */
  fatalError?: string;
  host: { vscodeVersion?: string; node: string; pid: number };
}

export interface SuiteRunOptions {
  /** A folder (every *.test.js below it), a file, or a glob with * and ** (e.g. out/test/integration/**\/*.test.js). */
  suite: string;
  /** Absolute path of the mocha package folder. */
  mochaPath: string;
  /** Where the JSON report goes (written atomically when the run ends). Progress lines go to `<resultsPath>.progress`. */
  resultsPath?: string;
  timeoutMs?: number;
  grep?: string;
  vscodeVersion?: string;
}

function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // "**/" matches zero or more folders.
      pattern += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') {
      pattern += '[^/]*';
    } else if (c === '?') {
      pattern += '[^/]';
    } else {
      pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`);
}

function walkFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walkFiles(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** Resolves the `suite` option to a sorted list of test files. */
export function resolveSuiteFiles(suite: string): string[] {
  const absolute = path.resolve(suite);
  if (!/[*?]/.test(absolute)) {
    if (!fs.existsSync(absolute)) return [];
    if (fs.statSync(absolute).isFile()) return [absolute];
    return walkFiles(absolute).filter((file) => file.endsWith('.test.js')).sort();
  }
  const firstWildcard = absolute.search(/[*?]/);
  const base = absolute.slice(0, absolute.lastIndexOf('/', firstWildcard));
  if (!fs.existsSync(base)) return [];
  const matcher = globToRegExp(absolute);
  return walkFiles(base).filter((file) => matcher.test(file)).sort();
}

function errorFields(error: unknown): TestOutcome['error'] {
  if (error instanceof Error) {
    const withDiff = error as Error & { actual?: unknown; expected?: unknown; showDiff?: boolean };
    const result: NonNullable<TestOutcome['error']> = { message: error.message, stack: error.stack };
    if (withDiff.showDiff !== false && 'actual' in withDiff && 'expected' in withDiff) {
      result.actual = safeStringify(withDiff.actual);
      result.expected = safeStringify(withDiff.expected);
    }
    return result;
  }
  return { message: String(error) };
}

function safeStringify(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

export async function runMochaSuite(options: SuiteRunOptions): Promise<SuiteResults> {
  const started = Date.now();
  const results: SuiteResults = {
    passed: 0,
    failed: 0,
    pending: 0,
    durationMs: 0,
    tests: [],
    output: [],
    files: [],
    host: { vscodeVersion: options.vscodeVersion, node: process.version, pid: process.pid },
  };
  const progressFile = options.resultsPath ? `${options.resultsPath}.progress` : undefined;
  const progress = (line: string) => {
    if (progressFile) fs.appendFileSync(progressFile, `${new Date().toISOString()} ${line}\n`);
  };
  const finish = () => {
    results.durationMs = Date.now() - started;
    results.output.push('', `${results.passed} passing, ${results.failed} failing, ${results.pending} pending (${results.durationMs} ms)`);
    if (options.resultsPath) writeAtomically(options.resultsPath, JSON.stringify(results, null, 2) + '\n');
    progress('done');
    return results;
  };

  try {
    results.files = resolveSuiteFiles(options.suite);
    if (results.files.length === 0) {
      results.fatalError = `no test files for suite "${options.suite}"`;
      return finish();
    }
    progress(`loading ${results.files.length} file(s) with mocha from ${options.mochaPath}`);
    // CommonJS loading on purpose: mocha then require()s the test files, and the extension host's
    // require hook is what hands them the `vscode` API.
    const loadModule = createRequire(__filename);
    const MochaClass = loadModule(options.mochaPath) as typeof Mocha;
    const mocha = new MochaClass({
      ui: 'bdd',
      timeout: options.timeoutMs ?? 20_000,
      // Base collects stats and prints nothing: output is built below from runner events.
      reporter: MochaClass.reporters.Base,
      color: false,
      ...(options.grep ? { grep: options.grep } : {}),
    });
    for (const file of results.files) mocha.addFile(file);

    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      let depth = 0;
      const indent = () => '  '.repeat(depth);
      runner.on('suite', (suite: Mocha.Suite) => {
        if (!suite.root) results.output.push(`${indent()}${suite.title}`);
        depth++;
      });
      runner.on('suite end', () => {
        depth--;
      });
      runner.on('test', (test: Mocha.Test) => progress(`start ${test.fullTitle()}`));
      runner.on('pass', (test: Mocha.Test) => {
        results.passed++;
        results.tests.push({ title: test.title, fullTitle: test.fullTitle(), file: test.file, state: 'passed', durationMs: test.duration });
        results.output.push(`${indent()}✔ ${test.title} (${test.duration ?? 0} ms)`);
        progress(`pass ${test.fullTitle()}`);
      });
      runner.on('fail', (test: Mocha.Runnable, error: unknown) => {
        // Also emitted for failing hooks ("before all" hook …), which count as failures.
        results.failed++;
        const outcome: TestOutcome = { title: test.title, fullTitle: test.fullTitle(), file: test.file, state: 'failed', durationMs: test.duration, error: errorFields(error) };
        results.tests.push(outcome);
        results.output.push(`${indent()}✘ ${test.title}`, ...`${outcome.error?.stack ?? outcome.error?.message ?? ''}`.split('\n').map((line) => `${indent()}    ${line}`));
        progress(`fail ${test.fullTitle()}: ${outcome.error?.message ?? ''}`);
      });
      runner.on('pending', (test: Mocha.Test) => {
        results.pending++;
        results.tests.push({ title: test.title, fullTitle: test.fullTitle(), file: test.file, state: 'pending' });
        results.output.push(`${indent()}- ${test.title} (pending)`);
      });
    });
  } catch (error) {
    // A test file that throws while loading, or mocha itself failing, lands here.
    results.fatalError = error instanceof Error ? (error.stack ?? error.message) : String(error);
    results.output.push(`fatal: ${results.fatalError}`);
  }
  return finish();
}
