/**
 * The one place where offsets become LSP positions and language-core
 * results become LSP shapes.
 */
import type {
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Range,
} from 'vscode-languageserver';
import {
  CompletionItemKind,
  CompletionItemTag,
  DiagnosticSeverity,
  FoldingRangeKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  CompletionKind,
  CompletionResult,
  FoldingEntry,
  HoverResult,
  OffsetRange,
  PolicyDiagnostic,
  Severity,
  SymbolEntry,
} from './language/languageTypes';

export const DIAGNOSTIC_SOURCE = 'apim-policy';

export function toRange(document: TextDocument, range: OffsetRange): Range {
  return { start: document.positionAt(range.start), end: document.positionAt(range.end) };
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(document: TextDocument, diagnostic: PolicyDiagnostic): Diagnostic {
  return {
    range: toRange(document, diagnostic),
    severity: SEVERITY[diagnostic.severity],
    code: diagnostic.code,
    source: DIAGNOSTIC_SOURCE,
    message: diagnostic.message,
  };
}

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  element: CompletionItemKind.Property,
  section: CompletionItemKind.Module,
  attribute: CompletionItemKind.Field,
  value: CompletionItemKind.EnumMember,
  'named-value': CompletionItemKind.Constant,
  entity: CompletionItemKind.Reference,
  'end-tag': CompletionItemKind.Keyword,
};

/** Triggers suggestions again after inserting (for example into a fresh attribute value). */
const RETRIGGER = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

/** What the client lets a completion list share between its items (LSP 3.17 `itemDefaults`). */
export interface CompletionListSupport {
  editRangeDefault: boolean;
  dataDefault: boolean;
}

/** `data` of a light item: which document it came from and what to resolve (the label when `true`). */
export interface CompletionItemData {
  uri: string;
  namedValue?: string | true;
}

export function toCompletionList(document: TextDocument, result: CompletionResult, support?: CompletionListSupport): CompletionList {
  const entries = result.items;
  const first = entries[0];
  // A list whose items all replace the same range (named values, 100,000 of them on big
  // instances) sends that range once, and only the insert texts that differ from labels.
  const sharedRange = !!support?.editRangeDefault && !!first && entries.every((e) => e.replace.start === first.replace.start && e.replace.end === first.replace.end);
  const sharedData = !!support?.dataDefault && !!first && entries.every((e) => e.resolve?.kind === 'named-value' && e.resolve.name === e.label);
  const items: CompletionItem[] = entries.map((entry) => {
    const item: CompletionItem = { label: entry.label, kind: COMPLETION_KIND[entry.kind] };
    if (!sharedRange) item.textEdit = { range: toRange(document, entry.replace), newText: entry.insertText };
    else if (entry.insertText !== entry.label) item.textEditText = entry.insertText;
    if (entry.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
    if (entry.detail) item.detail = entry.detail;
    if (entry.documentation) item.documentation = { kind: MarkupKind.Markdown, value: entry.documentation };
    if (entry.sortText) item.sortText = entry.sortText;
    if (entry.filterText) item.filterText = entry.filterText;
    if (entry.deprecated) item.tags = [CompletionItemTag.Deprecated];
    if (entry.retrigger) item.command = RETRIGGER;
    if (entry.resolve && !sharedData) item.data = { uri: document.uri, namedValue: entry.resolve.name } satisfies CompletionItemData;
    return item;
  });
  const list: CompletionList = { isIncomplete: result.incomplete, items };
  if (sharedRange || sharedData) {
    list.itemDefaults = {};
    if (sharedRange) list.itemDefaults.editRange = toRange(document, first.replace);
    if (sharedData) list.itemDefaults.data = { uri: document.uri, namedValue: true } satisfies CompletionItemData;
  }
  return list;
}

/** The named value a light item stands for, from its (possibly defaulted) data. */
export function namedValueOfItem(item: CompletionItem): { uri: string; name: string } | undefined {
  const data = item.data as Partial<CompletionItemData> | undefined;
  if (!data || typeof data.uri !== 'string') return undefined;
  const name = data.namedValue === true ? item.label : data.namedValue;
  return typeof name === 'string' ? { uri: data.uri, name } : undefined;
}

export function toHover(document: TextDocument, hover: HoverResult): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: toRange(document, hover) };
}

const SYMBOL_KIND: Record<SymbolEntry['kind'], SymbolKind> = {
  root: SymbolKind.File,
  section: SymbolKind.Namespace,
  policy: SymbolKind.Function,
  element: SymbolKind.Field,
};

export function toDocumentSymbols(document: TextDocument, symbols: SymbolEntry[]): DocumentSymbol[] {
  return symbols.map((symbol) => {
    const range = toRange(document, symbol.range);
    const result: DocumentSymbol = {
      name: symbol.name,
      kind: SYMBOL_KIND[symbol.kind],
      range,
      selectionRange: toRange(document, symbol.selection),
      children: toDocumentSymbols(document, symbol.children),
    };
    if (symbol.detail) result.detail = symbol.detail;
    return result;
  });
}

/**
 * Folding works in lines. Element and block ranges stop on the line before
 * their closing tag or brace so it stays visible; ranges within one line are dropped.
 */
export function toFoldingRanges(document: TextDocument, entries: FoldingEntry[]): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const entry of entries) {
    const startLine = document.positionAt(entry.start).line;
    const endPosition = document.positionAt(entry.end);
    const endLine = entry.kind === 'comment' ? endPosition.line : endPosition.line - 1;
    if (endLine <= startLine) continue;
    const range: FoldingRange = { startLine, endLine };
    if (entry.kind === 'comment') range.kind = FoldingRangeKind.Comment;
    ranges.push(range);
  }
  return ranges;
}
