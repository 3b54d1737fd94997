// A small, honest subset of OData $filter as the APIM management API documents it for list operations:
// comparison operators (eq ne gt ge lt le), and/or/not, parentheses, the string functions contains,
// startswith, endswith and substringof, and any/all lambdas over collection fields such as `tags`.
// String comparisons are case-insensitive (APIM matches names that way). Anything else is rejected so the
// caller can answer 400 instead of silently ignoring a clause.

export class FilterError extends Error {}

/** A filterable field: a scalar, or a collection (e.g. tags) that can only be used through any()/all(). */
export type FieldSpec =
  | { scalar: (item: never) => string | boolean | undefined }
  | { collection: (item: never) => string[] | undefined };
export type FieldMap = Record<string, FieldSpec>;

type Token =
  | { t: 'str'; v: string }
  | { t: 'ident'; v: string }
  | { t: 'punct'; v: '(' | ')' | ',' | ':' };

type Value = string | boolean | undefined;

type Node =
  | { k: 'or' | 'and'; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'cmp'; op: string; l: Operand; r: Operand }
  | { k: 'fn'; name: string; args: Operand[] }
  | { k: 'lambda'; field: string; quantifier: 'any' | 'all'; variable: string; body: Node }
  | { k: 'bool'; operand: Operand };

type Operand = { k: 'lit'; v: string | boolean } | { k: 'field'; name: string } | { k: 'var'; name: string };

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'substringof']);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterError('unterminated string literal');
        if (input[i] === "'") {
          if (input[i + 1] === "'") { v += "'"; i += 2; continue; }
          i++;
          break;
        }
        v += input[i++];
      }
      tokens.push({ t: 'str', v });
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === ':') { tokens.push({ t: 'punct', v: c }); i++; continue; }
    const m = /^[A-Za-z_$][A-Za-z0-9_$/.-]*/.exec(input.slice(i));
    if (!m) throw new FilterError(`unexpected character '${c}' at position ${i}`);
    tokens.push({ t: 'ident', v: m[0] });
    i += m[0].length;
  }
  return tokens;
}

class Parser {
  private pos = 0;
  private readonly variables: string[] = [];

  constructor(private readonly tokens: Token[], private readonly fields: FieldMap) {}

  parse(): Node {
    const node = this.parseOr();
    if (this.pos !== this.tokens.length) throw new FilterError(`unexpected '${this.describe(this.tokens[this.pos])}'`);
    return node;
  }

  private describe(tok: Token | undefined): string {
    return tok === undefined ? 'end of expression' : tok.v;
  }

  private peekIdent(word: string): boolean {
    const tok = this.tokens[this.pos];
    return tok !== undefined && tok.t === 'ident' && tok.v.toLowerCase() === word;
  }

  private expectPunct(p: string): void {
    const tok = this.tokens[this.pos];
    if (!tok || tok.t !== 'punct' || tok.v !== p) throw new FilterError(`expected '${p}' but found '${this.describe(tok)}'`);
    this.pos++;
  }

  private parseOr(): Node {
    let left = this.parseAnd();
    while (this.peekIdent('or')) { this.pos++; left = { k: 'or', l: left, r: this.parseAnd() }; }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseUnary();
    while (this.peekIdent('and')) { this.pos++; left = { k: 'and', l: left, r: this.parseUnary() }; }
    return left;
  }

  private parseUnary(): Node {
    if (this.peekIdent('not')) { this.pos++; return { k: 'not', e: this.parseUnary() }; }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const tok = this.tokens[this.pos];
    if (tok?.t === 'punct' && tok.v === '(') {
      this.pos++;
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    const left = this.parseOperandOrCall();
    if ('k' in left && (left.k === 'fn' || left.k === 'lambda')) return left;
    const operand = left as Operand;
    const opTok = this.tokens[this.pos];
    if (opTok?.t === 'ident' && COMPARISONS.has(opTok.v.toLowerCase())) {
      this.pos++;
      const right = this.parseOperandOrCall();
      if ('k' in right && (right.k === 'fn' || right.k === 'lambda')) throw new FilterError('a function cannot be compared');
      return { k: 'cmp', op: opTok.v.toLowerCase(), l: operand, r: right as Operand };
    }
    if (operand.k === 'lit' && typeof operand.v === 'boolean') return { k: 'bool', operand };
    throw new FilterError(`expected a comparison operator after '${operandText(operand)}'`);
  }

  /** Parses a literal, field, lambda variable, a boolean function call, or a collection lambda. */
  private parseOperandOrCall(): Operand | Node {
    const tok = this.tokens[this.pos];
    if (!tok) throw new FilterError('unexpected end of expression');
    if (tok.t === 'str') { this.pos++; return { k: 'lit', v: tok.v }; }
    if (tok.t !== 'ident') throw new FilterError(`unexpected '${tok.v}'`);
    this.pos++;
    const word = tok.v;
    const lower = word.toLowerCase();
    const next = this.tokens[this.pos];
    if (next?.t === 'punct' && next.v === '(') {
      const lambda = /^(.+)\/(any|all)$/i.exec(word);
      if (lambda) return this.parseLambda(lambda[1], lambda[2].toLowerCase() as 'any' | 'all');
      if (!FUNCTIONS.has(lower)) throw new FilterError(`function '${word}' is not supported`);
      this.pos++;
      const args: Operand[] = [];
      for (;;) {
        const arg = this.parseOperandOrCall();
        if ('k' in arg && (arg.k === 'fn' || arg.k === 'lambda')) throw new FilterError('nested functions are not supported');
        args.push(arg as Operand);
        const sep = this.tokens[this.pos];
        if (sep?.t === 'punct' && sep.v === ',') { this.pos++; continue; }
        this.expectPunct(')');
        break;
      }
      if (args.length !== 2) throw new FilterError(`function '${word}' takes two arguments`);
      return { k: 'fn', name: lower, args };
    }
    if (lower === 'true' || lower === 'false') return { k: 'lit', v: lower === 'true' };
    if (this.variables.includes(word)) return { k: 'var', name: word };
    const field = this.resolveField(word);
    if (!('scalar' in this.fields[field])) throw new FilterError(`'${word}' is a collection; use ${word}/any(...) or ${word}/all(...)`);
    return { k: 'field', name: field };
  }

  private parseLambda(fieldName: string, quantifier: 'any' | 'all'): Node {
    const field = this.resolveField(fieldName);
    if (!('collection' in this.fields[field])) throw new FilterError(`'${fieldName}' is not a collection; any()/all() cannot be applied`);
    this.expectPunct('(');
    const varTok = this.tokens[this.pos];
    if (varTok?.t !== 'ident') throw new FilterError(`expected a lambda variable in ${fieldName}/${quantifier}(...)`);
    this.pos++;
    this.expectPunct(':');
    this.variables.push(varTok.v);
    const body = this.parseOr();
    this.variables.pop();
    this.expectPunct(')');
    return { k: 'lambda', field, quantifier, variable: varTok.v, body };
  }

  private resolveField(name: string): string {
    const direct = Object.keys(this.fields).find((f) => f.toLowerCase() === name.toLowerCase());
    if (direct) return direct;
    throw new FilterError(`field '${name}' is not supported in $filter here`);
  }
}

function operandText(o: Operand): string {
  return o.k === 'lit' ? String(o.v) : o.name;
}

function lower(v: Value): Value {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

/** Compiles a $filter expression into a predicate; throws FilterError for anything outside the subset. */
export function compileFilter<T>(expression: string, fields: FieldMap): (item: T) => boolean {
  const tokens = tokenize(expression);
  if (tokens.length === 0) return () => true;
  const tree = new Parser(tokens, fields).parse();
  return (item: T) => evaluate(tree, item, fields, {}) === true;
}

function resolve(o: Operand, item: unknown, fields: FieldMap, scope: Record<string, string>): Value {
  if (o.k === 'lit') return o.v;
  if (o.k === 'var') return scope[o.name];
  return (fields[o.name] as { scalar: (i: unknown) => Value }).scalar(item);
}

function evaluate(node: Node, item: unknown, fields: FieldMap, scope: Record<string, string>): boolean {
  switch (node.k) {
    case 'or': return evaluate(node.l, item, fields, scope) || evaluate(node.r, item, fields, scope);
    case 'and': return evaluate(node.l, item, fields, scope) && evaluate(node.r, item, fields, scope);
    case 'not': return !evaluate(node.e, item, fields, scope);
    case 'bool': return resolve(node.operand, item, fields, scope) === true;
    case 'cmp': {
      const l = lower(resolve(node.l, item, fields, scope));
      const r = lower(resolve(node.r, item, fields, scope));
      switch (node.op) {
        case 'eq': return l === r;
        case 'ne': return l !== r;
        default: {
          if (typeof l !== 'string' || typeof r !== 'string') return false;
          const c = l < r ? -1 : l > r ? 1 : 0;
          return node.op === 'gt' ? c > 0 : node.op === 'ge' ? c >= 0 : node.op === 'lt' ? c < 0 : c <= 0;
        }
      }
    }
    case 'fn': {
      const a = lower(resolve(node.args[0], item, fields, scope));
      const b = lower(resolve(node.args[1], item, fields, scope));
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      switch (node.name) {
        case 'contains': return a.includes(b);
        case 'startswith': return a.startsWith(b);
        case 'endswith': return a.endsWith(b);
        default: return b.includes(a); // substringof(needle, haystack)
      }
    }
    case 'lambda': {
      const values = (fields[node.field] as { collection: (i: unknown) => string[] | undefined }).collection(item) ?? [];
      const test = (v: string): boolean => evaluate(node.body, item, fields, { ...scope, [node.variable]: v });
      return node.quantifier === 'any' ? values.some(test) : values.every(test);
    }
  }
}
