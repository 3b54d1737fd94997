// What already held when the issue was filed, kept true: big documents,
// bytes and characters that are not what they should be, positions and
// edits out of range, cancellation, and incremental edits that must give
// the same results as opening the text fresh.
import * as assert from 'node:assert/strict';
import { CancellationTokenSource, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { generatePolicy } from '../../bench/generate';
import { realWorldPolicies } from '../support/repo';
import { inInbound } from '../support/hostileDocuments';
import { Random } from '../unit/support/random';
import { positionAt } from '../server/support/lspSession';
import { failures, figure, megabytes, ms, sessionPerTest, timed } from './support/measure';

const comparable = (diagnostics: Diagnostic[]): unknown => diagnostics.map((d) => [d.code, d.range, d.message]);

describe('robustness: what held', function () {
  this.timeout(180_000);
  const server = sessionPerTest('held', {}, (session) => assert.deepEqual(failures(session), [], 'no handler failed'));

  it('handles a 10 MB document', async () => {
    const uri = server.nextUri();
    const text = generatePolicy(11_500_000);
    assert.ok(text.length >= 10_000_000);
    const { result: diagnostics, ms: took } = await timed(async () => {
      await server.session.open(uri, text);
      return server.session.waitForDiagnostics(uri, () => true, 120_000);
    });
    figure(`${megabytes(text.length)} document → first diagnostics`, ms(took));
    assert.deepEqual(diagnostics, []);
    const hover = await server.session.hover(uri, text.lastIndexOf('<set-header') + 3);
    assert.match(JSON.stringify(hover?.contents), /set-header/);
  });

  it('reads invalid UTF-8 as replacement characters', async () => {
    const uri = server.nextUri();
    // Truncated sequences, bytes never valid in UTF-8, an encoded surrogate.
    server.session.openWithBytes(uri, inInbound('<bogus>@@INVALID@@</bogus>'), '@@INVALID@@', Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]));
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-element']);
  });

  it('answers on text with NUL, lone surrogates, a byte order mark and mixed line ends', async () => {
    const uri = server.nextUri();
    const text = `\uFEFF<policies>\r\n  <inbound>\r    <set-header name="a\u0000b\uD800" exists-action="override">\n      <value>\uDC00{{x}}\u0000</value>\r\n    </set-header>\n    <bogus />\r\n  </inbound>\n</policies>`;
    await server.session.open(uri, text);
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-element']);
    assert.match(JSON.stringify((await server.session.hover(uri, text.indexOf('set-header') + 2))?.contents), /set-header/);
    assert.ok(await server.session.completion(uri, text.indexOf('<bogus')));
    assert.ok((await server.session.symbols(uri)).length === 1);
  });

  it('answers positions and edits beyond the end of the document', async () => {
    const uri = server.nextUri();
    const text = inInbound('<base />');
    await server.session.open(uri, text);
    const far = { line: 1_000_000, character: 1_000_000 };
    assert.equal(await server.session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: far }), null);
    assert.ok(await server.session.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: far }));
    assert.equal(await server.session.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: -1, character: -5 } }), null);
    // An edit past the end is clamped to the end, as the client library does.
    await server.session.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: far, end: { line: far.line + 1, character: 0 } }, text: '<fragment />' }],
    });
    const edited = text + '<fragment />';
    const hover = await server.session.connection.sendRequest<{ contents: unknown } | null>('textDocument/hover', { textDocument: { uri }, position: positionAt(edited, edited.length - 6) });
    assert.match(JSON.stringify(hover?.contents), /fragment/, 'the clamped edit landed at the end');
  });

  it('answers a cancelled request as cancelled (or with its result) and keeps serving', async () => {
    const uri = server.nextUri();
    const text = generatePolicy(1_000_000);
    await server.session.open(uri, text);
    const outcomes: string[] = [];
    for (let k = 0; k < 20; k++) {
      const source = new CancellationTokenSource();
      const request = server.session.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }, source.token);
      source.cancel();
      outcomes.push(await request.then(() => 'answered', (error: { code?: number }) => (error.code === -32800 ? 'cancelled' : `failed ${JSON.stringify(error)}`)));
    }
    assert.deepEqual(outcomes.filter((o) => o !== 'answered' && o !== 'cancelled'), []);
    figure('20 cancelled outline requests', `${outcomes.filter((o) => o === 'cancelled').length} cancelled, ${outcomes.filter((o) => o === 'answered').length} answered first`);
    assert.ok((await server.session.symbols(uri)).length > 0, 'the next request is answered');
  });

  it('gives after random incremental edits the same diagnostics as opening the text fresh', async () => {
    const random = new Random(0x5eed);
    const snippets = ['<', '>', '"', '@(', ')', '{{', '}}', '&', '<bogus />', '</set-header>', '<set-header name="a" exists-action="sometimes">', ' x="1"', '\n', '((((', ''];
    let edits = 0;
    let compared = 0;
    for (const file of realWorldPolicies().slice(0, 12)) {
      const uri = server.nextUri();
      await server.session.open(uri, file.text);
      for (let round = 0; round < 25; round++) {
        const text = server.session.text(uri);
        const start = random.int(text.length + 1);
        const end = Math.min(text.length, start + random.int(random.int(2) ? 3 : 40));
        await server.session.edit(uri, start, end, random.pick(snippets));
        edits++;
        if (round % 5 !== 4) continue;
        const edited = await server.session.waitForDiagnostics(uri, () => true);
        const fresh = server.nextUri();
        await server.session.open(fresh, server.session.text(uri));
        assert.deepEqual(comparable(edited), comparable(await server.session.waitForDiagnostics(fresh, () => true)), `${file.name} after ${round + 1} edits`);
        compared++;
      }
    }
    figure('random incremental edits over stdio', `${edits} edits, ${compared} comparisons with a fresh open, no mismatch`);
  });
});
