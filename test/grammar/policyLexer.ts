// An independent, imperative lexer for APIM policy text, used as the oracle
// for the grammar tests over the real-world corpus. It finds tag names and
// policy expressions the way APIM reads them: an expression opens at @( or @{
// (at the start of an attribute value, or in element text) and closes at the
// bracket that balances it, where brackets inside C# strings, chars and
// comments do not count.

export interface Position {
  line: number;
  column: number;
}

export interface TagName extends Position {
  name: string;
  closing: boolean;
}

export interface Expression {
  start: Position;
  /** Position of the closing bracket, or undefined when the C# never balances. */
  end?: Position;
}

export interface LexedPolicy {
  tags: TagName[];
  expressions: Expression[];
}

const NAME = /[A-Za-z_][-\w.]*(?::[A-Za-z_][-\w.]*)?/y;
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

export function lexPolicy(text: string): LexedPolicy {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const positionOf = (offset: number): Position => {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > offset) line--;
    return { line, column: offset - lineStarts[line] };
  };

  const tags: TagName[] = [];
  const expressions: Expression[] = [];

  /** Lexes the expression whose @ is at `at`; returns the offset after its closing bracket, or -1. */
  const expression = (at: number): number => {
    const close = skipCode(text, at + 2, [CLOSERS[text[at + 1]]]);
    expressions.push({ start: positionOf(at), end: close < 0 ? undefined : positionOf(close - 1) });
    return close;
  };

  let i = 0;
  while (i < text.length) {
    if (text.startsWith('<!--', i)) {
      i = endOf(text, '-->', i + 4);
    } else if (text.startsWith('<![CDATA[', i)) {
      i = endOf(text, ']]>', i + 9);
    } else if (text.startsWith('<?', i)) {
      i = endOf(text, '?>', i + 2);
    } else if (text.startsWith('<!', i)) {
      i = endOf(text, '>', i + 2);
    } else if (text[i] === '<') {
      const closing = text[i + 1] === '/';
      const nameStart = i + (closing ? 2 : 1);
      NAME.lastIndex = nameStart;
      const name = NAME.exec(text)?.[0];
      if (!name) {
        i++;
        continue;
      }
      tags.push({ ...positionOf(nameStart), name, closing });
      i = skipTag(nameStart + name.length);
    } else if (isTextExpressionStart(text, i)) {
      const after = expression(i);
      if (after < 0) break;
      i = after;
    } else {
      i++;
    }
  }
  return { tags, expressions };

  /** Skips attributes up to and including the tag's '>'; returns text.length if it never closes. */
  function skipTag(from: number): number {
    let j = from;
    while (j < text.length && text[j] !== '>') {
      const quote = text[j];
      if (quote !== '"' && quote !== "'") {
        j++;
        continue;
      }
      j++;
      if (text[j] === '@' && (text[j + 1] === '(' || text[j + 1] === '{')) {
        j = expression(j);
        if (j < 0) return text.length;
      }
      j = endOf(text, quote, j);
    }
    return j + 1;
  }
}

function isTextExpressionStart(text: string, i: number): boolean {
  return text[i] === '@' && (text[i + 1] === '(' || text[i + 1] === '{') && !/[\w.@]/.test(text[i - 1] ?? '');
}

/** Offset just after the next `terminator` at or after `from`, or text.length. */
function endOf(text: string, terminator: string, from: number): number {
  const found = text.indexOf(terminator, from);
  return found < 0 ? text.length : found + terminator.length;
}

/**
 * Skips C# code from `from` until the bracket on top of `expected` closes
 * (returns the offset after it) or the text ends / a bracket mismatches (-1).
 */
function skipCode(text: string, from: number, expected: string[]): number {
  const stack = [...expected];
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (text.startsWith('//', i)) {
      i = lineEnd(text, i);
    } else if (text.startsWith('/*', i)) {
      i = endOf(text, '*/', i + 2);
    } else if (text.startsWith('$@"', i) || text.startsWith('@$"', i)) {
      i = skipString(text, i + 3, { verbatim: true, interpolated: true });
    } else if (text.startsWith('@"', i)) {
      i = skipString(text, i + 2, { verbatim: true, interpolated: false });
    } else if (text.startsWith('$"', i)) {
      i = skipString(text, i + 2, { verbatim: false, interpolated: true });
    } else if (c === '"') {
      i = skipString(text, i + 1, { verbatim: false, interpolated: false });
    } else if (c === "'") {
      const literal = /'(?:\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{1,4}|.)|[^'\\])'/y;
      literal.lastIndex = i;
      i = literal.test(text) ? literal.lastIndex : i + 1;
    } else if (c in CLOSERS) {
      stack.push(CLOSERS[c]);
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) return -1;
      i++;
      if (stack.length === 0) return i;
    } else {
      i++;
    }
    if (i < 0) return -1;
  }
  return -1;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/**
 * Skips a C# string body starting after its opening quote; returns the offset
 * after the closing quote. A regular string cannot cross a line end, so an
 * unterminated one stops there, as the C# compiler's lexer does.
 * In APIM, {{name}} is a named-value reference (substituted before
 * compilation), not an escaped brace, so it never opens an interpolation hole.
 */
function skipString(text: string, from: number, kind: { verbatim: boolean; interpolated: boolean }): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (kind.verbatim && text.startsWith('""', i)) {
      i += 2;
    } else if (c === '"') {
      return i + 1;
    } else if (!kind.verbatim && c === '\\') {
      i += 2;
    } else if (!kind.verbatim && c === '\n') {
      return i;
    } else if (kind.interpolated && text.startsWith('{{', i)) {
      const namedValue = /\{\{[A-Za-z0-9_.][-\w.]*\}\}/y;
      namedValue.lastIndex = i;
      i = namedValue.test(text) ? namedValue.lastIndex : i + 2;
    } else if (kind.interpolated && c === '{') {
      i = skipCode(text, i + 1, ['}']);
      if (i < 0) return -1;
    } else {
      i++;
    }
  }
  return i;
}
