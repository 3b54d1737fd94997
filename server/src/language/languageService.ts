/**
 * The language service: one entry point over the parser, the catalog and
 * each feature. Plain functions over text and offsets — no editor, LSP or
 * Node dependencies — so it runs in unit tests and benchmarks as is.
 */
import type { PolicyCatalog } from './catalog/catalog';
import { getDefaultCatalog } from './catalog/catalog';
import type { CSharpParser } from './expressions/csharpParser';
import { ExpressionService } from './expressions/service';
import { doComplete, resolveCompletion } from './features/completion';
import { findDefinitionTarget } from './features/definition';
import { getFoldingRanges } from './features/folding';
import { validateExpressions } from './features/expressionDiagnostics';
import { doHover } from './features/hover';
import { signatureHelpInExpression } from './features/signatureHelp';
import { findDocumentSymbols } from './features/symbols';
import { validate } from './features/validation';
import type { InstanceIndex } from './instance';
import type {
  CompletionData,
  CompletionDetails,
  CompletionResult,
  DefinitionTarget,
  FoldingEntry,
  HoverResult,
  LanguageSettings,
  PolicyDiagnostic,
  SignatureHelpResult,
  SymbolEntry,
} from './languageTypes';
import { parsePolicy } from './parser/parser';
import type { PolicyDocument } from './parser/nodes';
import { StructureResolver } from './structure';

/** A parsed document with its structure cache; reuse it while the text is unchanged. */
export interface ParsedPolicy {
  readonly doc: PolicyDocument;
  readonly structure: StructureResolver;
}

export interface PolicyLanguageService {
  readonly catalog: PolicyCatalog;
  /** C# policy expressions: the model, and the C# parser once the host has loaded it. */
  readonly expressions: ExpressionService;
  parse(text: string): ParsedPolicy;
  doComplete(parsed: ParsedPolicy, offset: number, instance?: InstanceIndex): CompletionResult;
  /** Fills in what a light completion item left out. */
  resolveCompletion(data: CompletionData, instance?: InstanceIndex): CompletionDetails | undefined;
  doHover(parsed: ParsedPolicy, offset: number, instance?: InstanceIndex): HoverResult | undefined;
  doValidation(parsed: ParsedPolicy, instance?: InstanceIndex): PolicyDiagnostic[];
  doSignatureHelp(parsed: ParsedPolicy, offset: number): SignatureHelpResult | undefined;
  findDocumentSymbols(parsed: ParsedPolicy): SymbolEntry[];
  getFoldingRanges(parsed: ParsedPolicy): FoldingEntry[];
  findDefinitionTarget(parsed: ParsedPolicy, offset: number): DefinitionTarget | undefined;
  configure(settings: LanguageSettings): void;
  /** Turns on the C# features; until then expressions get no completion, hover or C# diagnostics. */
  setCSharpParser(parser: CSharpParser): void;
}

export function getLanguageService(options: { catalog?: PolicyCatalog; settings?: LanguageSettings; expressions?: ExpressionService } = {}): PolicyLanguageService {
  const catalog = options.catalog ?? getDefaultCatalog();
  const expressions = options.expressions ?? new ExpressionService();
  let settings: LanguageSettings = { validateUnknownAttributes: true, ...options.settings };
  return {
    catalog,
    expressions,
    parse: (text) => ({ doc: parsePolicy(text), structure: new StructureResolver(catalog) }),
    doComplete: (parsed, offset, instance) => doComplete(parsed.doc, parsed.structure, offset, instance, settings, expressions),
    resolveCompletion: (data, instance) => resolveCompletion(data, instance),
    doHover: (parsed, offset, instance) => doHover(parsed.doc, parsed.structure, offset, instance, expressions),
    doValidation: (parsed, instance) =>
      validate(parsed.doc, parsed.structure, instance, { validateUnknownAttributes: settings.validateUnknownAttributes !== false }, () =>
        validateExpressions(parsed.doc, expressions),
      ),
    doSignatureHelp: (parsed, offset) => {
      const expression = expressions.expressionAt(parsed.doc, offset);
      return expression ? signatureHelpInExpression(parsed.doc, expression, offset, expressions) : undefined;
    },
    findDocumentSymbols: (parsed) => findDocumentSymbols(parsed.doc, parsed.structure),
    getFoldingRanges: (parsed) => getFoldingRanges(parsed.doc),
    findDefinitionTarget: (parsed, offset) => findDefinitionTarget(parsed.doc, parsed.structure, offset),
    configure: (next) => {
      settings = { ...settings, ...next };
    },
    setCSharpParser: (parser) => expressions.setParser(parser),
  };
}

export * from './languageTypes';
export { InstanceIndex } from './instance';
export type { PolicyDocument } from './parser/nodes';
