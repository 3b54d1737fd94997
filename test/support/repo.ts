/** Locations shared by every test layer: the repository and the shared reference data beside it. */
import * as fs from 'node:fs';
import * as path from 'node:path';

let cachedRoot: string | undefined;

/**
 * The repository: the nearest folder above this file holding both
 * package.json and tsconfig.json (tests run from `out/test/...`, and test
 * fixtures such as the runner extension have a package.json of their own).
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  while (!(fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'tsconfig.json')))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no folder with package.json and tsconfig.json above ${__dirname}`);
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

/** `../shared/reference` beside the repository (CI provides it); fails clearly when missing. */
export function referenceDir(): string {
  const dir = path.resolve(repoRoot(), '..', 'shared', 'reference');
  if (!fs.existsSync(dir)) {
    throw new Error(`The shared reference data is missing: expected ${dir} (CI clones the repository with ../shared beside it).`);
  }
  return dir;
}

export interface CorpusFile {
  name: string;
  text: string;
}

/** The real-world policies from the reference data, each read once. */
let corpus: CorpusFile[] | undefined;
export function realWorldPolicies(): CorpusFile[] {
  if (!corpus) {
    const dir = path.join(referenceDir(), 'real-world-policies');
    corpus = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.xml'))
      .sort()
      .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
    if (corpus.length < 50) throw new Error(`expected the 59 real-world policies in ${dir}, found ${corpus.length}`);
  }
  return corpus;
}
