/**
 * Figures the robustness layer prints (times, sizes, counts). They are
 * reported, not asserted, except for the generous bounds the issue names.
 */
import type { DocumentSymbol } from 'vscode-languageserver-protocol/node';
import type { LspSession } from '../../server/support/lspSession';

/** Prints one measured figure under the running test. */
export function figure(label: string, value: string): void {
  console.log(`      ▸ ${label}: ${value}`);
}

export function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

/** Milliseconds `work` took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** The best of `runs` timings, so one garbage collection on a busy machine is not read as slowness. */
export async function bestOf<T>(runs: number, work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  let best = await timed(work);
  for (let k = 1; k < runs; k++) {
    const next = await timed(work);
    if (next.ms < best.ms) best = next;
  }
  return best;
}

/** Size of a result as JSON, as it travels over the wire. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Count and deepest nesting of an outline, walked without recursion. */
export function outlineShape(symbols: readonly DocumentSymbol[]): { count: number; depth: number } {
  let count = 0;
  let depth = 0;
  const pending = symbols.map((symbol) => ({ symbol, level: 1 }));
  for (let item = pending.pop(); item; item = pending.pop()) {
    count++;
    depth = Math.max(depth, item.level);
    for (const child of item.symbol.children ?? []) pending.push({ symbol: child, level: item.level + 1 });
  }
  return { count, depth };
}

/** Log lines where the server reported a handler that threw (runSafe's "<name> failed: …"). */
export function failures(session: LspSession): string[] {
  return session.logMessages.filter((line) => / failed: /.test(line) || /Maximum call stack|RangeError/.test(line));
}
