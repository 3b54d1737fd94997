/**
 * `npm run bench`: parse, completion after a one-character edit, hover and
 * diagnostics on generated documents of ~10 KB, ~100 KB and ~1 MB, side by
 * side with vscode-html-languageservice (parse + doComplete) on the same
 * document and position as the reference peer.
 */
import * as html from 'vscode-html-languageservice';
import { getLanguageService, type ParsedPolicy } from '../server/src/language/languageService';
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

const service = getLanguageService();
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

function benchSize(label: string, size: number, iterations: number): Record<string, Stats> {
  const base = generatePolicy(size);
  const strokes = keystrokes(base, iterations);
  const parseTimes: number[] = [];
  const completionTimes: number[] = [];
  const hoverTimes: number[] = [];
  const diagnosticTimes: number[] = [];
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
    diagnosticTimes.push(time(() => service.doValidation(parsed)));

    // The peer on the same text and position.
    const document = html.TextDocument.create('file:///bench.html', 'html', i, typed);
    peerTimes.push(time(() => peer.doComplete(document, document.positionAt(at + 1), peer.parseHTMLDocument(document))));

    // Backspace, so every iteration types into the same document.
    parsed = { doc: reparseAfterEdit(parsed.doc, text, { start: at, end: at + 1, text: '' }), structure: new StructureResolver(service.catalog) };
  }
  if (completionItems === 0) throw new Error(`${label}: completion returned nothing; the benchmark would measure an empty path`);
  return {
    parse: stats(parseTimes),
    'completion after edit': stats(completionTimes),
    hover: stats(hoverTimes),
    diagnostics: stats(diagnosticTimes),
    'peer: html parse + doComplete': stats(peerTimes),
  };
}

function format(ms: number): string {
  return ms < 1 ? ms.toFixed(3) : ms.toFixed(2);
}

async function main(): Promise<void> {
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
    const ours = result['completion after edit'];
    const theirs = result['peer: html parse + doComplete'];
    rows.push(
      `| ${label} | ${Object.values(result)
        .map((s) => `${format(s.median)} / ${format(s.p95)}`)
        .join(' | ')} | ${(ours.median / theirs.median).toFixed(3)} |`,
    );
  }
  console.log('| size | parse | completion after edit | hover | diagnostics | peer: html parse + doComplete | completion ÷ peer (median) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  await benchInstance();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
