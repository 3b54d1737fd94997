/**
 * Reading the C# around the cursor: the expression that ends before a `.`
 * or `(`, the call whose arguments the cursor is in, whether the cursor sits
 * in a string or a comment. Textual where the syntax tree of half-typed code
 * cannot be trusted, tree-based where it can.
 */
import type { SyntaxNode } from './csharpParser';

/** Node types an expression ending at a `.` can climb through (the operand is their last part). */
const POSTFIX_PARTS = new Set([
  'identifier',
  'generic_name',
  'predefined_type',
  'qualified_name',
  'member_access_expression',
  'invocation_expression',
  'element_access_expression',
  'conditional_access_expression',
  'member_binding_expression',
  'element_binding_expression',
  'parenthesized_expression',
  'argument_list',
  'bracketed_argument_list',
  'type_argument_list',
  'object_creation_expression',
  'array_creation_expression',
  'string_literal',
  'verbatim_string_literal',
  'interpolated_string_expression',
  'integer_literal',
  'real_literal',
  'boolean_literal',
  'character_literal',
  'null_literal',
  'this_expression',
]);

const NOT_EXPRESSIONS = new Set(['argument_list', 'bracketed_argument_list', 'type_argument_list']);

/** The largest expression that ends exactly at `end` and could be the operand of a `.` or call there. */
export function expressionEndingAt(root: SyntaxNode, end: number): SyntaxNode | undefined {
  if (end <= 0) return undefined;
  let node: SyntaxNode | null = root.descendantForIndex(end - 1, end);
  if (!node || node.endIndex !== end) return undefined;
  // A token (')', ']', '>', a quote) stands for the node it closes.
  while (node && !node.isNamed) node = node.parent;
  while (node?.parent && node.parent.endIndex === end && node.parent.startIndex <= node.startIndex && POSTFIX_PARTS.has(node.parent.type)) {
    node = node.parent;
  }
  if (!node || NOT_EXPRESSIONS.has(node.type) || !POSTFIX_PARTS.has(node.type)) return undefined;
  return node;
}

/** The last non-space offset before `offset` (or -1). */
export function previousNonSpace(text: string, offset: number, floor = 0): number {
  let i = offset - 1;
  while (i >= floor && /\s/.test(text[i])) i--;
  return i;
}

export interface OpenCall {
  /** Offset of the unmatched `(`. */
  open: number;
  /** Index of the argument the cursor is in. */
  argument: number;
  /** Name of the argument when written `name: value`. */
  argumentName?: string;
}

/**
 * The innermost `(` before `at` that is not closed before it, with the
 * argument index, skipping strings, chars and nested brackets. Undefined
 * when the cursor is not inside parentheses (or inside a lambda body's braces).
 */
export function openCallAt(text: string, from: number, at: number): OpenCall | undefined {
  const stack: Array<{ char: string; at: number; commas: number; lastComma: number }> = [];
  let i = from;
  while (i < at) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const verbatim = text[i - 1] === '@' || (text[i - 1] === '$' && text[i - 2] === '@');
      let j = i + 1;
      while (j < at) {
        if (!verbatim && text[j] === '\\') j += 2;
        else if (text[j] === c) {
          if (verbatim && text[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      if (j >= at) return undefined; // the cursor is inside a literal
      i = j + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= at) return undefined;
      i = nl + 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push({ char: c, at: i, commas: 0, lastComma: i });
    else if (c === ')' || c === ']' || c === '}') stack.pop();
    else if (c === ',' && stack.length) {
      const top = stack[stack.length - 1];
      top.commas++;
      top.lastComma = i;
    }
    i++;
  }
  const top = stack[stack.length - 1];
  if (!top || top.char !== '(') return undefined;
  const name = /^\s*([A-Za-z_]\w*)\s*:(?!:)/.exec(text.slice(top.lastComma + 1, at));
  return { open: top.at, argument: top.commas, argumentName: name?.[1] };
}

/** Whether the cursor is inside a string literal's text or a comment (not an interpolation hole). */
export function inLiteralOrComment(root: SyntaxNode, at: number): { kind: 'string' | 'comment'; node: SyntaxNode } | undefined {
  let node: SyntaxNode | null = root.descendantForIndex(Math.max(0, at - 1), at);
  for (; node; node = node.parent) {
    if (node.type === 'interpolation') return undefined;
    if (node.type === 'comment') return at > node.startIndex && (at < node.endIndex || !node.text.startsWith('/*')) ? { kind: 'comment', node } : undefined;
    if (node.type === 'string_literal' || node.type === 'verbatim_string_literal' || node.type === 'interpolated_string_expression' || node.type === 'raw_string_literal') {
      const opening = node.text.indexOf('"') + 1;
      const closed = node.endIndex - node.startIndex > opening && node.text.endsWith('"') && !node.hasError;
      const inside = at >= node.startIndex + opening && (at < node.endIndex || !closed);
      return inside ? { kind: 'string', node } : undefined;
    }
    if (node.type === 'character_literal') return at > node.startIndex && at < node.endIndex ? { kind: 'string', node } : undefined;
  }
  return undefined;
}
