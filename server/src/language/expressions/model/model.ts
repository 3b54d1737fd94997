/**
 * The expression model, loaded and indexed: which types exist, what their
 * members are (own, inherited, and extension methods), and how type
 * references resolve. Features ask it questions; they never read the JSON.
 */
import contextData from './context.json';
import dotnetData from './dotnet-types.json';
import notAllowedData from './not-allowed-types.json';
import type { ExpressionModelFile, GlobalSpec, MemberSpec, TypeSpec } from './types';
import type { ModelType, Type, TypeSyntax } from './typeRefs';
import { UNKNOWN, VOID, bindingsOf, parseTypeSyntax, sameType, substitute } from './typeRefs';

/** C# keywords for .NET types, by the type's full name. */
export const TYPE_KEYWORDS: Readonly<Record<string, string>> = {
  string: 'System.String',
  object: 'System.Object',
  bool: 'System.Boolean',
  byte: 'System.Byte',
  sbyte: 'System.SByte',
  char: 'System.Char',
  short: 'System.Int16',
  ushort: 'System.UInt16',
  int: 'System.Int32',
  uint: 'System.UInt32',
  long: 'System.Int64',
  ulong: 'System.UInt64',
  float: 'System.Single',
  double: 'System.Double',
  decimal: 'System.Decimal',
};

/** A member found on a type, with the type arguments that apply to it. */
export interface FoundMember {
  member: MemberSpec;
  /** The type that declares the member. */
  owner: ModelType;
  /** Type parameters of the declaring type (and, for extensions, of the method) bound so far. */
  bindings: ReadonlyMap<string, Type>;
  /** true for an extension method reached through its receiver. */
  viaExtension: boolean;
}

export interface GlobalVariable {
  spec: GlobalSpec;
  type: Type;
}

const keyOf = (fullName: string, arity: number): string => (arity ? `${fullName}\`${arity}` : fullName);

export class ExpressionModel {
  readonly types: readonly ModelType[];
  readonly globals: ReadonlyMap<string, GlobalVariable>;
  /** Namespaces (and their prefixes) of the model's .NET types. */
  readonly namespaces: ReadonlySet<string>;
  /** Whether the allowed .NET types are all listed (see `ExpressionModelFile.listsAllAllowedTypes`). */
  readonly listsAllAllowedTypes: boolean;
  /** References the model could not resolve, as "owner: reference" (the model test reports them). */
  readonly unresolved = new Set<string>();

  private readonly byKey = new Map<string, ModelType>();
  private readonly bySimpleName = new Map<string, ModelType[]>();
  private readonly extensions = new Map<string, Array<{ member: MemberSpec; owner: ModelType }>>();
  private readonly resolved = new Map<string, Type>();
  private readonly baseCache = new Map<ModelType, Type[]>();
  private readonly objectType: ModelType | undefined;

  constructor(files: readonly ExpressionModelFile[]) {
    const types: ModelType[] = [];
    const namespaces = new Set<string>();
    const globals = new Map<string, GlobalVariable>();
    for (const file of files) {
      for (const spec of file.types) {
        const fullName = spec.namespace ? `${spec.namespace}.${spec.name}` : spec.name;
        const typeParameters = spec.typeParameters ?? [];
        const members = new Map<string, MemberSpec[]>();
        for (const member of spec.members) {
          const list = members.get(member.name);
          if (list) list.push(member);
          else members.set(member.name, [member]);
        }
        const type: ModelType = { spec, fullName, key: keyOf(fullName, typeParameters.length), typeParameters, members };
        types.push(type);
        this.byKey.set(type.key, type);
        const simple = keyOf(spec.name, typeParameters.length);
        const same = this.bySimpleName.get(simple);
        if (same) same.push(type);
        else this.bySimpleName.set(simple, [type]);
        if (spec.namespace) {
          const parts = spec.namespace.split('.');
          for (let i = 1; i <= parts.length; i++) namespaces.add(parts.slice(0, i).join('.'));
        }
        for (const member of spec.members) {
          if (!member.extension) continue;
          const list = this.extensions.get(member.name);
          if (list) list.push({ member, owner: type });
          else this.extensions.set(member.name, [{ member, owner: type }]);
        }
      }
    }
    this.types = types;
    this.namespaces = namespaces;
    this.listsAllAllowedTypes = files.some((f) => f.listsAllAllowedTypes === true);
    this.objectType = this.byKey.get('System.Object');
    for (const file of files) {
      for (const global of file.globals ?? []) globals.set(global.name, { spec: global, type: this.resolveReference(global.type, [], global.name) });
    }
    this.globals = globals;
  }

  // ---- names ----------------------------------------------------------------

  /** The model type with this full name and arity. */
  byFullName(fullName: string, arity = 0): ModelType | undefined {
    return this.byKey.get(keyOf(fullName, arity));
  }

  /** Types with this simple name and arity (more than one when namespaces differ). */
  bySimple(name: string, arity = 0): readonly ModelType[] {
    return this.bySimpleName.get(keyOf(name, arity)) ?? [];
  }

  /** Every generic arity under which a simple name exists. */
  hasSimpleName(name: string): boolean {
    for (let arity = 0; arity < 5; arity++) if (this.bySimpleName.has(keyOf(name, arity))) return true;
    return false;
  }

  /** The type a keyword names (`int` → System.Int32), `unknown` when the model lacks it. */
  keywordType(keyword: string): Type {
    if (keyword === 'void') return VOID;
    const fullName = TYPE_KEYWORDS[keyword];
    const type = fullName ? this.byKey.get(fullName) : undefined;
    return type ? { kind: 'named', type, args: [] } : { kind: 'unknown', display: keyword };
  }

  // ---- references -------------------------------------------------------------

  /**
   * Resolves a type reference written in the model. `scope` lists the type
   * parameters visible where it is written; `owner` names the place for the
   * list of unresolved references.
   */
  resolveReference(text: string, scope: readonly string[], owner: string): Type {
    const cacheKey = scope.length ? `${scope.join(',')}|${text}` : text;
    const cached = this.resolved.get(cacheKey);
    if (cached) return cached;
    const type = this.resolveSyntax(parseTypeSyntax(text), scope, owner);
    this.resolved.set(cacheKey, type);
    return type;
  }

  private resolveSyntax(syntax: TypeSyntax, scope: readonly string[], owner: string): Type {
    let type: Type;
    if (syntax.args.length === 0 && scope.includes(syntax.name)) type = { kind: 'param', name: syntax.name };
    else if (syntax.name === 'void') type = VOID;
    else if (TYPE_KEYWORDS[syntax.name]) type = this.keywordType(syntax.name);
    else {
      const args = syntax.args.map((a) => this.resolveSyntax(a, scope, owner));
      const candidates = syntax.name.includes('.') ? [this.byKey.get(keyOf(syntax.name, args.length))] : this.bySimple(syntax.name, args.length);
      const found = candidates.length === 1 ? candidates[0] : undefined;
      if (found) type = { kind: 'named', type: found, args };
      else {
        this.unresolved.add(`${owner}: ${syntax.name}${args.length ? `<${args.length}>` : ''}`);
        type = { kind: 'unknown', display: displaySyntax(syntax) };
      }
    }
    for (const suffix of syntax.suffixes) type = suffix === '[]' ? { kind: 'array', element: type } : this.nullableOf(type);
    return type;
  }

  /** `T?` for a value type: Nullable<T> when the model has it. */
  nullableOf(type: Type): Type {
    const nullable = this.byKey.get('System.Nullable`1');
    if (!nullable || type.kind !== 'named' || (type.type.spec.kind !== 'struct' && type.type.spec.kind !== 'enum')) {
      return type.kind === 'unknown' ? { kind: 'unknown', display: `${type.display ?? '?'}?` } : type;
    }
    return { kind: 'named', type: nullable, args: [type] };
  }

  /** The type a member has (property/field/indexer type, method return type) before binding. */
  memberType(found: FoundMember): Type {
    const { member, owner } = found;
    if (member.kind === 'constructor') return { kind: 'named', type: owner, args: owner.typeParameters.map((name) => found.bindings.get(name) ?? UNKNOWN) };
    if (!member.type) return UNKNOWN;
    const scope = [...owner.typeParameters, ...(member.typeParameters ?? [])];
    return substitute(this.resolveReference(member.type, scope, `${owner.fullName}.${member.name}`), found.bindings);
  }

  /** A parameter's type with the member's bindings applied. */
  parameterType(found: FoundMember, index: number): Type {
    const parameter = found.member.parameters?.[index];
    if (!parameter) return UNKNOWN;
    const scope = [...found.owner.typeParameters, ...(found.member.typeParameters ?? [])];
    return substitute(this.resolveReference(parameter.type, scope, `${found.owner.fullName}.${found.member.name}`), found.bindings);
  }

  // ---- hierarchy --------------------------------------------------------------

  /** Direct base types, with the type's arguments applied. */
  baseTypes(type: Type): Type[] {
    if (type.kind === 'array') {
      const bases: Type[] = [];
      const array = this.byKey.get('System.Array');
      if (array) bases.push({ kind: 'named', type: array, args: [] });
      for (const name of ['System.Collections.Generic.IList', 'System.Collections.Generic.IReadOnlyList', 'System.Collections.Generic.IEnumerable']) {
        const generic = this.byKey.get(`${name}\`1`);
        if (generic) bases.push({ kind: 'named', type: generic, args: [type.element] });
      }
      return bases;
    }
    if (type.kind !== 'named') return [];
    let declared = this.baseCache.get(type.type);
    if (!declared) {
      const spec = type.type.spec;
      declared = (spec.bases ?? []).map((b) => this.resolveReference(b, type.type.typeParameters, type.type.fullName));
      if (this.objectType && type.type !== this.objectType && !declared.some((b) => b.kind === 'named' && b.type.spec.kind !== 'interface')) {
        declared.push({ kind: 'named', type: this.objectType, args: [] });
      }
      this.baseCache.set(type.type, declared);
    }
    const bindings = bindingsOf(type);
    return declared.map((b) => substitute(b, bindings));
  }

  /** The type itself and every type it derives from, nearest first. */
  supertypes(type: Type): Type[] {
    const result: Type[] = [type];
    for (let i = 0; i < result.length; i++) {
      for (const base of this.baseTypes(result[i])) {
        if (!result.some((t) => sameType(t, base))) result.push(base);
      }
    }
    if (type.kind === 'unknown' || type.kind === 'param') return result;
    return result;
  }

  // ---- members ----------------------------------------------------------------

  /**
   * Members named `name` that an expression of `type` can reach: declared,
   * inherited (nearest first) and extension methods. `statics` picks static
   * (type-qualified) access instead of instance access.
   */
  findMembers(type: Type, name: string, statics = false): FoundMember[] {
    const found: FoundMember[] = [];
    const chain = statics ? [type] : this.supertypes(type);
    for (const current of chain) {
      if (current.kind !== 'named') continue;
      for (const member of current.type.members.get(name) ?? []) {
        if (!!member.static !== statics && member.kind !== 'enum-value') continue;
        if (member.extension && !statics) continue;
        if (statics && member.kind === 'enum-value') {
          found.push({ member, owner: current.type, bindings: bindingsOf(current), viaExtension: false });
          continue;
        }
        found.push({ member, owner: current.type, bindings: bindingsOf(current), viaExtension: false });
      }
      if (found.length && !statics) break; // a nearer declaration hides the inherited ones
    }
    if (!statics) found.push(...this.extensionsFor(type, name));
    return found;
  }

  /** Every member reachable on `type` (for completion), one entry per name and overload. */
  allMembers(type: Type, statics = false): FoundMember[] {
    const result: FoundMember[] = [];
    const seen = new Set<string>();
    const chain = statics ? [type] : this.supertypes(type);
    for (const current of chain) {
      if (current.kind !== 'named') continue;
      const own = new Set<string>();
      for (const [name, members] of current.type.members) {
        if (seen.has(name)) continue;
        for (const member of members) {
          const isStatic = !!member.static || member.kind === 'enum-value';
          if (isStatic !== statics || member.kind === 'constructor' || member.kind === 'indexer') continue;
          if (member.extension) continue;
          result.push({ member, owner: current.type, bindings: bindingsOf(current), viaExtension: false });
          own.add(name);
        }
      }
      for (const name of own) seen.add(name);
    }
    if (!statics) {
      for (const name of this.extensions.keys()) {
        if (seen.has(name)) continue;
        result.push(...this.extensionsFor(type, name));
      }
    }
    return result;
  }

  /** Indexers of a type (nearest declaration wins). */
  indexers(type: Type): FoundMember[] {
    for (const current of this.supertypes(type)) {
      if (current.kind !== 'named') continue;
      const list = current.type.members.get('this')?.filter((m) => m.kind === 'indexer');
      if (list?.length) return list.map((member) => ({ member, owner: current.type, bindings: bindingsOf(current), viaExtension: false }));
    }
    return [];
  }

  /** Constructors of a type. */
  constructors(type: ModelType): FoundMember[] {
    return (type.members.get(type.spec.name) ?? [])
      .filter((m) => m.kind === 'constructor')
      .map((member) => ({ member, owner: type, bindings: new Map(), viaExtension: false }));
  }

  private extensionsFor(receiver: Type, name: string): FoundMember[] {
    const candidates = this.extensions.get(name);
    if (!candidates || receiver.kind === 'unknown' || receiver.kind === 'null' || receiver.kind === 'void') return [];
    const found: FoundMember[] = [];
    for (const { member, owner } of candidates) {
      const first = member.parameters?.[0];
      if (!first || first.modifier !== 'this') continue;
      const typeParameters = member.typeParameters ?? [];
      const pattern = this.resolveReference(first.type, typeParameters, `${owner.fullName}.${member.name}`);
      const bindings = new Map<string, Type>();
      if (this.unify(pattern, receiver, new Set(typeParameters), bindings)) found.push({ member, owner, bindings, viaExtension: true });
    }
    return found;
  }

  /**
   * Matches `pattern` (which may mention `typeParameters`) against `actual` or
   * one of its supertypes, binding the parameters. Type arguments must match
   * exactly (generic interfaces here are invariant or used invariantly).
   */
  unify(pattern: Type, actual: Type, typeParameters: ReadonlySet<string>, bindings: Map<string, Type>): boolean {
    if (pattern.kind === 'param' && typeParameters.has(pattern.name)) {
      const bound = bindings.get(pattern.name);
      if (!bound || bound.kind === 'unknown') {
        bindings.set(pattern.name, actual);
        return true;
      }
      return sameType(bound, actual) || actual.kind === 'unknown' || actual.kind === 'null';
    }
    if (actual.kind === 'unknown') return false;
    if (pattern.kind === 'array') return actual.kind === 'array' && this.unify(pattern.element, actual.element, typeParameters, bindings);
    if (pattern.kind !== 'named') return sameType(pattern, actual);
    for (const candidate of this.supertypes(actual)) {
      if (candidate.kind !== 'named' || candidate.type !== pattern.type) continue;
      const trial = new Map(bindings);
      if (pattern.args.every((arg, i) => this.unifyExact(arg, candidate.args[i] ?? UNKNOWN, typeParameters, trial))) {
        for (const [k, v] of trial) bindings.set(k, v);
        return true;
      }
    }
    return false;
  }

  private unifyExact(pattern: Type, actual: Type, typeParameters: ReadonlySet<string>, bindings: Map<string, Type>): boolean {
    if (pattern.kind === 'param' && typeParameters.has(pattern.name)) return this.unify(pattern, actual, typeParameters, bindings);
    if (pattern.kind === 'named' && actual.kind === 'named') {
      return pattern.type === actual.type && pattern.args.every((arg, i) => this.unifyExact(arg, actual.args[i] ?? UNKNOWN, typeParameters, bindings));
    }
    if (pattern.kind === 'array' && actual.kind === 'array') return this.unifyExact(pattern.element, actual.element, typeParameters, bindings);
    return sameType(pattern, actual);
  }

  /**
   * Whether the model knows every member of `type`: the type and everything
   * it derives from are marked complete. Only then is an unlisted member an
   * error.
   */
  isComplete(type: Type): boolean {
    if (type.kind !== 'named') return false;
    return this.supertypes(type).every((t) => t.kind === 'named' && t.type.spec.complete);
  }
}

function displaySyntax(syntax: TypeSyntax): string {
  const args = syntax.args.length ? `<${syntax.args.map(displaySyntax).join(', ')}>` : '';
  return `${syntax.name}${args}${syntax.suffixes.join('')}`;
}

/** The model files shipped with the extension, in lookup order. */
export const MODEL_FILES: readonly ExpressionModelFile[] = [
  contextData as unknown as ExpressionModelFile,
  dotnetData as unknown as ExpressionModelFile,
  notAllowedData as unknown as ExpressionModelFile,
];

let defaultModel: ExpressionModel | undefined;

/** The model shipped with the extension (loaded once). */
export function getExpressionModel(): ExpressionModel {
  // JSON literal types are wider than the schema's unions; the model test checks the data.
  defaultModel ??= new ExpressionModel(MODEL_FILES);
  return defaultModel;
}

export type { TypeSpec };
