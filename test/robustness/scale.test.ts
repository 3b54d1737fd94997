// Sizes that used to be quadratic or to overflow the stack: a start tag with
// 100,000 attributes, an edit inside an element holding 130,000 parse errors.
import * as assert from 'node:assert/strict';
import { MAX_DIAGNOSTICS } from '../../server/src/language/features/diagnosticLimits';
import { parsePolicy } from '../../server/src/language/parser/parser';
import { manyAttributes, manySeparateParseErrors } from '../support/hostileDocuments';
import { bestCpuTime, bestOf, failures, figure, ms, sessionPerTest, timed } from './support/measure';

describe('robustness: scale', function () {
  this.timeout(180_000);
  const server = sessionPerTest('scale');

  it('parses distinct attributes in linear time (100,000 well under a second), and publishes their diagnostics', async () => {
    const cpu = new Map<number, number>();
    for (const count of [10_000, 40_000, 100_000, 200_000]) {
      const text = manyAttributes(count);
      const wall = await bestOf(3, async () => parsePolicy(text));
      const parse = bestCpuTime(3, () => parsePolicy(text));
      figure(`parse of ${count.toLocaleString('en-US')} attributes`, `${ms(parse.ms)} CPU, ${ms(wall.ms)} wall (best of 3)`);
      assert.equal(parse.result.errors.length, 0);
      cpu.set(count, parse.ms);
    }
    // The shape, not a time budget: doubling the attributes must not much more
    // than double the work (a quadratic scan quadruples it; it was 4.2×).
    const growth = cpu.get(200_000)! / cpu.get(100_000)!;
    figure('parse CPU time, 200,000 ÷ 100,000 attributes', `${growth.toFixed(2)}×`);
    assert.ok(growth < 3.2, `parse time grew ${growth.toFixed(2)}× for twice the attributes: no longer linear`);
    const uri = server.nextUri();
    const { result: diagnostics, ms: took } = await timed(async () => {
      await server.session.open(uri, manyAttributes(100_000));
      return server.session.waitForDiagnostics(uri, (d) => d.length > 0, 120_000);
    });
    figure('100,000 attributes over stdio → first diagnostics', ms(took));
    // Every attribute is unknown to set-header: a warning each, capped.
    assert.equal(diagnostics.length, MAX_DIAGNOSTICS + 1);
    assert.match(String(diagnostics[MAX_DIAGNOSTICS].message), /…and 99,000 more/);
  });

  it('reports a repeated attribute among 100,000 once, wherever it is', () => {
    const text = manyAttributes(100_000).replace('a99999="99999"', 'a99999="99999" a5="again"');
    const errors = parsePolicy(text).errors;
    assert.deepEqual(errors.map((e) => e.message), ["Attribute 'a5' is repeated."]);
  });

  it('reparses an edit inside an element holding 130,000 parse errors, and completes there', async () => {
    const uri = server.nextUri();
    const { text, bodyStart } = manySeparateParseErrors(130_000);
    assert.equal(parsePolicy(text).errors.length, 130_000);
    await server.session.open(uri, text);
    await server.session.waitForDiagnostics(uri, (d) => d.length > 0, 120_000);
    // Warm the parse cache, then edit: the edit is reparsed incrementally, as a slice of <set-body>.
    await server.session.completion(uri, bodyStart);
    await server.session.edit(uri, bodyStart, bodyStart, 'x');
    const { result: list, ms: took } = await timed(() => server.session.completion(uri, bodyStart + 1));
    figure('completion after an edit among 130,000 parse errors', ms(took));
    assert.ok(list, 'completion answered (not the null of a failed handler)');
    const diagnostics = await server.session.waitForDiagnostics(uri, (d) => d.length > 0, 120_000);
    assert.equal(diagnostics.length, MAX_DIAGNOSTICS + 1);
    assert.deepEqual(failures(server.session), []);
  });
});
