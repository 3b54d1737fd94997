/**
 * Finds and loads the two WebAssembly files of the C# parser: beside the
 * bundled server (`dist/`, where the build copies them, and in the packaged
 * extension) or, when running from sources and tests, in `node_modules`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CSharpParser } from './language/expressions/csharpParser';
import { loadCSharpParser } from './language/expressions/csharpParser';

export const RUNTIME_WASM = 'web-tree-sitter.wasm';
export const GRAMMAR_WASM = 'tree-sitter-c_sharp.wasm';

/** Where each file may be, nearest first. */
function candidates(file: string): string[] {
  const places = [path.join(__dirname, file)];
  const packageDir = file === RUNTIME_WASM ? 'web-tree-sitter' : 'tree-sitter-c-sharp';
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    places.push(path.join(dir, 'node_modules', packageDir, file));
    if (path.dirname(dir) === dir) break;
  }
  return places;
}

function read(file: string): Uint8Array {
  for (const candidate of candidates(file)) {
    if (fs.existsSync(candidate)) return fs.readFileSync(candidate);
  }
  throw new Error(`${file} not found beside ${__dirname} or in node_modules: the C# parser of policy expressions cannot start (rebuild with npm run build).`);
}

let loading: Promise<CSharpParser> | undefined;

/** The C# parser, loaded once per process. */
export function loadBundledCSharpParser(): Promise<CSharpParser> {
  loading ??= Promise.resolve().then(() => loadCSharpParser({ runtime: read(RUNTIME_WASM), grammar: read(GRAMMAR_WASM) }));
  return loading;
}
