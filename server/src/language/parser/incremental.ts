/**
 * Incremental reparse after an edit: only the siblings the edit touches are
 * parsed again, as content of their parent; everything after them is
 * shifted. When the slice could read differently inside the whole document
 * (something in it runs to its end unfinished), the whole text is parsed
 * instead, so the result always equals a full parse.
 */
import type { ChildNode, ElementNode, Expression, NamedValueRef, PolicyDocument, SyntaxError } from './nodes';
import { parsePolicy, parseSlice } from './parser';

/** A replacement of `[start, end)` of the previous text by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The deepest properly closed element whose content contains `[start, end]`. */
function findHost(doc: PolicyDocument, start: number, end: number): ElementNode | undefined {
  let host: ElementNode | undefined;
  let children: readonly ChildNode[] = doc.children;
  for (;;) {
    let next: ElementNode | undefined;
    for (let lo = 0, hi = children.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      const child = children[mid];
      if (child.end < start) lo = mid + 1;
      else if (child.start > end) hi = mid - 1;
      else {
        if (
          child.kind === 'element' &&
          child.closed &&
          !child.selfClosing &&
          child.startTagClosed &&
          child.endTagStart !== undefined &&
          child.startTagEnd <= start &&
          end <= child.endTagStart
        ) {
          next = child;
        }
        break;
      }
    }
    if (!next) return host;
    host = next;
    children = next.children;
  }
}

/**
 * Reparses `previous` after `edit`, producing the document for `newText`.
 * `previous` is consumed: its nodes are reused and must not be read again.
 */
export function reparseAfterEdit(previous: PolicyDocument, newText: string, edit: TextEdit): PolicyDocument {
  const delta = edit.text.length - (edit.end - edit.start);
  if (previous.text.length + delta !== newText.length) return parsePolicy(newText);
  const host = findHost(previous, edit.start, edit.end);
  if (!host) return parsePolicy(newText);

  const kids = host.children;
  // Children touching the edit, widened over neighbouring text so text nodes never need merging.
  let first = 0;
  while (first < kids.length && kids[first].end < edit.start) first++;
  let last = first - 1;
  while (last + 1 < kids.length && kids[last + 1].start <= edit.end) last++;
  // Also take in earlier siblings whose parse looked past their own end.
  while (first > 0 && (kids[first - 1].kind === 'text' || kids[first - 1].readEnd > kids[first - 1].end)) first--;
  while (last + 1 < kids.length && kids[last + 1].kind === 'text') last++;
  const sliceStart = first > 0 ? kids[first - 1].end : host.startTagEnd;
  // Nothing before the slice may have depended on text inside it.
  if ((first > 0 ? kids[first - 1].readEnd : host.tagReadEnd) > sliceStart) return parsePolicy(newText);
  const oldSliceEnd = last + 1 < kids.length ? kids[last + 1].start : host.endTagStart!;
  if (sliceStart > edit.start || oldSliceEnd < edit.end) return parsePolicy(newText);

  const slice = parseSlice(newText.slice(sliceStart, oldSliceEnd + delta), host);
  if (!slice.selfContained) return parsePolicy(newText);
  // The parser merges a run of identical errors into one; a run across the slice's edges must be read whole.
  if (errorsMayJoin(previous.errors, slice.errors, sliceStart, oldSliceEnd, delta)) return parsePolicy(newText);

  for (const node of slice.children) shiftNode(node, sliceStart);
  shiftAll(slice.expressions, sliceStart);
  shiftAll(slice.namedValues, sliceStart);
  shiftAll(slice.errors, sliceStart);

  // Everything after the old slice moves by delta: following siblings at every level, and the ends of the ancestors.
  if (delta !== 0) {
    for (let k = last + 1; k < kids.length; k++) shiftNode(kids[k], delta);
    let child: ElementNode = host;
    for (let ancestor: ElementNode | undefined = host; ancestor; child = ancestor, ancestor = ancestor.parent) {
      if (ancestor.endTagStart !== undefined) ancestor.endTagStart += delta;
      ancestor.end += delta;
      ancestor.readEnd += delta;
      if (ancestor !== host) shiftSiblingsAfter(ancestor.children, child, delta);
    }
    shiftSiblingsAfter(previous.children, child, delta);
  }
  replaceRange(kids, first, last + 1, slice.children);

  return {
    text: newText,
    children: previous.children,
    root: previous.root,
    errors: splice(previous.errors, sliceStart, oldSliceEnd, delta, slice.errors),
    namedValues: splice(previous.namedValues, sliceStart, oldSliceEnd, delta, slice.namedValues),
    expressions: splice(previous.expressions, sliceStart, oldSliceEnd, delta, slice.expressions),
  };
}

function shiftSiblingsAfter(siblings: readonly ChildNode[], child: ChildNode, delta: number): void {
  const index = siblings.indexOf(child);
  for (let k = index + 1; k < siblings.length; k++) shiftNode(siblings[k], delta);
}

/**
 * Shifts a subtree's offsets (with an explicit stack: documents may nest
 * deeper than the call stack allows). Expressions are shared with the
 * document's list and are shifted there, not here.
 */
function shiftNode(root: ChildNode, delta: number): void {
  const pending: ChildNode[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    node.start += delta;
    node.end += delta;
    node.readEnd += delta;
    if (node.kind !== 'element') continue;
    node.nameEnd += delta;
    node.startTagEnd += delta;
    node.tagReadEnd += delta;
    if (node.endTagStart !== undefined) node.endTagStart += delta;
    for (const attribute of node.attributes) {
      attribute.start += delta;
      attribute.nameEnd += delta;
      if (attribute.valueStart !== undefined) attribute.valueStart += delta;
      if (attribute.valueEnd !== undefined) attribute.valueEnd += delta;
    }
    for (const child of node.children) pending.push(child);
  }
}

type Positioned = Expression | NamedValueRef | SyntaxError;

function shiftAll(items: Positioned[], delta: number): void {
  for (const item of items) shiftItem(item, delta);
}

function shiftItem(item: Positioned, delta: number): void {
  item.start += delta;
  item.end += delta;
  if ('nameStart' in item) {
    item.nameStart += delta;
    item.nameEnd += delta;
  }
}

/** First index whose `start` is >= offset, in a list sorted by start. */
function lowerBound(items: readonly Positioned[], offset: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Replaces the entries inside `[start, end)` by `replacement` and shifts the ones after by delta. */
function splice<T extends Positioned>(items: T[], start: number, end: number, delta: number, replacement: T[]): T[] {
  const from = lowerBound(items, start);
  const to = lowerBound(items, end);
  for (let k = to; k < items.length; k++) shiftItem(items[k], delta);
  replaceRange(items, from, to, replacement);
  return items;
}

/**
 * `items.splice(from, to - from, ...replacement)` without spreading the
 * replacement into arguments, which overflows the stack for long lists.
 */
export function replaceRange<T>(items: T[], from: number, to: number, replacement: readonly T[]): void {
  const removed = to - from;
  const shift = replacement.length - removed;
  const oldLength = items.length;
  if (shift > 0) {
    items.length = oldLength + shift;
    for (let k = oldLength - 1; k >= to; k--) items[k + shift] = items[k];
  } else if (shift < 0) {
    for (let k = to; k < oldLength; k++) items[k + shift] = items[k];
    items.length = oldLength + shift;
  }
  for (let k = 0; k < replacement.length; k++) items[from + k] = replacement[k];
}

/**
 * Whether the slice's errors might read differently in the whole document:
 * the parser merges a run of identical errors into one, so an old error
 * reaching the slice's edges, or a new one touching the error after the
 * slice with the same problem, needs a full parse. `sliceEnd` is in the
 * old text; the slice's own errors are relative to `sliceStart`.
 */
function errorsMayJoin(errors: readonly SyntaxError[], sliceErrors: readonly SyntaxError[], sliceStart: number, sliceEnd: number, delta: number): boolean {
  const before = errors[lowerBound(errors, sliceStart) - 1];
  if (before && before.end >= sliceStart) return true;
  const to = lowerBound(errors, sliceEnd);
  const lastOld = errors[to - 1];
  if (lastOld && lastOld.start >= sliceStart && lastOld.end > sliceEnd) return true;
  const after = errors[to];
  const last = sliceErrors[sliceErrors.length - 1];
  return !!after && !!last && after.start === sliceEnd && last.end + sliceStart === sliceEnd + delta && last.code === after.code && last.message === after.message;
}
