import * as assert from 'node:assert/strict';
import { parsePolicy } from '../../server/src/language/parser/parser';
import type { ElementNode, PolicyDocument } from '../../server/src/language/parser/nodes';
import { elementAt } from '../../server/src/language/parser/navigation';
import { realWorldPolicies } from '../support/repo';

function elements(doc: PolicyDocument): ElementNode[] {
  const out: ElementNode[] = [];
  const visit = (nodes: readonly { kind: string }[]): void => {
    for (const node of nodes) {
      if (node.kind === 'element') {
        out.push(node as ElementNode);
        visit((node as ElementNode).children);
      }
    }
  };
  visit(doc.children);
  return out;
}

function element(doc: PolicyDocument, name: string): ElementNode {
  const found = elements(doc).find((e) => e.name === name);
  assert.ok(found, `no <${name}> in the tree`);
  return found;
}

describe('parser', () => {
  describe('policy expressions in attribute values', () => {
    it('keeps quotes, <, >, && and => inside @( … ) out of the XML', () => {
      const text = `<when condition="@(context.Request.Headers.GetValueOrDefault("x","") != "" && ctx.Items.Any(i => i.Count < 3 || i.Count > 9))" next="1"/>`;
      const doc = parsePolicy(text);
      assert.deepEqual(doc.errors, []);
      const when = element(doc, 'when');
      assert.deepEqual(when.attributes.map((a) => a.name), ['condition', 'next']);
      const condition = when.attributes[0];
      assert.ok(condition.expression?.closed);
      assert.equal(text.slice(condition.expression.start, condition.expression.end).endsWith('9))'), true);
      assert.equal(when.attributes[1].value, '1');
    });

    it('balances @{ … } blocks across lines with nested braces and generics', () => {
      const text = `<set-variable name="v" value="@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        if (body["a"] != null) { return "}"; }
        return body.ToString();
      }" />`;
      const doc = parsePolicy(text);
      assert.deepEqual(doc.errors, []);
      const value = element(doc, 'set-variable').attributes[1];
      assert.ok(value.expression?.block && value.expression.closed);
      assert.equal(value.valueClosed, true);
    });

    it('skips verbatim, interpolated and char literals and comments', () => {
      const cases = [
        `@(@"C:\\path ""quoted"" )")`,
        `@($"{context.Variables["a"]} and {(x ? "b" : "c")}")`,
        `@($@"multi ""line"" {a}")`,
        `@(c == '"' || c == ')' || c == '\\'')`,
        `@(a /* ) " */ + b // )\n)`,
        `@("""raw " ) string""")`,
      ];
      for (const expression of cases) {
        const doc = parsePolicy(`<a v='${expression}' w="2"/>`);
        assert.deepEqual(doc.errors, [], expression);
        const a = element(doc, 'a');
        assert.equal(a.attributes.length, 2, expression);
        assert.equal(a.attributes[0].value, expression);
      }
    });

    it('reports an unclosed expression and keeps the rest of the document', () => {
      const text = `<policies>\n<inbound>\n<set-header name="x" value="@(context.Request" />\n<base />\n</inbound>\n</policies>`;
      const doc = parsePolicy(text);
      assert.ok(doc.errors.some((e) => e.code === 'malformed-expression'), JSON.stringify(doc.errors));
      assert.ok(elements(doc).some((e) => e.name === 'base'), 'the next element is still parsed');
      assert.equal(element(doc, 'inbound').closed, true);
    });

    it('reports text after an expression inside the same attribute', () => {
      const doc = parsePolicy(`<a v="@(1) + 2" />`);
      assert.deepEqual(doc.errors.map((e) => e.code), ['malformed-expression']);
    });
  });

  describe('policy expressions in text', () => {
    it('does not treat < or quotes inside @{ } text as markup', () => {
      const text = `<set-body>@{ var s = "<root a='1'>"; return s + (1 < 2 ? "</x>" : ""); }</set-body>`;
      const doc = parsePolicy(text);
      assert.deepEqual(doc.errors, []);
      const body = element(doc, 'set-body');
      assert.equal(body.children.length, 1);
      assert.equal(body.children[0].kind, 'text');
      assert.equal(body.closed, true);
    });
  });

  describe('named values', () => {
    it('finds {{…}} in attribute values, text, expressions and names with exact offsets', () => {
      const text = `<a x="{{one}}" y="@("{{two}}")">k {{three}} <{{four}} /></a>`;
      const doc = parsePolicy(text);
      assert.deepEqual(
        doc.namedValues.map((r) => r.name),
        ['one', 'two', 'three', 'four'],
      );
      for (const ref of doc.namedValues) {
        assert.equal(text.slice(ref.start, ref.end), `{{${ref.name}}}`);
        assert.equal(text.slice(ref.nameStart, ref.nameEnd), ref.name);
        assert.equal(ref.closed, true);
      }
      assert.equal(element(doc, 'a').attributes[0].hasNamedValue, true);
    });

    it('records an unclosed reference being typed', () => {
      const doc = parsePolicy(`<a x="{{back" />`);
      assert.equal(doc.namedValues.length, 1);
      assert.equal(doc.namedValues[0].name, 'back');
      assert.equal(doc.namedValues[0].closed, false);
    });
  });

  describe('XML', () => {
    it('reads comments, CDATA, processing instructions and entities', () => {
      const text = `<?xml version="1.0"?>\n<!-- note <not a tag> -->\n<a>&amp;&lt;&#65;&#x41;<![CDATA[ <b> & ]]></a>`;
      const doc = parsePolicy(text);
      assert.deepEqual(doc.errors, []);
      assert.deepEqual(doc.children.map((c) => c.kind), ['processing-instruction', 'comment', 'element']);
      assert.deepEqual(element(doc, 'a').children.map((c) => c.kind), ['text', 'cdata']);
    });

    it('reports a run of stray characters, bare & or bare < once, covering the run', () => {
      const stray = parsePolicy(`<a ((((( b="1" )>x</a>`).errors;
      assert.deepEqual(stray.map((e) => [e.message, e.start, e.end]), [["Unexpected '(((((' in start tag <a>.", 3, 8], ["Unexpected ')' in start tag <a>.", 15, 16]]);
      const long = parsePolicy(`<a ${'('.repeat(100)} />`).errors[0];
      assert.equal(long.message, `Unexpected '${'('.repeat(12)}…' in start tag <a>.`);
      const amps = parsePolicy('<a>x &&&& y</a>').errors;
      assert.deepEqual(amps.map((e) => [e.start, e.end]), [[5, 9]]);
      const lts = parsePolicy('<a>x <<<< y</a>');
      assert.deepEqual(lts.errors.map((e) => [e.start, e.end]), [[5, 9]]);
      assert.equal(lts.root?.children.length, 2, 'the run of bare < is one text node after "x "');
    });

    it('finds a repeated attribute among many, and end tags that match nothing however deep the nesting', () => {
      const attributes = Array.from({ length: 50 }, (_, k) => `a${k}="${k}"`).join(' ');
      assert.deepEqual(parsePolicy(`<a ${attributes} a7="again" a49="again" />`).errors.map((e) => e.message), ["Attribute 'a7' is repeated.", "Attribute 'a49' is repeated."]);
      const deep = parsePolicy(`${'<x>'.repeat(100)}</nothing>${'</x>'.repeat(40)}<y/></x>${'</x>'.repeat(59)}`);
      assert.deepEqual(deep.errors.map((e) => e.message), ['End tag </nothing> has no matching start tag.']);
    });

    it('reads interpolated strings nested deeper than the call stack could follow', () => {
      const levels = 20_000;
      const doc = parsePolicy(`<a b="@(${'$"{'.repeat(levels)}1${'}"'.repeat(levels)})" />`);
      assert.deepEqual(doc.errors, []);
      assert.equal(doc.expressions[0].closed, true);
      const open = parsePolicy(`<a b="@(${'$"{'.repeat(levels)}1)" />`);
      assert.equal(open.errors[0].code, 'malformed-expression');
    });

    it('reports a bare & and an unknown entity', () => {
      const doc = parsePolicy(`<a>x & y &bogus;</a>`);
      assert.deepEqual(doc.errors.map((e) => e.message), ["A bare '&' must be written as '&amp;'.", "Unknown entity '&bogus;'."]);
    });

    it('skips a byte order mark', () => {
      assert.deepEqual(parsePolicy('\ufeff<policies />').errors, []);
    });
  });

  describe('error recovery', () => {
    it('keeps an unfinished start tag as an empty element without adopting its siblings', () => {
      const text = `<policies>\n<inbound>\n<set-header name="x"\n<base />\n</inbound>\n</policies>`;
      const doc = parsePolicy(text);
      const setHeader = element(doc, 'set-header');
      assert.equal(setHeader.startTagClosed, false);
      assert.equal(setHeader.children.length, 0);
      assert.equal(element(doc, 'base').parent?.name, 'inbound');
      assert.equal(doc.errors.length, 1);
    });

    it('closes elements left open by a later end tag and reports them', () => {
      const doc = parsePolicy(`<a><b><c></a>`);
      assert.equal(element(doc, 'a').closed, true);
      assert.deepEqual(doc.errors.map((e) => e.message), [
        'Element <b> is not closed before </a>: add </b>.',
        'Element <c> is not closed before </a>: add </c>.',
      ]);
    });

    it('cuts an attribute value whose quote is missing at the next tag', () => {
      const doc = parsePolicy(`<a>\n<b x="1 />\n<c/>\n</a>`);
      assert.equal(element(doc, 'b').attributes[0].valueClosed, false);
      assert.ok(elements(doc).some((e) => e.name === 'c'));
    });

    it('reports stray end tags, unclosed comments and a second root', () => {
      assert.match(parsePolicy('<a></b></a>').errors[0].message, /no matching start tag/);
      assert.ok(parsePolicy('<a><!-- x </a>').errors.some((e) => /Comment is not closed/.test(e.message)));
      assert.match(parsePolicy('<a/><b/>').errors[0].message, /single root/);
    });
  });

  describe('navigation', () => {
    it('finds the innermost element at an offset', () => {
      const text = '<policies><inbound><set-header name="a"/></inbound></policies>';
      const doc = parsePolicy(text);
      assert.equal(elementAt(doc, text.indexOf('name'))?.name, 'set-header');
      assert.equal(elementAt(doc, text.indexOf('</inbound>'))?.name, 'inbound');
      assert.equal(elementAt(doc, 0), undefined);
    });
  });

  describe('real-world policies', () => {
    for (const file of realWorldPolicies()) {
      it(`parses ${file.name} without syntax errors`, () => {
        const doc = parsePolicy(file.text);
        assert.deepEqual(doc.errors, []);
        assert.ok(doc.root && (doc.root.name === 'policies' || doc.root.name === 'fragment'), `root is <${doc.root?.name}>`);
      });
    }
  });
});
