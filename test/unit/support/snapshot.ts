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

/**
 * The same information as `snapshot`, as a flat list in document order
 * (each node with its depth), built without recursion: comparable for
 * documents nested deeper than the call stack allows.
 */
export function flatSnapshot(doc: PolicyDocument): unknown {
  const nodes: unknown[] = [];
  const pending: Array<{ node: ChildNode; depth: number }> = [];
  const pushChildren = (children: readonly ChildNode[], depth: number): void => {
    for (let k = children.length - 1; k >= 0; k--) pending.push({ node: children[k], depth });
  };
  pushChildren(doc.children, 0);
  for (let item = pending.pop(); item; item = pending.pop()) {
    const n = item.node;
    if (n.kind !== 'element') {
      nodes.push([item.depth, n.kind, n.start, n.end, n.kind === 'text' ? n.expressions?.map((e) => [e.start, e.end]) : undefined]);
      continue;
    }
    nodes.push([
      item.depth,
      n.name,
      [n.start, n.nameEnd, n.startTagEnd, n.endTagStart, n.end, n.closed, n.startTagClosed, n.selfClosing],
      n.attributes.map((a) => [a.name, a.start, a.nameEnd, a.valueStart, a.valueEnd, a.value, a.valueClosed, a.hasNamedValue, a.expression && [a.expression.start, a.expression.end, a.expression.closed]]),
      n.parent?.name,
    ]);
    pushChildren(n.children, item.depth + 1);
  }
  return { nodes, root: doc.root?.name, errors: doc.errors, namedValues: doc.namedValues, expressions: doc.expressions };
}
