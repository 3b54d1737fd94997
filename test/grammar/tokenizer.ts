// Loads the APIM policy grammar into a real vscode-textmate registry (with the
// Oniguruma WASM engine VS Code itself uses) and tokenizes whole documents.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { repoRoot } from '../support/repo';
import * as vsctm from 'vscode-textmate';

export const POLICY_SCOPE = 'source.apim-policy';
const CSHARP_SCOPE = 'source.cs';

export interface Token {
  /** 0-based line number. */
  line: number;
  /** 0-based start column (UTF-16 code units, like VS Code). */
  start: number;
  end: number;
  text: string;
  scopes: string[];
}

export interface TokenizedDocument {
  lines: Token[][];
  /** Rule stack after the last line: what the next line would start in. */
  endState: vsctm.StateStack;
}

export { repoRoot };

let onigLib: Promise<vsctm.IOnigLib> | undefined;

function loadOniguruma(): Promise<vsctm.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = fs.readFileSync(path.join(repoRoot(), 'node_modules/vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    };
  })();
  return onigLib;
}

/** The C# grammar VS Code ships (dotnet/csharp-tmLanguage), as packaged by tm-grammars. */
function csharpGrammarPath(): string {
  const file = path.join(repoRoot(), 'node_modules/tm-grammars/grammars/csharp.json');
  if (!fs.existsSync(file)) {
    throw new Error(`C# TextMate grammar missing at ${file}: run npm install (devDependency tm-grammars)`);
  }
  return file;
}

/**
 * @param withCSharp false simulates a VS Code without the C# grammar, where
 *   `include: source.cs` resolves to nothing and only our fallback rules run.
 */
export async function loadPolicyGrammar(withCSharp: boolean): Promise<vsctm.IGrammar> {
  const files: Record<string, string> = {
    [POLICY_SCOPE]: path.join(repoRoot(), 'syntaxes/apim-policy.tmLanguage.json'),
  };
  if (withCSharp) files[CSHARP_SCOPE] = csharpGrammarPath();
  const registry = new vsctm.Registry({
    onigLib: loadOniguruma(),
    loadGrammar: async (scopeName) => {
      const file = files[scopeName];
      return file ? vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
    },
  });
  const grammar = await registry.loadGrammar(POLICY_SCOPE);
  if (!grammar) throw new Error(`grammar ${POLICY_SCOPE} did not load`);
  return grammar;
}

export function tokenizeDocument(grammar: vsctm.IGrammar, text: string): TokenizedDocument {
  let state = vsctm.INITIAL;
  const lines = text.split(/\r?\n/).map((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({
      line,
      start: t.startIndex,
      end: Math.min(t.endIndex, lineText.length),
      text: lineText.slice(t.startIndex, t.endIndex),
      scopes: t.scopes,
    }));
  });
  return { lines, endState: state };
}

/** The token covering a 0-based (line, column). */
export function tokenAt(doc: TokenizedDocument, line: number, column: number): Token {
  const token = doc.lines[line]?.find((t) => t.start <= column && column < t.end);
  if (!token) throw new Error(`no token at ${line}:${column}`);
  return token;
}

/** Scopes a line would get if it followed the document: shows any region left open. */
export function scopesAfter(grammar: vsctm.IGrammar, doc: TokenizedDocument, probe = 'probe'): string[] {
  return grammar.tokenizeLine(probe, doc.endState).tokens[0]?.scopes ?? [];
}
