/**
 * A tolerant, single-pass parser for APIM policy documents ("rawxml"): XML
 * whose attribute values and text may hold unescaped C# policy expressions
 * and `{{named value}}` references.
 *
 * It never throws and always returns a tree: problems become `errors` and
 * the tree is repaired the way a person would read it (an unfinished start
 * tag ends at the next tag, a missing end tag closes at its parent's end).
 */
import { looksLikeTagLine, scanExpression } from './csharpScanner';
import { collectNamedValues } from './namedValues';
import type {
  AttributeNode,
  ChildNode,
  ElementNode,
  Expression,
  MarkupNode,
  NamedValueRef,
  PolicyDocument,
  SyntaxError,
  TextNode,
} from './nodes';

const enum Ch {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Ampersand = 38,
  SingleQuote = 39,
  OpenParen = 40,
  Slash = 47,
  Colon = 58,
  LessThan = 60,
  Equals = 61,
  GreaterThan = 62,
  Question = 63,
  At = 64,
  OpenBrace = 123,
  CloseBrace = 125,
}

function isWhitespace(c: number): boolean {
  return c === Ch.Space || c === Ch.LineFeed || c === Ch.Tab || c === Ch.CarriageReturn;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === Ch.Colon || c === Ch.OpenBrace || c > 127;
}

/** Whether a '<' followed by `next` opens markup (a tag, comment, declaration…) rather than being a bare '<'. */
function startsMarkup(next: number): boolean {
  return next === Ch.Bang || next === Ch.Question || next === Ch.Slash || isNameStart(next);
}

/** Name characters, plus braces so `{{named values}}` inside names stay in the name. */
function isNameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 45 || // -
    c === 46 || // .
    c === 95 || // _
    c === Ch.Colon ||
    c === Ch.OpenBrace ||
    c === Ch.CloseBrace ||
    c > 127
  );
}

/** Open elements nested at least this deep are also counted by name (see `deepOpenNames`). */
const DEEP = 32;
/** Up to this many attributes, a repeated name is found by scanning them. */
const FEW_ATTRIBUTES = 8;

const ENTITY = /^&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);/;
const PREDEFINED_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

class Parser {
  private readonly n: number;
  private pos = 0;
  private readonly errors: SyntaxError[] = [];
  private readonly namedValues: NamedValueRef[] = [];
  private readonly expressions: Expression[] = [];
  private readonly topLevel: ChildNode[] = [];
  /** Open elements, innermost last. */
  private readonly stack: ElementNode[] = [];
  /**
   * How many open elements at depth `DEEP` or more bear each name: an end
   * tag matching none of them skips that part of the stack, so unmatched end
   * tags stay cheap however deep the nesting (and shallow documents pay nothing).
   */
  private readonly deepOpenNames = new Map<string, number>();
  /** Names of the attributes of the start tag being read, once it holds many. */
  private tagNames: Set<string> | undefined;
  /**
   * Next occurrences of characters the scanner looks for. Scanning moves
   * forward, so each search resumes where the last one ended and the whole
   * parse stays linear even when a character never occurs again.
   */
  private readonly nextAt: ForwardFinder;
  private readonly nextAmp: ForwardFinder;
  private readonly nextBraces: ForwardFinder;
  private readonly nextLessThan: ForwardFinder;
  private readonly nextNewline: ForwardFinder;

  /**
   * Set when something ran into the end of the text unfinished (or an end
   * tag had no match). Slice parses use it to tell whether the surrounding
   * document could have read the slice differently.
   */
  limitReached = false;
  /** Furthest offset (exclusive) examined so far; see `ElementNode.readEnd`. */
  private readMax = 0;

  /**
   * @param host When parsing a slice of a larger document, the element whose
   * content the slice is; top-level nodes become its children.
   */
  constructor(
    private readonly text: string,
    private readonly host?: ElementNode,
  ) {
    this.n = text.length;
    this.nextAt = new ForwardFinder(text, '@');
    this.nextAmp = new ForwardFinder(text, '&');
    this.nextBraces = new ForwardFinder(text, '{{');
    this.nextLessThan = new ForwardFinder(text, '<');
    this.nextNewline = new ForwardFinder(text, '\n');
  }

  /** Scans the whole text into `topLevel`; returns the nodes. */
  scanAll(): ChildNode[] {
    const text = this.text;
    if (!this.host && text.charCodeAt(0) === 0xfeff) this.pos = 1; // byte order mark
    while (this.pos < this.n) {
      if (text.charCodeAt(this.pos) === Ch.LessThan) this.scanMarkup();
      else this.scanText();
    }
    if (this.stack.length) this.limitReached = true;
    return this.topLevel;
  }

  /** Errors and references in document order. */
  get results(): { errors: SyntaxError[]; namedValues: NamedValueRef[]; expressions: Expression[] } {
    return {
      errors: this.errors.sort((a, b) => a.start - b.start),
      namedValues: this.namedValues.sort((a, b) => a.start - b.start),
      expressions: this.expressions,
    };
  }

  parse(): PolicyDocument {
    const text = this.text;
    this.scanAll();
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const open = this.stack[i];
      this.error('malformed-xml', `Element <${open.name}> is not closed: add </${open.name}>.`, open.start + 1, open.nameEnd);
      open.end = this.n;
      open.readEnd = this.n + 1;
    }
    this.popOpenTo(0);
    let root: ElementNode | undefined;
    for (const node of this.topLevel) {
      if (node.kind !== 'element') continue;
      if (!root) root = node;
      else this.error('malformed-xml', `A policy document has a single root element; <${node.name}> is a second one.`, node.start + 1, node.nameEnd);
    }
    return {
      text,
      children: this.topLevel,
      root,
      ...this.results,
    };
  }

  /** Records that decisions so far depended on the text up to `end` (exclusive). */
  private read(end: number): void {
    if (end > this.readMax) {
      this.readMax = end;
      if (end > this.n) this.limitReached = true;
    }
  }

  /**
   * Records an error. One that continues the previous error (same problem,
   * starting where it ended, as in `&&&&` or `<<<<`) extends it instead, so
   * a run of junk costs one error, not one per character.
   */
  private error(code: SyntaxError['code'], message: string, start: number, end: number): void {
    const last = this.errors[this.errors.length - 1];
    if (last && last.end === start && last.code === code && last.message === message && start < end) {
      last.end = end;
      return;
    }
    this.errors.push({ code, message, start, end: Math.max(end, start) });
  }

  private get parent(): ElementNode | undefined {
    return this.stack.length ? this.stack[this.stack.length - 1] : this.host;
  }

  private append(node: ChildNode): void {
    if (this.stack.length) this.stack[this.stack.length - 1].children.push(node);
    else this.topLevel.push(node);
  }

  // ---- text -------------------------------------------------------------

  /** Collects `{{…}}` in a span, skipping the scan when none occurs there. */
  private collectNamedValues(start: number, end: number): number {
    const next = this.nextBraces.find(start);
    if (next < 0 || next >= end) return 0;
    return collectNamedValues(this.text, start, end, this.namedValues);
  }

  /** Text up to the next tag, skipping over policy expressions. */
  private scanText(): void {
    const text = this.text;
    const start = this.pos;
    let expressions: Expression[] | undefined;
    let i = start;
    while (i < this.n) {
      const lt = this.nextLessThan.find(i);
      const stop = lt < 0 ? this.n : lt;
      const at = this.nextAt.find(i);
      if (at >= 0 && at < stop && at + 1 < this.n) {
        const next = text.charCodeAt(at + 1);
        if (next === Ch.OpenParen || next === Ch.OpenBrace) {
          const expression = this.scanExpressionAt(at);
          (expressions ??= []).push(expression);
          i = expression.end;
          continue;
        }
        i = at + 1;
        if (at + 1 < stop) continue;
      }
      i = stop;
      break;
    }
    const end = i;
    this.pos = end;
    // The text ended because of the '<' at `end` (or the end of the input, which a slice shares with its document).
    this.read(Math.min(end + 1, this.n));
    let significant = false;
    for (let k = start; k < end; k++) {
      if (!isWhitespace(text.charCodeAt(k))) {
        significant = true;
        break;
      }
    }
    if (!significant) return; // layout whitespace carries no meaning
    this.checkEntities(start, end, expressions);
    this.collectNamedValues(start, end);
    const parent = this.parent;
    const node: TextNode = { kind: 'text', start, end, significant, parent, readEnd: this.readMax };
    if (expressions) node.expressions = expressions;
    if (!parent) this.error('malformed-xml', 'Text is not allowed outside the root element.', start, end);
    this.append(node);
  }

  private scanExpressionAt(at: number): Expression {
    const { expression, error } = this.scanExpressionDeferred(at);
    if (error) this.error('malformed-expression', error.message, error.start, error.end);
    return expression;
  }

  /** Scans an expression; the caller reports its error once it knows where the enclosing value ends. */
  private scanExpressionDeferred(at: number): { expression: Expression; error?: { message: string; start: number; end: number } } {
    const scan = scanExpression(this.text, at);
    const expression: Expression = { start: at, end: scan.end, block: this.text.charCodeAt(at + 1) === Ch.OpenBrace, closed: scan.closed };
    if (!scan.closed && scan.end >= this.n) this.limitReached = true;
    this.read(scan.readEnd);
    this.expressions.push(expression);
    return { expression, error: scan.error };
  }

  /**
   * Reports an attribute expression's error inside the attribute: when the
   * scanner gave up beyond the value, the problem is that the expression
   * never closed within it.
   */
  private reportValueExpressionError(error: { message: string; start: number; end: number } | undefined, expression: Expression, valueEnd: number): void {
    if (!error) return;
    if (error.start < valueEnd) this.error('malformed-expression', error.message, error.start, Math.min(error.end, valueEnd));
    else this.error('malformed-expression', `Policy expression is not closed within the attribute value: expected '${expression.block ? '}' : ')'}'.`, expression.start, expression.start + 2);
  }

  /** A bare `&` must start an entity; expressions are exempt (they are C#). */
  private checkEntities(start: number, end: number, expressions: Expression[] | undefined): void {
    const text = this.text;
    let amp = this.nextAmp.find(start);
    let next = 0; // expressions are in order, like the '&'s: walk them together
    while (amp >= 0 && amp < end) {
      while (expressions && next < expressions.length && expressions[next].end <= amp) next++;
      if (!(expressions && next < expressions.length && amp >= expressions[next].start)) {
        const match = ENTITY.exec(text.substring(amp, amp + 12));
        if (!match) {
          this.error('malformed-xml', "A bare '&' must be written as '&amp;'.", amp, amp + 1);
        } else {
          const name = match[0].slice(1, -1);
          if (!name.startsWith('#') && !PREDEFINED_ENTITIES.has(name)) {
            this.error('malformed-xml', `Unknown entity '&${name};'.`, amp, amp + match[0].length);
          }
        }
      }
      amp = this.nextAmp.find(amp + 1);
    }
  }

  // ---- markup -----------------------------------------------------------

  private scanMarkup(): void {
    const text = this.text;
    const start = this.pos;
    const next = text.charCodeAt(start + 1);
    if (next === Ch.Bang) {
      if (text.startsWith('<!--', start)) return this.scanDelimited('comment', '-->', 4, 'Comment is not closed: add -->.');
      if (text.startsWith('<![CDATA[', start)) return this.scanDelimited('cdata', ']]>', 9, 'CDATA section is not closed: add ]]>.');
      return this.scanDelimited('doctype', '>', 2, 'Declaration is not closed: add >.');
    }
    if (next === Ch.Question) return this.scanDelimited('processing-instruction', '?>', 2, 'Processing instruction is not closed: add ?>.');
    if (next === Ch.Slash) return this.scanEndTag();
    if (isNameStart(next)) return this.scanStartTag();
    // A lone '<' (for example "a < b" outside an expression): report it, keep it as text.
    const message = "A bare '<' must be written as '&lt;' (or be inside a policy expression).";
    this.error('malformed-xml', message, start, start + 1);
    this.pos = start + 1;
    const parent = this.parent;
    let end = this.nextLessThan.find(start + 1);
    // Lone '<'s that follow stay in the same text node, so `<<<<…` costs one node.
    while (end >= 0 && !startsMarkup(text.charCodeAt(end + 1))) {
      this.error('malformed-xml', message, end, end + 1);
      end = this.nextLessThan.find(end + 1);
    }
    if (end < 0) end = this.n;
    this.read(Math.min(end + 2, this.n)); // up to the character that showed the next '<' opens markup
    this.append({ kind: 'text', start, end, significant: true, parent, readEnd: this.readMax });
    this.pos = end;
  }

  private scanDelimited(kind: MarkupNode['kind'], terminator: string, openLength: number, unclosedMessage: string): void {
    const start = this.pos;
    const close = this.text.indexOf(terminator, start + openLength);
    const closed = close >= 0;
    const end = closed ? close + terminator.length : this.n;
    this.read(closed ? end : this.n + 1);
    if (!closed) {
      this.error('malformed-xml', unclosedMessage, start, start + openLength);
      this.limitReached = true;
    }
    this.append({ kind, start, end, closed, parent: this.parent, readEnd: this.readMax });
    this.pos = end;
  }

  private scanName(from: number): number {
    let i = from;
    while (i < this.n && isNameChar(this.text.charCodeAt(i))) i++;
    return i;
  }

  private skipWhitespace(from: number): number {
    let i = from;
    while (i < this.n && isWhitespace(this.text.charCodeAt(i))) i++;
    return i;
  }

  private scanStartTag(): void {
    const text = this.text;
    const start = this.pos;
    const nameEnd = this.scanName(start + 1);
    const name = text.substring(start + 1, nameEnd);
    const parent = this.parent;
    const element: ElementNode = {
      kind: 'element',
      name,
      start,
      nameEnd,
      end: nameEnd,
      startTagEnd: nameEnd,
      startTagClosed: false,
      selfClosing: false,
      closed: false,
      attributes: [],
      children: [],
      parent,
      tagReadEnd: 0,
      readEnd: 0,
    };
    if (name.includes('{{')) this.collectNamedValues(start + 1, nameEnd);
    this.append(element);
    this.tagNames = undefined;
    let i = nameEnd;
    for (;;) {
      i = this.skipWhitespace(i);
      const c = i < this.n ? text.charCodeAt(i) : Ch.LessThan;
      this.read(i + 1);
      if (c === Ch.GreaterThan) {
        element.startTagEnd = element.end = i + 1;
        element.startTagClosed = true;
        element.tagReadEnd = this.readMax;
        this.pushOpen(element);
        this.pos = i + 1;
        return;
      }
      if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.GreaterThan) {
        element.startTagEnd = element.end = i + 2;
        element.startTagClosed = element.selfClosing = element.closed = true;
        this.read(i + 2);
        element.tagReadEnd = element.readEnd = this.readMax;
        this.pos = i + 2;
        return;
      }
      if (c === Ch.LessThan) {
        if (i >= this.n) this.limitReached = true;
        // The start tag was never finished and the next tag (or the end) begins here.
        // Most likely the element is being typed: keep it empty rather than
        // adopting the following siblings as children.
        this.error('malformed-xml', `Start tag <${name}> is not finished: add '>' or '/>'.`, start, nameEnd);
        element.startTagEnd = element.end = Math.min(i, this.n);
        element.tagReadEnd = element.readEnd = this.readMax;
        this.pos = Math.min(i, this.n);
        return;
      }
      if (isNameStart(c)) {
        i = this.scanAttribute(element, i);
        continue;
      }
      // A run of stray characters is one problem, however long.
      const junk = i;
      while (i < this.n && this.isStrayInTag(i)) i++;
      const stray = i - junk > 12 ? `${text.substring(junk, junk + 12)}…` : text.substring(junk, i);
      this.error('malformed-xml', `Unexpected '${stray}' in start tag <${name}>.`, junk, i);
    }
  }

  /** A character that can neither start an attribute nor end the tag. */
  private isStrayInTag(i: number): boolean {
    const c = this.text.charCodeAt(i);
    if (isWhitespace(c) || isNameStart(c) || c === Ch.GreaterThan || c === Ch.LessThan) return false;
    return !(c === Ch.Slash && this.text.charCodeAt(i + 1) === Ch.GreaterThan);
  }

  /** Scans one attribute starting at its name; returns the offset after it. */
  private scanAttribute(element: ElementNode, nameStart: number): number {
    const text = this.text;
    const nameEnd = this.scanName(nameStart);
    const name = text.substring(nameStart, nameEnd);
    const attribute: AttributeNode = { name, start: nameStart, nameEnd, valueClosed: false, hasNamedValue: false };
    if (name.includes('{{')) this.collectNamedValues(nameStart, nameEnd);
    if (this.isRepeated(element.attributes, name)) this.error('malformed-xml', `Attribute '${name}' is repeated.`, nameStart, nameEnd);
    element.attributes.push(attribute);
    this.tagNames?.add(name);
    let i = this.skipWhitespace(nameEnd);
    if (text.charCodeAt(i) !== Ch.Equals) {
      this.error('malformed-xml', `Attribute '${name}' needs a value: ${name}="…".`, nameStart, nameEnd);
      return i;
    }
    i = this.skipWhitespace(i + 1);
    const quote = text.charCodeAt(i);
    if (quote !== Ch.DoubleQuote && quote !== Ch.SingleQuote) {
      this.error('malformed-xml', `The value of '${name}' must be in quotes.`, nameStart, i);
      // Take the unquoted word as the value so completion and hover still work.
      let j = i;
      while (j < this.n && !isWhitespace(text.charCodeAt(j)) && text.charCodeAt(j) !== Ch.GreaterThan && text.charCodeAt(j) !== Ch.LessThan) j++;
      this.read(j + 1);
      if (j > i) {
        attribute.valueStart = i;
        attribute.valueEnd = j;
        attribute.value = text.substring(i, j);
      }
      return j;
    }
    attribute.quote = quote === Ch.DoubleQuote ? '"' : "'";
    attribute.valueStart = i;
    const valueStart = i + 1;
    let closeQuote = -1;
    const at = valueStart;
    if (text.charCodeAt(at) === Ch.At && (text.charCodeAt(at + 1) === Ch.OpenParen || text.charCodeAt(at + 1) === Ch.OpenBrace)) {
      const { expression, error } = this.scanExpressionDeferred(at);
      attribute.expression = expression;
      if (expression.closed) {
        const after = this.skipWhitespace(expression.end);
        this.read(after + 1);
        if (text.charCodeAt(after) === quote) closeQuote = after;
        else {
          const plain = this.findAttributeEnd(expression.end, quote);
          if (plain.closed) {
            this.error('malformed-expression', 'A policy expression must be the whole attribute value; move the extra text inside the expression.', expression.end, plain.end);
          }
          closeQuote = plain.closed ? plain.end : -1;
          if (!plain.closed) return this.finishUnclosedValue(attribute, valueStart, plain.end);
        }
      } else {
        // Unfinished expression: read the value as plain XML so the rest of the tag survives,
        // ending it at a quote that is followed by what follows a value (the next attribute,
        // `>` or `/>`) rather than at a quote of a C# string inside it.
        const plain = this.quoteBeforeTagContinuation(valueStart, quote) ?? this.findAttributeEnd(valueStart, quote);
        expression.end = Math.min(expression.end, plain.end);
        this.reportValueExpressionError(error, expression, plain.end);
        if (!plain.closed) return this.finishUnclosedValue(attribute, valueStart, plain.end);
        closeQuote = plain.end;
      }
    } else {
      const embedded = this.expressionAfterText(valueStart, quote);
      const plain = this.findAttributeEnd(embedded ?? valueStart, quote);
      if (!plain.closed) return this.finishUnclosedValue(attribute, valueStart, plain.end);
      closeQuote = plain.end;
      this.checkEntities(valueStart, embedded === undefined ? closeQuote : valueStart, undefined);
    }
    attribute.value = text.substring(valueStart, closeQuote);
    attribute.valueEnd = closeQuote + 1;
    attribute.valueClosed = true;
    if (this.collectNamedValues(valueStart, closeQuote) > 0) attribute.hasNamedValue = true;
    return closeQuote + 1;
  }

  /** Whether an earlier attribute of this tag has the name: a scan for a few, a set once there are many (so huge tags stay linear). */
  private isRepeated(attributes: readonly AttributeNode[], name: string): boolean {
    if (attributes.length < FEW_ATTRIBUTES) return attributes.some((a) => a.name === name);
    this.tagNames ??= new Set(attributes.map((a) => a.name));
    return this.tagNames.has(name);
  }

  private lineEndOf(from: number): number {
    const nl = this.nextNewline.find(from);
    return nl < 0 ? this.n : nl;
  }

  /**
   * In an attribute whose expression never closed: the first `quote` on the
   * value's line that is followed by the next attribute, `>` or `/>`.
   */
  private quoteBeforeTagContinuation(valueStart: number, quote: number): { end: number; closed: boolean } | undefined {
    const text = this.text;
    const limit = this.lineEndOf(valueStart);
    const quoteChar = quote === Ch.DoubleQuote ? '"' : "'";
    for (let q = text.indexOf(quoteChar, valueStart); q >= 0 && q < limit; q = text.indexOf(quoteChar, q + 1)) {
      const rest = /^\s*(?:\/?>|[A-Za-z_:][\w:.-]*\s*=\s*["'])/.exec(text.slice(q + 1, Math.min(limit, q + 200)));
      if (rest) {
        this.read(q + 1 + rest[0].length);
        return { end: q, closed: true };
      }
    }
    this.read(limit + 1);
    return undefined;
  }

  /**
   * `template="/items/@(…)"`: literal text, then an expression, in one value.
   * APIM evaluates an expression only when it is the whole value, so this is
   * one mistake: report it once at the expression and read past it (its
   * quotes are C#, not the end of the value). Returns where the expression
   * ends, or undefined when the value holds none before its closing quote.
   */
  private expressionAfterText(valueStart: number, quote: number): number | undefined {
    const text = this.text;
    const q = text.indexOf(quote === Ch.DoubleQuote ? '"' : "'", valueStart);
    let at = this.nextAt.find(valueStart);
    // Only within this value's first line and before its first quote: later text is another story.
    const limit = Math.min(q < 0 ? this.n : q, this.lineEndOf(valueStart));
    while (at >= 0 && at < limit) {
      const next = text.charCodeAt(at + 1);
      if (next === Ch.OpenParen || next === Ch.OpenBrace) break;
      at = text.indexOf('@', at + 1);
    }
    if (at < 0 || at >= limit) return undefined;
    const scan = scanExpression(text, at);
    this.read(scan.readEnd);
    if (!scan.closed) return undefined;
    this.error(
      'malformed-expression',
      `A policy expression must be the whole attribute value: move '${text.slice(valueStart, at)}' inside it, as in @("${text.slice(valueStart, at)}" + …).`,
      at,
      scan.end,
    );
    return scan.end;
  }

  /**
   * Where a plain attribute value ends: the matching quote, unless a tag
   * starts first (then the quote was forgotten and the value is cut there).
   */
  private findAttributeEnd(from: number, quote: number): { end: number; closed: boolean } {
    const text = this.text;
    const q = text.indexOf(quote === Ch.DoubleQuote ? '"' : "'", from);
    if (q < 0) this.limitReached = true;
    const end = q < 0 ? this.n : q;
    this.read(q < 0 ? this.n + 1 : q + 1);
    let lt = this.nextLessThan.find(from);
    while (lt >= 0 && lt < end) {
      const next = text.charCodeAt(lt + 1);
      if (next === Ch.Slash || next === Ch.Bang || isNameStart(next)) {
        // A newline before the '<' or a missing quote: the value was never closed.
        this.read(lt + 2);
        const nl = this.nextNewline.find(from);
        if (q < 0 || (nl >= 0 && nl < lt) || looksLikeTagLine(text, lt)) return { end: trimEnd(text, from, lt), closed: false };
      }
      this.error('malformed-xml', "A bare '<' in an attribute value must be written as '&lt;'.", lt, lt + 1);
      lt = this.nextLessThan.find(lt + 1);
    }
    if (q < 0) {
      this.limitReached = true;
      return { end: trimEnd(text, from, this.n), closed: false };
    }
    return { end: q, closed: true };
  }

  private finishUnclosedValue(attribute: AttributeNode, valueStart: number, end: number): number {
    this.error('malformed-xml', `The value of '${attribute.name}' is missing its closing quote.`, attribute.valueStart ?? valueStart, end);
    attribute.value = this.text.substring(valueStart, end);
    attribute.valueEnd = end;
    attribute.valueClosed = false;
    if (this.collectNamedValues(valueStart, end) > 0) attribute.hasNamedValue = true;
    return end;
  }

  private scanEndTag(): void {
    const text = this.text;
    const start = this.pos;
    const nameEnd = this.scanName(start + 2);
    const name = text.substring(start + 2, nameEnd);
    let i = this.skipWhitespace(nameEnd);
    let end: number;
    if (text.charCodeAt(i) === Ch.GreaterThan) end = i + 1;
    else {
      this.error('malformed-xml', `End tag </${name}> is not finished: add '>'.`, start, nameEnd);
      // Skip junk up to '>' on this tag, but never into the next tag.
      while (i < this.n && text.charCodeAt(i) !== Ch.GreaterThan && text.charCodeAt(i) !== Ch.LessThan) i++;
      end = text.charCodeAt(i) === Ch.GreaterThan ? i + 1 : i;
      if (i >= this.n) this.limitReached = true;
    }
    this.pos = end;
    this.read(text.charCodeAt(i) === Ch.GreaterThan ? i + 1 : Math.min(i + 1, this.n + 1));
    // Find the open element this end tag closes (none open by that name: no need to look).
    let match = this.stack.length - 1;
    if (match >= DEEP && !this.deepOpenNames.has(name)) match = DEEP - 1;
    while (match >= 0 && this.stack[match].name !== name) match--;
    if (match < 0) {
      this.limitReached = true; // in a slice, an ancestor outside it might have matched
      this.error('malformed-xml', name ? `End tag </${name}> has no matching start tag.` : 'End tag has no name.', start, end);
      return;
    }
    for (let k = this.stack.length - 1; k > match; k--) {
      const open = this.stack[k];
      this.error('malformed-xml', `Element <${open.name}> is not closed before </${name}>: add </${open.name}>.`, open.start + 1, open.nameEnd);
      open.end = start;
      open.readEnd = this.readMax;
    }
    const element = this.stack[match];
    element.endTagStart = start;
    element.end = end;
    element.closed = true;
    element.readEnd = this.readMax;
    this.popOpenTo(match);
  }

  private pushOpen(element: ElementNode): void {
    if (this.stack.length >= DEEP) this.deepOpenNames.set(element.name, (this.deepOpenNames.get(element.name) ?? 0) + 1);
    this.stack.push(element);
  }

  /** Pops the open elements down to (and leaving) `length` of them. */
  private popOpenTo(length: number): void {
    for (let k = this.stack.length - 1; k >= Math.max(length, DEEP); k--) {
      const name = this.stack[k].name;
      const count = (this.deepOpenNames.get(name) ?? 1) - 1;
      if (count) this.deepOpenNames.set(name, count);
      else this.deepOpenNames.delete(name);
    }
    this.stack.length = length;
  }
}

/** `indexOf` that remembers its last answer, for searches that only move forward. */
class ForwardFinder {
  private cached = -2;
  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  find(from: number): number {
    if (this.cached === -1) return -1;
    if (this.cached < from) this.cached = this.text.indexOf(this.needle, from);
    return this.cached;
  }
}

function trimEnd(text: string, from: number, end: number): number {
  let e = end;
  while (e > from && isWhitespace(text.charCodeAt(e - 1))) e--;
  return e;
}

/** Parses a policy document. Never throws. */
export function parsePolicy(text: string): PolicyDocument {
  return new Parser(text).parse();
}

export interface SliceParse {
  children: ChildNode[];
  errors: SyntaxError[];
  namedValues: NamedValueRef[];
  expressions: Expression[];
  /** false when the surrounding document might read the slice differently. */
  selfContained: boolean;
}

/** Parses `slice` as content of `host`; offsets are relative to the slice. */
export function parseSlice(slice: string, host: ElementNode): SliceParse {
  const parser = new Parser(slice, host);
  const children = parser.scanAll();
  return { children, ...parser.results, selfContained: !parser.limitReached };
}
