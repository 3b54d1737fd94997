/**
 * Shape of the policy catalog (`policies.json` beside this file).
 *
 * The catalog is data, not code: every language feature (completion, hover,
 * validation, symbols) reads these records instead of switching on element
 * names. Facts (names, sections, attributes, enums) come from Microsoft's
 * policy reference; descriptions are our own words with a link to the docs.
 */

export type SectionName = 'inbound' | 'backend' | 'outbound' | 'on-error';
export const SECTION_NAMES: readonly SectionName[] = ['inbound', 'backend', 'outbound', 'on-error'];

export type ScopeName = 'global' | 'workspace' | 'product' | 'api' | 'operation' | 'graphql-resolver';
export type GatewayName = 'classic' | 'v2' | 'consumption' | 'self-hosted' | 'workspace';

/** APIM entities an attribute value can name; the live instance resolves them. */
export type EntityKind =
  | 'backend'
  | 'policyFragment'
  | 'logger'
  | 'certificate'
  | 'authorizationProvider'
  | 'authorization'
  | 'schema'
  | 'api'
  | 'operation'
  | 'cache'
  | 'graphqlSubscription';

/**
 * How an attribute value is checked when it is a literal (never when it is an
 * expression or holds a `{{named value}}`).
 */
export type ValueType =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'enum'
  | 'url'
  | 'http-method'
  | 'duration'; // a .NET TimeSpan such as 00:10:00

export interface AttributeSpec {
  name: string;
  /** One or two sentences, our own words. */
  description: string;
  /** `conditional` means "required in some combinations", explained in `requiredNote`. */
  required: boolean | 'conditional';
  requiredNote?: string;
  type: ValueType;
  /** Allowed literal values when `type` is `enum` (compared case-insensitively if `caseInsensitive`). */
  values?: string[];
  caseInsensitive?: boolean;
  /** Inclusive bounds for `integer`/`number` literals. */
  min?: number;
  max?: number;
  default?: string;
  /** true: `@(...)` accepted; false: docs say expressions are not allowed; null: docs are silent. */
  expressions: boolean | null;
  /** The APIM entity this attribute names (for instance-aware completion and checks). */
  references?: EntityKind;
}

/**
 * What an element may contain:
 * - `empty`: nothing;
 * - `elements`: only the child elements listed in `elements`;
 * - `policies`: nested policy statements (as inside `when`, `retry`);
 * - `text`: a text value (literal or expression); opaque to policy checks;
 * - `markup`: arbitrary payload (templates, XSLT, XML bodies); opaque to policy checks.
 */
export type ContentKind = 'empty' | 'elements' | 'policies' | 'text' | 'markup';

export interface ElementSpec {
  name: string;
  description: string;
  /** true when the parent requires at least one of this child. */
  required: boolean;
  /** true when the child may appear more than once. */
  repeatable: boolean;
  content: ContentKind;
  attributes: AttributeSpec[];
  elements: ElementSpec[];
  /** When the child is itself a policy (for example `set-header` inside `return-response`), its catalog key. */
  policy?: string;
  /** For `text` content that is a constrained literal (an HTTP method, …): what completion offers. */
  textType?: ValueType;
  /** Note about exclusive choices or ordering, our own words. */
  note?: string;
}

export interface PolicySpec {
  /** Unique key; usually the element name (`set-backend-service-dapr` is a variant). */
  key: string;
  /** The XML element name. */
  name: string;
  description: string;
  category: string;
  /** Link to the Microsoft Learn page for this policy. */
  docs: string;
  /** Sections where the policy may appear. Empty for GraphQL resolver-only policies. */
  sections: SectionName[];
  scopes: ScopeName[];
  gateways: GatewayName[];
  content: ContentKind;
  attributes: AttributeSpec[];
  elements: ElementSpec[];
  /** For `text` content that is a constrained literal (an HTTP method, …): what completion offers. */
  textType?: ValueType;
  /** Usage rules such as "once per section". */
  oncePerSection?: boolean;
  /** false for elements known only from schemas or tooling, not from the docs. */
  documented: boolean;
  /** Variant label (for example `dapr`) when several keys share one element name. */
  variant?: string;
  confidence: 'high' | 'medium' | 'low';
  /** Snippet body inserted by completion after `<`, in LSP snippet syntax; generated from required parts when absent. */
  snippet?: string;
}

export interface PolicyCatalogData {
  /** Catalog format version, bumped on breaking shape changes. */
  version: 1;
  policies: PolicySpec[];
}
