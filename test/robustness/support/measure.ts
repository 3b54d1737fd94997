/**
 * Figures the robustness layer prints (times, sizes, counts). They are
 * reported, not asserted, except for the generous bounds the issue names.
 */
import type { DocumentSymbol } from 'vscode-languageserver-protocol/node';
import { LspSession, type SessionOptions } from '../../server/support/lspSession';

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

/**
 * CPU milliseconds `work` took in this process, the best of `runs`: unlike
 * wall time, it does not count the time other processes had the CPU.
 */
export function bestCpuTime<T>(runs: number, work: () => T): { result: T; ms: number } {
  let best: { result: T; ms: number } | undefined;
  for (let k = 0; k < runs; k++) {
    const before = process.cpuUsage();
    const result = work();
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    if (!best || ms < best.ms) best = { result, ms };
  }
  return best!;
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

export interface PerTestSession {
  /** The server of the running test. */
  readonly session: LspSession;
  /** A document URI not used before in this file. */
  nextUri(): string;
  /** Replaces the running test's server by one started with `options`. */
  restart(options: SessionOptions): Promise<void>;
}

/**
 * Registers hooks (call inside `describe`) that start a fresh server before
 * each test and stop it after; `check` runs on it first, for what every test
 * of the file must leave true.
 */
export function sessionPerTest(name: string, options: SessionOptions = {}, check?: (session: LspSession) => void): PerTestSession {
  let current: LspSession | undefined;
  let counter = 0;
  beforeEach(async () => {
    current = await LspSession.start(options);
  });
  afterEach(async () => {
    const session = current;
    current = undefined;
    try {
      if (session) check?.(session);
    } finally {
      await session?.stop();
    }
  });
  return {
    get session(): LspSession {
      if (!current) throw new Error('no server: sessionPerTest works inside a test');
      return current;
    },
    nextUri: () => `file:///robust/${name}-${++counter}.policy.xml`,
    restart: async (next) => {
      await current?.stop();
      current = await LspSession.start(next);
    },
  };
}
