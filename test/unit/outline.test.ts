import * as assert from 'node:assert/strict';
import { MAX_OUTLINE_DEPTH } from '../../server/src/language/features/symbols';
import { atCursor, inSection, languageService, parse } from './support/cursor';

describe('symbols, folding and definition targets', () => {
  const text = `<policies>
  <inbound>
    <base />
    <set-variable name="token" value="@{
      return &quot;x&quot;;
    }" />
    <!-- a
         comment -->
  </inbound>
</policies>`;

  it('outlines the root, sections and policies with an identifying detail', () => {
    const [root] = languageService().findDocumentSymbols(parse(text));
    assert.equal(root.kind, 'root');
    const inbound = root.children[0];
    assert.equal(inbound.kind, 'section');
    assert.deepEqual(inbound.children.map((c) => [c.name, c.kind, c.detail]), [
      ['base', 'policy', undefined],
      ['set-variable', 'policy', 'name=token'],
    ]);
  });

  it(`nests the outline at most ${MAX_OUTLINE_DEPTH} levels and lists deeper elements flat, in order`, () => {
    const levels = MAX_OUTLINE_DEPTH + 50;
    const deep = `${'<a>'.repeat(levels)}${'</a>'.repeat(levels)}`;
    let level = languageService().findDocumentSymbols(parse(deep));
    for (let depth = 1; depth < MAX_OUTLINE_DEPTH; depth++) {
      assert.equal(level.length, 1, `one element at depth ${depth}`);
      level = level[0].children;
    }
    assert.equal(level.length, levels - MAX_OUTLINE_DEPTH + 1, 'the last level lists the rest');
    assert.ok(level.every((s) => s.children.length === 0));
    assert.deepEqual(level.map((s) => s.range.start), level.map((_, k) => (MAX_OUTLINE_DEPTH - 1 + k) * 3));
  });

  it('folds elements, comments and @{ } blocks', () => {
    const ranges = languageService().getFoldingRanges(parse(text));
    const slices = ranges.map((r): [string | undefined, string] => [r.kind, text.slice(r.start, r.start + 12)]);
    assert.ok(slices.some(([, s]) => s.startsWith('<policies>')));
    assert.ok(slices.some(([k, s]) => k === 'comment' && s.startsWith('<!--')));
    assert.ok(slices.some(([, s]) => s.startsWith('@{')));
  });

  it('finds definition targets for {{named values}} and fragment-id', () => {
    const nv = atCursor(inSection('inbound', '<set-header name="{{orders-k|ey}}" />'));
    assert.deepEqual(languageService().findDefinitionTarget(parse(nv.text), nv.offset), {
      kind: 'named-value',
      name: 'orders-key',
      origin: { start: nv.text.indexOf('{{'), end: nv.text.indexOf('}}') + 2 },
    });
    const fragment = atCursor(inSection('inbound', '<include-fragment fragment-id="cors-de|faults" />'));
    const target = languageService().findDefinitionTarget(parse(fragment.text), fragment.offset);
    assert.equal(target?.kind, 'fragment');
    assert.equal(target?.name, 'cors-defaults');
    const none = atCursor(inSection('inbound', '<set-header na|me="a" />'));
    assert.equal(languageService().findDefinitionTarget(parse(none.text), none.offset), undefined);
  });
});
