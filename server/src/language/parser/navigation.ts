/** Finding nodes by offset. Children are in document order, so lookups bisect. */
import type { ChildNode, ElementNode, PolicyDocument } from './nodes';

/** Index of the last child starting strictly before `offset`, or -1. */
function lastStartingBefore(children: readonly ChildNode[], offset: number): number {
  let lo = 0;
  let hi = children.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (children[mid].start < offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** true when `offset` is inside the element, counting the end of an unfinished one. */
function contains(element: ElementNode, offset: number): boolean {
  return offset > element.start && (offset < element.end || (!element.closed && offset <= element.end));
}

/** The innermost element containing `offset` (strictly after its `<`). */
export function elementAt(doc: PolicyDocument, offset: number): ElementNode | undefined {
  let found: ElementNode | undefined;
  let children: readonly ChildNode[] = doc.children;
  for (;;) {
    const candidate = children[lastStartingBefore(children, offset)];
    if (!candidate || candidate.kind !== 'element' || !contains(candidate, offset)) return found;
    found = candidate;
    children = candidate.children;
  }
}

/**
 * `elementAt` for offsets asked in increasing order (as when going through
 * a document's references): each answer starts from the previous one, so
 * a whole pass costs about one walk of the tree, however deep it is.
 */
export class ElementSweep {
  private current: ElementNode | undefined;

  constructor(private readonly doc: PolicyDocument) {}

  at(offset: number): ElementNode | undefined {
    let found = this.current;
    while (found && !contains(found, offset)) found = found.parent;
    let children: readonly ChildNode[] = found ? found.children : this.doc.children;
    for (;;) {
      const candidate = children[lastStartingBefore(children, offset)];
      if (!candidate || candidate.kind !== 'element' || !contains(candidate, offset)) break;
      found = candidate;
      children = candidate.children;
    }
    this.current = found;
    return found;
  }
}

/** The child node (element, text, comment, …) of `parent` that contains `offset`. */
export function childAt(doc: PolicyDocument, parent: ElementNode | undefined, offset: number): ChildNode | undefined {
  const children = parent ? parent.children : doc.children;
  const child = children[lastStartingBefore(children, offset)];
  return child && offset <= child.end ? child : undefined;
}

/** All element children of a node, in order. */
export function elementChildren(node: { children: readonly ChildNode[] }): ElementNode[] {
  return node.children.filter((c): c is ElementNode => c.kind === 'element');
}
