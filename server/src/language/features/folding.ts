/** Folding: elements, comments, CDATA and multi-line `@{ … }` blocks; the host drops single-line ranges. */
import type { FoldingEntry } from '../languageTypes';
import type { ChildNode, PolicyDocument } from '../parser/nodes';

export function getFoldingRanges(doc: PolicyDocument): FoldingEntry[] {
  const ranges: FoldingEntry[] = [];
  // Every node in document order, with an explicit stack: documents may nest deeper than the call stack allows.
  const pending: ChildNode[] = [];
  const pushChildren = (nodes: readonly ChildNode[]): void => {
    for (let k = nodes.length - 1; k >= 0; k--) pending.push(nodes[k]);
  };
  pushChildren(doc.children);
  for (let node = pending.pop(); node; node = pending.pop()) {
    switch (node.kind) {
      case 'element':
        // Fold from the start tag to just before the end tag, so the end tag stays visible.
        if (node.endTagStart !== undefined) ranges.push({ start: node.start, end: node.endTagStart });
        pushChildren(node.children);
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
