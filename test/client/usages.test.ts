/**
 * Find Usages over a temporary workspace, and Go to Definition's APIOps
 * lookup: which files count as policies, exact positions, case-insensitive
 * names, no partial-name matches, unreadable files and cancellation.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { artifactDisplayName, matchApiOpsNamedValue, secretIdentifierValueAt } from '../../client/src/namedValues/apiops';
import { findReferencesInText, isPolicyFile, searchUsages } from '../../client/src/namedValues/usages';
import { tempDir } from './support';

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk(root);
  return out.sort();
}

describe('client/find usages and APIOps definitions', () => {
  let root: string;
  const files: Record<string, string> = {
    'apis/orders/policy.xml': [
      '<policies>',
      '  <inbound>',
      '    <set-header name="x-key" exists-action="override"><value>{{backend-key}}</value></set-header>',
      '    <set-header name="x-other"><value>{{backend-key-2}}</value></set-header>',
      '    <set-query-parameter name="k"><value>{{BACKEND-KEY}}</value></set-query-parameter>{{backend-key}}',
      '  </inbound>',
      '</policies>',
    ].join('\r\n'),
    'fragments/cors.policy.xml': '<fragment><cors><allowed-origins><origin>{{allowed-origins}}</origin></allowed-origins></cors><!-- {{backend-key}} --></fragment>\n',
    'custom/named-anything.xml': '<?xml version="1.0"?>\n<!-- exported -->\n<policies><inbound><check-header name="k" failed-check-httpcode="401" failed-check-error-message="no"><value>{{backend-key}}</value></check-header></inbound></policies>\n',
    'other/config.xml': '<configuration><add key="k" value="{{backend-key}}"/></configuration>\n',
    'other/readme.md': 'Use {{backend-key}} in policies.\n',
    'named values/backend-key/namedValueInformation.json': '{\n  "properties": {\n    "displayName": "backend-key",\n    "secret": true\n  }\n}\n',
    'named values/nv-allowed-origins/namedValueInformation.json': '{ "properties": { "displayName": "allowed-origins", "value": "https://contoso.example" } }',
    'named values/legacy/namedValueInformation.json': '{ "properties": { "value": "x" } }',
  };

  before(async () => {
    root = await tempDir('apim-usages-');
    for (const [rel, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), text, 'utf8');
    }
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('finds {{name}} with exact zero-based positions, ignoring case, never inside longer names', () => {
    const text = files['apis/orders/policy.xml'];
    assert.deepEqual(findReferencesInText(text, 'backend-key'), [
      { line: 2, character: 61, length: 15 },
      { line: 4, character: 41, length: 15 },
      { line: 4, character: 86, length: 15 },
    ]);
    assert.deepEqual(findReferencesInText('{{a.b}} {{aXb}}', 'a.b'), [{ line: 0, character: 0, length: 7 }], 'regex characters are literal');
    assert.deepEqual(findReferencesInText('x', ''), []);
  });

  it('searches only policy files (by name or by <policies> / <fragment> root) across the workspace', async () => {
    const all = await listFiles(root);
    const result = await searchUsages(all, 'backend-key', { read: (f) => fs.readFile(f, 'utf8') });
    const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
    assert.deepEqual(
      result.usages.map((u) => `${rel(u.file)}:${u.line + 1}:${u.character + 1}`),
      ['apis/orders/policy.xml:3:62', 'apis/orders/policy.xml:5:42', 'apis/orders/policy.xml:5:87', 'custom/named-anything.xml:3:110', 'fragments/cors.policy.xml:1:100'],
    );
    assert.equal(result.filesSearched, 3, 'config.xml, readme.md and JSON files are not policies');
    assert.equal(result.usages[0].preview, '<set-header name="x-key" exists-action="override"><value>{{backend-key}}</value></set-header>');
    assert.equal(result.cancelled, false);
    assert.ok(isPolicyFile('x/POLICY.XML', ''));
    assert.ok(!isPolicyFile('x/config.xml', '<configuration/>'));
  });

  it('searches files the caller marks as policies, reports unreadable files, and stops when cancelled', async () => {
    const all = await listFiles(root);
    const config = all.find((f) => f.endsWith('config.xml'))!;
    const marked = await searchUsages([config, path.join(root, 'missing.policy.xml')], 'backend-key', {
      read: (f) => fs.readFile(f, 'utf8'),
      treatAsPolicy: (f) => f === config,
    });
    assert.equal(marked.usages.length, 1);
    assert.deepEqual(marked.unreadable, [path.join(root, 'missing.policy.xml')]);

    const controller = new AbortController();
    controller.abort();
    const cancelled = await searchUsages(all, 'backend-key', { read: (f) => fs.readFile(f, 'utf8'), signal: controller.signal });
    assert.equal(cancelled.cancelled, true);
    assert.deepEqual(cancelled.usages, []);
  });

  it('finds the APIOps namedValueInformation.json of a named value by display name (or folder name)', async () => {
    const jsonFiles = (await listFiles(root)).filter((f) => f.endsWith('namedValueInformation.json'));
    const find = async (displayName: string) => {
      for (const f of jsonFiles) {
        const text = await fs.readFile(f, 'utf8');
        const match = matchApiOpsNamedValue(f, text, displayName);
        if (match) return { file: path.relative(root, f).split(path.sep).join('/'), offset: match.offset, at: text.slice(match.offset, match.offset + 13) };
      }
      return undefined;
    };
    assert.deepEqual(await find('Backend-Key'), { file: 'named values/backend-key/namedValueInformation.json', offset: 24, at: '"displayName"' });
    assert.equal((await find('allowed-origins'))?.file, 'named values/nv-allowed-origins/namedValueInformation.json', 'matched by display name, not folder');
    assert.equal((await find('legacy'))?.file, 'named values/legacy/namedValueInformation.json', 'no displayName: the folder name counts');
    assert.equal(await find('nv-allowed-origins'), undefined);
    assert.equal(matchApiOpsNamedValue('a/b/namedValueInformation.json', '{ not json', 'b'), undefined);
  });

  it('reads the display name an artifact file defines, falling back to its folder while the JSON is broken', () => {
    const file = 'apimartifacts/named values/nv-x/namedValueInformation.json';
    assert.equal(artifactDisplayName(file, '{ "properties": { "displayName": "shown-name" } }'), 'shown-name');
    assert.equal(artifactDisplayName(file, '\uFEFF{ "properties": { "displayName": "bom" } }'), 'bom');
    assert.equal(artifactDisplayName(file, '{ "properties": { "displayName": '), 'nv-x');
    assert.equal(artifactDisplayName('C:\\repo\\named values\\win\\namedValueInformation.json', '{}'), 'win');
  });

  it('finds the secretIdentifier value under the cursor, and nothing elsewhere', () => {
    const text = '{\n  "properties": {\n    "keyVault": { "secretIdentifier": "https://kv.vault.azure.net/sec" },\n    "value": "x"\n  }\n}';
    const valueStart = text.indexOf('https://');
    const cursor = text.indexOf('/sec') + 2;
    assert.deepEqual(secretIdentifierValueAt(text, cursor), { start: valueStart, end: text.indexOf('" }') });
    assert.deepEqual(secretIdentifierValueAt(text, valueStart), { start: valueStart, end: text.indexOf('" }') }, 'right after the opening quote');
    assert.equal(secretIdentifierValueAt(text, text.indexOf('"x"') + 1), undefined, 'another key');
    assert.equal(secretIdentifierValueAt(text, text.indexOf('"secretIdentifier"') + 3), undefined, 'inside the key itself');
    const open = '"secretIdentifier": "https://kv\n';
    assert.deepEqual(secretIdentifierValueAt(open, open.indexOf('kv') + 2), { start: open.indexOf('https'), end: open.indexOf('\n') }, 'an unclosed value ends at the line end');
  });
});
