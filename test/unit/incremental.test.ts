// Incremental reparse must always equal a full parse of the new text. Random
// edits over the real-world corpus (typing, deleting, pasting markup) compare
// the two trees node by node.
import * as assert from 'node:assert/strict';
import { reparseAfterEdit, type TextEdit } from '../../server/src/language/parser/incremental';
import type { ChildNode, PolicyDocument } from '../../server/src/language/parser/nodes';
import { parsePolicy } from '../../server/src/language/parser/parser';
import { realWorldPolicies } from '../support/repo';
import { Random } from './support/random';
import { snapshot } from './support/snapshot';

const SNIPPETS = ['<', '>', '"', "'", '/', '@(', ')', '@{', '}', '{{', '}}', '<!--', '-->', '&', 'x', ' ', '\n', '<set-header name="a">', '</set-header>', '<base />', 'value="@(1)"'];

function randomEdit(random: Random, text: string): TextEdit {
  const start = random.int(text.length + 1);
  const kind = random.int(3);
  const end = kind === 0 ? start : Math.min(text.length, start + random.int(kind === 1 ? 3 : 40));
  const inserted = kind === 1 && random.int(2) === 0 ? '' : random.pick(SNIPPETS);
  return { start, end, text: inserted };
}

/** Offsets inside attribute values and text, where people type most. */
function editablePositions(doc: PolicyDocument): number[] {
  const out: number[] = [];
  const visit = (nodes: readonly ChildNode[]): void => {
    for (const node of nodes) {
      if (node.kind === 'element') {
        for (const a of node.attributes) {
          if (a.valueStart !== undefined && a.valueEnd !== undefined && a.valueClosed) {
            for (let k = a.valueStart + 1; k < a.valueEnd - 1; k++) out.push(k);
          }
        }
        visit(node.children);
      } else if (node.kind === 'text') {
        for (let k = node.start; k < node.end; k++) out.push(k);
      }
    }
  };
  visit(doc.children);
  return out;
}

describe('incremental reparse', () => {
  it('equals a full parse after random edits on every real-world policy', function () {
    this.timeout(120_000);
    const random = new Random(20261122);
    for (const file of realWorldPolicies()) {
      let text = file.text;
      let doc = parsePolicy(text);
      for (let round = 0; round < 40; round++) {
        const edit = randomEdit(random, text);
        const next = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
        doc = reparseAfterEdit(doc, next, edit);
        assert.deepEqual(snapshot(doc), snapshot(parsePolicy(next)), `${file.name}, round ${round}, edit ${JSON.stringify(edit)}`);
        text = next;
      }
    }
  });

  it('stays incremental when a person types into attribute values and text', () => {
    // The point of the feature: a keystroke must not reparse a large document.
    const random = new Random(7);
    let edits = 0;
    let incremental = 0;
    for (const file of realWorldPolicies()) {
      const positions = editablePositions(parsePolicy(file.text));
      for (let round = 0; round < 20; round++) {
        const doc = parsePolicy(file.text);
        const at = random.pick(positions);
        const edit = { start: at, end: at, text: random.pick(['a', 'e', '1', '-']) };
        const next = file.text.slice(0, at) + edit.text + file.text.slice(at);
        const updated = reparseAfterEdit(doc, next, edit);
        edits++;
        if (updated.children === doc.children) incremental++;
        assert.deepEqual(snapshot(updated), snapshot(parsePolicy(next)), `${file.name} at ${at}`);
      }
    }
    // Typing right before `@(` turns an expression into plain text and legitimately needs more.
    assert.ok(incremental / edits > 0.95, `only ${incremental} of ${edits} keystrokes were reparsed incrementally`);
  });

  it('reuses the tree for a keystroke inside an attribute value', () => {
    const text = '<policies><inbound><set-header name="ab" /><base /></inbound></policies>';
    const doc = parsePolicy(text);
    const at = text.indexOf('ab') + 1;
    const next = text.slice(0, at) + 'x' + text.slice(at);
    const updated = reparseAfterEdit(doc, next, { start: at, end: at, text: 'x' });
    assert.equal(updated.children, doc.children, 'the top-level list is reused');
    assert.deepEqual(snapshot(updated), snapshot(parsePolicy(next)));
  });
});
