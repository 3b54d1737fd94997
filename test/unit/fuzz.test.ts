// Robustness: thousands of random mutations of the real-world corpus and
// random byte strings. Parsing and every feature must never throw, and a
// parse must stay fast (a quadratic path would show up here first).
import * as assert from 'node:assert/strict';
import { InstanceIndex } from '../../server/src/language/languageService';
import { realWorldPolicies } from '../support/repo';
import { testInstance } from '../support/instanceFixture';
import { languageService } from './support/cursor';
import { Random } from './support/random';

const FRAGMENTS = ['<', '>', '/>', '</', '"', "'", '=', '@(', '@{', ')', '}', '{{', '}}', '<!--', '-->', '<![CDATA[', ']]>', '&', '&amp;', '$"', '@"', '\\', '\n', '\u0000', '\uFEFF', '😀'];
const BUDGET_MS = 50;

function mutate(random: Random, text: string): string {
  let result = text;
  const count = 1 + random.int(8);
  for (let k = 0; k < count; k++) {
    const at = random.int(result.length + 1);
    switch (random.int(4)) {
      case 0: // insert a syntax fragment
        result = result.slice(0, at) + random.pick(FRAGMENTS) + result.slice(at);
        break;
      case 1: // delete a span
        result = result.slice(0, at) + result.slice(at + random.int(60));
        break;
      case 2: // duplicate a span somewhere else
        result = result.slice(0, at) + result.slice(random.int(result.length), random.int(result.length)) + result.slice(at);
        break;
      default: // truncate
        result = result.slice(0, at);
    }
  }
  return result;
}

function randomBytes(random: Random): string {
  const length = random.int(4000);
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(random.int(5) === 0 ? random.int(0x3000) : 32 + random.int(95));
  return s;
}

/** Milliseconds to parse; the best of up to three runs, so a GC pause on a busy machine is not mistaken for slowness. */
function parseTime(text: string): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3 && best >= BUDGET_MS; attempt++) {
    const started = performance.now();
    languageService().parse(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('fuzz', function () {
  this.timeout(300_000);
  const service = languageService();
  const instance = new InstanceIndex(testInstance());

  it('survives thousands of mutated policies and random bytes, each parsed within 50 ms', () => {
    const random = new Random(0xa11ce);
    const corpus = realWorldPolicies();
    let cases = 0;
    let slowest = 0;
    for (let round = 0; round < 4000; round++) {
      const text = round % 5 === 4 ? randomBytes(random) : mutate(random, random.pick(corpus).text);
      const time = parseTime(text);
      slowest = Math.max(slowest, time);
      assert.ok(time < BUDGET_MS, `parse took ${time.toFixed(1)} ms for case ${round}: ${JSON.stringify(text.slice(0, 200))}…`);
      const parsed = service.parse(text);
      const offset = random.int(text.length + 1);
      try {
        service.doValidation(parsed, instance);
        service.doComplete(parsed, offset, instance);
        service.doHover(parsed, offset, instance);
        service.findDocumentSymbols(parsed);
        service.getFoldingRanges(parsed);
        service.findDefinitionTarget(parsed, offset);
      } catch (error) {
        assert.fail(`case ${round} at offset ${offset} threw ${String(error)}\n${JSON.stringify(text)}`);
      }
      cases++;
    }
    assert.equal(cases, 4000);
    console.log(`      fuzz: ${cases} cases, slowest parse ${slowest.toFixed(1)} ms`);
  });

  it('every node of a mutated document lies inside the text, in order', () => {
    const random = new Random(99);
    for (let round = 0; round < 500; round++) {
      const text = mutate(random, random.pick(realWorldPolicies()).text);
      const doc = service.parse(text).doc;
      const visit = (nodes: readonly { start: number; end: number; kind: string; children?: unknown }[], from: number, to: number): void => {
        let last = from;
        for (const node of nodes) {
          assert.ok(node.start >= last && node.end >= node.start && node.end <= to, `case ${round}: node [${node.start}, ${node.end}) outside [${last}, ${to}]`);
          last = node.end;
          if (node.kind === 'element') visit((node as unknown as { children: typeof nodes }).children, node.start, node.end);
        }
      };
      visit(doc.children, 0, text.length);
    }
  });
});
