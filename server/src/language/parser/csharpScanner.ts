/**
 * Finds where a C# policy expression ends without parsing C#: it balances
 * brackets while skipping string literals (regular, verbatim, interpolated,
 * raw), char literals and comments, so quotes, `<`, `>` and `&` inside an
 * expression never end an XML attribute or start a tag.
 */

const enum Ch {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  DoubleQuote = 34,
  Dollar = 36,
  SingleQuote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Slash = 47,
  LessThan = 60,
  At = 64,
  OpenBracket = 91,
  Backslash = 92,
  CloseBracket = 93,
  OpenBrace = 123,
  CloseBrace = 125,
  Bang = 33,
}

export interface ExpressionScan {
  /** Offset after the closing delimiter, or where scanning stopped. */
  end: number;
  closed: boolean;
  /**
   * End of the text the scan looked at (lookahead included): the result
   * depends on nothing at or after this offset.
   */
  readEnd: number;
  /** Why the expression is malformed, with the offending range. */
  error?: { message: string; start: number; end: number };
}

/** Furthest offset (exclusive) the current scan has looked at through lookahead. */
let lookahead = 0;
function lookedAt(end: number): void {
  if (end > lookahead) lookahead = end;
}

/** Result of skipping one nested construct: the offset after it, or a failure. */
interface Skip {
  end: number;
  error?: { message: string; start: number; end: number };
}

const closerFor = (open: number): number => (open === Ch.OpenParen ? Ch.CloseParen : Ch.CloseBrace);

/**
 * A line that starts (after indentation) with `<name`, `</` or `<!` is
 * almost certainly the next XML tag, never C#: an unfinished expression
 * stops there instead of swallowing the rest of the document.
 */
export function looksLikeTagLine(text: string, lineStart: number): boolean {
  let i = lineStart;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== Ch.Space && c !== Ch.Tab && c !== Ch.CarriageReturn) break;
    i++;
  }
  lookedAt(i + 1);
  if (i + 1 >= n || text.charCodeAt(i) !== Ch.LessThan) return false;
  lookedAt(i + 2);
  const next = text.charCodeAt(i + 1);
  return next === Ch.Slash || next === Ch.Bang || isNameStart(next);
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/**
 * Scans the expression whose `@` is at `start` (followed by `(` or `{`).
 * Never throws; always makes progress.
 */
export function scanExpression(text: string, start: number): ExpressionScan {
  lookahead = 0;
  const scan = scanBalanced(text, start);
  scan.readEnd = Math.min(text.length + 1, Math.max(scan.end, lookahead, scan.error ? scan.error.end : 0));
  return scan;
}

function scanBalanced(text: string, start: number): ExpressionScan {
  // Only the delimiter that opened the expression is counted, as APIM does:
  // other brackets are C#'s business and a stray one must not hide the end.
  const open = text.charCodeAt(start + 1);
  const close = closerFor(open);
  const n = text.length;
  let depth = 1;
  let i = start + 2;
  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case Ch.OpenParen:
      case Ch.OpenBrace:
        if (c === open) depth++;
        i++;
        continue;
      case Ch.CloseParen:
      case Ch.CloseBrace:
        i++;
        if (c === close && --depth === 0) return { end: i, closed: true, readEnd: i };
        continue;
      case Ch.DoubleQuote:
      case Ch.SingleQuote:
      case Ch.At:
      case Ch.Dollar: {
        const skip = skipLiteral(text, i);
        if (skip === undefined) {
          i++;
          continue;
        }
        if (skip.error) return { end: skip.end, closed: false, readEnd: skip.end, error: skip.error };
        i = skip.end;
        continue;
      }
      case Ch.Slash: {
        const next = text.charCodeAt(i + 1);
        if (next === Ch.Slash) {
          i = lineEnd(text, i);
          continue;
        }
        if (next === Ch.Star) {
          const commentEnd = text.indexOf('*/', i + 2);
          if (commentEnd < 0) return unclosed(start, n, 'Unterminated comment in policy expression.', i);
          i = commentEnd + 2;
          continue;
        }
        i++;
        continue;
      }
      case Ch.LineFeed:
        if (looksLikeTagLine(text, i + 1)) return unclosed(start, i, missingCloser(close));
        i++;
        continue;
      default:
        i++;
    }
  }
  return unclosed(start, n, missingCloser(close));
}

function missingCloser(close: number): string {
  return `Policy expression is not closed: expected '${String.fromCharCode(close)}'.`;
}

/** The error points at the opening `@(`/`@{` (or at `at`), where the user can see what is unbalanced. */
function unclosed(start: number, end: number, message: string, at = start): ExpressionScan {
  return { end, closed: false, readEnd: end, error: { message, start: at, end: at + 2 } };
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
}

/** What kind of literal starts at an offset, and where its parts are. */
type Literal =
  | { kind: 'char' | 'regular' }
  | { kind: 'raw'; quoteStart: number; dollars: number }
  | { kind: 'verbatim' | 'interpolated'; contentStart: number; verbatim: boolean };

/** The literal starting at `i`, or undefined when `i` does not start one (a lone `@` or `$`). */
function literalAt(text: string, i: number): Literal | undefined {
  const c = text.charCodeAt(i);
  if (c === Ch.SingleQuote) return { kind: 'char' };
  if (c === Ch.DoubleQuote) {
    lookedAt(i + 3);
    return text.startsWith('"""', i) ? { kind: 'raw', quoteStart: i, dollars: 0 } : { kind: 'regular' };
  }
  // Prefixes: @"…", $"…", $@"…", @$"…", $$"""…""".
  let j = i;
  let verbatim = false;
  let dollars = 0;
  while (j < text.length) {
    const p = text.charCodeAt(j);
    if (p === Ch.At && !verbatim) verbatim = true;
    else if (p === Ch.Dollar) dollars++;
    else break;
    j++;
  }
  lookedAt(j + 3);
  if (text.charCodeAt(j) !== Ch.DoubleQuote || j === i) return undefined;
  if (text.startsWith('"""', j)) return { kind: 'raw', quoteStart: j, dollars };
  return { kind: dollars === 0 ? 'verbatim' : 'interpolated', contentStart: j + 1, verbatim };
}

/**
 * If a string or char literal starts at `i`, skips it. Returns undefined
 * when `i` does not start a literal (a lone `@` or `$`).
 */
function skipLiteral(text: string, i: number): Skip | undefined {
  const literal = literalAt(text, i);
  return literal && skipLiteralOf(text, i, literal);
}

function skipLiteralOf(text: string, i: number, literal: Literal): Skip {
  switch (literal.kind) {
    case 'char':
      return skipCharLiteral(text, i);
    case 'regular':
      return skipRegularString(text, i + 1, i);
    case 'raw':
      return skipRawString(text, literal.quoteStart, literal.dollars);
    case 'verbatim':
      return skipVerbatimString(text, literal.contentStart, i);
    default:
      return skipInterpolatedString(text, literal.contentStart, i, literal.verbatim);
  }
}

function skipCharLiteral(text: string, i: number): Skip {
  // 'x', '\n', '\u0041', '\''
  let j = i + 1;
  const n = text.length;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === Ch.Backslash) {
      j += 2;
      continue;
    }
    if (c === Ch.SingleQuote) return { end: j + 1 };
    if (c === Ch.LineFeed || j - i > 12) break;
    j++;
  }
  return { end: j, error: { message: 'Unterminated character literal in policy expression.', start: i, end: i + 1 } };
}

function skipRegularString(text: string, j: number, literalStart: number): Skip {
  const n = text.length;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === Ch.Backslash) {
      j += 2;
      continue;
    }
    if (c === Ch.DoubleQuote) {
      // `""` right after string content is not valid C# (no adjacent literals), but
      // policies written through XML tools contain it; read it as an escaped quote.
      lookedAt(j + 2);
      if (text.charCodeAt(j + 1) === Ch.DoubleQuote && j > literalStart + 1) {
        j += 2;
        continue;
      }
      return { end: j + 1 };
    }
    // C# forbids a newline here, but APIM accepts such policies in practice; only
    // a following tag line proves the string was left open.
    if (c === Ch.LineFeed && looksLikeTagLine(text, j + 1)) break;
    j++;
  }
  return { end: j, error: { message: 'Unterminated string literal in policy expression.', start: literalStart, end: literalStart + 1 } };
}

function skipVerbatimString(text: string, j: number, literalStart: number): Skip {
  const n = text.length;
  while (j < n) {
    const close = text.indexOf('"', j);
    if (close < 0) break;
    if (text.charCodeAt(close + 1) === Ch.DoubleQuote) {
      j = close + 2; // "" is an escaped quote
      continue;
    }
    return { end: close + 1 };
  }
  return { end: n, error: { message: 'Unterminated verbatim string in policy expression.', start: literalStart, end: literalStart + 2 } };
}

function skipRawString(text: string, quoteStart: number, _dollars: number): Skip {
  let quotes = 0;
  while (text.charCodeAt(quoteStart + quotes) === Ch.DoubleQuote) quotes++;
  const fence = '"'.repeat(quotes);
  const close = text.indexOf(fence, quoteStart + quotes);
  if (close < 0) {
    return { end: text.length, error: { message: 'Unterminated raw string literal in policy expression.', start: quoteStart, end: quoteStart + quotes } };
  }
  return { end: close + quotes };
}

/** Where `skipInterpolatedString` is: in a string's text, or in one of its holes (C# code up to the matching `}`). */
type InterpolationFrame = { hole: false; verbatim: boolean; literalStart: number } | { hole: true; depth: number };

/**
 * `$"…{hole}…"`: `{{`/`}}` are escaped braces; a hole is C# code up to its
 * matching `}` and may hold further interpolated strings. One loop with an
 * explicit stack, so however deep they nest the call stack does not grow.
 */
function skipInterpolatedString(text: string, j: number, literalStart: number, verbatim: boolean): Skip {
  const n = text.length;
  const frames: InterpolationFrame[] = [{ hole: false, verbatim, literalStart }];
  for (;;) {
    const frame = frames[frames.length - 1];
    if (!frame.hole) {
      let closed = false;
      let hole = false;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === Ch.DoubleQuote) {
          if (frame.verbatim && text.charCodeAt(j + 1) === Ch.DoubleQuote) {
            j += 2;
            continue;
          }
          j++;
          closed = true;
          break;
        }
        if (!frame.verbatim && c === Ch.Backslash) {
          j += 2;
          continue;
        }
        if (!frame.verbatim && c === Ch.LineFeed) break;
        if (c === Ch.OpenBrace) {
          if (text.charCodeAt(j + 1) === Ch.OpenBrace) {
            j += 2;
            continue;
          }
          j++;
          hole = true;
          break;
        }
        if (c === Ch.CloseBrace && text.charCodeAt(j + 1) === Ch.CloseBrace) {
          j += 2;
          continue;
        }
        j++;
      }
      if (hole) {
        frames.push({ hole: true, depth: 0 });
        continue;
      }
      if (!closed) return { end: j, error: { message: 'Unterminated interpolated string in policy expression.', start: frame.literalStart, end: frame.literalStart + 2 } };
      frames.pop();
      if (!frames.length) return { end: j };
      continue; // back in the enclosing hole
    }
    let closed = false;
    let nested = false;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === Ch.OpenBrace || c === Ch.OpenParen || c === Ch.OpenBracket) frame.depth++;
      else if (c === Ch.CloseParen || c === Ch.CloseBracket) frame.depth--;
      else if (c === Ch.CloseBrace) {
        if (frame.depth === 0) {
          j++;
          closed = true;
          break;
        }
        frame.depth--;
      } else if (c === Ch.DoubleQuote || c === Ch.SingleQuote || c === Ch.At || c === Ch.Dollar) {
        const literal = literalAt(text, j);
        if (literal?.kind === 'interpolated') {
          frames.push({ hole: false, verbatim: literal.verbatim, literalStart: j });
          j = literal.contentStart;
          nested = true;
          break;
        }
        if (literal) {
          const skip = skipLiteralOf(text, j, literal);
          if (skip.error) return skip;
          j = skip.end;
          continue;
        }
      } else if (c === Ch.LineFeed && looksLikeTagLine(text, j + 1)) {
        break;
      }
      j++;
    }
    if (nested) continue;
    if (!closed) return { end: j, error: { message: 'Unterminated interpolation hole in policy expression.', start: j, end: j } };
    frames.pop(); // back in the string's text
  }
}
