/** Folding: elements, comments, CDATA and multi-line `@{ … }` blocks; the host drops single-line ranges. */
import type { FoldingEntry } from '../languageTypes';
import type { ChildNode, PolicyDocument } from '../parser/nodes';

export function getFoldingRanges(doc: PolicyDocument): FoldingEntry[] {
  const ranges: FoldingEntry[] = [];
  const visit = (nodes: readonly ChildNode[]): void => {
    for (const node of nodes) {
      switch (node.kind) {
        case 'element':
          // Fold from the start tag to just before the end tag, so the end tag stays visible.
          if (node.endTagStart !== undefined) ranges.push({ start: node.start, end: node.endTagStart });
          visit(node.children);
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
  };
  visit(doc.children);
  for (const expression of doc.expressions) {
    if (expression.block && expression.closed) ranges.push({ start: expression.start, end: expression.end - 1 });
  }
  return ranges;
}
