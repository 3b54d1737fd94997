// Results always describe the text the client sent last, whatever version
// numbers it carries: a change or a second open with a repeated version
// must not be answered from the previous text's parse.
import * as assert from 'node:assert/strict';
import { inInbound } from '../support/hostileDocuments';
import { sessionPerTest } from './support/measure';

const BASE = inInbound('<base />');
const BOGUS = inInbound('<bogus />');
const hoverText = (hover: { contents: unknown } | null): string => JSON.stringify(hover?.contents ?? null);
const codes = (diagnostics: { code?: string | number }[]): unknown[] => diagnostics.map((d) => d.code);

describe('robustness: parse cache', function () {
  this.timeout(60_000);
  const server = sessionPerTest('cache');

  /** Opens BASE, waits until it is validated and hovered, so its parse is cached. */
  async function openBase(uri: string, version: number): Promise<void> {
    await server.session.open(uri, BASE, version);
    assert.deepEqual(await server.session.waitForDiagnostics(uri, () => true), []);
    assert.match(hoverText(await server.session.hover(uri, BASE.indexOf('base') + 1)), /base/);
  }

  it('answers for the new text after a full change that repeats the version number', async () => {
    const uri = server.nextUri();
    await openBase(uri, 7);
    await server.session.replaceAll(uri, BOGUS, 7);
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(codes(diagnostics), ['unknown-element']);
    const hover = hoverText(await server.session.hover(uri, BOGUS.indexOf('bogus') + 1));
    assert.doesNotMatch(hover, /base/, 'the hover describes <bogus>, not the old <base />');
  });

  it('answers for the new text after an incremental change that repeats the version number', async () => {
    const uri = server.nextUri();
    await openBase(uri, 3);
    const at = BASE.indexOf('base');
    await server.session.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 2, character: at - BASE.lastIndexOf('\n', at) - 1 }, end: { line: 2, character: at - BASE.lastIndexOf('\n', at) - 1 + 4 } }, text: 'bogus' }],
    });
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(codes(diagnostics), ['unknown-element']);
    assert.doesNotMatch(hoverText(await server.session.hover(uri, at + 1)), /base/);
  });

  it('answers for the new text after a second open with the same version and no close', async () => {
    const uri = server.nextUri();
    await openBase(uri, 1);
    await server.session.open(uri, BOGUS, 1);
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(codes(diagnostics), ['unknown-element']);
    assert.doesNotMatch(hoverText(await server.session.hover(uri, BOGUS.indexOf('bogus') + 1)), /base/);
    // And back: the same text as the first open, same version again.
    await server.session.open(uri, BASE, 1);
    assert.deepEqual(await server.session.waitForDiagnostics(uri, (d) => d.length === 0), []);
    assert.match(hoverText(await server.session.hover(uri, BASE.indexOf('base') + 1)), /base/);
  });
});
