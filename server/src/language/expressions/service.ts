/**
 * The expression service: parses one policy expression as C#, binds it
 * against the model, and keeps what diagnostics need per expression text, so
 * an edit re-analyses only the expressions it touched.
 *
 * Until the C# parser is loaded (asynchronously, by the host) the service is
 * not `ready`: features answer without C# (an empty completion list, no
 * expression diagnostics) rather than wait.
 */
import type { Expression, PolicyDocument } from '../parser/nodes';
import { ExpressionBinder, type ExpressionIssueCode, type VariableRead } from './binder';
import { canCompleteNormally } from './controlFlow';
import type { CSharpParser, SyntaxNode } from './csharpParser';
import type { ExpressionModel } from './model/model';
import { getExpressionModel } from './model/model';
import type { Type } from './model/typeRefs';
import { UNKNOWN, sameType } from './model/typeRefs';
import { ExpressionSource } from './source';
import { checkSyntax } from './syntaxCheck';

export type ExpressionFindingCode = ExpressionIssueCode | 'expression-syntax' | 'missing-return';

export interface ExpressionFinding {
  code: ExpressionFindingCode;
  message: string;
  /** Offsets relative to the expression's `@`. */
  start: number;
  end: number;
}

/** What diagnostics and the document's variable table need from one expression. */
export interface ExpressionFindings {
  findings: ExpressionFinding[];
  /** Lookups of policy variables by literal name; offsets relative to the expression's `@`. */
  variableReads: VariableRead[];
  /** The type of the value the expression produces (unknown when it cannot be told). */
  valueType: Type;
}

/** A parsed and bound expression, alive only inside `withAnalysis`. */
export interface ExpressionAnalysis {
  source: ExpressionSource;
  root: SyntaxNode;
  binder: ExpressionBinder;
  model: ExpressionModel;
}

/** Expression texts remembered for diagnostics; a 1 MB policy holds a few thousand. */
const CACHE_LIMIT = 20_000;

export class ExpressionService {
  private parser: CSharpParser | undefined;
  /** Findings by expression text (survives full reparses). */
  private readonly byText = new Map<string, ExpressionFindings>();
  /** Findings by Expression object (survives incremental reparses, which keep untouched nodes). */
  private byExpression = new WeakMap<Expression, { length: number; closed: boolean; findings: ExpressionFindings }>();

  constructor(readonly model: ExpressionModel = getExpressionModel()) {}

  get ready(): boolean {
    return this.parser !== undefined;
  }

  setParser(parser: CSharpParser): void {
    this.parser = parser;
    this.byText.clear();
    this.byExpression = new WeakMap();
  }

  /** The expression containing `offset` (after its `@`, up to its end). */
  expressionAt(doc: PolicyDocument, offset: number): Expression | undefined {
    const list = doc.expressions;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].start < offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const expression = list[found];
    if (!expression || offset <= expression.start + 1) return undefined;
    return offset < expression.end || (!expression.closed && offset <= expression.end) ? expression : undefined;
  }

  /**
   * Diagnostics-level findings of an expression, from the cache when its text
   * was seen before. With `deadline` (a `performance.now()` time), an
   * expression not in the cache is left unanalysed (undefined) once the
   * deadline has passed; `pending` then tells the caller to come back.
   */
  findings(doc: PolicyDocument, expression: Expression, deadline?: number): ExpressionFindings | undefined {
    if (!this.parser) return undefined;
    // Incremental reparses keep the Expression objects of untouched text: look them up first, without hashing text.
    const known = this.byExpression.get(expression);
    if (known && known.length === expression.end - expression.start && known.closed === expression.closed) return known.findings;
    const key = `${expression.closed ? '1' : '0'}${doc.text.slice(expression.start, expression.end)}`;
    let result = this.byText.get(key);
    if (!result) {
      if (deadline !== undefined && performance.now() > deadline) {
        this.pending = true;
        return undefined;
      }
      result = this.withAnalysis(doc, expression, (analysis) => this.collect(analysis, expression), { record: false }) ?? {
        findings: [],
        variableReads: [],
        valueType: UNKNOWN,
      };
      this.byText.set(key, result);
      if (this.byText.size > CACHE_LIMIT) this.evictOldest();
    }
    this.byExpression.set(expression, { length: expression.end - expression.start, closed: expression.closed, findings: result });
    return result;
  }

  /** Set when `findings` skipped expressions because of a deadline; cleared by `startPass`. */
  pending = false;

  /** Starts a diagnostics pass: forgets that an earlier one left work. */
  startPass(): void {
    this.pending = false;
  }

  /** Drops the oldest tenth of the text cache (insertion order), in one go. */
  private evictOldest(): void {
    let drop = Math.ceil(CACHE_LIMIT / 10);
    for (const key of this.byText.keys()) {
      this.byText.delete(key);
      if (--drop === 0) break;
    }
  }

  /**
   * Parses and binds one expression and hands the result to `use`; the
   * syntax tree is freed afterwards. `cutAt` (a document offset) parses only
   * the code before it, as completion does in an unfinished expression.
   */
  withAnalysis<T>(doc: PolicyDocument, expression: Expression, use: (analysis: ExpressionAnalysis) => T, options: { record: boolean; cutAt?: number }): T | undefined {
    if (!this.parser) return undefined;
    let source = ExpressionSource.of(doc, expression);
    if (options.cutAt !== undefined) source = source.cut(source.toSource(options.cutAt));
    // Code nested deeper than any real policy is left unchecked rather than
    // misread: tree-sitter's C# scanner loses track of a few hundred nested
    // interpolated strings, and the binder walks the tree recursively.
    if (bracketDepth(source.text) > MAX_ANALYSED_DEPTH) return undefined;
    const tree = this.parser.parse(source.text);
    try {
      const binder = new ExpressionBinder(this.model, source, tree.rootNode, { record: options.record }).bind();
      return use({ source, root: tree.rootNode, binder, model: this.model });
    } catch (e) {
      // A very long chain (`1 + 1 + …` tens of thousands of terms) is deep
      // without brackets: such an expression goes unchecked, it never throws.
      if (e instanceof RangeError) return undefined;
      throw e;
    } finally {
      tree.delete();
    }
  }

  private collect(analysis: ExpressionAnalysis, expression: Expression): ExpressionFindings {
    const { source, root, binder } = analysis;
    const relative = (start: number, end: number): { start: number; end: number } => {
      const span = source.spanToDocument(start, end);
      return { start: span.start - expression.start, end: span.end - expression.start };
    };
    const findings: ExpressionFinding[] = [];
    // Unfinished expressions were reported by the parser; repaired ones may or may not compile in APIM.
    const checked = expression.closed && !source.lenient;
    const syntax = checked ? checkSyntax(root, source) : [];
    for (const issue of syntax) findings.push({ code: 'expression-syntax', message: issue.message, ...relative(issue.start, issue.end) });
    // Names are checked only where the code parses: inside broken code they would cascade.
    if (checked && !root.hasError) {
      for (const issue of binder.issues) findings.push({ code: issue.code, message: issue.message, ...relative(issue.start, issue.end) });
      if (expression.block && this.missesReturn(root)) {
        const end = expression.end - expression.start;
        findings.push({
          code: 'missing-return',
          message: "Not every code path of this multi-statement expression ends with 'return': APIM requires a return value on each path.",
          start: end - 1,
          end,
        });
      }
    }
    const variableReads = binder.variableReads.map((read) => {
      const shifted: VariableRead = { ...read, ...relative(read.start, read.end) };
      if (read.requestedStart !== undefined && read.requestedEnd !== undefined) {
        const span = relative(read.requestedStart, read.requestedEnd);
        shifted.requestedStart = span.start;
        shifted.requestedEnd = span.end;
      }
      return shifted;
    });
    const returns = binder.returnTypes;
    const valueType = returns.length && returns.every((t) => sameType(t, returns[0])) ? returns[0] : UNKNOWN;
    return { findings, variableReads, valueType };
  }

  /** A `@{ }` block whose end can be reached without a `return`. */
  private missesReturn(root: SyntaxNode): boolean {
    const statement = root.namedChild(0);
    const block = statement?.type === 'global_statement' ? statement.namedChild(0) : statement;
    return block?.type === 'block' && canCompleteNormally(block);
  }
}

/** Deepest bracket nesting the C# checks take on (real policies stay far below). */
export const MAX_ANALYSED_DEPTH = 128;

/** Deepest nesting of `(`, `[` and `{` in `code` (brackets in strings count too: it only errs towards skipping). */
export function bracketDepth(code: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
    } else if ((c === 0x29 || c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return deepest;
}
