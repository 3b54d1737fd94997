/** Options shared by every entry point of the Azure access layer. */
import type { ResolvedCloud } from './clouds';

/**
 * Receives one line per HTTP attempt (method, URL without secrets, status,
 * duration) and per retry decision. Never receives bodies, headers or values.
 */
export type AzureTraceLogger = (line: string) => void;

export interface RetrySettings {
  /** Retries after the first attempt for 429, 5xx/408 and connection failures. */
  maxRetries: number;
  /** First backoff delay; doubles per retry with jitter. */
  baseDelayMs: number;
  /** Upper bound for one backoff delay. */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` we are willing to wait. When a server asks for more,
   * the request fails at once with a `throttled` error naming the wait,
   * instead of leaving the user staring at a spinner.
   */
  maxRetryAfterSeconds: number;
  /** Poll interval for long-running operations (Key Vault refresh) when the server gives none. */
  lroPollIntervalMs: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxRetries: 4,
  baseDelayMs: 800,
  maxDelayMs: 16_000,
  maxRetryAfterSeconds: 30,
  lroPollIntervalMs: 2_000,
};

export interface AzureAccessOptions {
  cloud: ResolvedCloud;
  /**
   * Extra trusted CA certificates (PEM) for private endpoints, TLS-inspecting
   * proxies or the local emulator. Applied to ARM calls and to token requests.
   * Alternative without code: start VS Code with NODE_EXTRA_CA_CERTS=<pem file>.
   */
  extraCaCertificates?: string[];
  retry?: Partial<RetrySettings>;
  logger?: AzureTraceLogger;
  /** Most requests in flight for one metadata load (default 8). */
  parallelRequests?: number;
}

export function resolveRetrySettings(partial: Partial<RetrySettings> | undefined): RetrySettings {
  const merged = { ...DEFAULT_RETRY_SETTINGS, ...stripUndefined(partial ?? {}) };
  return {
    maxRetries: Math.max(0, Math.floor(merged.maxRetries)),
    baseDelayMs: Math.max(0, merged.baseDelayMs),
    maxDelayMs: Math.max(merged.baseDelayMs, merged.maxDelayMs),
    maxRetryAfterSeconds: Math.max(0, merged.maxRetryAfterSeconds),
    lroPollIntervalMs: Math.max(1, merged.lroPollIntervalMs),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
