/**
 * Names and types inside one policy expression: walks the C# syntax tree
 * with scopes (locals, parameters, lambda parameters, `out` and pattern
 * variables, query range variables), infers the type of every expression
 * from the expression model, and records what each name refers to.
 *
 * It reports only what it is sure of: an unknown name or member is an issue
 * only when the model knows everything that could have matched (see
 * `ExpressionModel.isComplete`); anything it cannot type is `unknown` and
 * silences every check that depends on it.
 */
import type { ExpressionModel, FoundMember, GlobalVariable } from './model/model';
import type { ModelType, Type } from './model/typeRefs';
import { NULL, UNKNOWN, isUnknown, sameType, substitute } from './model/typeRefs';
import type { SyntaxNode } from './csharpParser';
import type { ExpressionSource } from './source';
import { displayType } from './display';

export type ExpressionIssueCode = 'unknown-identifier' | 'unknown-member' | 'type-not-allowed';

export interface ExpressionIssue {
  code: ExpressionIssueCode;
  message: string;
  /** Source offsets (see ExpressionSource). */
  start: number;
  end: number;
}

export type LocalKind = 'local' | 'parameter' | 'function' | 'range';

export interface LocalSymbol {
  name: string;
  type: Type;
  kind: LocalKind;
  /** Where the name is declared (source offsets). */
  start: number;
  end: number;
  /** Source span where the name is visible. */
  visibleFrom: number;
  visibleTo: number;
}

/** What a name or expression denotes. */
export type Meaning =
  | { kind: 'value'; type: Type; variables?: boolean }
  | { kind: 'type'; type: Type }
  | { kind: 'namespace'; name: string }
  | { kind: 'methods'; name: string; receiver: Type; statics: boolean; candidates: FoundMember[] }
  | { kind: 'unknown' };

export type ReferenceTarget =
  | { kind: 'global'; global: GlobalVariable }
  | { kind: 'local'; symbol: LocalSymbol }
  | { kind: 'member'; receiver: Type; candidates: FoundMember[]; chosen?: FoundMember }
  | { kind: 'type'; type: ModelType }
  | { kind: 'namespace'; name: string }
  | { kind: 'variable'; name: string };

export interface Reference {
  start: number;
  end: number;
  target: ReferenceTarget;
}

/** A lookup of a policy variable by a literal name. */
export interface VariableRead {
  name: string;
  /** The string literal's content span (source offsets). */
  start: number;
  end: number;
  /** `T` of `GetValueOrDefault<T>` (explicit or inferred from the default). */
  requested?: Type;
  /** Span of what decided `requested` (the type argument or the default value). */
  requestedStart?: number;
  requestedEnd?: number;
}

const UNKNOWN_MEANING: Meaning = { kind: 'unknown' };
const value = (type: Type): Meaning => (type.kind === 'unknown' ? UNKNOWN_MEANING : { kind: 'value', type });

/** Keywords that read like identifiers but never name anything to check. */
const CONTEXTUAL = new Set(['var', 'dynamic', 'nameof', 'value', '_', 'global', 'await', 'async']);

const VARIABLE_LOOKUPS = new Set(['GetValueOrDefault', 'ContainsKey', 'TryGetValue']);

class Scope {
  private readonly symbols = new Map<string, LocalSymbol>();
  constructor(
    readonly parent: Scope | undefined,
    /** End of the syntax that bounds the scope (source offset). */
    readonly end: number,
  ) {}

  declare(symbol: LocalSymbol): void {
    this.symbols.set(symbol.name, symbol);
  }

  lookup(name: string): LocalSymbol | undefined {
    return this.symbols.get(name) ?? this.parent?.lookup(name);
  }
}

export interface BinderOptions {
  /** Record references and locals for hover, completion and signature help. */
  record?: boolean;
}

export class ExpressionBinder {
  readonly issues: ExpressionIssue[] = [];
  readonly variableReads: VariableRead[] = [];
  /** Types of the values the expression returns. */
  readonly returnTypes: Type[] = [];
  readonly references: Reference[] = [];
  readonly locals: LocalSymbol[] = [];

  private readonly meanings = new Map<number, Meaning>();
  /** >0 while binding syntax the parser could not read cleanly: names are resolved but never reported. */
  private quiet = 0;
  private declaredAnywhere: Set<string> | undefined;

  constructor(
    private readonly model: ExpressionModel,
    private readonly source: ExpressionSource,
    private readonly root: SyntaxNode,
    private readonly options: BinderOptions = {},
  ) {}

  bind(): this {
    const scope = new Scope(undefined, this.source.text.length);
    for (const child of this.root.namedChildren) {
      if (child) this.statement(child.type === 'global_statement' ? (child.namedChild(0) ?? child) : child, scope);
    }
    return this;
  }

  /** The meaning computed for a node during `bind`, if it was evaluated. */
  meaningOf(node: SyntaxNode): Meaning | undefined {
    return this.meanings.get(node.id);
  }

  /** Evaluates an expression node with the locals visible at `offset` (for nodes `bind` did not reach). */
  evaluateAt(node: SyntaxNode, offset: number): Meaning {
    const known = this.meanings.get(node.id);
    if (known) return known;
    const scope = new Scope(undefined, this.source.text.length);
    for (const local of this.localsAt(offset)) scope.declare(local);
    this.quiet++;
    try {
      return this.expression(node, scope);
    } finally {
      this.quiet--;
    }
  }

  /** Locals visible at a source offset (innermost declaration of a name wins). */
  localsAt(offset: number): LocalSymbol[] {
    const byName = new Map<string, LocalSymbol>();
    for (const local of this.locals) {
      if (offset >= local.visibleFrom && offset <= local.visibleTo) {
        const previous = byName.get(local.name);
        if (!previous || previous.visibleFrom <= local.visibleFrom) byName.set(local.name, local);
      }
    }
    return [...byName.values()];
  }

  // ---- statements --------------------------------------------------------------

  private statement(node: SyntaxNode, scope: Scope): void {
    switch (node.type) {
      case 'block': {
        const inner = new Scope(scope, node.endIndex);
        this.hoistLocalFunctions(node, inner);
        for (const child of node.namedChildren) if (child) this.statement(child, inner);
        return;
      }
      case 'local_declaration_statement':
        for (const child of node.namedChildren) if (child?.type === 'variable_declaration') this.variableDeclaration(child, scope);
        return;
      case 'expression_statement':
      case 'throw_statement':
        for (const child of node.namedChildren) if (child) this.expression(child, scope);
        return;
      case 'return_statement': {
        const returned = node.namedChild(0);
        if (returned) {
          const meaning = this.expression(returned, scope);
          this.returnTypes.push(meaning.kind === 'value' ? meaning.type : UNKNOWN);
        }
        return;
      }
      case 'if_statement': {
        const condition = node.childForFieldName('condition');
        if (condition) this.expression(condition, scope); // pattern variables stay visible after the if (C# scoping)
        const consequence = node.childForFieldName('consequence');
        if (consequence) this.embedded(consequence, scope);
        const alternative = node.childForFieldName('alternative');
        if (alternative) this.embedded(alternative, scope);
        return;
      }
      case 'while_statement':
      case 'do_statement': {
        const inner = new Scope(scope, node.endIndex);
        const condition = node.childForFieldName('condition');
        if (condition) this.expression(condition, inner);
        const body = node.childForFieldName('body');
        if (body) this.embedded(body, inner);
        return;
      }
      case 'for_statement':
        return this.forStatement(node, scope);
      case 'foreach_statement':
        return this.foreachStatement(node, scope);
      case 'switch_statement':
        return this.switchStatement(node, scope);
      case 'try_statement':
        return this.tryStatement(node, scope);
      case 'using_statement':
      case 'lock_statement':
      case 'fixed_statement': {
        const inner = new Scope(scope, node.endIndex);
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'variable_declaration') this.variableDeclaration(child, inner);
          else if (same(child, node.childForFieldName('body'))) this.embedded(child, inner);
          else this.expression(child, inner);
        }
        return;
      }
      case 'checked_statement':
      case 'unsafe_statement':
      case 'labeled_statement':
        for (const child of node.namedChildren) if (child && child.type !== 'identifier') this.statement(child, scope);
        return;
      case 'local_function_statement':
        return this.localFunction(node, scope);
      case 'yield_statement':
        for (const child of node.namedChildren) if (child) this.expression(child, scope);
        return;
      case 'break_statement':
      case 'continue_statement':
      case 'goto_statement':
      case 'empty_statement':
      case 'comment':
        return;
      case 'ERROR':
        this.quiet++;
        try {
          for (const child of node.namedChildren) if (child) this.anything(child, scope);
        } finally {
          this.quiet--;
        }
        return;
      default:
        this.anything(node, scope);
    }
  }

  /** A statement nested in another (if/while body): its own scope unless it is a block. */
  private embedded(node: SyntaxNode, scope: Scope): void {
    this.statement(node, node.type === 'block' ? scope : new Scope(scope, node.endIndex));
  }

  /** Statement or expression, whichever the node is (inside error recovery). */
  private anything(node: SyntaxNode, scope: Scope): void {
    if (node.type.endsWith('_statement') || node.type === 'block') this.statement(node, scope);
    else this.expression(node, scope);
  }

  private hoistLocalFunctions(block: SyntaxNode, scope: Scope): void {
    for (const child of block.namedChildren) {
      if (child?.type !== 'local_function_statement') continue;
      const name = child.childForFieldName('name');
      if (name) this.declare(scope, name.text, UNKNOWN, 'function', name, block.startIndex, block.endIndex);
    }
  }

  private variableDeclaration(node: SyntaxNode, scope: Scope): void {
    const typeNode = node.childForFieldName('type');
    const implicit = !typeNode || typeNode.type === 'implicit_type' || (typeNode.type === 'identifier' && typeNode.text === 'var');
    const declared = implicit ? undefined : this.typeNode(typeNode, scope);
    for (const declarator of node.namedChildren) {
      if (declarator?.type !== 'variable_declarator') continue;
      const name = declarator.childForFieldName('name');
      let initializerType: Type = UNKNOWN;
      for (const child of declarator.namedChildren) {
        if (!child || same(child, name) || child.type === 'bracketed_argument_list' || child.type === 'tuple_pattern') continue;
        const meaning = this.expression(child, scope, declared);
        if (meaning.kind === 'value') initializerType = meaning.type;
      }
      if (declarator.namedChildren.some((c) => c?.type === 'tuple_pattern')) {
        for (const id of declarator.descendantsOfType('identifier')) if (id) this.declare(scope, id.text, UNKNOWN, 'local', id, id.endIndex, scope.end);
        continue;
      }
      if (name) this.declare(scope, name.text, declared ?? (initializerType.kind === 'null' ? UNKNOWN : initializerType), 'local', name, declarator.endIndex, scope.end);
    }
  }

  private forStatement(node: SyntaxNode, scope: Scope): void {
    const inner = new Scope(scope, node.endIndex);
    const body = node.childForFieldName('body');
    for (const child of node.namedChildren) {
      if (!child || same(child, body)) continue;
      if (child.type === 'variable_declaration') this.variableDeclaration(child, inner);
      else this.expression(child, inner);
    }
    if (body) this.embedded(body, inner);
  }

  private foreachStatement(node: SyntaxNode, scope: Scope): void {
    const right = node.childForFieldName('right');
    const collection = right ? this.expression(right, scope) : UNKNOWN_MEANING;
    const inner = new Scope(scope, node.endIndex);
    const typeNode = node.childForFieldName('type');
    const left = node.childForFieldName('left');
    const implicit = !typeNode || typeNode.type === 'implicit_type' || (typeNode.type === 'identifier' && typeNode.text === 'var');
    const elementType = implicit ? (collection.kind === 'value' ? this.elementTypeOf(collection.type) : UNKNOWN) : this.typeNode(typeNode, scope);
    if (left?.type === 'identifier') this.declare(inner, left.text, elementType, 'local', left, left.endIndex, node.endIndex);
    else if (left) for (const id of left.descendantsOfType('identifier')) if (id) this.declare(inner, id.text, UNKNOWN, 'local', id, id.endIndex, node.endIndex);
    const body = node.childForFieldName('body');
    if (body) this.embedded(body, inner);
  }

  private switchStatement(node: SyntaxNode, scope: Scope): void {
    const value = node.childForFieldName('value');
    if (value) this.expression(value, scope);
    const body = node.childForFieldName('body');
    if (!body) return;
    const inner = new Scope(scope, body.endIndex);
    for (const section of body.namedChildren) {
      if (section?.type !== 'switch_section') continue;
      const sectionScope = new Scope(inner, section.endIndex);
      for (const child of section.namedChildren) {
        if (!child) continue;
        if (child.type.endsWith('pattern') || child.type === 'constant_pattern') this.pattern(child, sectionScope);
        else if (child.type === 'when_clause') {
          for (const c of child.namedChildren) if (c) this.expression(c, sectionScope);
        } else if (child.type.endsWith('_statement') || child.type === 'block') this.statement(child, inner);
        else this.expression(child, sectionScope);
      }
    }
  }

  private tryStatement(node: SyntaxNode, scope: Scope): void {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'block') this.statement(child, scope);
      else if (child.type === 'catch_clause') {
        const inner = new Scope(scope, child.endIndex);
        for (const part of child.namedChildren) {
          if (!part) continue;
          if (part.type === 'catch_declaration') {
            const typeNode = part.childForFieldName('type');
            const type = typeNode ? this.typeNode(typeNode, scope) : UNKNOWN;
            const name = part.childForFieldName('name');
            if (name) this.declare(inner, name.text, type, 'local', name, name.endIndex, child.endIndex);
          } else if (part.type === 'catch_filter_clause') {
            for (const c of part.namedChildren) if (c) this.expression(c, inner);
          } else this.statement(part, inner);
        }
      } else if (child.type === 'finally_clause') {
        for (const part of child.namedChildren) if (part) this.statement(part, scope);
      }
    }
  }

  private localFunction(node: SyntaxNode, scope: Scope): void {
    const inner = new Scope(scope, node.endIndex);
    this.parameters(node.childForFieldName('parameters'), inner, []);
    const body = node.childForFieldName('body');
    if (!body) return;
    if (body.type === 'block') this.statement(body, inner);
    else for (const c of body.namedChildren) if (c) this.expression(c, inner);
    const returnType = node.childForFieldName('type');
    if (returnType) this.typeNode(returnType, scope);
  }

  /** Declares parameters (of a lambda or local function), typed by `types` when they have no type of their own. */
  private parameters(list: SyntaxNode | null, scope: Scope, types: readonly Type[]): void {
    if (!list) return;
    if (list.type === 'implicit_parameter' || list.type === 'identifier') {
      this.declare(scope, list.text, types[0] ?? UNKNOWN, 'parameter', list, list.startIndex, scope.end);
      return;
    }
    let index = 0;
    for (const parameter of list.namedChildren) {
      if (parameter?.type !== 'parameter') continue;
      const name = parameter.childForFieldName('name');
      const typeNode = parameter.childForFieldName('type');
      const type = typeNode ? this.typeNode(typeNode, scope) : (types[index] ?? UNKNOWN);
      if (name) this.declare(scope, name.text, type, 'parameter', name, name.startIndex, scope.end);
      index++;
    }
  }

  private declare(scope: Scope, name: string, type: Type, kind: LocalKind, node: SyntaxNode, visibleFrom: number, visibleTo: number): void {
    const symbol: LocalSymbol = { name, type, kind, start: node.startIndex, end: node.endIndex, visibleFrom, visibleTo };
    scope.declare(symbol);
    if (this.options.record) this.locals.push(symbol);
    this.reference(node, { kind: 'local', symbol });
  }

  // ---- patterns ----------------------------------------------------------------

  /** Binds a pattern; its variables go into `scope` (C# 7: the enclosing statement's scope). */
  private pattern(node: SyntaxNode, scope: Scope, input: Type = UNKNOWN): void {
    switch (node.type) {
      case 'declaration_pattern': {
        const typeNode = node.childForFieldName('type');
        const type = typeNode ? this.typeNode(typeNode, scope) : UNKNOWN;
        const name = node.childForFieldName('name');
        if (name) this.declare(scope, name.text, type, 'local', name, name.endIndex, scope.end);
        return;
      }
      case 'var_pattern': {
        const name = node.childForFieldName('name');
        if (name) this.declare(scope, name.text, input, 'local', name, name.endIndex, scope.end);
        else for (const id of node.descendantsOfType('identifier')) if (id) this.declare(scope, id.text, UNKNOWN, 'local', id, id.endIndex, scope.end);
        return;
      }
      case 'constant_pattern':
        for (const child of node.namedChildren) if (child) this.expression(child, scope);
        return;
      case 'type_pattern':
      case 'identifier':
      case 'qualified_name':
      case 'generic_name':
      case 'predefined_type':
        this.typeOrExpression(node, scope);
        return;
      default:
        // Recursive and C# 8+ patterns (reported as syntax elsewhere): declare their names, stay quiet.
        this.quiet++;
        try {
          for (const child of node.namedChildren) {
            if (!child) continue;
            if (child.type.endsWith('pattern')) this.pattern(child, scope);
            else if (child.type === 'identifier' && same(child, node.childForFieldName('name'))) {
              this.declare(scope, child.text, UNKNOWN, 'local', child, child.endIndex, scope.end);
            }
          }
        } finally {
          this.quiet--;
        }
    }
  }

  /** `x is T`: the right side may be a type or (in C# 7 constant patterns) a value. */
  private typeOrExpression(node: SyntaxNode, scope: Scope): void {
    const asType = this.tryTypeName(node);
    if (asType) {
      if (asType.kind === 'named') this.checkAllowed(asType.type, node);
      return;
    }
    this.quiet++;
    try {
      this.expression(node, scope);
    } finally {
      this.quiet--;
    }
  }

  // ---- expressions ---------------------------------------------------------------

  private expression(node: SyntaxNode, scope: Scope, expected?: Type): Meaning {
    const meaning = this.evaluate(node, scope, expected);
    this.meanings.set(node.id, meaning);
    return meaning;
  }

  private evaluate(node: SyntaxNode, scope: Scope, expected?: Type): Meaning {
    switch (node.type) {
      case 'identifier':
        return this.identifier(node, scope);
      case 'generic_name':
        return this.genericName(node, scope);
      case 'predefined_type':
        return { kind: 'type', type: this.model.keywordType(node.text) };
      case 'qualified_name':
      case 'alias_qualified_name':
        return this.qualifiedName(node);
      case 'member_access_expression':
        return this.memberAccess(node, scope);
      case 'conditional_access_expression':
        return this.conditionalAccess(node, scope);
      case 'invocation_expression':
        return this.invocation(node, scope);
      case 'element_access_expression':
        return this.elementAccess(node, scope);
      case 'parenthesized_expression': {
        const inner = node.namedChild(0);
        return inner ? this.expression(inner, scope, expected) : UNKNOWN_MEANING;
      }
      case 'cast_expression': {
        const typeNode = node.childForFieldName('type');
        const operand = node.childForFieldName('value');
        if (operand) this.expression(operand, scope);
        return typeNode ? value(this.typeNode(typeNode, scope)) : UNKNOWN_MEANING;
      }
      case 'as_expression': {
        const left = node.childForFieldName('left');
        if (left) this.expression(left, scope);
        const right = node.childForFieldName('right');
        return right ? value(this.typeNode(right, scope)) : UNKNOWN_MEANING;
      }
      case 'is_expression': {
        const left = node.childForFieldName('left');
        if (left) this.expression(left, scope);
        const right = node.childForFieldName('right');
        if (right) this.typeNode(right, scope);
        return value(this.model.keywordType('bool'));
      }
      case 'is_pattern_expression': {
        const operand = node.childForFieldName('expression');
        const input = operand ? this.expression(operand, scope) : UNKNOWN_MEANING;
        const pattern = node.childForFieldName('pattern');
        if (pattern) this.pattern(pattern, scope, input.kind === 'value' ? input.type : UNKNOWN);
        return value(this.model.keywordType('bool'));
      }
      case 'object_creation_expression':
        return this.objectCreation(node, scope);
      case 'array_creation_expression': {
        const typeNode = node.childForFieldName('type');
        const type = typeNode ? this.typeNode(typeNode, scope) : UNKNOWN;
        for (const child of node.namedChildren) if (child && !same(child, typeNode)) this.expression(child, scope);
        return value(type);
      }
      case 'implicit_array_creation_expression': {
        let element: Type = UNKNOWN;
        for (const child of node.namedChildren) {
          if (child?.type !== 'initializer_expression') continue;
          for (const item of child.namedChildren) {
            if (!item) continue;
            const meaning = this.expression(item, scope);
            if (element.kind === 'unknown' && meaning.kind === 'value') element = meaning.type;
          }
        }
        return value(element.kind === 'unknown' ? UNKNOWN : { kind: 'array', element });
      }
      case 'initializer_expression':
        for (const child of node.namedChildren) if (child) this.expression(child, scope);
        return UNKNOWN_MEANING;
      case 'string_literal':
      case 'verbatim_string_literal':
      case 'raw_string_literal':
        return value(this.model.keywordType('string'));
      case 'interpolated_string_expression':
        // Only this string's own holes: a nested string binds its holes itself
        // (descendants here would bind each level once per enclosing string).
        for (const hole of node.namedChildren) {
          if (hole?.type !== 'interpolation') continue;
          const inner = hole.namedChildren.find((c) => c && c.type !== 'interpolation_brace' && c.type !== 'interpolation_alignment_clause' && c.type !== 'interpolation_format_clause');
          if (inner) this.expression(inner, scope);
        }
        return value(this.model.keywordType('string'));
      case 'integer_literal':
        return value(this.model.keywordType(/[lL]$/.test(node.text) ? 'long' : /[uU]$/.test(node.text) ? 'uint' : 'int'));
      case 'real_literal':
        return value(this.model.keywordType(/[fF]$/.test(node.text) ? 'float' : /[mM]$/.test(node.text) ? 'decimal' : 'double'));
      case 'boolean_literal':
        return value(this.model.keywordType('bool'));
      case 'character_literal':
        return value(this.model.keywordType('char'));
      case 'null_literal':
        return { kind: 'value', type: NULL };
      case 'binary_expression':
        return this.binary(node, scope);
      case 'prefix_unary_expression':
      case 'postfix_unary_expression': {
        const operand = node.namedChild(0);
        const meaning = operand ? this.expression(operand, scope) : UNKNOWN_MEANING;
        const operator = node.type === 'prefix_unary_expression' ? node.child(0)?.type : node.child(node.childCount - 1)?.type;
        if (operator === '!' && node.type === 'prefix_unary_expression') return value(this.model.keywordType('bool'));
        return meaning.kind === 'value' ? meaning : UNKNOWN_MEANING;
      }
      case 'conditional_expression': {
        const condition = node.childForFieldName('condition');
        if (condition) this.expression(condition, scope);
        const consequence = node.childForFieldName('consequence');
        const alternative = node.childForFieldName('alternative');
        const a = consequence ? this.expression(consequence, scope, expected) : UNKNOWN_MEANING;
        const b = alternative ? this.expression(alternative, scope, expected) : UNKNOWN_MEANING;
        if (a.kind === 'value' && b.kind === 'value') {
          if (a.type.kind === 'null') return b;
          if (b.type.kind === 'null' || sameType(a.type, b.type)) return a;
        }
        return UNKNOWN_MEANING;
      }
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const target = left ? this.expression(left, scope) : UNKNOWN_MEANING;
        const right = node.childForFieldName('right');
        if (right) this.expression(right, scope, target.kind === 'value' ? target.type : undefined);
        return target.kind === 'value' ? target : UNKNOWN_MEANING;
      }
      case 'lambda_expression':
      case 'anonymous_method_expression':
        this.lambda(node, scope, expected);
        return UNKNOWN_MEANING;
      case 'declaration_expression': {
        const typeNode = node.childForFieldName('type');
        const implicit = !typeNode || typeNode.type === 'implicit_type' || (typeNode.type === 'identifier' && typeNode.text === 'var');
        const type = implicit ? (expected ?? UNKNOWN) : this.typeNode(typeNode, scope);
        const name = node.childForFieldName('name');
        if (name) this.declare(scope, name.text, type, 'local', name, name.endIndex, scope.end);
        else for (const id of node.descendantsOfType('identifier')) if (id) this.declare(scope, id.text, UNKNOWN, 'local', id, id.endIndex, scope.end);
        return value(type);
      }
      case 'typeof_expression':
      case 'default_expression':
      case 'sizeof_expression': {
        const typeNode = node.childForFieldName('type') ?? node.namedChild(0);
        const type = typeNode ? this.typeNode(typeNode, scope) : (expected ?? UNKNOWN);
        return node.type === 'default_expression' ? value(type) : UNKNOWN_MEANING;
      }
      case 'query_expression':
        return this.query(node, scope);
      case 'anonymous_object_creation_expression':
        this.anonymousObject(node, scope);
        return UNKNOWN_MEANING;
      case 'this_expression':
      case 'base_expression':
      case 'discard':
        return UNKNOWN_MEANING;
      case 'ERROR':
        this.quiet++;
        try {
          for (const child of node.namedChildren) if (child) this.anything(child, scope);
        } finally {
          this.quiet--;
        }
        return UNKNOWN_MEANING;
      default:
        // Anything else (tuples, throw, checked, C# 8+ syntax reported elsewhere): bind the parts, quietly.
        this.quiet++;
        try {
          for (const child of node.namedChildren) if (child) this.anything(child, scope);
        } finally {
          this.quiet--;
        }
        return UNKNOWN_MEANING;
    }
  }

  private identifier(node: SyntaxNode, scope: Scope): Meaning {
    const name = node.text;
    if (node.isMissing || !name || CONTEXTUAL.has(name) || this.source.touchesNamedValue(node.startIndex, node.endIndex)) return UNKNOWN_MEANING;
    const local = scope.lookup(name);
    if (local) {
      this.reference(node, { kind: 'local', symbol: local });
      return value(local.type);
    }
    const global = this.model.globals.get(name);
    if (global) {
      this.reference(node, { kind: 'global', global });
      return value(global.type);
    }
    const types = this.model.bySimple(name).filter((t) => t.spec.nameable !== false);
    if (types.length === 1) {
      this.reference(node, { kind: 'type', type: types[0] });
      this.checkAllowed(types[0], node);
      return { kind: 'type', type: { kind: 'named', type: types[0], args: [] } };
    }
    if (this.model.namespaces.has(name)) {
      this.reference(node, { kind: 'namespace', name });
      return { kind: 'namespace', name };
    }
    if (types.length > 1 || this.model.hasSimpleName(name)) return UNKNOWN_MEANING;
    this.reportUnknownName(node, name);
    return UNKNOWN_MEANING;
  }

  private reportUnknownName(node: SyntaxNode, name: string): void {
    if (this.quiet) return;
    this.declaredAnywhere ??= this.collectDeclaredNames();
    if (this.declaredAnywhere.has(name)) return; // declared somewhere we could not place: not sure
    const startsLower = /^[a-z_]/.test(name);
    if (!startsLower && !this.model.listsAllAllowedTypes) return; // may be an allowed type the model does not list yet
    const context = this.model.globals.get('context');
    const hint = context ? this.model.allMembers(context.type).find((f) => f.member.name.toLowerCase() === name.toLowerCase()) : undefined;
    const suggestion = hint ? ` Did you mean 'context.${hint.member.name}'?` : '';
    this.issue('unknown-identifier', `The name '${name}' does not exist in a policy expression: it is not 'context', a local, a parameter or an allowed type.${suggestion}`, node);
  }

  private collectDeclaredNames(): Set<string> {
    const names = new Set<string>();
    const kinds = ['variable_declarator', 'parameter', 'declaration_expression', 'declaration_pattern', 'var_pattern', 'foreach_statement', 'catch_declaration',
      'local_function_statement', 'from_clause', 'let_clause', 'join_clause', 'query_continuation', 'join_into_clause', 'implicit_parameter', 'recursive_pattern', 'labeled_statement'];
    for (const node of this.root.descendantsOfType(kinds)) {
      if (!node) continue;
      if (node.type === 'implicit_parameter') names.add(node.text);
      const name = node.childForFieldName('name') ?? node.childForFieldName('left');
      if (name?.type === 'identifier') names.add(name.text);
      for (const child of node.namedChildren) if (child?.type === 'identifier') names.add(child.text);
    }
    for (const node of this.root.descendantsOfType(['lambda_expression'])) {
      const parameters = node?.childForFieldName('parameters');
      if (parameters?.type === 'identifier' || parameters?.type === 'implicit_parameter') names.add(parameters.text);
    }
    return names;
  }

  private genericName(node: SyntaxNode, scope: Scope): Meaning {
    const type = this.typeNode(node, scope);
    return type.kind === 'unknown' ? UNKNOWN_MEANING : { kind: 'type', type };
  }

  private qualifiedName(node: SyntaxNode): Meaning {
    const text = node.text.replace(/\s+/g, '');
    if (this.model.namespaces.has(text)) return { kind: 'namespace', name: text };
    const type = this.tryTypeName(node);
    return type ? { kind: 'type', type } : UNKNOWN_MEANING;
  }

  private memberAccess(node: SyntaxNode, scope: Scope): Meaning {
    const receiverNode = node.childForFieldName('expression');
    const nameNode = node.childForFieldName('name');
    const receiver = receiverNode ? this.expression(receiverNode, scope) : UNKNOWN_MEANING;
    if (!nameNode) return UNKNOWN_MEANING;
    return this.member(receiver, nameNode, scope);
  }

  /** `receiver.name`: a member, a nested namespace or type, or nothing known. */
  private member(receiver: Meaning, nameNode: SyntaxNode, scope: Scope): Meaning {
    const identifier = nameNode.type === 'generic_name' ? nameNode.namedChild(0) : nameNode;
    const name = identifier?.text ?? '';
    if (!identifier || identifier.isMissing || !name) return UNKNOWN_MEANING;
    const typeArguments = nameNode.type === 'generic_name' ? this.typeArguments(nameNode, scope) : [];
    switch (receiver.kind) {
      case 'namespace': {
        const full = `${receiver.name}.${name}`;
        if (this.model.namespaces.has(full) && !typeArguments.length) {
          this.reference(identifier, { kind: 'namespace', name: full });
          return { kind: 'namespace', name: full };
        }
        const type = this.model.byFullName(full, typeArguments.length);
        if (type) {
          this.reference(identifier, { kind: 'type', type });
          this.checkAllowed(type, identifier);
          return { kind: 'type', type: { kind: 'named', type, args: typeArguments } };
        }
        return UNKNOWN_MEANING;
      }
      case 'type':
        return this.memberOf(receiver.type, true, name, identifier, typeArguments);
      case 'value':
        return this.memberOf(receiver.type, false, name, identifier, typeArguments);
      case 'methods':
        if (!this.quiet) {
          this.issue('unknown-member', `'${receiver.name}' is a method, not an object: call it with '${receiver.name}(…)'; it has no member '${name}'.`, identifier);
        }
        return UNKNOWN_MEANING;
      default:
        return UNKNOWN_MEANING;
    }
  }

  private memberOf(receiver: Type, statics: boolean, name: string, identifier: SyntaxNode, typeArguments: Type[]): Meaning {
    if (receiver.kind === 'null' || receiver.kind === 'void' || isUnknown(receiver)) return UNKNOWN_MEANING;
    const found = this.model.findMembers(receiver, name, statics);
    if (!found.length) {
      this.reportMissingMember(receiver, statics, name, identifier);
      return UNKNOWN_MEANING;
    }
    const first = found[0];
    if (first.member.allowed === false && !this.quiet) {
      this.issue('type-not-allowed', `'${first.owner.spec.name}.${name}' is not allowed in policy expressions.`, identifier);
    }
    if (first.member.kind === 'method') {
      const generic = typeArguments.length
        ? found.filter((f) => (f.member.typeParameters?.length ?? 0) === typeArguments.length).map((f) => this.withTypeArguments(f, typeArguments))
        : found;
      const candidates = generic.length ? generic : found;
      this.reference(identifier, { kind: 'member', receiver, candidates });
      return { kind: 'methods', name, receiver, statics, candidates };
    }
    this.reference(identifier, { kind: 'member', receiver, candidates: found });
    const type = this.model.memberType(first);
    return { kind: 'value', type: isUnknown(type) ? UNKNOWN : type, variables: first.member.policyVariables === true };
  }

  private withTypeArguments(found: FoundMember, typeArguments: readonly Type[]): FoundMember {
    const bindings = new Map(found.bindings);
    (found.member.typeParameters ?? []).forEach((name, i) => bindings.set(name, typeArguments[i] ?? UNKNOWN));
    return { ...found, bindings };
  }

  private reportMissingMember(receiver: Type, statics: boolean, name: string, identifier: SyntaxNode): void {
    if (this.quiet || receiver.kind !== 'named') return;
    const spec = receiver.type.spec;
    const display = displayType(receiver);
    if (spec.allowedMembers === 'listed' && this.extensionsConclusive(receiver)) {
      this.issue('type-not-allowed', `APIM allows only some members of ${spec.name}, and '${name}' is not one of them.`, identifier);
      return;
    }
    const complete = statics ? spec.complete : this.model.isComplete(receiver);
    if (!complete || !this.extensionsConclusive(receiver)) return;
    const others = [...new Set(this.model.allMembers(receiver, statics).map((f) => f.member.name))];
    const near = others.find((other) => other.toLowerCase() === name.toLowerCase() || other.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(other.toLowerCase()));
    const hint = near ? ` Did you mean '${near}'?` : '';
    this.issue('unknown-member', `'${display}' has no ${statics ? 'static ' : ''}member '${name}'.${hint}`, identifier);
  }

  /** Whether every extension method that could apply to `receiver` is known to the model. */
  private extensionsConclusive(receiver: Type): boolean {
    const enumerable = this.model.byFullName('System.Collections.Generic.IEnumerable', 1);
    const isSequence = this.model.supertypes(receiver).some((t) => t.kind === 'named' && t.type === enumerable);
    if (!isSequence) return true;
    if (!this.model.listsAllAllowedTypes) return false;
    return this.model.types.every((t) => t.spec.complete || !t.spec.members.some((m) => m.extension));
  }

  private conditionalAccess(node: SyntaxNode, scope: Scope): Meaning {
    const condition = node.childForFieldName('condition');
    const receiver = condition ? this.expression(condition, scope) : UNKNOWN_MEANING;
    for (const child of node.namedChildren) {
      if (!child || same(child, condition)) continue;
      if (child.type === 'member_binding_expression') {
        const name = child.childForFieldName('name');
        if (!name) return UNKNOWN_MEANING;
        const meaning = this.member(receiver, name, scope);
        this.meanings.set(child.id, meaning);
        return meaning.kind === 'value' ? value(this.model.nullableOf(meaning.type)) : meaning;
      }
      if (child.type === 'element_binding_expression') {
        const meaning = this.index(receiver, child, scope);
        this.meanings.set(child.id, meaning);
        return meaning.kind === 'value' ? value(this.model.nullableOf(meaning.type)) : meaning;
      }
    }
    return UNKNOWN_MEANING;
  }

  private elementAccess(node: SyntaxNode, scope: Scope): Meaning {
    const receiverNode = node.childForFieldName('expression');
    const receiver = receiverNode ? this.expression(receiverNode, scope) : UNKNOWN_MEANING;
    const subscript = node.childForFieldName('subscript');
    return subscript ? this.index(receiver, subscript, scope) : UNKNOWN_MEANING;
  }

  /** `receiver[arguments]`. */
  private index(receiver: Meaning, argumentList: SyntaxNode, scope: Scope): Meaning {
    const args = this.argumentNodes(argumentList);
    const argTypes = args.map((a) => this.argumentValue(a, scope));
    if (receiver.kind !== 'value') return UNKNOWN_MEANING;
    if (receiver.variables && args.length === 1) this.variableRead(args[0]);
    const type = receiver.type;
    if (type.kind === 'array') return value(type.element);
    if (type.kind !== 'named') return UNKNOWN_MEANING;
    const indexers = this.model.indexers(type);
    if (!indexers.length) return UNKNOWN_MEANING;
    const chosen = this.chooseOverload(indexers, argTypes, false) ?? indexers[0];
    const result = this.model.memberType(chosen);
    return value(isUnknown(result) ? UNKNOWN : result);
  }

  private invocation(node: SyntaxNode, scope: Scope): Meaning {
    const functionNode = node.childForFieldName('function');
    const argumentList = node.childForFieldName('arguments');
    const args = argumentList ? this.argumentNodes(argumentList) : [];
    if (functionNode?.type === 'identifier' && functionNode.text === 'nameof') return value(this.model.keywordType('string'));
    const callee = functionNode ? this.expression(functionNode, scope) : UNKNOWN_MEANING;
    if (callee.kind === 'methods') return this.call(callee, args, scope, node);
    if (callee.kind === 'value' && callee.type.kind === 'named' && callee.type.type.spec.kind === 'delegate') {
      const invoke = callee.type.type.spec.invoke;
      for (const arg of args) this.argumentValue(arg, scope);
      if (!invoke) return UNKNOWN_MEANING;
      const returns = substitute(this.model.resolveReference(invoke.returns, callee.type.type.typeParameters, callee.type.type.fullName), bindingsOfNamed(callee.type));
      return value(isUnknown(returns) ? UNKNOWN : returns);
    }
    for (const arg of args) this.argumentValue(arg, scope);
    return UNKNOWN_MEANING;
  }

  /** Binds a call: picks the overload, infers generic arguments, types lambda parameters. */
  private call(callee: Extract<Meaning, { kind: 'methods' }>, args: SyntaxNode[], scope: Scope, node: SyntaxNode): Meaning {
    const lambdas = args.map((a) => isLambda(this.argumentExpression(a)));
    // Values first (they drive inference), lambdas once their parameter types are known.
    const argTypes: Type[] = args.map((a, i) => (lambdas[i] ? UNKNOWN : this.argumentValue(a, scope)));
    const candidates = callee.candidates.filter((f) => f.member.kind === 'method');
    let chosen = this.chooseOverload(candidates, argTypes, true, args.map((a) => this.argumentName(a)));
    if (!chosen) {
      for (let i = 0; i < args.length; i++) if (lambdas[i]) this.argumentValue(args[i], scope);
      return UNKNOWN_MEANING;
    }
    chosen = this.infer(chosen, argTypes, args);
    for (let i = 0; i < args.length; i++) {
      if (!lambdas[i]) continue;
      const parameterIndex = this.parameterIndex(chosen, i, this.argumentName(args[i]));
      const delegateType = parameterIndex >= 0 ? this.model.parameterType(chosen, parameterIndex) : UNKNOWN;
      const bodyType = this.lambda(this.argumentExpression(args[i])!, scope, delegateType);
      if (parameterIndex >= 0 && bodyType && delegateType.kind === 'named' && delegateType.type.spec.invoke) {
        chosen = this.inferFromLambda(chosen, parameterIndex, bodyType);
      }
    }
    const policyVariableLookup = VARIABLE_LOOKUPS.has(callee.name) && this.isVariablesReceiver(callee.receiver, node);
    if (policyVariableLookup && args.length) this.variableRead(args[0], chosen, args[1]);
    const target = this.references.find((r) => r.target.kind === 'member' && r.target.candidates === callee.candidates);
    if (target && target.target.kind === 'member') target.target.chosen = chosen;
    const result = this.model.memberType(chosen);
    return value(isUnknown(result) ? UNKNOWN : result);
  }

  private isVariablesReceiver(receiver: Type, invocation: SyntaxNode): boolean {
    const fn = invocation.childForFieldName('function');
    const receiverNode = fn?.type === 'member_access_expression' ? fn.childForFieldName('expression') : undefined;
    const meaning = receiverNode ? this.meanings.get(receiverNode.id) : undefined;
    return meaning?.kind === 'value' && meaning.variables === true && receiver.kind === 'named';
  }

  /** Index of the parameter an argument binds to (extension receivers excluded), -1 when none. */
  parameterIndex(found: FoundMember, argumentIndex: number, argumentName?: string): number {
    const parameters = found.member.parameters ?? [];
    const offset = found.viaExtension ? 1 : 0;
    if (argumentName) return parameters.findIndex((p, i) => i >= offset && p.name === argumentName);
    const index = argumentIndex + offset;
    if (index < parameters.length) return index;
    const last = parameters.length - 1;
    return last >= offset && parameters[last].modifier === 'params' ? last : -1;
  }

  private chooseOverload(candidates: FoundMember[], argTypes: Type[], isCall: boolean, names: Array<string | undefined> = []): FoundMember | undefined {
    let best: FoundMember | undefined;
    let bestScore = -1;
    for (const candidate of candidates) {
      const parameters = candidate.member.parameters ?? [];
      const offset = isCall && candidate.viaExtension ? 1 : 0;
      const own = parameters.slice(offset);
      const required = own.filter((p) => p.default === undefined && p.modifier !== 'params').length;
      const hasParams = own.some((p) => p.modifier === 'params');
      if (argTypes.length < required || (!hasParams && argTypes.length > own.length)) continue;
      if (names.some((n) => n && !own.some((p) => p.name === n))) continue;
      let score = 1;
      for (let i = 0; i < argTypes.length; i++) {
        const index = this.parameterIndex(candidate, i, names[i]);
        if (index < 0) continue;
        const parameterType = this.model.parameterType(candidate, index);
        const fit = this.fits(argTypes[i], parameterType, parameters[index]?.modifier === 'params');
        if (fit < 0) {
          score = -1;
          break;
        }
        score += fit;
      }
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best ?? (candidates.length === 1 ? undefined : undefined);
  }

  /** How well an argument fits a parameter: 2 exact, 1 possible, 0 unknown, -1 impossible. */
  private fits(argument: Type, parameter: Type, params: boolean): number {
    if (isUnknown(argument) || isUnknown(parameter)) return 0;
    if (params && parameter.kind === 'array' && !(argument.kind === 'array')) return this.fits(argument, parameter.element, false);
    if (sameType(argument, parameter)) return 2;
    if (argument.kind === 'null') return parameter.kind === 'named' && parameter.type.spec.kind === 'struct' && parameter.type.spec.name !== 'Nullable' ? -1 : 1;
    if (parameter.kind === 'named' && parameter.type.fullName === 'System.Object') return 1;
    if (this.model.supertypes(argument).some((t) => sameType(t, parameter))) return 1;
    if (argument.kind === 'named' && parameter.kind === 'named') {
      const numeric = (t: ModelType): boolean => /^System\.(S?Byte|U?Int(16|32|64)|Single|Double|Decimal|Char)$/.test(t.fullName);
      if (numeric(argument.type) && numeric(parameter.type)) return 1;
      const a = argument.type.fullName;
      const p = parameter.type.fullName;
      if (a === 'System.String' || p === 'System.String' || a === 'System.Boolean' || p === 'System.Boolean') {
        return parameter.type.spec.kind === 'interface' ? 0 : -1;
      }
    }
    return 0;
  }

  /** Binds a generic method's type parameters from the argument types. */
  private infer(found: FoundMember, argTypes: Type[], args: SyntaxNode[]): FoundMember {
    const typeParameters = found.member.typeParameters ?? [];
    if (!typeParameters.length) return found;
    const open = new Set(typeParameters.filter((t) => !found.bindings.has(t) || isUnknown(found.bindings.get(t)!)));
    if (!open.size) return found;
    const bindings = new Map(found.bindings);
    for (const t of open) bindings.delete(t);
    const scope = [...found.owner.typeParameters, ...typeParameters];
    for (let i = 0; i < argTypes.length; i++) {
      const index = this.parameterIndex(found, i, this.argumentName(args[i]));
      const spec = found.member.parameters?.[index];
      if (!spec || isUnknown(argTypes[i]) || argTypes[i].kind === 'null') continue;
      const pattern = substitute(this.model.resolveReference(spec.type, scope, found.owner.fullName), bindings);
      this.model.unify(pattern, argTypes[i], open, bindings);
    }
    return { ...found, bindings };
  }

  private inferFromLambda(found: FoundMember, parameterIndex: number, bodyType: Type): FoundMember {
    const typeParameters = new Set(found.member.typeParameters ?? []);
    const spec = found.member.parameters?.[parameterIndex];
    if (!spec || isUnknown(bodyType)) return found;
    const scope = [...found.owner.typeParameters, ...(found.member.typeParameters ?? [])];
    const delegatePattern = this.model.resolveReference(spec.type, scope, found.owner.fullName);
    if (delegatePattern.kind !== 'named' || !delegatePattern.type.spec.invoke) return found;
    const delegateSpec = delegatePattern.type.spec;
    const returns = substitute(this.model.resolveReference(delegateSpec.invoke!.returns, delegatePattern.type.typeParameters, delegatePattern.type.fullName), bindingsOfNamed(delegatePattern));
    const bindings = new Map(found.bindings);
    this.model.unify(returns, bodyType, typeParameters, bindings);
    return { ...found, bindings };
  }

  /** Binds a lambda against the delegate type it converts to; returns the type of its body's value. */
  private lambda(node: SyntaxNode, scope: Scope, delegateType: Type | undefined): Type | undefined {
    const inner = new Scope(scope, node.endIndex);
    let parameterTypes: Type[] = [];
    if (delegateType?.kind === 'named' && delegateType.type.spec.invoke) {
      const invoke = delegateType.type.spec.invoke;
      const bindings = bindingsOfNamed(delegateType);
      parameterTypes = invoke.parameters.map((p) => {
        const t = substitute(this.model.resolveReference(p.type, delegateType.type.typeParameters, delegateType.type.fullName), bindings);
        return isUnknown(t) ? UNKNOWN : t;
      });
    }
    this.parameters(node.childForFieldName('parameters'), inner, parameterTypes);
    const body = node.childForFieldName('body');
    if (!body) return undefined;
    if (body.type === 'block') {
      const before = this.returnTypes.length;
      this.statement(body, inner);
      const returned = this.returnTypes.splice(before);
      return returned.length && returned.every((t) => sameType(t, returned[0])) ? returned[0] : UNKNOWN;
    }
    const meaning = this.expression(body, inner);
    return meaning.kind === 'value' ? meaning.type : UNKNOWN;
  }

  private objectCreation(node: SyntaxNode, scope: Scope): Meaning {
    const typeNode = node.childForFieldName('type');
    const type = typeNode ? this.typeNode(typeNode, scope) : UNKNOWN;
    const argumentList = node.childForFieldName('arguments');
    const args = argumentList ? this.argumentNodes(argumentList) : [];
    if (type.kind === 'named' && args.length) {
      const constructors = this.model.constructors(type.type).map((f) => ({ ...f, bindings: bindingsOfNamed(type) }));
      const argTypes = args.map((a) => (isLambda(this.argumentExpression(a)) ? UNKNOWN : this.argumentValue(a, scope)));
      const chosen = this.chooseOverload(constructors, argTypes, false);
      args.forEach((a, i) => {
        if (!isLambda(this.argumentExpression(a))) return;
        const index = chosen ? this.parameterIndex(chosen, i) : -1;
        this.lambda(this.argumentExpression(a)!, scope, chosen && index >= 0 ? this.model.parameterType(chosen, index) : undefined);
      });
    } else for (const arg of args) this.argumentValue(arg, scope);
    const initializer = node.childForFieldName('initializer');
    if (initializer) {
      for (const item of initializer.namedChildren) {
        if (!item) continue;
        // `new T { Name = value }`: the left side names a member of T, not a variable.
        if (item.type === 'assignment_expression') {
          const right = item.childForFieldName('right');
          if (right) this.expression(right, scope);
        } else this.expression(item, scope);
      }
    }
    return value(type);
  }

  private anonymousObject(node: SyntaxNode, scope: Scope): void {
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child?.isNamed) continue;
      if (child.type === 'identifier' && node.child(i + 1)?.type === '=') continue; // a member name
      this.expression(child, scope);
    }
  }

  private query(node: SyntaxNode, scope: Scope): Meaning {
    const inner = new Scope(scope, node.endIndex);
    // Range variables (from, let, join, into) are visible in the whole query.
    for (const clause of node.descendantsOfType(['from_clause', 'let_clause', 'join_clause', 'query_continuation', 'join_into_clause'])) {
      if (!clause) continue;
      const name = clause.childForFieldName('name') ?? clause.namedChildren.find((c) => c?.type === 'identifier');
      if (name) this.declare(inner, name.text, UNKNOWN, 'range', name, node.startIndex, node.endIndex);
    }
    this.quiet++;
    try {
      for (const clause of node.namedChildren) {
        if (!clause) continue;
        for (const part of clause.namedChildren) {
          if (!part || (part.type === 'identifier' && inner.lookup(part.text)?.start === part.startIndex)) continue;
          if (part.type.endsWith('_type') || same(part, clause.childForFieldName('type'))) continue;
          this.expression(part, inner);
        }
      }
    } finally {
      this.quiet--;
    }
    return UNKNOWN_MEANING;
  }

  private binary(node: SyntaxNode, scope: Scope): Meaning {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const a = left ? this.expression(left, scope) : UNKNOWN_MEANING;
    const b = right ? this.expression(right, scope) : UNKNOWN_MEANING;
    const operator = node.childForFieldName('operator')?.type ?? '';
    const at = a.kind === 'value' ? a.type : UNKNOWN;
    const bt = b.kind === 'value' ? b.type : UNKNOWN;
    const isString = (t: Type): boolean => t.kind === 'named' && t.type.fullName === 'System.String';
    switch (operator) {
      case '==':
      case '!=':
      case '<':
      case '>':
      case '<=':
      case '>=':
      case '&&':
      case '||':
        return value(this.model.keywordType('bool'));
      case '??':
        if (at.kind !== 'unknown' && at.kind !== 'null') {
          return value(at.kind === 'named' && at.type.spec.name === 'Nullable' && at.args[0] && bt.kind !== 'unknown' && !sameType(bt, at) ? at.args[0] : at);
        }
        return value(bt);
      case '+':
        if (isString(at) || isString(bt)) return value(this.model.keywordType('string'));
        return sameType(at, bt) ? value(at) : UNKNOWN_MEANING;
      default:
        return sameType(at, bt) ? value(at) : UNKNOWN_MEANING;
    }
  }

  // ---- arguments -----------------------------------------------------------------

  private argumentNodes(list: SyntaxNode): SyntaxNode[] {
    const result: SyntaxNode[] = [];
    for (const child of list.namedChildren) if (child?.type === 'argument') result.push(child);
    return result;
  }

  private argumentExpression(argument: SyntaxNode): SyntaxNode | undefined {
    const name = argument.childForFieldName('name');
    for (const child of argument.namedChildren) if (child && !same(child, name)) return child;
    return undefined;
  }

  private argumentName(argument: SyntaxNode | undefined): string | undefined {
    return argument?.childForFieldName('name')?.text;
  }

  private argumentValue(argument: SyntaxNode, scope: Scope): Type {
    const expression = this.argumentExpression(argument);
    if (!expression) return UNKNOWN;
    const meaning = this.expression(expression, scope);
    return meaning.kind === 'value' ? meaning.type : UNKNOWN;
  }

  /** Records a lookup of a policy variable by a literal name. */
  private variableRead(argument: SyntaxNode, found?: FoundMember, defaultArgument?: SyntaxNode): void {
    const literal = this.argumentExpression(argument);
    if (literal?.type !== 'string_literal' && literal?.type !== 'verbatim_string_literal') return;
    const content = literal.namedChildren.find((c) => c?.type === 'string_literal_content' || c?.type === 'verbatim_string_literal_content');
    const start = content ? content.startIndex : literal.startIndex + (literal.type === 'verbatim_string_literal' ? 2 : 1);
    const end = content ? content.endIndex : start;
    const name = literal.type === 'verbatim_string_literal' ? literal.text.slice(2, -1) : (content?.text ?? '');
    if (this.source.touchesNamedValue(start, end)) return;
    const read: VariableRead = { name, start, end };
    const typeParameter = found?.member.typeParameters?.[0];
    if (found && typeParameter) {
      const requested = found.bindings.get(typeParameter);
      if (requested && !isUnknown(requested)) {
        read.requested = requested;
        const fn = argument.parent?.parent?.childForFieldName('function');
        const generic = fn?.type === 'member_access_expression' ? fn.childForFieldName('name') : undefined;
        const typeArgs = generic?.type === 'generic_name' ? generic.namedChildren.find((c) => c?.type === 'type_argument_list') : undefined;
        const decidedBy = typeArgs ?? (defaultArgument ? this.argumentExpression(defaultArgument) : undefined);
        if (decidedBy) {
          read.requestedStart = decidedBy.startIndex;
          read.requestedEnd = decidedBy.endIndex;
        }
      }
    }
    this.variableReads.push(read);
    this.referenceSpan(start, end, { kind: 'variable', name });
  }

  // ---- types ---------------------------------------------------------------------

  private typeArguments(genericName: SyntaxNode, scope: Scope): Type[] {
    const list = genericName.namedChildren.find((c) => c?.type === 'type_argument_list');
    return list ? list.namedChildren.filter((c): c is SyntaxNode => !!c).map((c) => this.typeNode(c, scope)) : [];
  }

  /** Resolves a type written in code; reports types APIM does not allow. */
  private typeNode(node: SyntaxNode, scope: Scope): Type {
    switch (node.type) {
      case 'predefined_type':
        return this.model.keywordType(node.text);
      case 'implicit_type':
        return UNKNOWN;
      case 'array_type': {
        const element = node.childForFieldName('type');
        const type = element ? this.typeNode(element, scope) : UNKNOWN;
        return type.kind === 'unknown' ? UNKNOWN : { kind: 'array', element: type };
      }
      case 'nullable_type': {
        const inner = node.childForFieldName('type');
        return inner ? this.model.nullableOf(this.typeNode(inner, scope)) : UNKNOWN;
      }
      case 'identifier':
      case 'generic_name':
      case 'qualified_name': {
        const args = node.type === 'generic_name' ? this.typeArguments(node, scope) : [];
        const type = this.tryTypeName(node, args);
        if (type?.kind === 'named') {
          this.reference(node.type === 'qualified_name' ? (node.childForFieldName('name') ?? node) : node.type === 'generic_name' ? (node.namedChild(0) ?? node) : node, { kind: 'type', type: type.type });
          this.checkAllowed(type.type, node);
        } else if (!type && node.type === 'identifier') {
          const name = node.text;
          if (!CONTEXTUAL.has(name) && !scope.lookup(name) && !this.model.hasSimpleName(name)) this.reportUnknownName(node, name);
        }
        return type ?? UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  /** The type a name denotes, if the model has it (allowed or not). */
  private tryTypeName(node: SyntaxNode, args: Type[] = []): Type | undefined {
    if (node.type === 'predefined_type') return this.model.keywordType(node.text);
    if (node.type === 'identifier' || node.type === 'generic_name') {
      const name = node.type === 'generic_name' ? (node.namedChild(0)?.text ?? '') : node.text;
      const arity = node.type === 'generic_name' ? (node.namedChildren.find((c) => c?.type === 'type_argument_list')?.namedChildCount ?? 0) : 0;
      const types = this.model.bySimple(name, arity).filter((t) => t.spec.nameable !== false);
      return types.length === 1 ? { kind: 'named', type: types[0], args: padArgs(args, arity) } : undefined;
    }
    if (node.type === 'qualified_name') {
      const nameNode = node.childForFieldName('name');
      const arity = nameNode?.type === 'generic_name' ? (nameNode.namedChildren.find((c) => c?.type === 'type_argument_list')?.namedChildCount ?? 0) : 0;
      const qualifier = node.childForFieldName('qualifier')?.text.replace(/\s+/g, '') ?? '';
      const simple = nameNode?.type === 'generic_name' ? (nameNode.namedChild(0)?.text ?? '') : (nameNode?.text ?? '');
      const type = this.model.byFullName(`${qualifier}.${simple}`, arity);
      return type ? { kind: 'named', type, args: padArgs(args, arity) } : undefined;
    }
    return undefined;
  }

  private checkAllowed(type: ModelType, node: SyntaxNode): void {
    if (type.spec.allowed !== false || this.quiet) return;
    this.issue('type-not-allowed', `${type.fullName} is not allowed in policy expressions: ${type.spec.description}`, node);
  }

  /** Element type of a sequence (`foreach`), when the model can tell. */
  private elementTypeOf(type: Type): Type {
    if (type.kind === 'array') return type.element;
    const enumerable = this.model.byFullName('System.Collections.Generic.IEnumerable', 1);
    if (!enumerable) return UNKNOWN;
    const bindings = new Map<string, Type>();
    const pattern: Type = { kind: 'named', type: enumerable, args: [{ kind: 'param', name: '$T' }] };
    return this.model.unify(pattern, type, new Set(['$T']), bindings) ? (bindings.get('$T') ?? UNKNOWN) : UNKNOWN;
  }

  // ---- recording -----------------------------------------------------------------

  private issue(code: ExpressionIssueCode, message: string, node: SyntaxNode): void {
    if (this.source.touchesNamedValue(node.startIndex, node.endIndex)) return;
    this.issues.push({ code, message, start: node.startIndex, end: node.endIndex });
  }

  private reference(node: SyntaxNode, target: ReferenceTarget): void {
    if (this.options.record) this.references.push({ start: node.startIndex, end: node.endIndex, target });
  }

  private referenceSpan(start: number, end: number, target: ReferenceTarget): void {
    if (this.options.record) this.references.push({ start, end, target });
  }
}

/** Node objects are created per access: compare them by id. */
function same(a: SyntaxNode | null | undefined, b: SyntaxNode | null | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

function isLambda(node: SyntaxNode | undefined): node is SyntaxNode {
  return node?.type === 'lambda_expression' || node?.type === 'anonymous_method_expression';
}

function bindingsOfNamed(type: Extract<Type, { kind: 'named' }>): Map<string, Type> {
  const bindings = new Map<string, Type>();
  type.type.typeParameters.forEach((name, i) => bindings.set(name, type.args[i] ?? UNKNOWN));
  return bindings;
}

function padArgs(args: Type[], arity: number): Type[] {
  const result = args.slice(0, arity);
  while (result.length < arity) result.push(UNKNOWN);
  return result;
}

