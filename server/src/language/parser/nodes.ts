/**
 * The policy document tree. Every position is a UTF-16 offset into the
 * document text; ranges are half-open `[start, end)`.
 */

export type DiagnosticSeverity = 'error' | 'warning' | 'information' | 'hint';

/** A problem found while parsing: XML structure or C# expression shape. */
export interface SyntaxError {
  code: 'malformed-xml' | 'malformed-expression';
  message: string;
  start: number;
  end: number;
}

/** A `{{name}}` reference. `start` is at the first `{`; `end` after `}}` (or after the name when unclosed). */
export interface NamedValueRef {
  name: string;
  start: number;
  nameStart: number;
  nameEnd: number;
  end: number;
  closed: boolean;
}

/** A policy expression: `@( … )` (single expression) or `@{ … }` (statement block). */
export interface Expression {
  /** At the `@`. */
  start: number;
  /** After the closing delimiter, or where scanning stopped when unclosed. */
  end: number;
  block: boolean;
  closed: boolean;
}

export interface AttributeNode {
  name: string;
  start: number;
  nameEnd: number;
  /** Offset of the opening quote, when a value is present. */
  valueStart?: number;
  /** Offset after the closing quote (or where the value was cut off). */
  valueEnd?: number;
  /** The raw text between the quotes (entities not decoded). */
  value?: string;
  quote?: '"' | "'";
  valueClosed: boolean;
  /** Set when the value is a policy expression. */
  expression?: Expression;
  /** Whether the value holds a `{{named value}}`. */
  hasNamedValue: boolean;
}

export interface ElementNode {
  kind: 'element';
  name: string;
  /** At `<`. */
  start: number;
  nameEnd: number;
  /** After the start tag's `>` or `/>`, or where an unfinished start tag stopped. */
  startTagEnd: number;
  /** false while the start tag lacks its `>`. */
  startTagClosed: boolean;
  /** At the `</` of the end tag, when there is one. */
  endTagStart?: number;
  /** After the element (end tag's `>`, `/>`, or where it was implicitly closed). */
  end: number;
  selfClosing: boolean;
  /** true when the element was properly ended (end tag or `/>`). */
  closed: boolean;
  attributes: AttributeNode[];
  children: ChildNode[];
  parent: ElementNode | undefined;
  /** How far the parser had read when the start tag was done (see `readEnd`). */
  tagReadEnd: number;
  /**
   * How far (exclusive) the parser had read, from the start of the document,
   * when this node was done. Parsing everything up to here depended on no
   * character at or after this offset; incremental reparse relies on it.
   */
  readEnd: number;
}

export interface TextNode {
  kind: 'text';
  start: number;
  end: number;
  /** Policy expressions found in this text. */
  expressions?: Expression[];
  /** true when the text holds something other than whitespace. */
  significant: boolean;
  parent: ElementNode | undefined;
  readEnd: number;
}

export interface MarkupNode {
  kind: 'comment' | 'cdata' | 'processing-instruction' | 'doctype';
  start: number;
  end: number;
  closed: boolean;
  parent: ElementNode | undefined;
  readEnd: number;
}

export type ChildNode = ElementNode | TextNode | MarkupNode;

export interface PolicyDocument {
  text: string;
  /** Top-level nodes (normally one root element, maybe a prolog and comments). */
  children: ChildNode[];
  /** The first top-level element (`<policies>` or `<fragment>`), if any. */
  root: ElementNode | undefined;
  errors: SyntaxError[];
  /** Every `{{…}}` in document order. */
  namedValues: NamedValueRef[];
  /** Every policy expression in document order. */
  expressions: Expression[];
}
