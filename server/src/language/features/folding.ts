/** Folding: elements, comments, CDATA and multi-line `@{ … }` blocks; the host drops single-line ranges. */
import type { FoldingEntry } from '../languageTypes';
import type { ChildNode, PolicyDocument } from '../parser/nodes';

export function getFoldingRanges(doc: PolicyDocument): FoldingEntry[] {
  const ranges: FoldingEntry[] = [];
  // Explicit stack (children pushed in reverse) so document order is kept without recursion.
  const stack: ChildNode[] = [...doc.children].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    switch (node.kind) {
      case 'element':
        // Fold from the start tag to just before the end tag, so the end tag stays visible.
        if (node.endTagStart !== undefined) ranges.push({ start: node.start, end: node.endTagStart });
        for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
        break;
      case 'comment':
        ranges.push({ start: node.start, end: node.end, kind: 'comment' });
        break;
      case 'cdata':
        ranges.push({ start: node.start, end: node.end });
        break;
      default:
        break;
    }
  }
  for (const expression of doc.expressions) {
    if (expression.block && expression.closed) ranges.push({ start: expression.start, end: expression.end - 1 });
  }
  return ranges;
}
