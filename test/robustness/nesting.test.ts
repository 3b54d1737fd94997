// 20,000 levels of <choose><when>: every feature walks the tree without
// recursion (or within a bound), so nothing overflows the stack.
import * as assert from 'node:assert/strict';
import type { Location } from 'vscode-languageserver-protocol/node';
import { MAX_OUTLINE_DEPTH } from '../../server/src/language/features/symbols';
import { parseInstanceDocumentUri } from '../../protocol/instanceDocuments';
import { testInstance } from '../support/instanceFixture';
import { nestedChooseWhen, nestedInterpolations } from '../support/hostileDocuments';
import { LspSession, positionAt } from '../server/support/lspSession';
import { failures, figure, jsonBytes, megabytes, ms, outlineShape, timed } from './support/measure';

const LEVELS = 20_000;

describe(`robustness: ${LEVELS.toLocaleString('en-US')} nesting levels`, function () {
  this.timeout(180_000);
  let session: LspSession;
  const uri = 'file:///robust/deep.policy.xml';
  // The innermost policy has a bad value: its diagnostic proves validation reached the bottom.
  const nested = nestedChooseWhen(LEVELS, '<set-header name="x" exists-action="sometimes"><value>{{deep-value}}</value></set-header>');

  before(async () => {
    session = await LspSession.start();
    await session.sendMetadata(testInstance({ namedValues: [{ name: 'deep-value', displayName: 'deep-value', kind: 'plain', value: 'found' }] }));
  });
  after(async () => {
    await session.stop();
  });

  it('publishes diagnostics, including the innermost problem', async () => {
    const { result: diagnostics, ms: took } = await timed(async () => {
      await session.open(uri, nested.text);
      return session.waitForDiagnostics(uri, (d) => d.length > 0, 120_000);
    });
    figure(`${LEVELS.toLocaleString('en-US')} levels (${megabytes(nested.text.length)}) → first diagnostics`, ms(took));
    assert.deepEqual(diagnostics.map((d) => d.code), ['invalid-attribute-value']);
    assert.equal(diagnostics[0].range.start.line, positionAt(nested.text, nested.text.indexOf('sometimes')).line);
  });

  it('completes the policies of the section at the innermost level', async () => {
    const { result: list, ms: took } = await timed(() => session.completion(uri, nested.completionAt));
    figure('completion at the innermost level', ms(took));
    const labels = list.items.map((i) => i.label);
    assert.ok(labels.includes('set-header') && labels.includes('choose'), labels.join(', '));
    assert.ok(!labels.includes('forward-request'), 'the innermost level is still known to be in <inbound>');
  });

  it('hovers and goes to definition at the innermost level', async () => {
    const hover = await session.hover(uri, nested.innermostWhen);
    assert.match(JSON.stringify(hover?.contents), /when/);
    const named = await session.hover(uri, nested.namedValueAt);
    assert.match(JSON.stringify(named?.contents), /found/);
    const location = (await session.definition(uri, nested.namedValueAt)) as Location;
    const target = parseInstanceDocumentUri(location.uri);
    assert.deepEqual(target?.kind === 'named-value' ? target.name : undefined, 'deep-value');
  });

  it(`gives the whole outline, nested up to ${MAX_OUTLINE_DEPTH} levels`, async () => {
    const { result: symbols, ms: took } = await timed(() => session.symbols(uri));
    const shape = outlineShape(symbols);
    figure('outline', `${ms(took)}, ${shape.count.toLocaleString('en-US')} symbols, ${shape.depth} levels deep, ${megabytes(jsonBytes(symbols))}`);
    // policies, inbound, LEVELS × (choose, when), set-header, value
    assert.equal(shape.count, 2 + 2 * LEVELS + 2);
    assert.equal(shape.depth, MAX_OUTLINE_DEPTH);
  });

  it('folds every level', async () => {
    const { result: ranges, ms: took } = await timed(() => session.folding(uri));
    figure('folding', `${ms(took)}, ${ranges.length.toLocaleString('en-US')} ranges`);
    assert.ok(ranges.length >= 2 * (LEVELS - 1), `${ranges.length} ranges`);
  });

  it('checks 20,000 unknown named values at the innermost level without walking the nesting for each', async () => {
    const manyUri = 'file:///robust/deep-references.policy.xml';
    const many = nestedChooseWhen(LEVELS, `<set-header name="x" exists-action="override"><value>${'{{missing}} '.repeat(20_000)}</value></set-header>`);
    const { result: diagnostics, ms: took } = await timed(async () => {
      await session.open(manyUri, many.text);
      return session.waitForDiagnostics(manyUri, (d) => d.length > 0, 60_000);
    });
    figure(`20,000 unknown {{…}} under ${LEVELS.toLocaleString('en-US')} levels → first diagnostics`, ms(took));
    assert.deepEqual(diagnostics.map((d) => [d.code, d.message]), [['unknown-named-value', "Named value 'missing' does not exist in contoso-test; deploying this policy would fail. (20,000 in a row)"]]);
  });

  it(`reads ${LEVELS.toLocaleString('en-US')} interpolated strings nested in one expression`, async () => {
    const deepUri = 'file:///robust/deep-interpolation.policy.xml';
    const text = nestedInterpolations(LEVELS).replace('name="v"', 'name="v" bogus="1"');
    await session.open(deepUri, text);
    const diagnostics = await session.waitForDiagnostics(deepUri, (d) => d.length > 0, 60_000);
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-attribute'], 'the expression is read as closed and well formed');
  });

  it('logged no failure', () => {
    assert.deepEqual(failures(session), []);
    assert.ok(session.alive);
  });
});
