// Exercises the regular expressions of language-configuration.json the way
// VS Code compiles them (plain JavaScript RegExp from the JSON strings).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './tokenizer';

interface OnEnterRule {
  beforeText: string;
  afterText?: string;
  action: { indent: string };
}

interface LanguageConfiguration {
  comments: { blockComment: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  wordPattern: string;
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: OnEnterRule[];
  folding: { markers: { start: string; end: string } };
}

const config = JSON.parse(
  fs.readFileSync(path.join(repoRoot(), 'language-configuration.json'), 'utf8'),
) as LanguageConfiguration;

/** The indent action of the first rule matching the text around the cursor, as VS Code picks it. */
function onEnter(before: string, after: string): string | undefined {
  const rule = config.onEnterRules.find(
    (r) => new RegExp(r.beforeText).test(before) && (r.afterText === undefined || new RegExp(r.afterText).test(after)),
  );
  return rule?.action.indent;
}

describe('APIM policy language configuration', () => {
  it('uses XML block comments and pairs comment and tag brackets', () => {
    assert.deepEqual(config.comments.blockComment, ['<!--', '-->']);
    for (const pair of [['<!--', '-->'], ['<', '>'], ['{', '}'], ['(', ')']]) {
      assert.ok(config.brackets.some(([open, close]) => open === pair[0] && close === pair[1]), `bracket ${pair.join('')}`);
    }
  });

  it('treats hyphenated policy names and named values as single words', () => {
    const words = (text: string) => text.match(new RegExp(config.wordPattern, 'g'));
    assert.deepEqual(words('<set-header exists-action="override">'), ['set-header', 'exists-action', 'override']);
    assert.deepEqual(words('https://{{backend-host.v2}}/x'), ['https', 'backend-host.v2', 'x']);
    assert.deepEqual(words('timeout="0.5"'), ['timeout', '0.5']);
  });

  it('indents after open tags and open blocks, not after self-closing or one-line elements', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    for (const line of ['<inbound>', '  <set-header name="a" exists-action="override">', '<when condition="@(a > 1 && b == "x")">', '<!-- start', '<set-body>@{']) {
      assert.ok(increase.test(line), `should indent after ${line}`);
    }
    for (const line of ['<base />', '<value>x</value>', '</inbound>', '<!-- note -->', '<set-url>https://{{host}}</set-url>']) {
      assert.ok(!increase.test(line), `should not indent after ${line}`);
    }
  });

  it('outdents closing tags, comment ends and closing braces', () => {
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    for (const line of ['    </inbound>', '</policies >', '  -->', '        }</set-body>', '  })']) {
      assert.ok(decrease.test(line), `should outdent ${line}`);
    }
    for (const line of ['<inbound>', '  <base />', '  return x;']) assert.ok(!decrease.test(line), `should not outdent ${line}`);
  });

  it('splits open and close tags onto indented lines on Enter', () => {
    assert.equal(onEnter('    <inbound>', '</inbound>'), 'indentOutdent');
    assert.equal(onEnter('<set-header name="a" exists-action="override">', ''), 'indent');
    assert.equal(onEnter('<when condition="@(x > 2)">', '</when>'), 'indentOutdent');
    assert.equal(onEnter('<set-body>@{', '}</set-body>'), 'indentOutdent');
    assert.equal(onEnter('<set-variable name="v" value="@(', ')" />'), 'indentOutdent');
    assert.equal(onEnter('<base />', ''), undefined);
    assert.equal(onEnter('<value>x</value>', ''), undefined);
    assert.equal(onEnter('</inbound>', ''), undefined);
  });

  it('auto-closes {{ as a whole named-value reference and <!-- as a comment', () => {
    const pair = (open: string) => config.autoClosingPairs.find((p) => p.open === open);
    assert.equal(pair('{{')?.close, '}}');
    // VS Code treats {{ as containing { and only adds the missing }, so typing
    // "{" then "{" yields {{|}}: that relies on { closing with }.
    assert.equal(pair('{')?.close, '}');
    assert.equal(pair('<!--')?.close, ' -->');
    assert.deepEqual(pair('"')?.notIn, ['string', 'comment']);
  });

  it('folds #region comments', () => {
    assert.ok(new RegExp(config.folding.markers.start).test('  <!-- #region auth -->'));
    assert.ok(new RegExp(config.folding.markers.end).test('  <!-- #endregion -->'));
    assert.ok(!new RegExp(config.folding.markers.start).test('  <!-- regional backends -->'));
  });
});
