// Polling with a deadline: the only way the harness waits. No fixed sleeps anywhere.

export interface WaitOptions {
  /** Total time allowed, in milliseconds. */
  timeoutMs: number;
  /** Pause between two checks, in milliseconds (default 100). */
  intervalMs?: number;
  /** Says what was awaited, e.g. "code-server on 127.0.0.1:1234"; used in the timeout message. */
  description: string;
  /** Extra lines for the timeout message (e.g. where the log is), computed only on failure. */
  detail?: () => string;
}

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** Thrown from a waitFor check to stop waiting at once (e.g. the awaited process died). */
export class AbortWait extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AbortWait';
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * Calls `check` until it returns a value other than undefined/false, and returns that value.
 * A check that throws counts as "not yet" (its last error is quoted if the deadline passes),
 * except an AbortWait, which is rethrown at once.
 */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof AbortWait) throw error;
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await pause(Math.min(interval, remaining));
  }
  const parts = [`${options.description}: not reached within ${formatSeconds(options.timeoutMs)}`];
  if (lastError !== undefined) parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  if (options.detail) parts.push(options.detail());
  throw new WaitTimeoutError(parts.join('\n'));
}

/** Rejects with a clear message if `promise` takes longer than `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`${description}: did not finish within ${formatSeconds(timeoutMs)}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
