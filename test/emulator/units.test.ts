// Pure pieces of the emulator: the OData $filter subset, policy format conversion, Key Vault identifiers.
import * as assert from 'node:assert/strict';
import { compileFilter, FilterError, type FieldMap } from '../../emulator/odata';
import { toRawXmlFormat, toXmlFormat } from '../../emulator/policyFormat';
import { armTimestamp, parseSecretIdentifier } from '../../emulator/keyVault';
import { etag, etagMatches } from '../../emulator/armResources';

interface Item { name: string; displayName: string; tags?: string[] }

const FIELDS: FieldMap = {
  name: { scalar: (i: Item) => i.name },
  displayName: { scalar: (i: Item) => i.displayName },
  tags: { collection: (i: Item) => i.tags },
};

const ITEMS: Item[] = [
  { name: 'a', displayName: 'Backend-Key', tags: ['Secrets', 'prod'] },
  { name: 'b', displayName: 'backend-url', tags: ['prod'] },
  { name: 'c', displayName: "o'brien-setting" },
];

function matching(filter: string): string[] {
  return ITEMS.filter(compileFilter<Item>(filter, FIELDS)).map((i) => i.name);
}

describe('emulator: OData $filter subset', () => {
  it('compares case-insensitively with eq/ne/gt/ge/lt/le', () => {
    assert.deepEqual(matching("displayName eq 'backend-key'"), ['a']);
    assert.deepEqual(matching("displayName ne 'backend-key'"), ['b', 'c']);
    assert.deepEqual(matching("displayName gt 'backend-key'"), ['b', 'c']);
    assert.deepEqual(matching("displayName le 'backend-url'"), ['a', 'b']);
    assert.deepEqual(matching("name lt 'b'"), ['a']);
    assert.deepEqual(matching("name ge 'b'"), ['b', 'c']);
  });

  it('supports the string functions, including substringof argument order', () => {
    assert.deepEqual(matching("contains(displayName, 'END')"), ['a', 'b']);
    assert.deepEqual(matching("startswith(displayName, 'backend-u')"), ['b']);
    assert.deepEqual(matching("endswith(displayName, 'key')"), ['a']);
    assert.deepEqual(matching("substringof('url', displayName)"), ['b']);
  });

  it('combines with and/or/not and parentheses, and reads escaped quotes', () => {
    assert.deepEqual(matching("contains(displayName,'backend') and not (name eq 'a' or name eq 'x')"), ['b']);
    assert.deepEqual(matching("displayName eq 'O''Brien-setting'"), ['c']);
  });

  it('supports any/all lambdas over collections, treating a missing collection as empty', () => {
    assert.deepEqual(matching("tags/any(t: t eq 'prod')"), ['a', 'b']);
    assert.deepEqual(matching("tags/any(t: startswith(t, 'sec'))"), ['a']);
    assert.deepEqual(matching("tags/all(t: t eq 'prod')"), ['b', 'c']);
  });

  it('rejects anything outside the subset', () => {
    for (const bad of [
      "value eq 'x'", "tolower(name) eq 'a'", "tags eq 'prod'", "name/any(t: t eq 'a')", "name eq 'a", 'name eq',
      "name eq 'a' extra", "contains(name)", "name has 'a'", "(name eq 'a'",
    ]) {
      assert.throws(() => compileFilter<Item>(bad, FIELDS), FilterError, bad);
    }
  });
});

describe('emulator: policy formats', () => {
  it('escapes expression text and attribute expressions for xml and restores them for rawxml', () => {
    const raw = '<policies><inbound><set-variable name="v" value="@(context.Request.Headers.GetValueOrDefault("a","") != "")" />'
      + '<set-body>@{ return x < 1 && y > 2 ? "a" : "b"; }</set-body><!-- a < b --></inbound></policies>';
    const xml = toXmlFormat(raw);
    assert.equal(xml,
      '<policies><inbound><set-variable name="v" value="@(context.Request.Headers.GetValueOrDefault(&quot;a&quot;,&quot;&quot;) != &quot;&quot;)" />'
      + '<set-body>@{ return x &lt; 1 &amp;&amp; y &gt; 2 ? "a" : "b"; }</set-body><!-- a < b --></inbound></policies>');
    assert.equal(toRawXmlFormat(xml), raw);
  });

  it('leaves plain documents and existing entities unchanged', () => {
    const doc = '<policies><inbound><set-header name="x"><value>a &amp; b {{named-value}}</value></set-header></inbound></policies>';
    assert.equal(toXmlFormat(doc), doc);
    assert.equal(toRawXmlFormat(doc), doc);
  });
});

describe('emulator: identifiers and tags', () => {
  it('parses Key Vault secret identifiers, with or without a version', () => {
    assert.deepEqual(parseSecretIdentifier('https://Contoso-KV.vault.azure.net/secrets/backend-key'),
      { vault: 'contoso-kv', host: 'contoso-kv.vault.azure.net', origin: 'https://contoso-kv.vault.azure.net', secret: 'backend-key' });
    assert.equal(parseSecretIdentifier('https://contoso-kv.vault.azure.net/secrets/k/0123abcd')?.secret, 'k');
    assert.equal(parseSecretIdentifier('https://contoso-kv.vault.azure.net/secrets/k/0123ABCD')?.version, '0123abcd');
    assert.equal(parseSecretIdentifier('http://contoso-kv.vault.azure.net/secrets/k'), undefined);
    assert.equal(parseSecretIdentifier('https://contoso-kv.vault.azure.net/keys/k'), undefined);
  });

  it('formats ARM timestamps with seven fractional digits', () => {
    assert.equal(armTimestamp(new Date('2020-09-11T00:54:31.802Z')), '2020-09-11T00:54:31.8020000Z');
  });

  it('produces quoted base64 ETags and matches If-Match (including * and weak tags)', () => {
    const tag = etag(26);
    assert.equal(tag, '"AAAAAAAAABo="');
    assert.ok(etagMatches(tag, 26));
    assert.ok(etagMatches(`W/${tag}`, 26));
    assert.ok(etagMatches('*', 26));
    assert.ok(!etagMatches(tag, 27));
  });
});
