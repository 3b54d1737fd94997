/**
 * Completion inside policy expressions: members after `.` on anything the
 * model can type, names where an expression or statement starts (locals,
 * `context`, allowed types, namespaces, keywords), and the document's
 * variable names inside `context.Variables["…"]` and its lookups. Inside an
 * expression it always answers, even with nothing.
 */
import type { ExpressionBinder, Meaning } from '../expressions/binder';
import { expressionEndingAt, inLiteralOrComment, previousNonSpace } from '../expressions/cursor';
import { describeMember, displayType, memberSignature } from '../expressions/display';
import type { ExpressionModel, FoundMember } from '../expressions/model/model';
import type { ModelType } from '../expressions/model/typeRefs';
import type { MemberKind } from '../expressions/model/types';
import type { ExpressionAnalysis, ExpressionService } from '../expressions/service';
import { collectVariables } from '../expressions/variables';
import type { CompletionEntry, CompletionKind, CompletionResult, OffsetRange } from '../languageTypes';
import type { Expression, PolicyDocument } from '../parser/nodes';

const EMPTY: CompletionResult = { items: [], incomplete: false };

const STATEMENT_KEYWORDS = ['var', 'if', 'else', 'foreach', 'for', 'while', 'do', 'switch', 'case', 'default', 'break', 'continue', 'try', 'catch', 'finally', 'return', 'throw', 'using'];
const EXPRESSION_KEYWORDS = ['new', 'true', 'false', 'null', 'typeof', 'default', 'is', 'as'];
const TYPE_KEYWORDS = ['string', 'int', 'long', 'bool', 'double', 'decimal', 'object', 'byte', 'char', 'DateTime', 'TimeSpan'];

const isIdentifierChar = (c: string | undefined): boolean => !!c && /[A-Za-z0-9_]/.test(c);

export function completeInExpression(doc: PolicyDocument, expression: Expression, offset: number, expressions: ExpressionService): CompletionResult {
  if (!expressions.ready) return EMPTY;
  const text = doc.text;
  let wordStart = offset;
  while (wordStart > expression.start + 2 && isIdentifierChar(text[wordStart - 1])) wordStart--;
  let wordEnd = offset;
  while (isIdentifierChar(text[wordEnd]) && wordEnd < expression.end) wordEnd++;
  const replace: OffsetRange = { start: wordStart, end: wordEnd };
  const result = expressions.withAnalysis(
    doc,
    expression,
    (analysis) => complete(doc, analysis, expressions, offset, wordStart, replace),
    { record: true, cutAt: expression.closed ? undefined : offset },
  );
  return result ?? EMPTY;
}

function complete(doc: PolicyDocument, analysis: ExpressionAnalysis, expressions: ExpressionService, offset: number, wordStart: number, replace: OffsetRange): CompletionResult {
  const { source, root, binder, model } = analysis;
  const at = source.toSource(offset);
  const literal = inLiteralOrComment(root, at);
  if (literal) {
    if (literal.kind === 'comment') return EMPTY;
    const read = binder.variableReads.find((r) => at >= r.start && at <= r.end);
    return read ? variableNames(doc, expressions, source.spanToDocument(read.start, read.end)) : EMPTY;
  }
  const word = source.toSource(wordStart);
  const before = previousNonSpace(source.text, word, source.codeStart);
  if (before >= source.codeStart && source.text[before] === '.') {
    if (/[0-9]/.test(source.text[previousNonSpace(source.text, before, source.codeStart)] ?? '') && !isIdentifierChar(source.text[before - 2])) return EMPTY; // 1.5
    const receiverEnd = previousNonSpace(source.text, before, source.codeStart) + 1;
    const receiver = expressionEndingAt(root, receiverEnd);
    if (!receiver) return EMPTY;
    return { items: membersOf(model, binder.evaluateAt(receiver, receiverEnd), replace), incomplete: false };
  }
  if (before >= source.codeStart && /[0-9]/.test(source.text[word] ?? '')) return EMPTY;
  const statementStart = analysis.source.expression.block && (before < source.codeStart + 1 || ';{}'.includes(source.text[before]));
  return { items: names(model, binder, at, replace, statementStart), incomplete: false };
}

// ---- members -------------------------------------------------------------------

const MEMBER_KIND: Readonly<Record<MemberKind, CompletionKind>> = {
  property: 'property',
  field: 'field',
  method: 'method',
  'enum-value': 'enum-member',
  indexer: 'property',
  constructor: 'method',
};

function membersOf(model: ExpressionModel, meaning: Meaning, replace: OffsetRange): CompletionEntry[] {
  switch (meaning.kind) {
    case 'value':
      return memberItems(model, model.allMembers(meaning.type, false), replace);
    case 'type':
      return memberItems(model, model.allMembers(meaning.type, true), replace);
    case 'namespace':
      return namespaceItems(model, meaning.name, replace);
    default:
      return [];
  }
}

/** One item per member name; overloads are listed in the documentation. */
function memberItems(model: ExpressionModel, found: FoundMember[], replace: OffsetRange): CompletionEntry[] {
  const byName = new Map<string, FoundMember[]>();
  for (const f of found) {
    if (f.member.allowed === false) continue;
    const list = byName.get(f.member.name);
    if (list) list.push(f);
    else byName.set(f.member.name, [f]);
  }
  const items: CompletionEntry[] = [];
  for (const [name, overloads] of byName) {
    const first = overloads[0];
    items.push({
      label: name,
      kind: MEMBER_KIND[first.member.kind],
      detail: memberSignature(model, first) + (overloads.length > 1 ? ` (+${overloads.length - 1})` : ''),
      documentation: describeMember(model, first, overloads.length),
      insertText: name,
      snippet: false,
      replace,
      // Own members before extension methods, then alphabetical.
      sortText: `${first.viaExtension ? '1' : '0'}${name}`,
    });
  }
  return items;
}

function namespaceItems(model: ExpressionModel, namespace: string, replace: OffsetRange): CompletionEntry[] {
  const items: CompletionEntry[] = [];
  const prefix = `${namespace}.`;
  for (const child of model.namespaces) {
    if (!child.startsWith(prefix) || child.slice(prefix.length).includes('.')) continue;
    const label = child.slice(prefix.length);
    items.push({ label, kind: 'namespace', detail: `namespace ${child}`, insertText: label, snippet: false, replace });
  }
  for (const type of model.types) {
    if (type.spec.namespace === namespace && type.spec.nameable !== false && type.spec.allowed !== false) items.push(typeItem(type, replace));
  }
  return dedupe(items);
}

// ---- names -----------------------------------------------------------------------

function names(model: ExpressionModel, binder: ExpressionBinder, at: number, replace: OffsetRange, statementStart: boolean): CompletionEntry[] {
  const items: CompletionEntry[] = [];
  for (const local of binder.localsAt(at)) {
    if (local.start <= at && at <= local.end) continue; // the name being declared
    items.push({
      label: local.name,
      kind: 'variable',
      detail: `(${local.kind === 'parameter' ? 'parameter' : 'local'}) ${displayType(local.type)} ${local.name}`,
      insertText: local.name,
      snippet: false,
      replace,
      sortText: `0${local.name}`,
    });
  }
  for (const global of model.globals.values()) {
    items.push({
      label: global.spec.name,
      kind: 'variable',
      detail: `${displayType(global.type)} ${global.spec.name}`,
      documentation: `${global.spec.description}\n\n[Documentation](${global.spec.docs})`,
      insertText: global.spec.name,
      snippet: false,
      replace,
      sortText: `0${global.spec.name}`,
    });
  }
  for (const type of model.types) {
    if (type.spec.nameable === false || type.spec.allowed === false || type.spec.keyword || type.spec.kind === 'delegate') continue;
    items.push(typeItem(type, replace));
  }
  for (const namespace of model.namespaces) {
    if (!namespace.includes('.')) items.push({ label: namespace, kind: 'namespace', detail: `namespace ${namespace}`, insertText: namespace, snippet: false, replace, sortText: `3${namespace}` });
  }
  const keywords = statementStart ? [...STATEMENT_KEYWORDS, ...EXPRESSION_KEYWORDS, ...TYPE_KEYWORDS] : [...EXPRESSION_KEYWORDS, ...TYPE_KEYWORDS];
  for (const keyword of keywords) items.push({ label: keyword, kind: 'keyword', insertText: keyword, snippet: false, replace, sortText: `4${keyword}` });
  return dedupe(items);
}

function typeItem(type: ModelType, replace: OffsetRange): CompletionEntry {
  const arity = type.typeParameters.length;
  const label = arity ? `${type.spec.name}<${type.typeParameters.join(', ')}>` : type.spec.name;
  return {
    label,
    kind: 'type',
    detail: `${type.spec.kind.replace('static-class', 'static class')} ${type.fullName}`,
    documentation: `${type.spec.description}\n\n[Documentation](${type.spec.docs})`,
    insertText: type.spec.name,
    filterText: type.spec.name,
    snippet: false,
    replace,
    sortText: `2${type.spec.name}`,
  };
}

function dedupe(items: CompletionEntry[]): CompletionEntry[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.kind}:${item.insertText}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- variables -------------------------------------------------------------------

function variableNames(doc: PolicyDocument, expressions: ExpressionService, range: OffsetRange): CompletionResult {
  const definitions = collectVariables(doc, expressions);
  const byName = new Map<string, typeof definitions>();
  for (const definition of definitions) {
    const list = byName.get(definition.name);
    if (list) list.push(definition);
    else byName.set(definition.name, [definition]);
  }
  const items: CompletionEntry[] = [];
  for (const [name, list] of byName) {
    const types = [...new Set(list.map((d) => displayType(d.type)))];
    const where = list.map((d) => `\`<${d.policy} ${d.attribute}="${d.name}">\` on line ${lineOf(doc.text, d.start)}`);
    items.push({
      label: name,
      kind: 'variable',
      detail: types.length === 1 && types[0] !== '?' ? types[0] : 'variable',
      documentation: `Set by ${where.join(', ')}.`,
      insertText: name,
      snippet: false,
      replace: range,
    });
  }
  return { items, incomplete: false };
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
