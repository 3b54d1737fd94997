// Diagnostics no document can blow up: a start tag of millions of stray
// characters, runs of the same problem, thousands of distinct problems, and
// the first diagnostics of a newly opened document.
import * as assert from 'node:assert/strict';
import { MAX_DIAGNOSTICS } from '../../server/src/language/features/diagnosticLimits';
import { inInbound, manyDistinctProblems, strayCharactersInStartTag } from '../support/hostileDocuments';
import { failures, figure, jsonBytes, megabytes, ms, sessionPerTest, timed } from './support/measure';

const messageOf = (d: { message: unknown }): string => String(d.message);

describe('robustness: diagnostics', function () {
  this.timeout(180_000);
  const server = sessionPerTest('diagnostics');

  it('survives a start tag of 3,000,000 stray characters: one diagnostic for the run, the server stays up', async () => {
    const uri = server.nextUri();
    const text = strayCharactersInStartTag(3_000_000);
    const { result: diagnostics, ms: took } = await timed(async () => {
      await server.session.open(uri, text);
      return server.session.waitForDiagnostics(uri, () => true, 120_000);
    });
    figure('3,000,000 × "(" in a start tag → first diagnostics', `${ms(took)}, ${diagnostics.length} diagnostic(s), ${megabytes(jsonBytes(diagnostics))}`);
    assert.ok(diagnostics.length <= MAX_DIAGNOSTICS + 1, `${diagnostics.length} diagnostics`);
    const stray = diagnostics.filter((d) => /Unexpected/.test(messageOf(d)));
    assert.equal(stray.length, 1, JSON.stringify(diagnostics.slice(0, 5)));
    assert.deepEqual(stray[0].range, { start: { line: 0, character: '<policies '.length }, end: { line: 0, character: '<policies '.length + 3_000_000 } });
    assert.ok(server.session.alive, 'the server process is still running');
    const hover = await server.session.hover(uri, text.indexOf('inbound') + 2);
    assert.match(JSON.stringify(hover?.contents), /inbound/, 'and still answers requests');
    assert.deepEqual(failures(server.session), []);
  });

  it('collapses a run of the same problem into one diagnostic that says how many', async () => {
    const uri = server.nextUri();
    const text = inInbound(`<set-header name="a" exists-action="override"><value>${'&'.repeat(1_000_000)}</value></set-header>\n    ${'<bogus />'.repeat(50_000)}`);
    await server.session.open(uri, text);
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0, 60_000);
    figure('1,000,000 × "&" and 50,000 × <bogus /> in a row', `${diagnostics.length} diagnostic(s)`);
    const ampersands = diagnostics.filter((d) => /bare '&'/.test(messageOf(d)));
    assert.equal(ampersands.length, 1);
    assert.equal(ampersands[0].range.end.character - ampersands[0].range.start.character, 1_000_000);
    const bogus = diagnostics.filter((d) => d.code === 'unknown-element');
    assert.equal(bogus.length, 1);
    assert.match(messageOf(bogus[0]), /<bogus> is not an API Management policy\. \(50,000 in a row\)$/);
    assert.equal(diagnostics.length, 2);
  });

  it(`publishes at most ${MAX_DIAGNOSTICS} diagnostics and a final "…and N more"`, async () => {
    const uri = server.nextUri();
    const text = manyDistinctProblems(5_000);
    const { result: diagnostics, ms: took } = await timed(async () => {
      await server.session.open(uri, text);
      return server.session.waitForDiagnostics(uri, (d) => d.length > 0, 60_000);
    });
    figure('5,000 distinct problems → first diagnostics', `${ms(took)}, ${diagnostics.length} published, ${megabytes(jsonBytes(diagnostics))}`);
    assert.equal(diagnostics.length, MAX_DIAGNOSTICS + 1);
    const summary = diagnostics[diagnostics.length - 1];
    assert.equal(summary.code, 'too-many-problems');
    assert.equal(summary.severity, 1, 'the left-out problems are errors');
    assert.match(messageOf(summary), /…and 4,000 more problems/);
    // It sits where the first problem left out is.
    assert.equal(summary.range.start.line, diagnostics[MAX_DIAGNOSTICS - 1].range.start.line + 1);
  });

  it('keeps the errors when warnings alone would fill the list', async () => {
    const uri = server.nextUri();
    const warnings = Array.from({ length: 1_500 }, (_, k) => `w${k}="1"`).join(' ');
    const text = inInbound(`<set-header name="a" exists-action="override" ${warnings}><value>v</value></set-header>\n    <bogus-at-the-end />`);
    await server.session.open(uri, text);
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0, 60_000);
    assert.equal(diagnostics.length, MAX_DIAGNOSTICS + 1);
    assert.ok(diagnostics.some((d) => d.code === 'unknown-element'), 'the one error is kept');
    assert.equal(diagnostics.filter((d) => d.code === 'unknown-attribute').length, MAX_DIAGNOSTICS - 1);
    assert.match(messageOf(diagnostics[diagnostics.length - 1]), /…and 501 more/);
    assert.equal(diagnostics[diagnostics.length - 1].severity, 2, 'only warnings were left out');
  });

  it('publishes the first diagnostics of an opened document without waiting for the typing delay', async () => {
    // A ten-minute typing delay: diagnostics that arrive at all were not delayed by it.
    await server.restart({ env: { APIM_POLICY_VALIDATION_DELAY_MS: '600000' } });
    const uri = server.nextUri();
    const { result: diagnostics, ms: took } = await timed(async () => {
      await server.session.open(uri, inInbound('<bogus />'));
      return server.session.waitForDiagnostics(uri, (d) => d.length > 0, 30_000);
    });
    figure('didOpen → first diagnostics (typing delay 600 s)', ms(took));
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-element']);
  });
});
