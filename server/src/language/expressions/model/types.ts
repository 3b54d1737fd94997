/**
 * Shape of the expression model: the types a C# policy expression can see.
 *
 * The model is data, like the policy catalog. Completion, hover, signature
 * help and the expression diagnostics read these records; no feature
 * switches on type or member names. Files beside this one:
 *
 * - `context.json` — the implicit `context` variable and the APIM interfaces
 *   behind its members (`IRequest`, `IUrl`, `IMessageBody`, `Jwt`, …) plus
 *   APIM's extension methods (`GetValueOrDefault`, `AsJwt`, `Encrypt`, …).
 * - `dotnet-types.json` — the .NET types APIM allows in expressions (Microsoft
 *   Learn, "API Management policy expressions", section ".NET Framework types
 *   allowed in policy expressions") with the members it allows.
 * - `not-allowed-types.json` — well-known .NET types APIM rejects (file system,
 *   environment, network, reflection), so a use can be named as not allowed.
 *
 * Every file has the shape `ExpressionModelFile`. Facts (names, signatures)
 * come from Microsoft's documentation; every `description` is our own words.
 *
 * ## Type references
 *
 * Wherever a type is named (`type`, `returns`, parameter types, `bases`) it is
 * written as C# source would write it:
 * - keywords: `string`, `int`, `bool`, `object`, `void`, `byte`, `long`,
 *   `double`, `decimal`, `char`, `float`, `short`, `sbyte`, `ushort`, `uint`, `ulong`;
 * - a type's simple name, or its full name when two types share a simple name:
 *   `JObject`, `IReadOnlyDictionary<string, string[]>`, `System.Text.Encoding`;
 * - type parameters of the enclosing type or method: `T`, `TKey`;
 * - arrays `byte[]`, nullable value types `DateTime?`, nested generics
 *   `IEnumerable<KeyValuePair<TKey, TValue>>`.
 * The model test resolves every reference.
 */

/** Current format version; bump on a breaking change of this shape. */
export const EXPRESSION_MODEL_VERSION = 1;

export interface ExpressionModelFile {
  version: 1;
  /** What this file holds, in a sentence (for people reading the JSON). */
  about: string;
  /**
   * true when `types` names every type of its kind that APIM allows (used by
   * `dotnet-types.json`). Only then may a capitalised name that matches no
   * type be reported as `unknown-identifier`; while the list is partial such
   * names stay silent.
   */
  listsAllAllowedTypes?: boolean;
  /** Variables every expression sees without declaring them (`context`). */
  globals?: GlobalSpec[];
  types: TypeSpec[];
}

export interface GlobalSpec {
  name: string;
  /** Type reference (see above). */
  type: string;
  description: string;
  docs: string;
}

export type TypeKind = 'class' | 'static-class' | 'struct' | 'interface' | 'enum' | 'delegate';

export interface TypeSpec {
  /** Simple name without generic arity: `IReadOnlyDictionary`, `JObject`, `IRequest`. */
  name: string;
  /**
   * .NET namespace (`System.Text.RegularExpressions`). Omitted for APIM's own
   * types, which expressions name without a namespace.
   */
  namespace?: string;
  kind: TypeKind;
  /** Generic type parameters in order: `["TKey", "TValue"]`. */
  typeParameters?: string[];
  /**
   * Base class and implemented interfaces, as type references in terms of
   * `typeParameters`: `["IEnumerable<KeyValuePair<TKey, TValue>>"]`. Members
   * (and extension methods) of bases are members of this type. Every type
   * implicitly derives from `object`; do not list it.
   */
  bases?: string[];
  /** C# keyword for the type, when it has one (`string` for System.String). */
  keyword?: string;
  /** One or two sentences, our own words. */
  description: string;
  /** Link to the documentation page of the type. */
  docs: string;
  /**
   * true when `members` lists every member of the type that exists (allowed
   * or not). `unknown-member` is reported only on complete types; on any
   * other type an unlisted member is simply not known to the model.
   */
  complete: boolean;
  /**
   * `all` (the default): APIM allows every member of the type.
   * `listed`: APIM allows only the members listed here with `allowed` not
   * false (Learn lists e.g. only some members of DateTime and Regex); using
   * another member is `type-not-allowed`.
   */
  allowedMembers?: 'all' | 'listed';
  /**
   * false for a type APIM rejects (`not-allowed-types.json`). Naming it in an
   * expression is `type-not-allowed`. Default true.
   */
  allowed?: boolean;
  /**
   * false when expressions cannot name the type: the type of `context` and
   * the holder of APIM's extension methods, whose real names are not
   * documented. APIM's interfaces can be named (Learn casts to `IResponse`
   * and `Jwt`). Default true.
   */
  nameable?: boolean;
  /** For `delegate` types: the parameters and return type of the call. */
  invoke?: { parameters: ParameterSpec[]; returns: string };
  members: MemberSpec[];
}

export type MemberKind = 'property' | 'field' | 'method' | 'constructor' | 'indexer' | 'enum-value';

export interface MemberSpec {
  /** Member name; `.ctor` style names are not used: constructors have kind `constructor` and the type's name. */
  name: string;
  kind: MemberKind;
  /** true for static members (and for every member of a `static-class`). */
  static?: boolean;
  /**
   * Type of a property, field, indexer or enum value; the return type of a
   * method (`void` when none). Omitted for constructors.
   */
  type?: string;
  /** Generic method type parameters: `["T"]` for `As<T>`. */
  typeParameters?: string[];
  /** Types APIM accepts as type arguments, when it restricts them (`As<T>`). */
  allowedTypeArguments?: string[];
  /** Parameters of a method, constructor or indexer. Overloads are separate records with the same name. */
  parameters?: ParameterSpec[];
  /**
   * An extension method: static, its first parameter (modifier `this`) is the
   * receiver. It shows up as an instance member of every type assignable to
   * that parameter's type.
   */
  extension?: boolean;
  /**
   * true on the member that holds the policy variables (`context.Variables`):
   * string keys passed to its indexer, `GetValueOrDefault`, `ContainsKey` and
   * `TryGetValue` name variables the document sets.
   */
  policyVariables?: boolean;
  /** false for a member that exists but APIM does not allow (`XDocument.Load`). Default true. */
  allowed?: boolean;
  /** One or two sentences, our own words. */
  description: string;
  /** Link to the member's documentation, when it has its own page. */
  docs?: string;
}

export interface ParameterSpec {
  name: string;
  type: string;
  /** `this` marks the receiver of an extension method. */
  modifier?: 'out' | 'ref' | 'params' | 'this';
  /** Default value as C# source (`false`, `null`), making the parameter optional. */
  default?: string;
}
