/**
 * The C# parser: tree-sitter's error-tolerant C# grammar, run as
 * WebAssembly through web-tree-sitter. The host hands in the two wasm files'
 * bytes (the language core reads no files); loading is asynchronous, so
 * features work without C# until it is ready.
 */
import { Language, Parser } from 'web-tree-sitter';
import type { Node, Tree } from 'web-tree-sitter';

export type SyntaxNode = Node;
export type SyntaxTree = Tree;

export interface CSharpWasm {
  /** `web-tree-sitter.wasm`, the tree-sitter runtime. */
  runtime: Uint8Array;
  /** `tree-sitter-c_sharp.wasm`, the C# grammar. */
  grammar: Uint8Array;
}

export class CSharpParser {
  constructor(private readonly parser: Parser) {}

  /** Parses C# source; the caller must `delete()` the tree when done. */
  parse(source: string): SyntaxTree {
    const tree = this.parser.parse(source);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }
}

/** Initialises tree-sitter and the C# grammar. */
export async function loadCSharpParser(wasm: CSharpWasm): Promise<CSharpParser> {
  await Parser.init({ wasmBinary: wasm.runtime });
  const language = await Language.load(wasm.grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  return new CSharpParser(parser);
}
