import * as assert from 'node:assert/strict';
import { MAX_NAMED_VALUE_ITEMS } from '../../server/src/language/features/completion';
import type { CompletionEntry, CompletionResult } from '../../server/src/language/languageService';
import { InstanceIndex } from '../../server/src/language/languageService';
import { testInstance } from '../support/instanceFixture';
import { atCursor, inSection, languageService, parse } from './support/cursor';

function complete(source: string, instance?: InstanceIndex): CompletionEntry[] {
  return completeResult(source, instance).items;
}

function completeResult(source: string, instance?: InstanceIndex): CompletionResult {
  const { text, offset } = atCursor(source);
  return languageService().doComplete(parse(text), offset, instance);
}

const labels = (items: CompletionEntry[]): string[] => items.map((i) => i.label);

describe('completion', () => {
  describe('element names', () => {
    it('offers the two document shapes in an empty file', () => {
      assert.deepEqual(labels(complete('|')), ['policies', 'fragment']);
    });

    it('offers only missing sections inside <policies>, in order', () => {
      assert.deepEqual(labels(complete('<policies>\n  <inbound><base /></inbound>\n  <|\n</policies>')), ['backend', 'outbound', 'on-error']);
    });

    it('offers the policies allowed in the section, and <base /> once', () => {
      const inbound = labels(complete(inSection('inbound', '<|')));
      assert.ok(inbound.includes('base'));
      assert.ok(inbound.includes('validate-jwt'));
      assert.ok(!inbound.includes('forward-request'));
      const backend = labels(complete(inSection('backend', '<|')));
      assert.ok(backend.includes('forward-request'));
      assert.ok(!backend.includes('validate-jwt'));
      const afterBase = labels(complete(inSection('outbound', '<base />\n    <|')));
      assert.ok(!afterBase.includes('base'), 'base already present');
    });

    it('offers only when/otherwise inside choose and the declared children of send-request', () => {
      assert.deepEqual(labels(complete(inSection('inbound', '<choose>\n      <|\n    </choose>'))).sort(), ['otherwise', 'when']);
      const children = labels(complete(inSection('inbound', '<send-request mode="new" response-variable-name="r">\n      <|\n    </send-request>')));
      assert.ok(children.includes('set-url'));
      assert.ok(children.includes('set-method'));
      assert.ok(!children.includes('rate-limit'));
    });

    it('offers the section policies again inside <when>', () => {
      const items = labels(complete(inSection('outbound', '<choose>\n      <when condition="@(true)">\n        <|\n      </when>\n    </choose>')));
      assert.ok(items.includes('set-body'));
      assert.ok(!items.includes('base'), 'base belongs directly in a section');
    });

    it('offers nothing policy-like inside payload content', () => {
      assert.deepEqual(complete(inSection('outbound', '<set-body><root>\n      <|\n    </root></set-body>')), []);
      assert.deepEqual(complete(inSection('outbound', '<set-body>text |</set-body>')), []);
    });

    it('offers policies but not <base /> or include-fragment inside a fragment', () => {
      const items = labels(complete('<fragment>\n  <|\n</fragment>'));
      assert.ok(items.includes('set-header'));
      assert.ok(!items.includes('base'));
      assert.ok(!items.includes('include-fragment'));
    });

    it('inserts a snippet with the required attributes and children', () => {
      const item = complete(inSection('inbound', '<|')).find((i) => i.label === 'set-variable');
      assert.ok(item?.snippet);
      assert.match(item.insertText, /^set-variable name="\$\d+" value="\$\d+" \/>$/);
      const choose = complete(inSection('inbound', '<|')).find((i) => i.label === 'choose');
      assert.match(choose?.insertText ?? '', /<when condition=/);
    });

    it('replaces a half-typed name and keeps existing attributes', () => {
      const { text, offset } = atCursor(inSection('inbound', '<set-he| name="x" />'));
      const items = languageService().doComplete(parse(text), offset).items;
      const item = items.find((i) => i.label === 'set-header');
      assert.ok(item);
      assert.equal(item.insertText, 'set-header', 'only the name when the tag already has attributes');
      assert.equal(text.slice(item.replace.start, item.replace.end), 'set-he');
    });

    it('offers elements with their bracket between tags, and the end tag', () => {
      const items = complete(inSection('inbound', '<choose>\n      |'));
      assert.ok(items.some((i) => i.insertText.startsWith('<when')));
      assert.ok(items.some((i) => i.kind === 'end-tag' && i.insertText === '</choose>'));
    });
  });

  describe('end tags', () => {
    it('closes the innermost open element after </', () => {
      const items = complete('<policies>\n  <inbound>\n    <set-header name="a">\n    </|');
      assert.deepEqual(items.map((i) => i.insertText), ['</set-header>']);
    });
  });

  describe('attributes', () => {
    it('offers attributes not yet present, required first', () => {
      const items = complete(inSection('inbound', '<set-header exists-action="override" |/>'));
      assert.deepEqual(labels(items)[0], 'name');
      assert.ok(!labels(items).includes('exists-action'));
      const name = items[0];
      assert.equal(name.insertText, 'name="$1"');
      assert.ok(name.snippet);
    });

    it('offers enum choices inside the attribute snippet', () => {
      const item = complete(inSection('inbound', '<set-header name="a" |/>')).find((i) => i.label === 'exists-action');
      assert.match(item?.insertText ?? '', /^exists-action="\$\{1\|override,/);
    });

    it('offers nothing directly after a value without a space', () => {
      assert.deepEqual(complete(inSection('inbound', '<set-header name="a"|/>')), []);
    });
  });

  describe('attribute values', () => {
    it('offers enum values, booleans and HTTP methods', () => {
      assert.deepEqual(labels(complete(inSection('inbound', '<set-header name="a" exists-action="|" />'))).sort(), ['append', 'delete', 'override', 'skip']);
      assert.deepEqual(labels(complete(inSection('backend', '<forward-request buffer-request-body="|" />'))), ['true', 'false']);
      const methods = labels(complete(inSection('inbound', '<send-request mode="new" response-variable-name="r"><set-method>GET</set-method></send-request><rewrite-uri template="/" copy-unmatched-params="|" />')));
      assert.deepEqual(methods, ['true', 'false']);
    });

    it('offers HTTP methods as the text of set-method and cors methods', () => {
      const methods = labels(complete(inSection('inbound', '<send-request mode="new" response-variable-name="r"><set-method>P|</set-method></send-request>')));
      assert.deepEqual(methods, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE']);
      const { text, offset } = atCursor(inSection('inbound', '<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-methods><method>GE|</method></allowed-methods></cors>'));
      const item = languageService().doComplete(parse(text), offset).items.find((i) => i.label === 'GET');
      assert.ok(item);
      assert.equal(text.slice(item.replace.start, item.replace.end), 'GE');
      const inExpression = labels(complete(inSection('inbound', '<set-method>@(context.Request.Method|)</set-method>')));
      assert.ok(!inExpression.includes('GET'), 'no HTTP methods inside an expression');
    });

    it('replaces the whole value', () => {
      const { text, offset } = atCursor(inSection('inbound', '<set-header name="a" exists-action="ov|er" />'));
      const item = languageService().doComplete(parse(text), offset).items[0];
      assert.equal(text.slice(item.replace.start, item.replace.end), 'over');
    });

    it('offers the instance entities for entity attributes', () => {
      const instance = new InstanceIndex(testInstance());
      assert.deepEqual(labels(complete(inSection('inbound', '<set-backend-service backend-id="|" />'), instance)).sort(), ['billing-backend', 'orders-backend']);
      assert.deepEqual(labels(complete(inSection('inbound', '<include-fragment fragment-id="|" />'), instance)), ['cors-defaults']);
      assert.deepEqual(labels(complete(inSection('inbound', '<log-to-eventhub logger-id="|">x</log-to-eventhub>'), instance)), ['appinsights']);
    });

    it('offers C# members, not the attribute\'s values, inside an expression', () => {
      const items = labels(complete(inSection('inbound', '<set-header name="a" exists-action="@(context.|)" />')));
      assert.ok(items.includes('Request'));
      assert.ok(!items.includes('override'));
    });
  });

  describe('named values', () => {
    const instance = new InstanceIndex(testInstance());

    it('offers display names after {{ in attribute values, text and expressions', () => {
      for (const source of [
        inSection('inbound', '<set-header name="{{|" />'),
        inSection('inbound', '<set-header name="a"><value>{{|</value></set-header>'),
        inSection('inbound', '<set-variable name="a" value="@("{{|")" />'),
      ]) {
        assert.deepEqual(labels(complete(source, instance)).sort(), ['api-version', 'backend-url', 'client-secret', 'orders-key', 'partner-token'], source);
      }
    });

    it('closes the braces only when they are missing', () => {
      const open = complete(inSection('inbound', '<set-header name="{{ba|" />'), instance).find((i) => i.label === 'backend-url');
      assert.equal(open?.insertText, 'backend-url}}');
      const closed = complete(inSection('inbound', '<set-header name="{{ba|}}" />'), instance).find((i) => i.label === 'backend-url');
      assert.equal(closed?.insertText, 'backend-url');
    });

    it('shows plain values, never secret values, and Key Vault status', () => {
      const items = complete(inSection('inbound', '<set-header name="{{|" />'), instance);
      assert.match(items.find((i) => i.label === 'backend-url')?.detail ?? '', /orders\.contoso\.example/);
      assert.equal(items.find((i) => i.label === 'client-secret')?.detail, 'secret');
      assert.match(items.find((i) => i.label === 'partner-token')?.detail ?? '', /Forbidden/);
      assert.match(items.find((i) => i.label === 'orders-key')?.detail ?? '', /Success/);
    });

    it('offers nothing without an instance', () => {
      assert.deepEqual(complete(inSection('inbound', '<set-header name="{{|" />')), []);
    });

    it('sends light items and gives the documentation on resolve', () => {
      const items = complete(inSection('inbound', '<set-header name="{{|" />'), instance);
      assert.ok(items.every((i) => i.documentation === undefined));
      const secret = items.find((i) => i.label === 'client-secret');
      assert.ok(secret?.resolve);
      assert.deepEqual(secret.resolve, { kind: 'named-value', name: 'client-secret' });
      assert.match(languageService().resolveCompletion(secret.resolve, instance)?.documentation ?? '', /\*\*\{\{client-secret\}\}\*\*[\s\S]*secret — value hidden/);
      assert.equal(languageService().resolveCompletion({ kind: 'named-value', name: 'gone' }, instance), undefined);
    });

    it(`lists at most ${MAX_NAMED_VALUE_ITEMS} named values, best matches first, and says when there are more`, () => {
      const many = new InstanceIndex(
        testInstance({ namedValues: Array.from({ length: 3000 }, (_, k) => ({ name: `n${k}`, displayName: k % 2 ? `odd-${k}` : `even-${k}`, kind: 'plain' as const, value: 'v' })) }),
      );
      const all = completeResult(inSection('inbound', '<set-header name="{{|" />'), many);
      assert.equal(all.items.length, MAX_NAMED_VALUE_ITEMS);
      assert.equal(all.incomplete, true);
      const typed = completeResult(inSection('inbound', '<set-header name="{{odd-29|" />'), many);
      // Prefix matches (odd-29, odd-29x, odd-29xx) come before names merely holding o, d, d, -, 2, 9 in order.
      assert.deepEqual(typed.items.slice(0, 3).map((i) => i.label), ['odd-29', 'odd-291', 'odd-293']);
      assert.ok(typed.items.every((i) => /^odd-\d*2\d*9\d*$/.test(i.label)), typed.items.map((i) => i.label).join(', '));
      assert.equal(typed.incomplete, false);
    });

    it('leaves out names a {{reference}} cannot spell', () => {
      const odd = new InstanceIndex(
        testInstance({
          namedValues: ['fine', 'a}}b', '{{c', ' padded', 'say"hi"', 'x<y', 'line\nbreak', ''].map((displayName, k) => ({ name: `n${k}`, displayName, kind: 'plain' as const, value: 'v' })),
        }),
      );
      assert.deepEqual(labels(complete(inSection('inbound', '<set-header name="{{|" />'), odd)), ['fine']);
    });
  });

  describe('policies the instance does not offer', () => {
    it('marks them, or hides them when configured', () => {
      const instance = new InstanceIndex(testInstance({ policyDescriptions: [{ name: 'set-header' }, { name: 'rate-limit' }] }));
      const items = complete(inSection('inbound', '<|'), instance);
      assert.equal(items.find((i) => i.label === 'set-header')?.deprecated, undefined);
      assert.equal(items.find((i) => i.label === 'validate-jwt')?.deprecated, true);
      const hidden = languageService();
      hidden.configure({ hideUnavailablePolicies: true });
      try {
        const { text, offset } = atCursor(inSection('inbound', '<|'));
        const names = labels(hidden.doComplete(parse(text), offset, instance).items);
        assert.deepEqual(names.filter((n) => n !== 'base').sort(), ['rate-limit', 'set-header']);
      } finally {
        hidden.configure({ hideUnavailablePolicies: false });
      }
    });
  });
});
