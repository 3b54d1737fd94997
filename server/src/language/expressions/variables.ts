/**
 * The policy variables a document sets: `set-variable`, and every policy
 * attribute that names a variable to store a result in (`send-request`'s
 * `response-variable-name`, `cache-lookup-value`'s `variable-name`,
 * `validate-jwt`'s `output-token-variable-name`, …), with the type stored
 * when it is known.
 */
import type { AttributeNode, ElementNode, PolicyDocument } from '../parser/nodes';
import type { ExpressionModel } from './model/model';
import type { Type } from './model/typeRefs';
import { UNKNOWN, isUnknown, sameType } from './model/typeRefs';
import type { ExpressionService } from './service';

export interface VariableDefinition {
  name: string;
  /** The element that sets it (`set-variable`, `send-request`, …) and the attribute holding the name. */
  policy: string;
  attribute: string;
  /** Document offsets of the name (inside the attribute's quotes). */
  start: number;
  end: number;
  type: Type;
}

/**
 * What each variable-naming attribute stores, as a model type reference.
 * Attributes ending in `variable-name` that are absent here store a value the
 * model cannot type. `return-response@response-variable-name` reads a
 * variable rather than setting one.
 */
const STORED_TYPES: Readonly<Record<string, string>> = {
  'send-request@response-variable-name': 'IResponse',
  'validate-jwt@output-token-variable-name': 'Jwt',
  'validate-azure-ad-token@output-token-variable-name': 'Jwt',
  'authentication-managed-identity@output-token-variable-name': 'string',
  'get-authorization-context@context-variable-name': 'Authorization',
  'rate-limit@remaining-calls-variable-name': 'int',
  'rate-limit@retry-after-variable-name': 'int',
  'rate-limit-by-key@remaining-calls-variable-name': 'int',
  'rate-limit-by-key@retry-after-variable-name': 'int',
};
const READERS = new Set(['return-response@response-variable-name']);

/** Whether an attribute of `element` names a variable the policy sets. */
export function setsVariable(element: ElementNode, attribute: AttributeNode): boolean {
  if (element.name === 'set-variable') return attribute.name === 'name';
  return attribute.name.endsWith('variable-name') && !READERS.has(`${element.name}@${attribute.name}`);
}

/** Every variable the document sets, in document order. */
export function collectVariables(doc: PolicyDocument, expressions: ExpressionService): VariableDefinition[] {
  const found: Array<{ element: ElementNode; attribute: AttributeNode }> = [];
  const stack: ElementNode[] = doc.root ? [doc.root] : [];
  while (stack.length) {
    const element = stack.pop()!;
    for (const attribute of element.attributes) if (setsVariable(element, attribute)) found.push({ element, attribute });
    for (let i = element.children.length - 1; i >= 0; i--) {
      const child = element.children[i];
      if (child.kind === 'element') stack.push(child);
    }
  }
  return variableDefinitions(doc, found, expressions);
}

/**
 * The definitions behind variable-naming attributes. With `deadline`, a
 * `set-variable` value not analysed yet when it has passed gets an unknown type.
 */
export function variableDefinitions(
  doc: PolicyDocument,
  attributes: ReadonlyArray<{ element: ElementNode; attribute: AttributeNode }>,
  expressions: ExpressionService,
  deadline?: number,
): VariableDefinition[] {
  const result: VariableDefinition[] = [];
  const model = expressions.model;
  for (const { element, attribute } of attributes) {
    if (attribute.valueStart === undefined || !attribute.value || attribute.expression || attribute.hasNamedValue) continue;
    const key = `${element.name}@${attribute.name}`;
    const start = attribute.valueStart + 1;
    let type: Type = UNKNOWN;
    if (element.name === 'set-variable') type = setVariableType(doc, element, expressions, model, deadline);
    else if (STORED_TYPES[key]) type = model.resolveReference(STORED_TYPES[key], [], key);
    result.push({ name: attribute.value, policy: element.name, attribute: attribute.name, start, end: start + attribute.value.length, type });
  }
  return result;
}

/** An expression value has its type; a literal is stored as a string (Learn: set-variable). */
function setVariableType(doc: PolicyDocument, element: ElementNode, expressions: ExpressionService, model: ExpressionModel, deadline?: number): Type {
  const value = element.attributes.find((a) => a.name === 'value');
  if (!value || value.value === undefined) return UNKNOWN;
  if (value.expression) return expressions.findings(doc, value.expression, deadline)?.valueType ?? UNKNOWN;
  return value.hasNamedValue ? UNKNOWN : model.keywordType('string');
}

/** Per variable name, the one type all its definitions agree on (unknown when they do not, or one is unknown). */
export function storedTypes(definitions: readonly VariableDefinition[]): Map<string, Type> {
  const types = new Map<string, Type>();
  for (const definition of definitions) {
    const previous = types.get(definition.name);
    if (previous === undefined) types.set(definition.name, isUnknown(definition.type) ? UNKNOWN : definition.type);
    else if (!isUnknown(previous) && (isUnknown(definition.type) || !sameType(previous, definition.type))) types.set(definition.name, UNKNOWN);
  }
  return types;
}

/**
 * Whether reading a variable stored as `stored` with `GetValueOrDefault<requested>`
 * works: the same type, a base type, `object`, or the nullable form of a value type.
 */
export function readable(model: ExpressionModel, stored: Type, requested: Type): boolean {
  if (isUnknown(stored) || isUnknown(requested) || stored.kind === 'null') return true;
  if (requested.kind === 'named' && requested.type.fullName === 'System.Object') return true;
  if (model.supertypes(stored).some((t) => sameType(t, requested))) return true;
  if (requested.kind === 'named' && requested.type.fullName === 'System.Nullable' && requested.args[0]) return readable(model, stored, requested.args[0]);
  return false;
}
