/**
 * Issue-8 baseline of the language core: catalog facts corrected against Learn, a diagnostic
 * cap with runs of one error collapsed, nesting thousands of levels deep, linear attribute
 * checks, and named values that differ only by case.
 */
import * as assert from 'node:assert/strict';
import type { PolicyDiagnostic } from '../../server/src/language/languageService';
import { getLanguageService, InstanceIndex } from '../../server/src/language/languageService';
import { MAX_OUTLINE_DEPTH } from '../../server/src/language/features/symbols';
import { testInstance } from '../support/instanceFixture';
import { atCursor, inSection, languageService, parse } from './support/cursor';

function validate(text: string, instance?: InstanceIndex): PolicyDiagnostic[] {
  return languageService().doValidation(parse(text), instance);
}

function codes(text: string): string[] {
  return validate(text).map((d) => `${d.code}:${text.slice(d.start, d.end)}`);
}

/** `depth` levels of choose/when around `inner`, inside inbound. */
export function deeplyNested(depth: number, inner: string): string {
  return inSection('inbound', `${'<choose><when condition="@(true)">'.repeat(depth)}${inner}${'</when></choose>'.repeat(depth)}`);
}

describe('baseline: catalog corrections', () => {
  it('set-body accepts template="none" as well as liquid, and still rejects other values', () => {
    assert.deepEqual(codes(inSection('outbound', '<set-body template="none">{"a": 1}</set-body>')), []);
    assert.deepEqual(codes(inSection('outbound', '<set-body template="liquid">{"a": 1}</set-body>')), []);
    assert.deepEqual(codes(inSection('outbound', '<set-body template="razor">x</set-body>')), ['invalid-attribute-value:razor']);
  });

  it('rate-limit: an operation directly under it takes id, and needs calls and renewal-period', () => {
    assert.deepEqual(codes(inSection('inbound', '<rate-limit calls="10" renewal-period="60"><operation id="get-order" calls="5" renewal-period="30" /></rate-limit>')), []);
    const missing = validate(inSection('inbound', '<rate-limit calls="10" renewal-period="60"><operation name="get-order" /></rate-limit>'));
    assert.deepEqual(missing.map((d) => d.code), ['missing-required-attribute', 'missing-required-attribute']);
    assert.ok(missing.some((d) => /calls/.test(d.message)) && missing.some((d) => /renewal-period/.test(d.message)), JSON.stringify(missing));
    const over = validate(inSection('inbound', '<rate-limit calls="10" renewal-period="60"><operation name="x" calls="5" renewal-period="301" /></rate-limit>'));
    assert.deepEqual(over.map((d) => d.code), ['invalid-attribute-value']);
  });

  it('invoke-dapr-binding@operation has no default; ip-filter@action is required with no default', () => {
    const catalog = languageService().catalog;
    const operation = catalog.allAttributes('invoke-dapr-binding').find((a) => a.name === 'operation');
    assert.ok(operation && operation.default === undefined);
    const action = catalog.allAttributes('ip-filter').find((a) => a.name === 'action');
    assert.ok(action && action.required === true && action.default === undefined);
    assert.deepEqual(codes(inSection('inbound', '<ip-filter><address>10.0.0.1</address></ip-filter>')).map((c) => c.split(':')[0]), ['missing-required-attribute']);
    const hover = languageService().doHover(parse(atCursor(inSection('inbound', '<ip-filter ac|tion="allow"><address>10.0.0.1</address></ip-filter>')).text), atCursor(inSection('inbound', '<ip-filter ac|tion="allow"><address>10.0.0.1</address></ip-filter>')).offset);
    assert.ok(hover && !/Default/i.test(hover.markdown), hover?.markdown);
  });
});

describe('baseline: bounded diagnostics', () => {
  it('collapses a run of stray characters in a start tag into one diagnostic', () => {
    const text = `<policies ${'('.repeat(100_000)}><inbound /></policies>`;
    const diagnostics = validate(text);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics.slice(0, 3)));
    assert.equal(diagnostics[0].code, 'malformed-xml');
    assert.equal(diagnostics[0].end - diagnostics[0].start, 100_000, 'the one diagnostic covers the whole run');
    assert.match(diagnostics[0].message, /Unexpected '\({20}…' in start tag <policies>/);
  });

  it('caps the list and sums up the rest in one last diagnostic', () => {
    const body = Array.from({ length: 1500 }, (_, i) => `<unknown-${i} />`).join('');
    const diagnostics = validate(inSection('inbound', body));
    assert.equal(diagnostics.length, 1001);
    const last = diagnostics[1000];
    assert.equal(last.code, 'too-many-problems');
    assert.match(last.message, /…and 500 more problems \(500 of them errors\)/);
    assert.ok(diagnostics.slice(0, 1000).every((d, i, all) => i === 0 || all[i - 1].start <= d.start), 'kept in document order');
    const custom = getLanguageService({ settings: { maxProblems: 10 } });
    assert.equal(custom.doValidation(custom.parse(inSection('inbound', body))).length, 11);
  });

  it('checks repeated attributes in linear time and still reports each repeat', () => {
    const distinct = Array.from({ length: 100_000 }, (_, i) => `a${i}="x"`).join(' ');
    const started = process.hrtime.bigint();
    const doc = parse(`<policies ${distinct}><inbound /></policies>`).doc;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`      parse of a start tag with 100,000 distinct attributes: ${ms.toFixed(0)} ms`);
    assert.equal(doc.errors.length, 0);
    assert.deepEqual(parse('<policies a="1" b="2" a="3"><inbound /></policies>').doc.errors.map((e) => e.message), ["Attribute 'a' is repeated."]);
  });
});

describe('baseline: deep nesting', () => {
  const depth = 20_000;
  const { text, offset } = atCursor(deeplyNested(depth, '<set-header name="x" exists-action="override"><value>1</value></set-header>|'));
  const service = languageService();
  const parsed = service.parse(text);

  it(`validates ${depth.toLocaleString('en-US')} levels of choose/when`, () => {
    assert.deepEqual(service.doValidation(parsed), []);
    const broken = service.parse(deeplyNested(depth, '<forward-request />'));
    assert.deepEqual(service.doValidation(broken).map((d) => d.code), ['misplaced-policy'], 'still finds a mistake at the bottom');
  });

  it('completes, hovers, outlines and folds at the bottom', () => {
    const items = service.doComplete(parsed, offset).items.map((i) => i.label);
    assert.ok(items.includes('set-header') && items.includes('choose'), items.join(', '));
    const hover = service.doHover(parsed, text.indexOf('<set-header') + 3);
    assert.match(hover?.markdown ?? '', /set-header/);
    const folding = service.getFoldingRanges(parsed);
    assert.ok(folding.length >= depth * 2);
  });

  it(`nests the outline at most ${MAX_OUTLINE_DEPTH} levels and lists deeper elements flat after their ancestor`, () => {
    const symbols = service.findDocumentSymbols(parsed);
    let level = symbols;
    let levels = 0;
    let total = 0;
    const stack = [...symbols];
    while (stack.length) {
      const s = stack.pop()!;
      total++;
      stack.push(...s.children);
    }
    while (level.length) {
      levels++;
      level = level[0].children;
    }
    assert.equal(levels, MAX_OUTLINE_DEPTH);
    assert.equal(total, 2 + depth * 2 + 2, 'every element is in the outline once (policies, inbound, choose/when pairs, set-header, value)');
    assert.doesNotThrow(() => JSON.stringify(symbols), 'the outline can be sent as JSON');
  });
});

describe('baseline: named values that differ only by case', () => {
  const instance = new InstanceIndex(
    testInstance({
      namedValues: [
        { name: 'foo-plain', displayName: 'Foo', kind: 'plain', value: 'plain-one' },
        { name: 'foo-secret', displayName: 'foo', kind: 'secret' },
        { name: 'braces', displayName: 'odd}}name', kind: 'plain', value: 'x' },
      ],
    }),
  );

  it('hover matches the exact spelling first and says which names differ only by case', () => {
    const text = inSection('inbound', '<set-header name="a" exists-action="override"><value>{{Foo}}</value></set-header>');
    const hover = languageService().doHover(parse(text), text.indexOf('{{Foo}}') + 3, instance);
    assert.match(hover?.markdown ?? '', /\*\*Kind:\*\* plain/);
    assert.match(hover?.markdown ?? '', /`foo` differs from this name only by case/);
    const lower = inSection('inbound', '<set-header name="a" exists-action="override"><value>{{foo}}</value></set-header>');
    assert.match(languageService().doHover(parse(lower), lower.indexOf('{{foo}}') + 3, instance)?.markdown ?? '', /secret — value hidden/);
    const other = inSection('inbound', '<set-header name="a" exists-action="override"><value>{{FOO}}</value></set-header>');
    assert.ok(languageService().doHover(parse(other), other.indexOf('{{FOO}}') + 3, instance), 'any other case still finds one');
  });

  it('offers light items, resolves their details, and leaves out names a reference cannot hold', () => {
    const { text, offset } = atCursor(inSection('inbound', '<set-header name="a" exists-action="override"><value>{{|</value></set-header>'));
    const items = languageService().doComplete(parse(text), offset, instance).items;
    assert.deepEqual(items.map((i) => i.label).sort(), ['Foo', 'foo']);
    assert.ok(items.every((i) => i.documentation === undefined && i.detail === undefined && i.resolve?.kind === 'named-value'));
    const details = languageService().resolveCompletion({ kind: 'named-value', name: 'Foo' }, instance);
    assert.equal(details?.detail, 'plain: plain-one');
    assert.match(details?.documentation ?? '', /differs from this name only by case/);
    assert.equal(languageService().resolveCompletion({ kind: 'named-value', name: 'gone' }, instance), undefined);
  });
});
