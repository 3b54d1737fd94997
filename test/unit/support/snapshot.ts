import type { ChildNode, PolicyDocument } from '../../../server/src/language/parser/nodes';

/** A parent-free, comparable rendering of a document. */
export function snapshot(doc: PolicyDocument): unknown {
  const node = (n: ChildNode): unknown => {
    if (n.kind !== 'element') {
      return { kind: n.kind, start: n.start, end: n.end, ...(n.kind === 'text' ? { expressions: n.expressions?.map((e) => [e.start, e.end]) } : {}) };
    }
    return {
      name: n.name,
      at: [n.start, n.nameEnd, n.startTagEnd, n.endTagStart, n.end, n.closed, n.startTagClosed, n.selfClosing],
      attributes: n.attributes.map((a) => [a.name, a.start, a.nameEnd, a.valueStart, a.valueEnd, a.value, a.valueClosed, a.hasNamedValue, a.expression && [a.expression.start, a.expression.end, a.expression.closed]]),
      children: n.children.map(node),
      parent: n.parent?.name,
    };
  };
  return {
    children: doc.children.map(node),
    root: doc.root?.name,
    errors: doc.errors,
    namedValues: doc.namedValues,
    expressions: doc.expressions,
  };
}
