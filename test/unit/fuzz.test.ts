// Robustness: thousands of random mutations of the real-world corpus and
// random byte strings, hostile shapes (huge start tags, deep nesting, many
// attributes or errors) and malformed instance metadata. Parsing and every
// feature must never throw, and a parse must stay fast (a quadratic path
// would show up here first).
import * as assert from 'node:assert/strict';
import type { InstanceMetadata } from '../../protocol/protocol';
import { MAX_DIAGNOSTICS } from '../../server/src/language/features/diagnosticLimits';
import { InstanceIndex } from '../../server/src/language/languageService';
import { reparseAfterEdit } from '../../server/src/language/parser/incremental';
import { collectNamedValues } from '../../server/src/language/parser/namedValues';
import type { NamedValueRef } from '../../server/src/language/parser/nodes';
import { parsePolicy } from '../../server/src/language/parser/parser';
import { checkInstanceMetadata } from '../../server/src/metadataCheck';
import { inInbound, manyAttributes, manySeparateParseErrors, nestedChooseWhen, nestedInterpolations, strayCharactersInStartTag } from '../support/hostileDocuments';
import { realWorldPolicies } from '../support/repo';
import { testInstance } from '../support/instanceFixture';
import { languageService } from './support/cursor';
import { Random } from './support/random';
import { flatSnapshot } from './support/snapshot';

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

/**
 * CPU milliseconds to parse (time other processes hold the CPU does not
 * count); the best of up to three runs, so a GC pause on a busy machine is
 * not mistaken for slowness.
 */
function parseTime(text: string, budget = BUDGET_MS): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3 && best >= budget; attempt++) {
    const before = process.cpuUsage();
    languageService().parse(text);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
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

  it('survives hostile shapes in linear time, and reparses edits in them as a full parse would', () => {
    const random = new Random(0xbad5eed);
    let largest = 0;
    let slowest = 0;
    for (let round = 0; round < HOSTILE_CASES; round++) {
      const { label, text } = hostileShape(random);
      largest = Math.max(largest, text.length);
      // Linear budget: generous per character, so only a quadratic path (or worse) can exceed it.
      const budget = Math.max(BUDGET_MS, (text.length / 1_000_000) * BUDGET_MS_PER_MB);
      const time = parseTime(text, budget);
      slowest = Math.max(slowest, time / Math.max(1, text.length / 1_000_000));
      assert.ok(time < budget, `${label}: parse took ${time.toFixed(1)} ms for ${text.length} characters`);
      const parsed = service.parse(text);
      try {
        const diagnostics = service.doValidation(parsed, instance);
        assert.ok(diagnostics.length <= MAX_DIAGNOSTICS + 1, `${label}: ${diagnostics.length} diagnostics`);
        for (let k = 0; k < 4; k++) {
          const offset = random.int(text.length + 1);
          service.doComplete(parsed, offset, instance);
          service.doHover(parsed, offset, instance);
          service.findDefinitionTarget(parsed, offset);
        }
        service.findDocumentSymbols(parsed);
        service.getFoldingRanges(parsed);
      } catch (error) {
        assert.fail(`${label} threw ${error instanceof Error ? error.stack : String(error)}`);
      }
      // Edits anywhere in the shape: the incremental result equals a fresh parse.
      let current = text;
      let doc = parsePolicy(current);
      for (let k = 0; k < 3; k++) {
        const start = random.int(current.length + 1);
        const end = Math.min(current.length, start + random.int(12));
        const inserted = random.pick(EDIT_SNIPPETS);
        const next = current.slice(0, start) + inserted + current.slice(end);
        doc = reparseAfterEdit(doc, next, { start, end, text: inserted });
        assert.deepEqual(flatSnapshot(doc), flatSnapshot(parsePolicy(next)), `${label}, edit ${k} at ${start}`);
        current = next;
      }
    }
    console.log(`      hostile shapes: ${HOSTILE_CASES} cases up to ${(largest / 1_000_000).toFixed(2)} M characters, slowest parse ${slowest.toFixed(0)} ms per M characters`);
  });

  it('offers only named values a reference spells back, and survives malformed metadata', () => {
    const random = new Random(0x5ca1e);
    for (let round = 0; round < 200; round++) {
      const raw = mangledMetadata(random);
      const checked = checkInstanceMetadata(raw);
      if (!checked.metadata) continue;
      const index = new InstanceIndex(checked.metadata, checked.unreadableNamedValues);
      for (const closed of [false, true]) {
        const text = inInbound(`<set-header name="x" exists-action="override"><value>{{${closed ? '}}' : ''} {{${random.pick(NAME_PARTS)}}}</value></set-header>`);
        const parsed = service.parse(text);
        const offset = text.indexOf('{{') + 2;
        const result = service.doComplete(parsed, offset, index);
        for (const item of result.items) {
          const reference = `{{${item.insertText}${closed ? '}}' : ''}`;
          const refs: NamedValueRef[] = [];
          collectNamedValues(reference, 0, reference.length, refs);
          assert.equal(refs.length === 1 && refs[0].closed && refs[0].name, item.label, `round ${round}: inserting ${JSON.stringify(item.label)} reads ${JSON.stringify(refs)}`);
          if (item.resolve) service.resolveCompletion(item.resolve, index);
        }
        service.doValidation(parsed, index);
        service.doHover(parsed, text.lastIndexOf('{{') + 2, index);
      }
    }
  });
});

/** Hostile documents per run (the robustness layer takes the extreme sizes over stdio). */
const HOSTILE_CASES = 36;
/** A parse budget for small documents, per million characters for big ones. */
const BUDGET_MS_PER_MB = 2000;
const EDIT_SNIPPETS = ['<', '>', '/>', '</when>', '"', '(', '@(', ')', '&', '{{', '}}', ' a1="x"', '<choose><when condition="@(1)">', ''];
const STRAY = ['(', ')', '"', "'", '=', '/', '&', '%', '😀', '\u0000', '\uD800'];

/** One document of a hostile shape, sized at random. */
function hostileShape(random: Random): { label: string; text: string } {
  switch (random.int(8)) {
    case 0: {
      const count = 1 + random.int(100_000);
      return { label: `${count} stray characters in a start tag`, text: strayCharactersInStartTag(count, random.pick(STRAY)) };
    }
    case 1: {
      const levels = 1 + random.int(5_000);
      return { label: `${levels} levels of choose/when`, text: nestedChooseWhen(levels, random.pick(['<bogus />', '<base />', '<set-header name="x" exists-action="nope" />', '{{deep}}', '<'])).text };
    }
    case 2: {
      const count = 1 + random.int(30_000);
      let text = manyAttributes(count);
      for (let k = random.int(4); k > 0; k--) text = text.replace(`a${random.int(count)}="`, `a${random.int(count)}="1" a${random.int(count)}="`);
      return { label: `${count} attributes, some repeated`, text };
    }
    case 3: {
      const count = 1 + random.int(20_000);
      return { label: `${count} separate parse errors`, text: manySeparateParseErrors(count).text };
    }
    case 4: {
      const count = 1 + random.int(50_000);
      const run = random.pick(['&', '<', '<bogus />', '</x>', '&bogus;', '@(', ']]>']);
      return { label: `${count} × ${run}`, text: inInbound(`<set-header name="a" exists-action="override"><value>${run.repeat(count)}</value></set-header>${run.repeat(count)}`) };
    }
    case 5: {
      const count = 1 + random.int(10_000);
      const tag = random.pick(['<a>', '<when condition="@(x)">', '<choose>', '<a b="c">']);
      return { label: `${count} × ${tag} never closed`, text: `<policies><inbound>${tag.repeat(count)}` };
    }
    case 6: {
      const levels = 1 + random.int(10_000);
      return { label: `${levels} nested interpolated strings`, text: nestedInterpolations(levels) };
    }
    default: {
      const parts = [strayCharactersInStartTag(1 + random.int(1_000)), nestedChooseWhen(1 + random.int(500)).text, manyAttributes(1 + random.int(2_000))];
      return { label: 'a mixture, mutated', text: mutate(random, parts.join('\n')) };
    }
  }
}

const NAME_PARTS = ['Foo', 'foo', 'FOO', 'a}}b', '{{x', ' spaced ', 'say"hi"', "it's", 'line\nbreak', '<tag>', '', 'ok-name', 'ok.name_2', 'é', '}}', 'x{y'];
/** Values of the wrong type for any field. */
const WRONG = [null, 42, true, 'text', ['a', 1], { nested: {} }, undefined];

/** The test instance with odd names, and some fields replaced by values of the wrong type. */
function mangledMetadata(random: Random): unknown {
  const base: InstanceMetadata = testInstance();
  const namedValues: unknown[] = base.namedValues.map((nv) => ({ ...nv, keyVault: nv.keyVault && { ...nv.keyVault, lastStatus: nv.keyVault.lastStatus && { ...nv.keyVault.lastStatus } } }));
  for (let k = random.int(12); k > 0; k--) {
    const name = random.pick(NAME_PARTS) + (random.int(2) ? random.pick(NAME_PARTS) : '');
    namedValues.push({ name: `n${k}`, displayName: name, kind: random.pick(['plain', 'secret', 'keyVault']), value: 'v' });
  }
  const entries = [...namedValues, ...base.backends, ...base.loggers] as Array<Record<string, unknown>>;
  for (let k = random.int(6); k > 0; k--) {
    const entry = random.pick(entries);
    const field = random.pick(['name', 'displayName', 'kind', 'value', 'tags', 'keyVault', 'url', 'loggerType']);
    entry[field] = random.pick(WRONG);
    const keyVault = entry.keyVault as Record<string, unknown> | undefined;
    if (keyVault && typeof keyVault === 'object' && random.int(3) === 0) keyVault[random.pick(['secretIdentifier', 'lastStatus', 'identityClientId'])] = random.pick(WRONG);
  }
  const raw: Record<string, unknown> = { ...base, namedValues };
  if (random.int(10) === 0) raw[random.pick(['instanceId', 'displayName', 'namedValues', 'backends', 'certificates', 'policyDescriptions'])] = random.pick(WRONG);
  return raw;
}
