/**
 * Results of the language features, in offsets. The server converts them to
 * LSP shapes; nothing here depends on an editor or on the protocol library.
 */
import type { NAMED_VALUE_COMPLETION_KIND } from '../../../protocol/protocol';
import type { InstanceIndex } from './instance';

export interface OffsetRange {
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Stable diagnostic codes, documented in the README. */
export type DiagnosticCode =
  | 'malformed-xml'
  | 'malformed-expression'
  | 'unknown-element'
  | 'misplaced-policy'
  | 'not-allowed-in-fragment'
  | 'duplicate-section'
  | 'missing-required-attribute'
  | 'invalid-attribute-value'
  | 'unknown-attribute'
  | 'missing-required-element'
  | 'duplicate-element'
  | 'duplicate-policy'
  | 'unknown-named-value'
  | 'key-vault-refresh-failed'
  | 'unknown-entity'
  | 'policy-not-available'
  | 'expression-syntax'
  | 'unknown-identifier'
  | 'unknown-member'
  | 'type-not-allowed'
  | 'missing-return'
  | 'variable-type-mismatch'
  /** Summary in place of the diagnostics beyond the per-document cap. */
  | 'too-many-problems';

export interface PolicyDiagnostic extends OffsetRange {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
}

export type CompletionKind =
  | 'element'
  | 'attribute'
  | 'value'
  | 'named-value'
  | 'entity'
  | 'end-tag'
  | 'section'
  // inside C# policy expressions
  | 'property'
  | 'method'
  | 'field'
  | 'enum-member'
  | 'type'
  | 'namespace'
  | 'variable'
  | 'keyword';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** Short text shown beside the label. */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Text to insert, replacing `replace`. */
  insertText: string;
  /** true when `insertText` uses snippet syntax (`$1`, `${1:x}`, `$0`). */
  snippet: boolean;
  replace: OffsetRange;
  sortText?: string;
  filterText?: string;
  /** Shown struck through (for example a policy the instance does not offer). */
  deprecated?: boolean;
  /** Ask the editor to open completion again after inserting (for attribute values). */
  retrigger?: boolean;
  /** Set when `documentation` is left out to keep long lists light: `resolveCompletion` fills it in. */
  resolve?: CompletionData;
}

/** What an item needs to have its documentation filled in later. */
export type CompletionData = { kind: typeof NAMED_VALUE_COMPLETION_KIND; name: string };

/** The parts of an item `resolveCompletion` fills in. */
export interface CompletionDetails {
  documentation?: string;
}

export interface CompletionResult {
  items: CompletionEntry[];
  /** true when typing more could change the list beyond filtering. */
  incomplete: boolean;
}

export interface HoverResult extends OffsetRange {
  markdown: string;
}

/** Signature help for a method call inside a policy expression. */
export interface SignatureHelpResult {
  signatures: Array<{
    label: string;
    /** Markdown. */
    documentation?: string;
    /** Each parameter as a [start, end) span of `label`, with its description. */
    parameters: Array<{ label: [number, number]; documentation?: string }>;
  }>;
  activeSignature: number;
  activeParameter: number;
}

export type SymbolKind = 'root' | 'section' | 'policy' | 'element';

export interface SymbolEntry {
  name: string;
  detail?: string;
  kind: SymbolKind;
  range: OffsetRange;
  selection: OffsetRange;
  children: SymbolEntry[];
}

export interface FoldingEntry extends OffsetRange {
  kind?: 'comment' | 'region';
}

/** Where a `{{named value}}` or a `fragment-id` points; the host turns it into a location. */
export type DefinitionTarget =
  | { kind: 'named-value'; name: string; origin: OffsetRange }
  | { kind: 'fragment'; name: string; origin: OffsetRange };

/** What the host (the server) provides to the language features. */
export interface LanguageHost {
  /** Metadata of the instance that applies to this document, if one is connected. */
  getInstance(documentUri: string): InstanceIndex | undefined;
}

export interface LanguageSettings {
  /** Hide (rather than mark) policies the connected instance does not list. */
  hideUnavailablePolicies?: boolean;
  /** Report attributes the catalog does not know. */
  validateUnknownAttributes?: boolean;
}
