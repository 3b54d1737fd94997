// Hover and signature help inside C# policy expressions, with cursor markers.
import * as assert from 'node:assert/strict';
import { enableCSharp } from './support/csharp';
import { atCursor, inSection, languageService, parse } from './support/cursor';

function hover(source: string): { text: string; covered: string; markdown: string } | undefined {
  const { text, offset } = atCursor(source);
  const result = languageService().doHover(parse(text), offset);
  return result && { text, covered: text.slice(result.start, result.end), markdown: result.markdown };
}
function signature(source: string) {
  const { text, offset } = atCursor(source);
  return languageService().doSignatureHelp(parse(text), offset);
}
const inValue = (code: string): string => inSection('inbound', `<set-variable name="a" value="@(${code})" />`);

describe('hover in expressions', () => {
  before(enableCSharp);

  it('shows a member with its signature, description and docs link', () => {
    const result = hover(inValue('context.Request.Hea|ders'));
    assert.equal(result?.covered, 'Headers');
    assert.match(result?.markdown ?? '', /```csharp\nIReadOnlyDictionary<string, string\[\]> IRequest\.Headers\n```/);
    assert.match(result?.markdown ?? '', /learn\.microsoft\.com\/azure\/api-management\/api-management-policy-expressions/);
  });

  it('shows the overload a call picks, with generic arguments filled in', () => {
    const result = hover(inValue('context.Variables.GetValue|OrDefault<int>("n", 0)'));
    assert.match(result?.markdown ?? '', /int GetValueOrDefault<int>\(string variableName, int defaultValue\)/);
    assert.match(result?.markdown ?? '', /overload/);
  });

  it('shows context, locals and lambda parameters with their types', () => {
    assert.match(hover(inValue('con|text.Request'))?.markdown ?? '', /IContext context/);
    const block = inSection('inbound', '<set-body>@{ var jwt = context.Request.Headers.GetValueOrDefault("a", "").AsJwt(); return j|wt.Subject; }</set-body>');
    assert.match(hover(block)?.markdown ?? '', /\(local\) Jwt jwt/);
    assert.match(hover(inValue('context.Request.Headers.Any(h| => h.Key == "a")'))?.markdown ?? '', /\(parameter\) KeyValuePair<string, string\[\]> h/);
  });

  it('shows types and the types APIM does not allow', () => {
    assert.match(hover(inValue('Enco|ding.UTF8'))?.markdown ?? '', /class System\.Text\.Encoding/);
    assert.match(hover(inValue('Environ|ment.MachineName'))?.markdown ?? '', /Not allowed in policy expressions/);
  });

  it('says where the document sets a variable named in context.Variables', () => {
    const text = inSection('inbound', '<set-variable name="tenant" value="@(context.Request.Method)" />\n    <set-header name="x"><value>@((string)context.Variables["ten|ant"])</value></set-header>');
    const result = hover(text);
    assert.equal(result?.covered, 'tenant');
    assert.match(result?.markdown ?? '', /set-variable name="tenant".*line 3 — string/);
    assert.match(hover(inValue('context.Variables["nowhere|"]'))?.markdown ?? '', /not set in this document/);
  });
});

describe('signature help in expressions', () => {
  before(enableCSharp);

  it('shows the parameters of the call being typed, the active one by position', () => {
    const help = signature(inValue('context.Request.Headers.GetValueOrDefault("a", |)'));
    assert.ok(help);
    const active = help.signatures[help.activeSignature];
    assert.equal(active.label, 'GetValueOrDefault(string name, string defaultValue)');
    assert.equal(help.activeParameter, 1);
    const [start, end] = active.parameters[1].label;
    assert.equal(active.label.slice(start, end), 'string defaultValue');
  });

  it('follows named arguments and generic arguments (As<T>(preserveContent))', () => {
    const help = signature(inValue('context.Request.Body.As<JObject>(preserveContent: |)'));
    assert.equal(help?.signatures[help.activeSignature].label, 'As(bool preserveContent = false)');
    assert.equal(help?.activeParameter, 0);
  });

  it('lists overloads and works while the expression is unfinished', () => {
    const help = signature(inSection('inbound', '<set-variable name="a" value="@(context.Variables.GetValueOrDefault<string>(|" />'));
    assert.ok(help && help.signatures.length >= 2, 'both GetValueOrDefault<T> overloads');
    assert.match(help.signatures.map((s) => s.label).join('\n'), /GetValueOrDefault\(string variableName, string defaultValue\)/);
  });

  it('answers nothing outside a call', () => {
    assert.equal(signature(inValue('context.Request.Method|')), undefined);
  });
});
