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
  SignatureHelp,
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
  CompletionData,
  CompletionDetails,
  CompletionKind,
  CompletionResult,
  FoldingEntry,
  HoverResult,
  OffsetRange,
  PolicyDiagnostic,
  Severity,
  SignatureHelpResult,
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
  property: CompletionItemKind.Property,
  method: CompletionItemKind.Method,
  field: CompletionItemKind.Field,
  'enum-member': CompletionItemKind.EnumMember,
  type: CompletionItemKind.Class,
  namespace: CompletionItemKind.Module,
  variable: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
};

/** What a light completion item carries so `completionItem/resolve` can fill it in. */
export type CompletionItemData = CompletionData & { uri: string };

/** The data of an item this server sent, or undefined for anything else. */
export function completionItemData(item: CompletionItem): CompletionItemData | undefined {
  const data = item.data as Partial<CompletionItemData> | undefined;
  if (data?.kind !== 'named-value' || typeof data.name !== 'string' || typeof data.uri !== 'string') return undefined;
  return { kind: data.kind, name: data.name, uri: data.uri };
}

/** Triggers suggestions again after inserting (for example into a fresh attribute value). */
const RETRIGGER = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

export function toCompletionList(document: TextDocument, result: CompletionResult): CompletionList {
  const items: CompletionItem[] = result.items.map((entry) => {
    const item: CompletionItem = {
      label: entry.label,
      kind: COMPLETION_KIND[entry.kind],
      textEdit: { range: toRange(document, entry.replace), newText: entry.insertText },
      insertTextFormat: entry.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    };
    if (entry.detail) item.detail = entry.detail;
    if (entry.documentation) item.documentation = { kind: MarkupKind.Markdown, value: entry.documentation };
    if (entry.sortText) item.sortText = entry.sortText;
    if (entry.filterText) item.filterText = entry.filterText;
    if (entry.deprecated) item.tags = [CompletionItemTag.Deprecated];
    if (entry.retrigger) item.command = RETRIGGER;
    if (entry.resolve) item.data = { uri: document.uri, ...entry.resolve } satisfies CompletionItemData;
    return item;
  });
  return { isIncomplete: result.incomplete, items };
}

/** A light item with what `completionItem/resolve` found for it. */
export function withDetails(item: CompletionItem, details: CompletionDetails | undefined): CompletionItem {
  if (details?.documentation) item.documentation = { kind: MarkupKind.Markdown, value: details.documentation };
  return item;
}

export function toHover(document: TextDocument, hover: HoverResult): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: toRange(document, hover) };
}

export function toSignatureHelp(help: SignatureHelpResult): SignatureHelp {
  return {
    signatures: help.signatures.map((signature) => ({
      label: signature.label,
      documentation: signature.documentation ? { kind: MarkupKind.Markdown, value: signature.documentation } : undefined,
      parameters: signature.parameters.map((parameter) => ({ label: parameter.label })),
    })),
    activeSignature: help.activeSignature,
    activeParameter: help.activeParameter,
  };
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
