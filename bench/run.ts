/**
 * `npm run bench`: parse, completion after a one-character edit, hover and
 * diagnostics on generated documents of ~10 KB, ~100 KB and ~1 MB, side by
 * side with vscode-html-languageservice (parse + doComplete) on the same
 * document and position as the reference peer.
 */
import * as html from 'vscode-html-languageservice';
import { loadBundledCSharpParser } from '../server/src/csharpWasm';
import { getLanguageService, type ParsedPolicy, type PolicyLanguageService } from '../server/src/language/languageService';
import { reparseAfterEdit } from '../server/src/language/parser/incremental';
import { StructureResolver } from '../server/src/language/structure';
import { generatePolicy } from './generate';
import { benchInstance } from './instance';

interface Stats {
  median: number;
  p95: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

function time(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/** With C# in expressions (the parser is set in main). */
const service = getLanguageService();
/** Without C#: the XML and catalog checks only, as before expressions were checked. */
const xmlOnly = getLanguageService();
const peer = html.getLanguageService();

interface Keystroke {
  at: number;
  char: string;
}

/**
 * Keystrokes in the middle half of the document, alternating between typing
 * into an attribute value and typing `<` where a new statement starts (the
 * completion that lists the section's policies).
 */
function keystrokes(text: string, count: number): Keystroke[] {
  const values: Keystroke[] = [];
  const tags: Keystroke[] = [];
  const from = Math.floor(text.length / 4);
  const to = Math.floor((text.length * 3) / 4);
  const valuePattern = /name="/g;
  valuePattern.lastIndex = from;
  for (let m = valuePattern.exec(text); m && m.index < to; m = valuePattern.exec(text)) values.push({ at: m.index + m[0].length, char: 'x' });
  const tagPattern = /\n {4}(?=<)/g;
  tagPattern.lastIndex = from;
  for (let m = tagPattern.exec(text); m && m.index < to; m = tagPattern.exec(text)) tags.push({ at: m.index + m[0].length, char: '<' });
  const pick = (list: Keystroke[], n: number): Keystroke[] => {
    const step = Math.max(1, Math.floor(list.length / n));
    return list.filter((_, i) => i % step === 0).slice(0, n);
  };
  const half = Math.ceil(count / 2);
  const a = pick(values, half);
  const b = pick(tags, half);
  const result: Keystroke[] = [];
  for (let i = 0; i < half; i++) {
    if (a[i]) result.push(a[i]);
    if (b[i]) result.push(b[i]);
  }
  return result;
}

/** Places inside expressions where a `.` typed after `context.Request` asks for its members. */
function dotStrokes(text: string, count: number): Keystroke[] {
  const found: Keystroke[] = [];
  const pattern = /@\(context\.Request(?=\.)/g;
  pattern.lastIndex = Math.floor(text.length / 4);
  for (let m = pattern.exec(text); m && m.index < (text.length * 3) / 4; m = pattern.exec(text)) found.push({ at: m.index + m[0].length, char: '.' });
  const step = Math.max(1, Math.floor(found.length / count));
  return found.filter((_, i) => i % step === 0).slice(0, count);
}

function benchSize(label: string, size: number, iterations: number): Record<string, Stats> {
  const base = generatePolicy(size);
  const strokes = keystrokes(base, iterations);
  const parseTimes: number[] = [];
  const completionTimes: number[] = [];
  const hoverTimes: number[] = [];
  const diagnosticTimes: number[] = [];
  const xmlOnlyTimes: number[] = [];
  const peerTimes: number[] = [];

  // Warm up both sides so the JIT is not measured.
  for (let k = 0; k < 3; k++) {
    service.doValidation(service.parse(base));
    const doc = html.TextDocument.create('file:///warm.html', 'html', 1, base);
    peer.doComplete(doc, doc.positionAt(strokes[0].at), peer.parseHTMLDocument(doc));
  }

  let parsed: ParsedPolicy = service.parse(base);
  const text = base;
  let completionItems = 0;
  for (let i = 0; i < strokes.length; i++) {
    const { at, char } = strokes[i];
    parseTimes.push(time(() => service.parse(text)));

    // Type one character, then ask for completion at the cursor: what the editor does on each keystroke.
    const typed = text.slice(0, at) + char + text.slice(at);
    completionTimes.push(
      time(() => {
        parsed = { doc: reparseAfterEdit(parsed.doc, typed, { start: at, end: at, text: char }), structure: new StructureResolver(service.catalog) };
        completionItems += service.doComplete(parsed, at + 1).items.length;
      }),
    );
    hoverTimes.push(time(() => service.doHover(parsed, at + 1)));
    // Each diagnostics run gets its own structure cache, as the server's first pass over a new
    // version does: sharing one would let whichever runs second skip the element lookups.
    const fresh = (): ParsedPolicy => ({ doc: parsed.doc, structure: new StructureResolver(service.catalog) });
    diagnosticTimes.push(time(() => service.doValidation(fresh())));
    xmlOnlyTimes.push(time(() => xmlOnly.doValidation(fresh())));

    // The peer on the same text and position.
    const document = html.TextDocument.create('file:///bench.html', 'html', i, typed);
    peerTimes.push(time(() => peer.doComplete(document, document.positionAt(at + 1), peer.parseHTMLDocument(document))));

    // Backspace, so every iteration types into the same document.
    parsed = { doc: reparseAfterEdit(parsed.doc, text, { start: at, end: at + 1, text: '' }), structure: new StructureResolver(service.catalog) };
  }
  if (completionItems === 0) throw new Error(`${label}: completion returned nothing; the benchmark would measure an empty path`);

  // Typing '.' in an expression: incremental reparse + C# parse of that expression + member completion.
  const dots = dotStrokes(text, iterations);
  for (let k = 0; k < 5; k++) {
    const { at, char } = dots[k % dots.length];
    const typed = text.slice(0, at) + char + text.slice(at);
    service.doComplete(service.parse(typed), at + 1);
  }
  const dotTimes: number[] = [];
  const dotPeerTimes: number[] = [];
  let members = 0;
  for (const [i, { at, char }] of dots.entries()) {
    const typed = text.slice(0, at) + char + text.slice(at);
    dotTimes.push(
      time(() => {
        parsed = { doc: reparseAfterEdit(parsed.doc, typed, { start: at, end: at, text: char }), structure: new StructureResolver(service.catalog) };
        members += service.doComplete(parsed, at + 1).items.length;
      }),
    );
    const document = html.TextDocument.create('file:///bench-dot.html', 'html', i, typed);
    dotPeerTimes.push(time(() => peer.doComplete(document, document.positionAt(at + 1), peer.parseHTMLDocument(document))));
    parsed = { doc: reparseAfterEdit(parsed.doc, text, { start: at, end: at + 1, text: '' }), structure: new StructureResolver(service.catalog) };
  }
  if (members === 0) throw new Error(`${label}: member completion after '.' returned nothing`);

  return {
    parse: stats(parseTimes),
    'completion after edit': stats(completionTimes),
    'completion after "." in C#': stats(dotTimes),
    hover: stats(hoverTimes),
    diagnostics: stats(diagnosticTimes),
    'diagnostics without C#': stats(xmlOnlyTimes),
    'peer: html parse + doComplete': stats(peerTimes),
    'peer at the "."': stats(dotPeerTimes),
  };
}

/**
 * Diagnostics of a document never seen before: every expression is parsed as
 * C#. The server spreads that over passes of a bounded length; this measures
 * the first pass, all passes together, and how many there are.
 */
function coldDiagnostics(size: number, runs: number): { firstPass: Stats; total: Stats; passes: number } {
  const first: number[] = [];
  const totals: number[] = [];
  let passes = 0;
  for (let run = 0; run < runs; run++) {
    // A fresh service and a fresh text (other numbers) so nothing is cached.
    const fresh: PolicyLanguageService = getLanguageService();
    fresh.setCSharpParser(parser!);
    const text = generatePolicy(size).replace(/\b(\d{1,4})\b/g, (m) => `${Number(m) + run + 1}`);
    const parsedText = fresh.parse(text);
    let total = 0;
    passes = 0;
    do {
      const pass = time(() => fresh.doValidation(parsedText));
      if (passes === 0) first.push(pass);
      total += pass;
      passes++;
    } while (fresh.expressions.pending);
    totals.push(total);
  }
  return { firstPass: stats(first), total: stats(totals), passes };
}

let parser: Awaited<ReturnType<typeof loadBundledCSharpParser>> | undefined;

function format(ms: number): string {
  return ms < 1 ? ms.toFixed(3) : ms.toFixed(2);
}

async function main(): Promise<void> {
  parser = await loadBundledCSharpParser();
  service.setCSharpParser(parser);
  const sizes: Array<[string, number, number]> = [
    ['10 KB', 10_000, 200],
    ['100 KB', 100_000, 100],
    ['1 MB', 1_000_000, 40],
  ];
  console.log(`APIM Policy Studio benchmark — Node ${process.version}, ${new Date().toISOString()}`);
  console.log('Times in ms (median / p95). Completion after edit = incremental reparse after typing one character + completion at the cursor.\n');
  const rows: string[] = [];
  for (const [label, size, iterations] of sizes) {
    const result = benchSize(label, size, iterations);
    const ratio = (ours: string, theirs: string): string => (result[ours].median / result[theirs].median).toFixed(3);
    rows.push(
      `| ${label} | ${Object.values(result)
        .map((s) => `${format(s.median)} / ${format(s.p95)}`)
        .join(' | ')} | ${ratio('completion after edit', 'peer: html parse + doComplete')} | ${ratio('completion after "." in C#', 'peer at the "."')} |`,
    );
  }
  console.log(
    '| size | parse | completion after edit | completion after "." in C# | hover | diagnostics | diagnostics without C# | peer: html parse + doComplete | peer at the "." | completion ÷ peer | "." ÷ peer |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  const cold = coldDiagnostics(1_000_000, 3);
  console.log(
    `\nDiagnostics of a 1 MB document seen for the first time (every expression parsed as C#, median of 3): first pass ${format(cold.firstPass.median)} ms, ` +
      `all ${cold.passes} passes ${format(cold.total.median)} ms.`,
  );
  await benchInstance();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
