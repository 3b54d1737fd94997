// Completion inside C# policy expressions, with cursor markers.
import * as assert from 'node:assert/strict';
import type { CompletionEntry } from '../../server/src/language/languageService';
import { getLanguageService } from '../../server/src/language/languageService';
import { enableCSharp } from './support/csharp';
import { atCursor, inSection, languageService, parse } from './support/cursor';

function complete(source: string): CompletionEntry[] {
  const { text, offset } = atCursor(source);
  return languageService().doComplete(parse(text), offset).items;
}
const labels = (items: CompletionEntry[]): string[] => items.map((i) => i.label);
const inValue = (code: string): string => inSection('inbound', `<set-variable name="a" value="@(${code})" />`);
const inBlock = (code: string): string => inSection('inbound', `<set-body>@{ ${code} }</set-body>`);

describe('completion in expressions', () => {
  before(enableCSharp);

  it('offers the members of context after context.', () => {
    const items = labels(complete(inValue('context.|')));
    for (const member of ['Api', 'Deployment', 'Elapsed', 'LastError', 'Operation', 'Product', 'Request', 'RequestId', 'Response', 'Subscription', 'Timestamp', 'Tracing', 'Trace', 'User', 'Variables']) {
      assert.ok(items.includes(member), member);
    }
    assert.ok(!items.includes('override'), 'no attribute values');
  });

  it('offers IRequest members after context.Request. and IUrl members after context.Request.Url.', () => {
    const request = complete(inValue('context.Request.|'));
    assert.deepEqual(
      labels(request).filter((l) => !['Equals', 'GetHashCode', 'ToString'].includes(l)).sort(),
      ['AzureVnetInfo', 'Body', 'Certificate', 'Headers', 'IpAddress', 'MatchedParameters', 'Method', 'OriginalUrl', 'PrivateEndpointConnection', 'Url'],
    );
    const headers = request.find((i) => i.label === 'Headers');
    assert.equal(headers?.kind, 'property');
    assert.match(headers?.detail ?? '', /IReadOnlyDictionary<string, string\[\]> IRequest\.Headers/);
    assert.match(headers?.documentation ?? '', /learn\.microsoft\.com/);
    assert.ok(labels(complete(inValue('context.Request.Url.|'))).includes('QueryString'));
  });

  it('replaces the part of the member name already typed', () => {
    const { text, offset } = atCursor(inValue('context.Req|uest'));
    const item = languageService().doComplete(parse(text), offset).items.find((i) => i.label === 'Request');
    assert.ok(item);
    assert.equal(text.slice(item.replace.start, item.replace.end), 'Request');
  });

  it('types locals declared with var or a type, and follows method results', () => {
    assert.ok(labels(complete(inBlock('var body = context.Request.Body.As<JObject>(); return body.|'))).includes('Properties'));
    assert.ok(labels(complete(inBlock('string s = "a"; return s.|'))).includes('Substring'));
    assert.ok(labels(complete(inValue('context.Request.Headers.GetValueOrDefault("a", "").|'))).includes('Split'));
  });

  it('types lambda parameters from the collection (h is a header)', () => {
    const items = labels(complete(inValue('context.Request.Headers.Where(h => h.|)')));
    assert.ok(items.includes('Key'));
    assert.ok(items.includes('Value'));
  });

  it('types casts, as and generic As<T>() results', () => {
    assert.ok(labels(complete(inValue('((IResponse)context.Variables["r"]).|'))).includes('StatusCode'));
    assert.ok(labels(complete(inValue('(context.Variables["t"] as Jwt).|'))).includes('Claims'));
    assert.ok(labels(complete(inValue('context.Response.Body.As<JObject>(preserveContent: true).|'))).includes('Property'));
  });

  it('offers static members of allowed types, and members of their values', () => {
    const encoding = labels(complete(inValue('Encoding.|')));
    assert.ok(encoding.includes('UTF8'));
    assert.ok(!encoding.includes('GetBytes'), 'instance members need an instance');
    assert.ok(labels(complete(inValue('Encoding.UTF8.|'))).includes('GetBytes'));
    assert.ok(labels(complete(inValue('Convert.|'))).includes('ToBase64String'));
    assert.ok(labels(complete(inValue('JObject.|'))).includes('Parse'));
    assert.ok(labels(complete(inValue('System.Text.|'))).includes('Encoding'));
  });

  it('offers extension methods APIM adds (AsJwt on a string)', () => {
    const item = complete(inValue('context.Request.Headers.GetValueOrDefault("Authorization", "").|')).find((i) => i.label === 'AsJwt');
    assert.ok(item);
    assert.equal(item.kind, 'method');
    assert.match(item.detail ?? '', /^Jwt AsJwt\(\)/);
  });

  it('offers locals, context, types and statement keywords where a statement starts', () => {
    const items = complete(inBlock('var total = 1; |'));
    const names = labels(items);
    for (const name of ['total', 'context', 'JObject', 'Convert', 'return', 'if', 'var']) assert.ok(names.includes(name), name);
    assert.ok(!labels(complete(inValue('|'))).includes('return'), 'no statements in @( )');
  });

  it('offers the variables the document sets inside context.Variables["…"] and its lookups', () => {
    const doc = (lookup: string): string =>
      inSection(
        'inbound',
        `<set-variable name="tenant" value="@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;))" />
    <send-request mode="new" response-variable-name="lookup"><set-url>https://x</set-url><set-method>GET</set-method></send-request>
    <cache-lookup-value key="k" variable-name="cached" />
    <validate-jwt header-name="Authorization" output-token-variable-name="jwt"><issuer-signing-keys><key>k</key></issuer-signing-keys></validate-jwt>
    <set-header name="x"><value>@(${lookup})</value></set-header>`,
      );
    for (const lookup of ['context.Variables["|"]', 'context.Variables.GetValueOrDefault<string>("|")', 'context.Variables.ContainsKey("|")']) {
      const items = complete(doc(lookup));
      assert.deepEqual(labels(items).sort(), ['cached', 'jwt', 'lookup', 'tenant'], lookup);
      assert.equal(items.find((i) => i.label === 'tenant')?.detail, 'string');
      assert.equal(items.find((i) => i.label === 'lookup')?.detail, 'IResponse');
      assert.match(items.find((i) => i.label === 'jwt')?.documentation ?? '', /validate-jwt output-token-variable-name="jwt".*line 6/);
    }
  });

  it('answers with nothing (not word guesses) inside other strings and comments', () => {
    assert.deepEqual(complete(inValue('"abc|"')), []);
    assert.deepEqual(complete(inBlock('// note |\n return 1;')), []);
  });

  it('works in an expression that is still being typed', () => {
    assert.ok(labels(complete(inSection('inbound', '<set-header name="a"><value>@(context.|</value></set-header>'))).includes('Request'));
    assert.ok(labels(complete(inSection('inbound', '<set-variable name="a" value="@(context.Request.|'))).includes('Headers'));
  });

  it('treats {{named values}} inside code as opaque', () => {
    const items = labels(complete(inValue('{{limit}}.|')));
    assert.deepEqual(items, []);
    assert.ok(labels(complete(inValue('"{{prefix}}" + context.|'))).includes('Request'));
  });

  it('answers with an empty list while the C# parser is not loaded', () => {
    const fresh = getLanguageService();
    const { text, offset } = atCursor(inValue('context.|'));
    assert.deepEqual(fresh.doComplete(fresh.parse(text), offset), { items: [], incomplete: false });
  });
});
