/** Document outline: root, sections and policies, with a hint of what each policy targets. */
import type { SymbolEntry, SymbolKind } from '../languageTypes';
import { elementChildren } from '../parser/navigation';
import type { ElementNode, PolicyDocument } from '../parser/nodes';
import type { StructureResolver } from '../structure';

/** Attributes that best identify a policy instance in an outline, most telling first. */
const IDENTIFYING_ATTRIBUTES = ['name', 'variable-name', 'backend-id', 'fragment-id', 'logger-id', 'condition', 'key', 'url', 'template', 'id'];

/**
 * Outline levels shown as a tree. Elements nested deeper are listed flat at
 * the last level, in document order: the outline stays complete while its
 * nesting (and the JSON that carries it) stays bounded.
 */
export const MAX_OUTLINE_DEPTH = 100;

export function findDocumentSymbols(doc: PolicyDocument, structure: StructureResolver): SymbolEntry[] {
  const roots: SymbolEntry[] = [];
  // Depth-first with an explicit stack, children pushed in reverse so they come out in order.
  const pending: Array<{ element: ElementNode; into: SymbolEntry[]; depth: number }> = [];
  const pushChildren = (elements: readonly ElementNode[], into: SymbolEntry[], depth: number): void => {
    for (let k = elements.length - 1; k >= 0; k--) pending.push({ element: elements[k], into, depth });
  };
  pushChildren(elementChildren(doc), roots, 1);
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { element, into, depth } = item;
    const symbol = toSymbol(element, structure);
    into.push(symbol);
    if (structure.contentOf(element).kind === 'payload') continue;
    if (depth < MAX_OUTLINE_DEPTH) pushChildren(elementChildren(element), symbol.children, depth + 1);
    else pushChildren(elementChildren(element), into, depth);
  }
  return roots;
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
