// Packages test extensions as .vsix files (cached by content hash under .test-cache/vsix) and
// picks the extension under test: the real build when present, else the hello fixture.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createVSIX } from '@vscode/vsce';
import { harnessOutDir, harnessSourceDir, realExtensionVsix, vsixCacheDir } from './paths';

/** The extension the runner is packaged as; its id is `${publisher}.${name}`. */
export const RUNNER_EXTENSION_ID = 'apim-test.apim-test-runner';
export const FIXTURE_EXTENSION_ID = 'apim-test.hello-extension';
export const REAL_EXTENSION_ID = 'apim-policy-studio.apim-policy-studio';

function hashFiles(files: { name: string; content: Buffer }[]): string {
  const hash = crypto.createHash('sha256');
  for (const file of files) hash.update(file.name).update('\0').update(file.content).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Runs `body` with vsce's chatter (file listings, size warnings) held back; shown only if it fails. */
async function quietly<T>(body: () => Promise<T>): Promise<T> {
  const methods = ['log', 'info', 'warn', 'error'] as const;
  const saved = methods.map((name) => console[name]);
  const captured: string[] = [];
  for (const name of methods) console[name] = (...args: unknown[]) => void captured.push(args.map(String).join(' '));
  try {
    return await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`vsce packaging failed: ${message}\n${captured.join('\n')}`);
  } finally {
    methods.forEach((name, index) => (console[name] = saved[index]));
  }
}

/**
 * Packages the given files (name → content) as a .vsix, reusing an earlier package with the same
 * content. vsce's interactive questions (no LICENSE, no repository, '*' activation) are answered by options.
 */
async function packageFiles(label: string, files: { name: string; content: Buffer }[]): Promise<string> {
  const hash = hashFiles(files);
  const vsixPath = path.join(vsixCacheDir(), `${label}-${hash}.vsix`);
  if (fs.existsSync(vsixPath)) return vsixPath;
  const stagingDir = path.join(vsixCacheDir(), `staging-${label}-${hash}-${process.pid}`);
  fs.rmSync(stagingDir, { recursive: true, force: true });
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(stagingDir, file.name)), { recursive: true });
    fs.writeFileSync(path.join(stagingDir, file.name), file.content);
  }
  const temporary = `${vsixPath}.${process.pid}.tmp.vsix`;
  try {
    await quietly(() =>
      createVSIX({
        cwd: stagingDir,
        packagePath: temporary,
        dependencies: false,
        skipLicense: true,
        allowMissingRepository: true,
        allowStarActivation: true,
      }),
    );
    fs.renameSync(temporary, vsixPath);
  } finally {
    fs.rmSync(stagingDir, { recursive: true, force: true });
    fs.rmSync(temporary, { force: true });
  }
  return vsixPath;
}

function readFolder(dir: string): { name: string; content: Buffer }[] {
  const files: { name: string; content: Buffer }[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push({ name: path.relative(dir, full), content: fs.readFileSync(full) });
    }
  };
  walk(dir);
  return files;
}

/** The in-host test runner: manifest from test/harness/runner-extension, code compiled by tsc into out/. */
export async function runnerExtensionVsix(): Promise<string> {
  const manifest = path.join(harnessSourceDir(), 'runner-extension', 'package.json');
  const compiled = path.join(harnessOutDir(), 'runner-extension', 'extension.js');
  if (!fs.existsSync(compiled)) throw new Error(`runner extension not compiled: ${compiled} is missing (run \`npx tsc -p .\` first)`);
  return packageFiles('apim-test-runner', [
    { name: 'package.json', content: fs.readFileSync(manifest) },
    { name: 'extension.js', content: fs.readFileSync(compiled) },
  ]);
}

/** Packages a plain-JS extension folder (e.g. test/harness/fixtures/hello-extension). */
export async function folderExtensionVsix(folder: string): Promise<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name: string };
  return packageFiles(manifest.name, readFolder(folder));
}

export interface ExtensionUnderTest {
  vsixPath: string;
  extensionId: string;
  kind: 'real' | 'fixture';
}

/**
 * The real extension's .vsix (dist/apim-policy-studio.vsix, from `npm run package`) when it exists,
 * otherwise the hello fixture. APIM_EXTENSION_VSIX (+ APIM_EXTENSION_ID) overrides both;
 * APIM_REQUIRE_REAL_EXTENSION=1 turns the fallback into an error (for CI once the build exists).
 */
export async function extensionUnderTest(): Promise<ExtensionUnderTest> {
  const override = process.env.APIM_EXTENSION_VSIX;
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`APIM_EXTENSION_VSIX=${override} does not exist`);
    return { vsixPath: path.resolve(override), extensionId: process.env.APIM_EXTENSION_ID ?? REAL_EXTENSION_ID, kind: 'real' };
  }
  if (fs.existsSync(realExtensionVsix())) return { vsixPath: realExtensionVsix(), extensionId: REAL_EXTENSION_ID, kind: 'real' };
  if (process.env.APIM_REQUIRE_REAL_EXTENSION === '1') {
    throw new Error(`APIM_REQUIRE_REAL_EXTENSION=1 but ${realExtensionVsix()} does not exist: run \`npm run package\` first`);
  }
  return { vsixPath: await folderExtensionVsix(path.join(harnessSourceDir(), 'fixtures', 'hello-extension')), extensionId: FIXTURE_EXTENSION_ID, kind: 'fixture' };
}
