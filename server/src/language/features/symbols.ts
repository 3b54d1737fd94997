/** Document outline: root, sections and policies, with a hint of what each policy targets. */
import type { SymbolEntry, SymbolKind } from '../languageTypes';
import { elementChildren } from '../parser/navigation';
import type { ElementNode, PolicyDocument } from '../parser/nodes';
import type { StructureResolver } from '../structure';

/** Attributes that best identify a policy instance in an outline, most telling first. */
const IDENTIFYING_ATTRIBUTES = ['name', 'variable-name', 'backend-id', 'fragment-id', 'logger-id', 'condition', 'key', 'url', 'template', 'id'];

export function findDocumentSymbols(doc: PolicyDocument, structure: StructureResolver): SymbolEntry[] {
  return doc.children.filter((c): c is ElementNode => c.kind === 'element').map((e) => toSymbol(e, structure));
}

function toSymbol(element: ElementNode, structure: StructureResolver): SymbolEntry {
  const role = structure.roleOf(element);
  const kind: SymbolKind = role.kind === 'root' ? 'root' : role.kind === 'section' ? 'section' : role.kind === 'policy' || role.kind === 'base' ? 'policy' : 'element';
  const content = structure.contentOf(element);
  const children = content.kind === 'payload' ? [] : elementChildren(element).map((c) => toSymbol(c, structure));
  return {
    name: element.name || '<unnamed>',
    detail: detailOf(element),
    kind,
    range: { start: element.start, end: element.end },
    selection: { start: element.start + 1, end: element.nameEnd },
    children,
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
