/**
 * Type references as the model writes them (`IReadOnlyDictionary<string, string[]>`,
 * `DateTime?`, `T`) and the resolved types the checker computes with.
 */
import type { MemberSpec, TypeSpec } from './types';

/** A type of the model, indexed. */
export interface ModelType {
  readonly spec: TypeSpec;
  /** `System.Text.Encoding`, or the simple name for APIM's interfaces. */
  readonly fullName: string;
  /** Lookup key: full name plus generic arity (`System.Func\`2`). */
  readonly key: string;
  readonly typeParameters: readonly string[];
  /** Members by name (overloads share a name). */
  readonly members: ReadonlyMap<string, readonly MemberSpec[]>;
}

/**
 * A resolved type. `unknown` means the model cannot say (a type it does not
 * hold, a named value, an error); no feature reports anything about it.
 */
export type Type =
  | { kind: 'named'; type: ModelType; args: readonly Type[] }
  | { kind: 'array'; element: Type }
  | { kind: 'param'; name: string }
  | { kind: 'null' }
  | { kind: 'void' }
  | { kind: 'unknown'; display?: string };

export const UNKNOWN: Type = { kind: 'unknown' };
export const VOID: Type = { kind: 'void' };
export const NULL: Type = { kind: 'null' };

/** Parsed form of a type reference string, before names are resolved. */
export interface TypeSyntax {
  name: string;
  args: TypeSyntax[];
  /** Applied in order after the name: `[]` for arrays, `?` for nullable. */
  suffixes: Array<'[]' | '?'>;
}

/** Parses `A.B<C, D[]>[]?`; throws on malformed input (the model test catches it). */
export function parseTypeSyntax(text: string): TypeSyntax {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`Malformed type reference '${text}': ${why} at ${i}`);
  };
  const skipSpace = (): void => {
    while (text[i] === ' ') i++;
  };
  const parse = (): TypeSyntax => {
    skipSpace();
    const start = i;
    while (i < text.length && /[A-Za-z0-9_.]/.test(text[i])) i++;
    if (i === start) fail('expected a name');
    const result: TypeSyntax = { name: text.slice(start, i), args: [], suffixes: [] };
    skipSpace();
    if (text[i] === '<') {
      i++;
      for (;;) {
        result.args.push(parse());
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '>') {
          i++;
          break;
        }
        fail("expected ',' or '>'");
      }
    }
    for (;;) {
      skipSpace();
      if (text.startsWith('[]', i)) {
        result.suffixes.push('[]');
        i += 2;
      } else if (text[i] === '?') {
        result.suffixes.push('?');
        i++;
      } else break;
    }
    return result;
  };
  const result = parse();
  skipSpace();
  if (i !== text.length) fail('unexpected text');
  return result;
}

/** Replaces type parameters by the types bound to them. */
export function substitute(type: Type, bindings: ReadonlyMap<string, Type>): Type {
  if (bindings.size === 0) return type;
  switch (type.kind) {
    case 'param':
      return bindings.get(type.name) ?? type;
    case 'array':
      return { kind: 'array', element: substitute(type.element, bindings) };
    case 'named':
      return type.args.length ? { kind: 'named', type: type.type, args: type.args.map((a) => substitute(a, bindings)) } : type;
    default:
      return type;
  }
}

/** The bindings of a named type's own type parameters to its arguments. */
export function bindingsOf(type: Type): Map<string, Type> {
  const bindings = new Map<string, Type>();
  if (type.kind === 'named') {
    type.type.typeParameters.forEach((name, i) => bindings.set(name, type.args[i] ?? UNKNOWN));
  }
  return bindings;
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'named':
      return b.kind === 'named' && a.type === b.type && a.args.length === b.args.length && a.args.every((x, i) => sameType(x, b.args[i]));
    case 'array':
      return b.kind === 'array' && sameType(a.element, b.element);
    case 'param':
      return b.kind === 'param' && a.name === b.name;
    case 'unknown':
      return false;
    default:
      return true;
  }
}

/** true when nothing can be said about the type (it or a part of it is unknown). */
export function isUnknown(type: Type): boolean {
  return type.kind === 'unknown' || type.kind === 'param';
}
