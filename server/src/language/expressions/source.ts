/**
 * The C# source of one policy expression, as APIM compiles it, with offsets
 * mapped back to the policy document:
 * - XML character references are decoded (`&quot;` → `"`): APIM reads the
 *   attribute or text as XML first;
 * - each `{{named value}}` becomes an opaque identifier of the same length
 *   (`_________`): APIM substitutes it before compiling, with any text;
 * - `@( … )` is parsed as `return ( … );`, `@{ … }` as the block itself, both
 *   as top-level statements of a compilation unit.
 */
import type { Expression, PolicyDocument } from '../parser/nodes';

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/g;

/** The prefix that makes `( … )` a statement. */
const PAREN_PREFIX = 'return ';

export interface OffsetSpan {
  start: number;
  end: number;
}

export class ExpressionSource {
  /** The text handed to the C# parser. */
  readonly text: string;
  /** Where the expression's own code (its `(` or `{`) starts in `text`. */
  readonly codeStart: number;
  /** Spans of `text` that stand for `{{named values}}`. */
  readonly namedValues: readonly OffsetSpan[];
  /**
   * true when the code relies on what the expression scanner tolerates and
   * C# does not (`""` as a quote inside a regular string, a line break in
   * one): policies exported by XML tools contain it. The text is repaired
   * for completion and hover, but whether APIM accepts it is unknown, so
   * diagnostics stay silent on it.
   */
  readonly lenient: boolean;
  /** Segment starts: `text` offset → document offset (sorted); within a segment offsets advance together. */
  private readonly segments: Array<{ source: number; document: number }>;

  constructor(
    readonly expression: Expression,
    documentText: string,
    namedValueSpans: readonly OffsetSpan[],
  ) {
    const codeDocStart = expression.start + 1; // after '@'
    const raw = documentText.slice(codeDocStart, expression.end);
    const prefix = expression.block ? '' : PAREN_PREFIX;
    this.codeStart = prefix.length;
    this.segments = [{ source: 0, document: codeDocStart - prefix.length }];
    let decoded = '';
    let last = 0;
    if (raw.includes('&')) {
      ENTITY.lastIndex = 0;
      for (let m = ENTITY.exec(raw); m; m = ENTITY.exec(raw)) {
        decoded += raw.slice(last, m.index);
        const value = m[1] ? ENTITIES[m[1]] : String.fromCodePoint(parseInt(m[2] ?? m[3], m[2] ? 10 : 16));
        decoded += value;
        last = m.index + m[0].length;
        // After the decoded character, source and document advance together again.
        this.segments.push({ source: prefix.length + decoded.length, document: codeDocStart + last });
      }
    }
    decoded += raw.slice(last);
    let code = decoded;
    const spans: OffsetSpan[] = [];
    for (const ref of namedValueSpans) {
      if (ref.start < codeDocStart || ref.end > expression.end) continue;
      const start = this.toSource(ref.start) - prefix.length;
      const end = this.toSource(ref.end) - prefix.length;
      if (start < 0 || end > code.length || end <= start) continue;
      code = code.slice(0, start) + '_'.repeat(end - start) + code.slice(end);
      spans.push({ start: start + prefix.length, end: end + prefix.length });
    }
    this.namedValues = spans;
    const repaired = repairLenientStrings(code);
    this.lenient = repaired !== code;
    const suffix = expression.block ? '' : ';';
    this.text = prefix + repaired + suffix;
  }

  /** Builds the source of an expression of `doc`. */
  static of(doc: PolicyDocument, expression: Expression): ExpressionSource {
    const refs = doc.namedValues.length ? namedValuesWithin(doc, expression) : [];
    return new ExpressionSource(expression, doc.text, refs);
  }

  /** Document offset of a source offset (inside a decoded reference: the reference's start). */
  toDocument(offset: number): number {
    const segment = this.segmentForSource(offset);
    return segment.document + (offset - segment.source);
  }

  /** Source offset of a document offset. */
  toSource(documentOffset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].document <= documentOffset) lo = mid;
      else hi = mid - 1;
    }
    const segment = this.segments[lo];
    return segment.source + Math.max(0, documentOffset - segment.document);
  }

  /** Maps a source span to the document. */
  spanToDocument(start: number, end: number): OffsetSpan {
    const documentStart = this.toDocument(start);
    return { start: documentStart, end: Math.max(documentStart, this.toDocument(end)) };
  }

  /**
   * The same source ending at `at` (a source offset): what an unfinished
   * expression looks like to completion, without the text after the cursor.
   */
  cut(at: number): ExpressionSource {
    const copy = Object.create(ExpressionSource.prototype) as ExpressionSource;
    Object.assign(copy, this, { text: this.text.slice(0, Math.max(this.codeStart, at)) + (this.expression.block ? '' : ';') });
    return copy;
  }

  /** Whether a source span overlaps a `{{named value}}`. */
  touchesNamedValue(start: number, end: number): boolean {
    return this.namedValues.some((nv) => start < nv.end && end > nv.start);
  }

  /** End of the expression's own code in the source (before the added suffix). */
  get codeEnd(): number {
    return this.text.length - (this.expression.block ? 0 : 1);
  }

  private segmentForSource(offset: number): { source: number; document: number } {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].source <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo];
  }
}

function namedValuesWithin(doc: PolicyDocument, expression: Expression): OffsetSpan[] {
  const result: OffsetSpan[] = [];
  // Named values are sorted by start: bisect to the first inside the expression.
  const refs = doc.namedValues;
  let lo = 0;
  let hi = refs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (refs[mid].start < expression.start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < refs.length && refs[i].start < expression.end; i++) {
    if (refs[i].closed) result.push({ start: refs[i].start, end: refs[i].end });
  }
  return result;
}

/**
 * Rewrites, offset for offset, what the expression scanner reads leniently:
 * `""` right after string content becomes `\"`, and a line break inside a
 * regular string becomes spaces. Everything else is left as it is.
 */
function repairLenientStrings(code: string): string {
  let chars: string[] | undefined;
  const set = (at: number, value: string): void => {
    chars ??= code.split('');
    chars[at] = value;
  };
  const n = code.length;
  // An explicit stack instead of recursion: interpolated strings can nest
  // thousands deep ($"{$"{…"}"}), which must not overflow the call stack.
  type Frame = { kind: 'code'; close: string | undefined; depth: number } | { kind: 'string'; quote: number; interpolated: boolean };
  const stack: Frame[] = [{ kind: 'code', close: undefined, depth: 0 }];
  let i = 0;
  while (i < n && stack.length > 0) {
    const top = stack[stack.length - 1];
    const c = code[i];
    if (top.kind === 'string') {
      if (c === '\\') i += 2;
      else if (c === '"') {
        if (code[i + 1] === '"' && i > top.quote + 1) {
          set(i, '\\');
          i += 2;
        } else {
          stack.pop();
          i++;
        }
      } else if (c === '\n' || c === '\r') {
        set(i, ' ');
        i++;
      } else if (top.interpolated && c === '{') {
        if (code[i + 1] === '{') i += 2;
        else {
          stack.push({ kind: 'code', close: '}', depth: 0 });
          i++;
        }
      } else i++;
      continue;
    }
    // Code: passes over comments and nested literals up to `close` (or the end).
    if (c === '/' && code[i + 1] === '/') {
      const nl = code.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'") {
      let j = i + 1;
      while (j < n && code[j] !== "'" && code[j] !== '\n' && j - i < 12) j += code[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === '"' || ((c === '@' || c === '$') && /^[@$]{1,3}"/.test(code.slice(i, i + 4)))) {
      const quote = code.indexOf('"', i);
      const prefix = code.slice(i, quote);
      if (code.startsWith('"""', quote)) {
        let fenceEnd = quote;
        while (code[fenceEnd] === '"') fenceEnd++;
        const fence = code.slice(quote, fenceEnd);
        const end = code.indexOf(fence, fenceEnd);
        i = end < 0 ? n : end + fence.length;
      } else if (prefix.includes('@')) {
        let j = quote + 1;
        while (j < n && !(code[j] === '"' && code[j + 1] !== '"')) j += code[j] === '"' ? 2 : 1;
        i = j + 1;
      } else {
        stack.push({ kind: 'string', quote, interpolated: prefix.includes('$') });
        i = quote + 1;
      }
    } else if (top.close && (c === '{' || c === '(' || c === '[')) {
      top.depth++;
      i++;
    } else if (top.close && (c === '}' || c === ')' || c === ']')) {
      if (top.depth === 0 && c === top.close) stack.pop();
      else top.depth--;
      i++;
    } else i++;
  }
  return chars ? chars.join('') : code;
}

