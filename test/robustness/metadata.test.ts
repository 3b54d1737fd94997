// Instance metadata the server cannot trust blindly: entries that break the
// protocol, a hundred thousand named values, names a reference cannot spell,
// and names that differ only by case.
import * as assert from 'node:assert/strict';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol/node';
import { MAX_NAMED_VALUE_ITEMS } from '../../server/src/language/features/completion';
import { instanceWithNamedValues, generatedName, inInbound } from '../support/hostileDocuments';
import { testInstance } from '../support/instanceFixture';
import { bestOf, failures, figure, jsonBytes, megabytes, ms, sessionPerTest } from './support/measure';

const labels = (list: CompletionList | null): string[] => (list?.items ?? []).map((i) => i.label).sort();
const hoverText = (hover: { contents: unknown } | null): string => (hover?.contents as { value?: string } | undefined)?.value ?? '';
const documentation = (item: CompletionItem): string => (item.documentation as { value?: string } | undefined)?.value ?? '';
const GOOD = ['api-version', 'backend-url', 'client-secret', 'orders-key', 'partner-token'];

/** A policy whose cursor sits right after `{{`; `closed` adds the `}}`. */
function afterBraces(closed = false): { text: string; offset: number } {
  const text = inInbound(`<set-header name="x" exists-action="override"><value>{{${closed ? '}}' : ''}</value></set-header>`);
  return { text, offset: text.indexOf('{{') + 2 };
}

describe('robustness: instance metadata', function () {
  this.timeout(180_000);
  // Declares what VS Code declares for completion, resolve included.
  const server = sessionPerTest('metadata', {
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true, resolveSupport: { properties: ['documentation'] } } } } },
  });

  it('sets aside only the entries that break the protocol, and logs why without their values', async () => {
    const metadata = testInstance();
    const broken: unknown[] = [
      { name: 'n1', displayName: 'numeric-value', kind: 'plain', value: 4242 },
      { name: 'n2', displayName: 'null-value', kind: 'plain', value: null },
      { name: 'n3', displayName: 'string-tags', kind: 'plain', value: 'x', tags: 'a,b' },
      { name: 'n4', displayName: 'numeric-status', kind: 'keyVault', keyVault: { secretIdentifier: 'https://v.vault.azure.net/secrets/s', lastStatus: { code: 403, timeStampUtc: 'now' } } },
      'not even an object',
    ];
    await server.session.sendMetadata({ ...metadata, namedValues: [...metadata.namedValues, ...broken] as typeof metadata.namedValues, backends: [...metadata.backends, { name: 7 } as never] });

    const uri = server.nextUri();
    const used = afterBraces().text.replace('{{</value>', '{{numeric-value}} {{backend-url}} {{no-such-value}} {{</value>');
    await server.session.open(uri, used);
    const list = await server.session.completion(uri, used.indexOf('{{</value>') + 2);
    assert.deepEqual(labels(list), GOOD, 'the well-formed named values are offered');
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, String(d.message).match(/'[^']+'/)?.[0]]),
      [['unknown-named-value', "'no-such-value'"]],
      'a set-aside name is not reported as unknown; a missing one is',
    );
    assert.match(hoverText(await server.session.hover(uri, used.indexOf('numeric-value') + 2)), /malformed/);
    assert.match(hoverText(await server.session.hover(uri, used.indexOf('backend-url') + 2)), /orders\.contoso\.example/);

    const log = server.session.logMessages.join('\n');
    for (const expected of ["'numeric-value' set aside: `value` is not a string", "'null-value' set aside: `value` is not a string", "'string-tags' set aside: `tags` is not a list of strings", "'numeric-status' set aside: `keyVault.lastStatus.code` is not a string", 'namedValues[9] set aside: is not an object', 'backends[2] set aside: `name` is not a string']) {
      assert.ok(log.includes(expected), `log says ${expected}:\n${log}`);
    }
    assert.ok(!log.includes('4242'), 'values never reach the log');
  });

  it('ignores a notification that is not metadata at all, and keeps the previous one', async () => {
    await server.session.sendMetadata(testInstance());
    await server.session.connection.sendNotification('apimPolicy/instanceMetadata', { instanceId: 42, namedValues: 'none' });
    await server.session.connection.sendNotification('apimPolicy/instanceFolders', { folders: [{ folderUri: 5, instanceId: null }] });
    await server.session.connection.sendNotification('apimPolicy/instanceRemoved', { instanceId: { not: 'a string' } });
    const uri = server.nextUri();
    const { text, offset } = afterBraces();
    await server.session.open(uri, text);
    assert.deepEqual(labels(await server.session.completion(uri, offset)), GOOD);
    const log = server.session.logMessages.join('\n');
    assert.match(log, /Instance metadata ignored: `instanceId` is not a string/);
    assert.match(log, /Instance folder folders\[0\] set aside/);
    assert.match(log, /Instance removal ignored/);
    assert.deepEqual(failures(server.session), []);
  });

  it(`completes {{ among 100,000 named values with a reply under 5 MB (time printed), documentation on resolve`, async () => {
    const metadata = instanceWithNamedValues(100_000);
    await server.session.sendMetadata(metadata);
    const uri = server.nextUri();
    const { text, offset } = afterBraces();
    await server.session.open(uri, text);
    await server.session.waitForDiagnostics(uri, () => true, 60_000); // the metadata has arrived and the document is parsed

    const first = await bestOf(3, () => server.session.completion(uri, offset));
    const size = jsonBytes(first.result);
    figure('{{ completion, 100,000 named values', `${ms(first.ms)} (best of 3), ${megabytes(size)}, ${first.result.items.length} items, incomplete: ${first.result.isIncomplete}`);
    // The time is printed, not asserted (a busy machine stretches it); what keeps it
    // small is asserted: a bounded list of light items.
    assert.ok(size < 5_000_000, `reply of ${megabytes(size)}`);
    assert.equal(first.result.items.length, MAX_NAMED_VALUE_ITEMS);
    assert.equal(first.result.isIncomplete, true, 'more match: the editor must ask again as the user types');
    assert.ok(first.result.items.every((item) => item.documentation === undefined), 'light items');

    const secret = first.result.items.find((item) => item.label === generatedName(1));
    assert.ok(secret);
    const resolved = await bestOf(3, () => server.session.resolve(secret));
    figure('completionItem/resolve', ms(resolved.ms));
    assert.match(documentation(resolved.result), new RegExp(`${generatedName(1)}[\\s\\S]*secret — value hidden`));

    // Typing narrows the list on the server: the ten names starting with what is typed come first,
    // then the ones holding its characters in order (the editor's fuzzy filter shows those too).
    const typed = `{{${generatedName(9999).slice(0, -1)}`;
    const narrowed = text.replace('{{', typed);
    await server.session.replaceAll(uri, narrowed);
    const second = await bestOf(3, () => server.session.completion(uri, narrowed.indexOf(typed) + typed.length));
    figure('{{ completion after typing 17 characters', `${ms(second.ms)}, ${second.result.items.length} items`);
    assert.deepEqual(
      second.result.items.slice(0, 10).map((i) => i.label),
      Array.from({ length: 10 }, (_, k) => generatedName(9990 + k)),
    );
    assert.ok(second.result.items.slice(10).every((i) => /^named-value-\d*0\d*0\d*9\d*9\d*9\d*$/.test(i.label)), 'the rest hold 0, 0, 9, 9, 9 in order');
    assert.equal(second.result.isIncomplete, false, 'every match fits: the editor filters the rest itself');
  });

  it('offers only names a {{…}} reference can spell, inserting them as written', async () => {
    const metadata = testInstance();
    metadata.namedValues.push(
      { name: 'odd', displayName: 'odd}}name', kind: 'plain', value: 'x' },
      { name: 'spaced', displayName: ' spaced ', kind: 'plain', value: 'x' },
      { name: 'quoted', displayName: 'say"hi"', kind: 'plain', value: 'x' },
    );
    await server.session.sendMetadata(metadata);
    for (const closed of [false, true]) {
      const uri = server.nextUri();
      const { text, offset } = afterBraces(closed);
      await server.session.open(uri, text);
      const list = await server.session.completion(uri, offset);
      assert.deepEqual(labels(list), GOOD);
      for (const item of list.items) {
        const inserted = (item.textEdit as { newText: string }).newText;
        assert.equal(inserted, closed ? item.label : `${item.label}}}`);
      }
    }
  });

  it('matches names without regard to case, as APIM does, and says when two differ only by case', async () => {
    const metadata = testInstance();
    metadata.namedValues.push({ name: 'foo-lower', displayName: 'foo', kind: 'secret' }, { name: 'foo-upper', displayName: 'Foo', kind: 'plain', value: 'the plain one' });
    await server.session.sendMetadata(metadata);
    const uri = server.nextUri();
    const text = inInbound('<set-header name="x" exists-action="override"><value>{{Foo}} {{foo}} {{BACKEND-URL}}</value></set-header>');
    await server.session.open(uri, text);
    const upper = hoverText(await server.session.hover(uri, text.indexOf('{{Foo}}') + 3));
    assert.match(upper, /\*\*\{\{Foo\}\}\*\*/);
    assert.match(upper, /the plain one/);
    assert.match(upper, /Differs only by case:\*\* `foo` \(secret\)/);
    const lower = hoverText(await server.session.hover(uri, text.indexOf('{{foo}}') + 3));
    assert.match(lower, /value hidden/);
    assert.match(lower, /`Foo` \(plain\)/);
    const shouted = hoverText(await server.session.hover(uri, text.indexOf('{{BACKEND-URL}}') + 3));
    assert.match(shouted, /orders\.contoso\.example/);
    assert.match(shouted, /ignores case/);
    assert.deepEqual(await server.session.waitForDiagnostics(uri, () => true), [], 'none of the three is unknown');
  });
});
