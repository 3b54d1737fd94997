/** Document outline: root, sections and policies, with a hint of what each policy targets. */
import type { SymbolEntry, SymbolKind } from '../languageTypes';
import { elementChildren } from '../parser/navigation';
import type { ElementNode, PolicyDocument } from '../parser/nodes';
import type { StructureResolver } from '../structure';

/** Attributes that best identify a policy instance in an outline, most telling first. */
const IDENTIFYING_ATTRIBUTES = ['name', 'variable-name', 'backend-id', 'fragment-id', 'logger-id', 'condition', 'key', 'url', 'template', 'id'];

/**
 * Outlines nest at most this deep; deeper elements are listed flat at the deepest level, after
 * their ancestor. The result travels as JSON, which neither side can nest thousands of levels deep.
 */
export const MAX_OUTLINE_DEPTH = 100;

export function findDocumentSymbols(doc: PolicyDocument, structure: StructureResolver): SymbolEntry[] {
  const top: SymbolEntry[] = [];
  // Pre-order with an explicit stack; each entry knows the list its symbol joins.
  const stack: Array<{ element: ElementNode; into: SymbolEntry[]; depth: number }> = [];
  const pushChildren = (elements: readonly ElementNode[], into: SymbolEntry[], depth: number): void => {
    for (let i = elements.length - 1; i >= 0; i--) stack.push({ element: elements[i], into, depth });
  };
  pushChildren(elementChildren(doc), top, 1);
  for (let item = stack.pop(); item; item = stack.pop()) {
    const symbol = toSymbol(item.element, structure);
    item.into.push(symbol);
    if (structure.contentOf(item.element).kind === 'payload') continue;
    const nested = item.depth < MAX_OUTLINE_DEPTH;
    pushChildren(elementChildren(item.element), nested ? symbol.children : item.into, nested ? item.depth + 1 : item.depth);
  }
  return top;
}

function toSymbol(element: ElementNode, structure: StructureResolver): SymbolEntry {
  const role = structure.roleOf(element);
  const kind: SymbolKind = role.kind === 'root' ? 'root' : role.kind === 'section' ? 'section' : role.kind === 'policy' || role.kind === 'base' ? 'policy' : 'element';
  return {
    name: element.name || '<unnamed>',
    detail: detailOf(element),
    kind,
    range: { start: element.start, end: element.end },
    selection: { start: element.start + 1, end: element.nameEnd },
    children: [],
  };
}

function detailOf(element: ElementNode): string | undefined {
  for (const name of IDENTIFYING_ATTRIBUTES) {
    const attribute = element.attributes.find((a) => a.name === name);
    if (attribute?.value) {
      const value = attribute.value.replace(/\s+/g, ' ');
      return `${name}=${value.length > 40 ? `${value.slice(0, 40)}…` : value}`;
    }
  }
  return undefined;
}
