/**
 * `expression-syntax`: where the C# does not parse, and syntax newer than
 * the C# 7 that APIM compiles. One diagnostic per mistake: the parser's
 * error nodes are reported once each, never their insides, and errors that
 * follow one another closely are taken as one.
 */
import type { SyntaxNode } from './csharpParser';
import type { ExpressionSource } from './source';

export interface SyntaxIssue {
  message: string;
  /** Source offsets. */
  start: number;
  end: number;
}

/** Constructs newer than C# 7, by node type, with what to write instead. */
const NEWER_SYNTAX: Readonly<Record<string, string>> = {
  switch_expression: "A switch expression is C# 8; APIM compiles C# 7: use a switch statement in '@{ }' or the ?: operator.",
  negated_pattern: "'is not' is C# 9; APIM compiles C# 7: write !(x is …) or x != null.",
  and_pattern: "'and' patterns are C# 9; APIM compiles C# 7: combine two 'is' checks with &&.",
  or_pattern: "'or' patterns are C# 9; APIM compiles C# 7: combine two 'is' checks with ||.",
  relational_pattern: "Relational patterns (is > 0) are C# 9; APIM compiles C# 7: compare with <, >, <=, >=.",
  recursive_pattern: "Property and positional patterns are C# 8; APIM compiles C# 7: test the properties one by one.",
  list_pattern: 'List patterns are C# 11; APIM compiles C# 7.',
  range_expression: "Ranges (a..b) are C# 8; APIM compiles C# 7: use Substring, Skip or Take.",
  implicit_object_creation_expression: "Target-typed 'new()' is C# 9; APIM compiles C# 7: name the type, as in new JObject().",
  with_expression: "'with' expressions are C# 9; APIM compiles C# 7.",
  raw_string_literal: 'Raw string literals (""" … """) are C# 11; APIM compiles C# 7: use a verbatim string @"…".',
};

const STATEMENT_START = new Set(['return', 'var', 'if', 'else', 'for', 'foreach', 'while', 'do', 'switch', 'try', 'throw', 'string', 'int', 'bool', 'JObject', 'JArray', 'JToken']);

export function checkSyntax(root: SyntaxNode, source: ExpressionSource): SyntaxIssue[] {
  const issues: SyntaxIssue[] = [];
  if (root.hasError) collectErrors(root, source, issues);
  checkNewerSyntax(root, source, issues);
  issues.sort((a, b) => a.start - b.start);
  // Errors within a few characters of the previous one are its consequence.
  const kept: SyntaxIssue[] = [];
  for (const issue of issues) {
    const previous = kept[kept.length - 1];
    if (previous && issue.start <= previous.end + 1) continue;
    if (source.touchesNamedValue(issue.start, issue.end)) continue;
    kept.push(issue);
  }
  return kept;
}

function collectErrors(node: SyntaxNode, source: ExpressionSource, issues: SyntaxIssue[]): void {
  // A token the parser inserted shows as MISSING, or (for hidden tokens such as a name) as an empty leaf in error.
  if (node.isMissing || (node.hasError && node.childCount === 0 && node.startIndex === node.endIndex)) {
    issues.push(missing(node, source));
    return;
  }
  if (node.type === 'ERROR') {
    issues.push(unexpected(node, source));
    return;
  }
  for (const child of node.children) if (child && (child.hasError || child.isMissing)) collectErrors(child, source, issues);
}

/** The last non-space character before `offset` in the source. */
function previousCharacter(source: ExpressionSource, offset: number): number {
  let i = offset - 1;
  while (i >= source.codeStart && /\s/.test(source.text[i])) i--;
  return i;
}

function missing(node: SyntaxNode, source: ExpressionSource): SyntaxIssue {
  const at = Math.max(source.codeStart, previousCharacter(source, node.startIndex));
  let next = node.startIndex;
  while (next < source.text.length && /\s/.test(source.text[next])) next++;
  for (const lt of [next, at]) {
    if (source.text[lt] === '<' && /[A-Za-z/]/.test(source.text[lt + 1] ?? '')) {
      return { message: 'Policy markup is not allowed inside a policy expression: close the expression before the next element.', start: lt, end: lt + 1 };
    }
  }
  const what = node.type === '_identifier_token' || node.type === 'identifier' ? 'a name' : `'${node.type}'`;
  const after = source.text[at] === '.' ? " after '.'" : '';
  return { message: `Expected ${what}${after}.`, start: at, end: at + 1 };
}

function unexpected(node: SyntaxNode, source: ExpressionSource): SyntaxIssue {
  const text = node.text;
  // The parser may take the '<' as the start of a type argument list and flag only the '>'.
  const from = Math.max(source.codeStart, node.startIndex - 2);
  const notEqual = source.text.slice(from, node.endIndex).indexOf('<>');
  if (notEqual >= 0) {
    const start = from + notEqual;
    return { message: "'<>' is not a C# operator: write '!=' for 'not equal'.", start, end: start + 2 };
  }
  const leading = text.length - text.trimStart().length;
  const start = node.startIndex + leading;
  const trimmed = text.trim();
  if (/^<\/?[A-Za-z]/.test(trimmed)) {
    const tag = /^<\/?[A-Za-z][\w-]*/.exec(trimmed)?.[0] ?? '<';
    return { message: 'Policy markup is not allowed inside a policy expression: close the expression before the next element.', start, end: start + tag.length };
  }
  const firstWord = /^[A-Za-z_]\w*/.exec(trimmed)?.[0];
  const before = previousCharacter(source, start);
  if (firstWord && STATEMENT_START.has(firstWord) && before >= source.codeStart && !';{}'.includes(source.text[before])) {
    return { message: "Expected ';' at the end of the statement.", start: before, end: before + 1 };
  }
  if (trimmed === '.' || trimmed.endsWith('.')) {
    const dot = node.startIndex + text.lastIndexOf('.');
    return { message: "Expected a name after '.'.", start: dot, end: dot + 1 };
  }
  const token = /^(\w+|\S)/.exec(trimmed)?.[0] ?? trimmed.slice(0, 1);
  return { message: `Syntax error: unexpected '${token}'.`, start, end: start + Math.max(1, token.length) };
}

function checkNewerSyntax(root: SyntaxNode, source: ExpressionSource, issues: SyntaxIssue[]): void {
  for (const node of root.descendantsOfType([...Object.keys(NEWER_SYNTAX), 'prefix_unary_expression', 'postfix_unary_expression', 'assignment_expression', 'local_declaration_statement'])) {
    if (!node) continue;
    const message = NEWER_SYNTAX[node.type] ?? newerOperator(node);
    if (!message) continue;
    if (node.type === 'recursive_pattern' && !node.namedChildren.some((c) => c?.type === 'property_pattern_clause' || c?.type === 'positional_pattern_clause')) continue;
    const start = Math.max(node.startIndex, source.codeStart);
    issues.push({ message, start, end: Math.max(start + 1, Math.min(node.endIndex, start + 40)) });
  }
}

/** `^1` (index from end), `x!` (null-forgiving), `??=`, `using var`: C# 8. */
function newerOperator(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'prefix_unary_expression':
      return node.child(0)?.type === '^' ? "Indices from the end (^1) are C# 8; APIM compiles C# 7: use Length - 1." : undefined;
    case 'postfix_unary_expression':
      return node.child(node.childCount - 1)?.type === '!' ? "The null-forgiving operator (x!) is C# 8; APIM compiles C# 7: remove the '!'." : undefined;
    case 'assignment_expression':
      return node.childForFieldName('operator')?.type === '??=' ? "'??=' is C# 8; APIM compiles C# 7: write x = x ?? value." : undefined;
    case 'local_declaration_statement':
      return node.child(0)?.type === 'using' ? "'using var' declarations are C# 8; APIM compiles C# 7: use a using statement with a block." : undefined;
    default:
      return undefined;
  }
}
