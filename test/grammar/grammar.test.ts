// Tokenizes policy text with the real TextMate engine and checks the scopes of
// our grammar. Positions are 0-based (line, column), as in the VS Code API;
// they refer to the fixture files in ./fixtures.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IGrammar } from 'vscode-textmate';
import { lexPolicy } from './policyLexer';
import {
  POLICY_SCOPE,
  loadPolicyGrammar,
  repoRoot,
  scopesAfter,
  tokenAt,
  tokenizeDocument,
  type TokenizedDocument,
} from './tokenizer';

const EMBEDDED = 'meta.embedded.expression.apim-policy';
const EXPRESSION_BEGIN = 'punctuation.section.embedded.begin.apim-policy';
const EXPRESSION_END = 'punctuation.section.embedded.end.apim-policy';
const TAG = 'entity.name.tag.apim-policy';
const SECTION_TAG = 'entity.name.tag.section.apim-policy';
const NAMED_VALUE = 'variable.other.named-value.apim-policy';
const SECTIONS = new Set(['policies', 'inbound', 'backend', 'outbound', 'on-error', 'fragment']);

function readFixture(name: string): string {
  return fs.readFileSync(path.join(repoRoot(), 'test/grammar/fixtures', name), 'utf8');
}

/** Asserts the token starting exactly at (line, column) has this text and scope. */
function expectToken(doc: TokenizedDocument, line: number, column: number, text: string, scope: string): void {
  const token = tokenAt(doc, line, column);
  const where = `${line}:${column} ${JSON.stringify(token.text)} [${token.scopes.join(' ')}]`;
  assert.equal(token.start, column, `token should start at ${where}`);
  assert.equal(token.text, text, `token text at ${where}`);
  assert.ok(token.scopes.includes(scope), `${where} lacks ${scope}`);
}

function expectScope(doc: TokenizedDocument, line: number, column: number, scope: string, present = true): void {
  const token = tokenAt(doc, line, column);
  const where = `${line}:${column} ${JSON.stringify(token.text)} [${token.scopes.join(' ')}]`;
  assert.equal(token.scopes.includes(scope), present, `${where} should ${present ? '' : 'not '}have ${scope}`);
}

/**
 * Maximal runs of tokens inside an embedded expression, each as
 * [first line, first column, last line, last column] (last = inclusive).
 */
function embeddedRegions(doc: TokenizedDocument): number[][] {
  const regions: number[][] = [];
  let open: number[] | undefined;
  for (const token of doc.lines.flat()) {
    if (token.scopes.includes(EMBEDDED)) {
      open ??= [token.line, token.start];
      open[2] = token.line;
      open[3] = token.end - 1;
    } else if (open) {
      regions.push(open);
      open = undefined;
    }
  }
  if (open) regions.push(open);
  return regions;
}

const ATTRIBUTE_REGIONS = [
  [2, 47, 2, 188],
  [4, 42, 4, 103],
  [5, 33, 5, 101],
  [6, 45, 9, 8],
  [10, 26, 10, 70],
  [10, 81, 10, 109],
  [12, 47, 12, 75],
];
const TEXT_REGIONS = [
  [2, 18, 10, 8],
  [12, 19, 12, 87],
];

for (const withCSharp of [true, false]) {
  describe(`APIM policy grammar ${withCSharp ? 'with' : 'without'} the C# grammar`, () => {
    let grammar: IGrammar;
    let attributes: TokenizedDocument;
    let text: TokenizedDocument;
    let markup: TokenizedDocument;
    let liquid: TokenizedDocument;

    before(async () => {
      grammar = await loadPolicyGrammar(withCSharp);
      attributes = tokenizeDocument(grammar, readFixture('attribute-expressions.policy.xml'));
      text = tokenizeDocument(grammar, readFixture('text-expressions.policy.xml'));
      markup = tokenizeDocument(grammar, readFixture('markup.policy.xml'));
      liquid = tokenizeDocument(grammar, readFixture('liquid.policy.xml'));
    });

    it('makes each attribute expression exactly one embedded region, closed by its own bracket', () => {
      assert.deepEqual(embeddedRegions(attributes), ATTRIBUTE_REGIONS);
      for (const [line, column, endLine, endColumn] of ATTRIBUTE_REGIONS) {
        expectScope(attributes, line, column, EXPRESSION_BEGIN);
        expectScope(attributes, endLine, endColumn, EXPRESSION_END);
      }
    });

    it('keeps ", <, &&, => and nested parens inside the expression and resumes the tag after it', () => {
      expectToken(attributes, 2, 40, 'value', 'entity.other.attribute-name.apim-policy');
      expectToken(attributes, 2, 47, '@(', EXPRESSION_BEGIN);
      for (const column of [125, 140, 141, 149, 182, 183]) {
        expectScope(attributes, 2, column, EMBEDDED);
        if (withCSharp) expectScope(attributes, 2, column, 'source.cs');
      }
      expectToken(attributes, 2, 188, ')', EXPRESSION_END);
      expectToken(attributes, 2, 189, '"', 'punctuation.definition.string.end.apim-policy');
      expectScope(attributes, 2, 189, EMBEDDED, false);
      expectToken(attributes, 2, 191, '/>', 'punctuation.definition.tag.end.apim-policy');
      expectToken(attributes, 3, 9, 'check-header', TAG);
      expectToken(attributes, 3, 22, 'name', 'entity.other.attribute-name.apim-policy');
    });

    it('does not end an attribute at quotes, parens or braces inside C# strings and chars', () => {
      // Single-quoted attribute whose C# string holds a single quote.
      expectScope(attributes, 4, 99, EMBEDDED);
      expectToken(attributes, 4, 104, "'", 'punctuation.definition.string.end.apim-policy');
      expectScope(attributes, 4, 104, 'string.quoted.single.apim-policy');
      // Verbatim string with "" escapes and a ')' in a multi-line @{ } value.
      expectScope(attributes, 7, 59, EMBEDDED);
      expectScope(attributes, 7, 61, EMBEDDED);
      expectScope(attributes, 8, 33, EMBEDDED);
      expectToken(attributes, 9, 8, '}', EXPRESSION_END);
      expectToken(attributes, 9, 9, '"', 'punctuation.definition.string.end.apim-policy');
      expectToken(attributes, 11, 9, 'set-query-parameter', TAG);
    });

    it('ends a multi-line @{ } block in element text at its own closing brace', () => {
      assert.deepEqual(embeddedRegions(text), TEXT_REGIONS);
      expectToken(text, 2, 18, '@{', EXPRESSION_BEGIN);
      // A '}' in a char literal, a string and a line comment does not close the block.
      for (const [line, column] of [[7, 26], [8, 40], [9, 57]]) {
        expectScope(text, line, column, EMBEDDED);
        expectScope(text, line, column, EXPRESSION_END, false);
      }
      expectToken(text, 10, 8, '}', EXPRESSION_END);
      expectToken(text, 10, 9, '</', 'punctuation.definition.tag.begin.apim-policy');
      expectToken(text, 10, 11, 'set-body', TAG);
      expectToken(text, 12, 19, '@(', EXPRESSION_BEGIN);
      expectToken(text, 12, 87, ')', EXPRESSION_END);
    });

    it('does not start expressions at an @ inside words', () => {
      expectScope(text, 14, 50, EMBEDDED, false);
      expectScope(text, 14, 50, 'string.quoted.double.apim-policy');
      expectScope(text, 15, 30, EMBEDDED, false);
    });

    it('highlights {{named values}} in attribute values, text, CDATA and expression strings', () => {
      const namedValues: [TokenizedDocument, number, number, string][] = [
        [attributes, 3, 35, 'tier-header'],
        [attributes, 5, 43, 'environment-name'],
        [attributes, 12, 49, 'timeout-seconds'],
        [liquid, 4, 46, 'environment'],
        [text, 12, 69, 'region-suffix'],
        [text, 15, 41, 'support-mailbox'],
        [markup, 4, 37, 'cdata-token'],
        [markup, 7, 25, 'backend-host'],
      ];
      for (const [doc, line, column, name] of namedValues) {
        expectToken(doc, line, column, '{{', 'punctuation.definition.named-value.begin.apim-policy');
        expectToken(doc, line, column + 2, name, NAMED_VALUE);
        expectToken(doc, line, column + 2 + name.length, '}}', 'punctuation.definition.named-value.end.apim-policy');
      }
      // Inside C# strings the named value sits within the string scope...
      const csharpString = withCSharp ? 'string.quoted.double.cs' : 'string.quoted.double.expression.apim-policy';
      expectScope(text, 12, 71, csharpString);
      expectScope(attributes, 5, 45, withCSharp ? csharpString : 'string.quoted.double.interpolated.expression.apim-policy');
      // ...and a single '{' after it still opens an interpolation hole.
      expectScope(attributes, 5, 64, withCSharp ? 'meta.embedded.interpolation.cs' : 'meta.interpolation.expression.apim-policy');
      expectScope(attributes, 5, 95, withCSharp ? csharpString : 'string.quoted.double.expression.apim-policy');
    });

    it('shows XML entities in markup and in XML-escaped expressions', () => {
      expectToken(attributes, 3, 113, '&', 'constant.character.entity.apim-policy');
      expectToken(markup, 5, 83, '&', 'punctuation.definition.constant.apim-policy');
      expectToken(markup, 5, 84, 'lt', 'constant.character.entity.apim-policy');
      expectToken(markup, 5, 94, '#x41', 'constant.character.entity.apim-policy');
      for (const column of [51, 63, 83, 91, 96, 103]) {
        expectToken(attributes, 10, column, '&', 'constant.character.entity.apim-policy');
        expectScope(attributes, 10, column, EMBEDDED);
      }
    });

    it('scopes the processing instruction, comments and CDATA', () => {
      expectToken(markup, 0, 0, '<?', 'meta.tag.preprocessor.apim-policy');
      expectToken(markup, 0, 2, 'xml', TAG);
      expectToken(markup, 0, 6, 'version', 'entity.other.attribute-name.apim-policy');
      expectToken(markup, 0, 15, '1.0', 'string.quoted.double.apim-policy');
      expectToken(markup, 0, 36, '?>', 'punctuation.definition.tag.end.apim-policy');
      expectToken(markup, 1, 0, '<!--', 'punctuation.definition.comment.apim-policy');
      // A tag and an @( inside a comment are just comment text.
      expectScope(markup, 2, 6, 'comment.block.apim-policy');
      expectScope(markup, 2, 6, TAG, false);
      expectScope(markup, 2, 53, EMBEDDED, false);
      expectToken(markup, 2, 70, '-->', 'punctuation.definition.comment.apim-policy');
      expectToken(markup, 4, 14, '<![CDATA[', 'punctuation.definition.string.begin.apim-policy');
      expectToken(markup, 4, 23, '<raw a="1"> & ', 'string.unquoted.cdata.apim-policy');
      expectToken(markup, 4, 52, ']]>', 'punctuation.definition.string.end.apim-policy');
      expectToken(markup, 4, 57, 'set-body', TAG);
    });

    it('gives section elements the section tag scope and other elements the plain one', () => {
      expectToken(markup, 3, 1, 'fragment', SECTION_TAG);
      expectToken(markup, 9, 2, 'fragment', SECTION_TAG);
      expectToken(markup, 6, 5, 'send-request', TAG);
      expectScope(markup, 6, 5, SECTION_TAG, false);
    });

    it('highlights liquid tags and output inside <set-body template="liquid"> only', () => {
      const begin = 'punctuation.section.embedded.begin.liquid.apim-policy';
      const end = 'punctuation.section.embedded.end.liquid.apim-policy';
      expectToken(liquid, 3, 12, '{%-', begin);
      expectToken(liquid, 3, 16, 'assign', 'keyword.control.liquid.apim-policy');
      expectToken(liquid, 3, 49, '"count"', 'string.quoted.double.liquid.apim-policy');
      expectToken(liquid, 3, 60, 'Plus', 'support.function.filter.liquid.apim-policy');
      expectToken(liquid, 3, 68, '-%}', end);
      // Output in an attribute value of the template's own markup.
      expectToken(liquid, 4, 28, '{{', begin);
      expectScope(liquid, 4, 28, 'string.quoted.double.apim-policy');
      expectToken(liquid, 4, 31, 'total', 'variable.other.liquid.apim-policy');
      expectToken(liquid, 5, 62, '{{', begin);
      expectToken(liquid, 5, 77, 'Upcase', 'support.function.filter.liquid.apim-policy');
      expectToken(liquid, 5, 95, '%}', end);
      // Quotes inside output do not leak into the surrounding text.
      expectToken(liquid, 6, 62, '"email"', 'string.quoted.double.liquid.apim-policy');
      expectToken(liquid, 6, 70, '}}', end);
      assert.deepEqual(tokenAt(liquid, 6, 72).scopes, [POLICY_SCOPE, 'meta.template.liquid.apim-policy']);
      expectToken(liquid, 8, 10, 'set-body', TAG);
      // A self-closing liquid set-body opens no template; a plain set-body is not one.
      expectScope(liquid, 10, 20, 'meta.template.liquid.apim-policy', false);
      expectScope(liquid, 10, 20, begin, false);
      expectScope(liquid, 10, 20, NAMED_VALUE, false);
    });

    it('leaves every fixture at document level', () => {
      for (const doc of [attributes, text, markup, liquid]) assert.deepEqual(scopesAfter(grammar, doc), [POLICY_SCOPE]);
    });
  });
}

describe('APIM policy grammar over the real-world policies', () => {
  const corpus = path.resolve(repoRoot(), '../shared/reference/real-world-policies');
  const files = fs.existsSync(corpus) ? fs.readdirSync(corpus).filter((f) => f.endsWith('.xml')).sort() : [];

  it('finds the 59 reference policies', () => {
    assert.equal(files.length, 59, `expected 59 policies in ${corpus} (shared/ must sit beside the repo)`);
  });

  // The one upstream policy whose C# never balances: a formatter rewrote its
  // quotes (e.g. Variables["latlong=""\n lat=""...), so APIM could not compile
  // it either and TextMate cannot recover inside the open C# construct.
  it('has exactly one policy with an unbalanced expression, per the independent lexer', () => {
    const malformed = files.filter((file) =>
      lexPolicy(fs.readFileSync(path.join(corpus, file), 'utf8')).expressions.some((e) => !e.end),
    );
    assert.deepEqual(malformed, ['Call-out-to-an-HTTP-endpoint-and-cache-the-response.policy.xml']);
  });

  for (const withCSharp of [true, false]) {
    describe(withCSharp ? 'with the C# grammar' : 'without the C# grammar', () => {
      let grammar: IGrammar;
      const totals = { expressions: 0, tags: 0 };

      before(async () => {
        grammar = await loadPolicyGrammar(withCSharp);
      });

      for (const file of files) {
        it(file, () => {
          const source = fs.readFileSync(path.join(corpus, file), 'utf8');
          const lexed = lexPolicy(source);
          const doc = tokenizeDocument(grammar, source);
          totals.expressions += lexed.expressions.length;
          totals.tags += lexed.tags.length;

          for (const { start, end } of lexed.expressions) {
            expectToken(doc, start.line, start.column, source.split('\n')[start.line].slice(start.column, start.column + 2), EXPRESSION_BEGIN);
            if (end) {
              expectScope(doc, end.line, end.column, EXPRESSION_END);
              assert.equal(tokenAt(doc, end.line, end.column).start, end.column, `expression end at ${end.line}:${end.column}`);
            } else {
              // The runaway starts exactly at the malformed expression, not earlier.
              assert.deepEqual(tokenAt(doc, start.line, 0).scopes, [POLICY_SCOPE]);
            }
          }
          for (const tag of lexed.tags) {
            expectToken(doc, tag.line, tag.column, tag.name, SECTIONS.has(tag.name) ? SECTION_TAG : TAG);
          }

          if (lexed.expressions.every((e) => e.end)) {
            const last = lexed.tags.at(-1);
            assert.ok(last?.closing && (last.name === 'policies' || last.name === 'fragment'), `${file} ends with ${last?.name}`);
            assert.deepEqual(scopesAfter(grammar, doc), [POLICY_SCOPE], `${file} leaves a region open`);
          }
        });
      }

      it('checked every expression and tag of the corpus', () => {
        // Guards against the oracle silently seeing nothing.
        assert.ok(totals.expressions > 400, `only ${totals.expressions} expressions checked`);
        assert.ok(totals.tags > 2400, `only ${totals.tags} tags checked`);
      });
    });
  }
});
