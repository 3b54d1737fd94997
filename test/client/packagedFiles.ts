/**
 * What `vsce ls` would put in the .vsix, through @vscode/vsce's API (without the prepublish build).
 * It runs on a copy of what a fresh clone holds plus the build output, since vsce globs everything
 * under its folder (a developer's .test-cache and .git would make it crawl). Listed once per run.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/repo';

// The part of @vscode/vsce's API used here; packageManager 2 is its PackageManager.None.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { listFiles } = require('@vscode/vsce') as { listFiles(options: { cwd: string; packageManager: 2 }): Promise<string[]> };

let listed: Promise<string[]> | undefined;

/** The repository's tracked files plus the build output, copied into a temporary folder. */
function cleanCopy(): string {
  const root = repoRoot();
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-vsce-ls-'));
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  const built = fs.existsSync(path.join(root, 'dist')) ? fs.readdirSync(path.join(root, 'dist')).map((f) => `dist/${f}`) : [];
  for (const file of [...tracked, ...built]) {
    const from = path.join(root, file);
    if (!fs.existsSync(from) || !fs.statSync(from).isFile()) continue;
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(from, path.join(copy, file));
  }
  return copy;
}

/** The packaged files, sorted, as paths relative to the extension's root with `/`. */
export function packagedFiles(): Promise<string[]> {
  listed ??= (async () => {
    const copy = cleanCopy();
    try {
      return (await listFiles({ cwd: copy, packageManager: 2 })).sort();
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  })();
  return listed;
}
