// Diagnostics inside C# policy expressions: each code fires on its mistake, once,
// at the right place, and stays silent where the model is not sure.
import * as assert from 'node:assert/strict';
import type { PolicyDiagnostic } from '../../server/src/language/languageService';
import { getLanguageService } from '../../server/src/language/languageService';
import { enableCSharp } from './support/csharp';
import { inSection, languageService, parse } from './support/cursor';

const validate = (text: string): PolicyDiagnostic[] => languageService().doValidation(parse(text));
const inValue = (code: string): string => inSection('inbound', `<set-variable name="a" value="@(${code})" />`);
const inBlock = (code: string): string => inSection('inbound', `<set-body>@{ ${code} }</set-body>`);

/** The diagnostics as "code: covered text", which says what and where in one string. */
function found(text: string): string[] {
  return validate(text).map((d) => `${d.code}: ${text.slice(d.start, d.end)}`);
}

describe('expression diagnostics', () => {
  before(enableCSharp);

  it('unknown-member on a type whose members the model lists completely', () => {
    assert.deepEqual(found(inValue('context.User.EmailAddress')), ['unknown-member: EmailAddress']);
    assert.deepEqual(found(inValue('context.Request.Header')), ['unknown-member: Header']);
    const [diagnostic] = validate(inValue('context.Request.Header'));
    assert.equal(diagnostic.severity, 'error');
    assert.match(diagnostic.message, /'IRequest' has no member 'Header'\. Did you mean 'Headers'\?/);
  });

  it('unknown-member for a member of a method (context.Trace.TraceError)', () => {
    assert.deepEqual(found(inBlock('context.Trace.TraceError("x"); return 1;')), ['unknown-member: TraceError']);
  });

  it('never unknown-member on a type the model knows only in part', () => {
    assert.deepEqual(found(inValue('context.Request.Body.As<JObject>().SomethingNew')), []);
    assert.deepEqual(found(inValue('context.Request.Headers.SomethingNew')), []);
    assert.deepEqual(found(inValue('context.Product.SubscriptionsLimit')), []);
  });

  it('unknown-identifier for a name that is nothing (request.Headers), with a hint', () => {
    const text = inValue('request.Headers.GetValueOrDefault("a", "")');
    assert.deepEqual(found(text), ['unknown-identifier: request']);
    assert.match(validate(text)[0].message, /context\.Request/);
  });

  it('knows locals, parameters, lambda parameters, out, pattern, foreach and catch variables', () => {
    const code = `
      string[] value;
      if (context.Request.Headers.TryGetValue("Authorization", out value) && value.Length > 0) { }
      context.Request.Headers.TryGetValue("x", out var other);
      var count = context.Request.Headers.Where(h => h.Key.StartsWith("x")).Count();
      foreach (var header in context.Request.Headers) { if (header.Value is string[] items && items.Length > 0) { count++; } }
      try { count = int.Parse(other[0]); } catch (Exception error) { return error.Message; }
      return value[0] + count;`;
    assert.deepEqual(found(inBlock(code)), []);
  });

  it('type-not-allowed for types and members APIM rejects', () => {
    assert.deepEqual(found(inValue('System.IO.File.ReadAllText("x")')), ['type-not-allowed: File']);
    assert.deepEqual(found(inValue('Environment.MachineName')), ['type-not-allowed: Environment']);
    assert.deepEqual(found(inBlock('var client = new HttpClient(); return 1;')), ['type-not-allowed: HttpClient']);
    assert.deepEqual(found(inValue('context.GetType()')), ['type-not-allowed: GetType']);
    assert.deepEqual(found(inValue('Regex.CacheSize')), ['type-not-allowed: CacheSize']);
  });

  it('expression-syntax for a missing ;, <>, markup in code and C# 8+ syntax, once each', () => {
    assert.deepEqual(found(inBlock('var x = 1\n      return x;')), ['expression-syntax: 1']);
    assert.deepEqual(found(inValue('1 <> 2')), ['expression-syntax: <>']);
    assert.deepEqual(found(inBlock('var s = "a"; if (s == <tag>) { } return s;')), ['expression-syntax: <']);
    assert.deepEqual(found(inValue('context.Request.Method is not null')), ['expression-syntax: not null']);
    assert.deepEqual(found(inValue('context.Request.Method switch { "GET" => 1, _ => 2 }')).map((f) => f.split(':')[0]), ['expression-syntax']);
    assert.deepEqual(found(inValue('new()')).map((f) => f.split(':')[0]), ['expression-syntax']);
    assert.deepEqual(found(inValue('"abc"[1..2]')).map((f) => f.split(':')[0]), ['expression-syntax']);
    const [semicolon] = validate(inBlock('var x = 1\n      return x;'));
    assert.match(semicolon.message, /Expected ';'/);
  });

  it('missing-return when a path of @{ } does not return', () => {
    assert.deepEqual(found(inBlock('if (context.Request.Method == "GET") { return 1; }')), ['missing-return: }']);
    assert.deepEqual(found(inBlock('if (context.Request.Method == "GET") { return 1; } else { return 2; }')), []);
    assert.deepEqual(found(inBlock('try { return 1; } catch (Exception) { throw; }')), []);
    assert.deepEqual(found(inBlock('switch (context.Request.Method) { case "GET": return 1; default: return 2; }')), []);
    assert.deepEqual(found(inBlock('while (true) { return 1; }')), []);
  });

  it('treats {{named values}} as opaque literals, in strings and outside them', () => {
    assert.deepEqual(found(inValue('{{limit}} * 2')), []);
    assert.deepEqual(found(inValue('"{{prefix}}-" + context.Request.Method')), []);
    assert.deepEqual(found(inValue('{{isEnabled}} && context.Tracing')), []);
  });

  it('decodes XML references before reading the C#', () => {
    const text = inSection('inbound', '<set-variable name="a" value="@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;).Length &gt; 0 &amp;&amp; context.Tracing)" />');
    assert.deepEqual(found(text), []);
    const wrong = inSection('inbound', '<set-variable name="a" value="@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;).Lenght)" />');
    assert.deepEqual(found(wrong), []); // string is not complete in the starter model: silent
    const member = inSection('inbound', '<set-variable name="a" value="@(&quot;&quot; + context.User.EmailAddress)" />');
    assert.deepEqual(found(member), ['unknown-member: EmailAddress'], 'the range maps back through the references');
  });

  it('warns when GetValueOrDefault<T> reads a variable as another type than the document stored', () => {
    const text = inSection(
      'inbound',
      `<set-variable name="count" value="@(5)" />
    <set-variable name="label" value="plain text" />
    <set-header name="a"><value>@(context.Variables.GetValueOrDefault<string>("count"))</value></set-header>
    <set-header name="b"><value>@(context.Variables.GetValueOrDefault<int>("label"))</value></set-header>
    <set-header name="c"><value>@(context.Variables.GetValueOrDefault<int>("count").ToString())</value></set-header>
    <set-header name="d"><value>@(context.Variables.GetValueOrDefault<object>("label").ToString())</value></set-header>`,
    );
    const diagnostics = validate(text).map((d) => `${d.code}/${d.severity}: ${text.slice(d.start, d.end)}`);
    assert.deepEqual(diagnostics, ['variable-type-mismatch/warning: <string>', 'variable-type-mismatch/warning: <int>']);
  });

  it('checks only what APIM evaluates: a whole value or a whole element text', () => {
    assert.deepEqual(found(inSection('outbound', '<set-body>Contact: someone@(example) or request.Headers</set-body>')), []);
  });

  it('one malformed-expression for literal text before an expression in a value, no cascade', () => {
    const text = inSection('inbound', '<rewrite-uri template="/items/@(context.Request.MatchedParameters["id"])" />\n    <set-header name="a" exists-action="override" />');
    assert.deepEqual(found(text), ['malformed-expression: @(context.Request.MatchedParameters["id"])']);
    assert.match(validate(text)[0].message, /whole attribute value/);
  });

  it('no C# diagnostics before the parser is loaded, and the XML ones still come', () => {
    const fresh = getLanguageService();
    const text = inValue('context.User.EmailAddress') + '<oops';
    const codes = fresh.doValidation(fresh.parse(text)).map((d) => d.code);
    assert.ok(!codes.includes('unknown-member'));
    assert.ok(codes.includes('malformed-xml'));
  });

  it('code nested deeper than real policies is left unchecked, never misread and never thrown out', () => {
    // tree-sitter's C# scanner loses nested interpolated strings after a few hundred levels.
    const interpolations = (n: number): string => `${'$"{'.repeat(n)}1${'}"'.repeat(n)}`;
    assert.deepEqual(found(inValue(interpolations(300))), []);
    assert.deepEqual(found(inValue(interpolations(5_000))), []);
    // Deep without brackets: the binder walks these recursively.
    assert.deepEqual(found(inValue(Array(20_000).fill('1').join(' + '))), []);
    assert.deepEqual(found(inValue('context.RequestId' + '.ToString()'.repeat(20_000))), []);
    assert.deepEqual(found(inBlock('if (true) '.repeat(20_000) + 'return 1; return 2;')), []);
    // Shallow code in the same document is still checked.
    assert.deepEqual(found(inValue(interpolations(3) + ' + context.User.EmailAddress')), ['unknown-member: EmailAddress']);
  });

  it('binds each interpolation hole once, so 40 nested interpolated strings finish (binding per enclosing string was exponential)', () => {
    // Binding every descendant hole per enclosing string was exponential: 22 levels took 37 s.
    const text = inValue(`${'$"{'.repeat(40)}context.User.EmailAddress${'}"'.repeat(40)}`);
    assert.deepEqual(found(text), ['unknown-member: EmailAddress']);
  });
});
