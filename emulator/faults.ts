// Fault injection for ARM routes. Each request draws one number per knob, always in the same order, so a
// seeded run replays the same faults for the same request sequence.
import type { FaultKnobs, FaultSettings } from './types';

export const NO_FAULTS: FaultKnobs = {
  latencyMs: 0,
  throttleRate: 0,
  retryAfterSeconds: null,
  serverErrorRate: 0,
  dropRate: 0,
  malformedRate: 0,
  failMatching: null,
};

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'throttle'; retryAfterSeconds: number | null }
  | { kind: 'serverError'; status: 500 | 503 }
  | { kind: 'failMatching' };

/** mulberry32: tiny, fast, good enough for test fault rolls. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private knobs: FaultKnobs = { ...NO_FAULTS };
  private random: () => number = Math.random;

  constructor(initial?: FaultSettings) {
    if (initial) this.set(initial);
  }

  get current(): FaultKnobs {
    return { ...this.knobs };
  }

  /** Merges the given knobs into the current ones; throws on out-of-range values. */
  set(settings: FaultSettings): void {
    const next: FaultKnobs = { ...this.knobs };
    for (const key of ['throttleRate', 'serverErrorRate', 'dropRate', 'malformedRate'] as const) {
      const value = settings[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new RangeError(`${key} must be a number in 0..1`);
      next[key] = value;
    }
    if (settings.latencyMs !== undefined) {
      if (typeof settings.latencyMs !== 'number' || !(settings.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
      next.latencyMs = settings.latencyMs;
    }
    if (settings.retryAfterSeconds !== undefined) {
      const r = settings.retryAfterSeconds;
      if (r !== null && (typeof r !== 'number' || !(r >= 0) || !Number.isInteger(r))) {
        throw new RangeError('retryAfterSeconds must be a non-negative integer or null');
      }
      next.retryAfterSeconds = r;
    }
    if (settings.failMatching !== undefined) {
      const f = settings.failMatching;
      if (f !== null && (typeof f !== 'string' || f === '')) throw new RangeError('failMatching must be a non-empty string or null');
      next.failMatching = f;
    }
    if (settings.seed !== undefined) {
      if (typeof settings.seed !== 'number' || !Number.isFinite(settings.seed)) throw new RangeError('seed must be a number');
      this.random = mulberry32(settings.seed);
    }
    this.knobs = next;
  }

  reset(initial?: FaultSettings): void {
    this.knobs = { ...NO_FAULTS };
    this.random = Math.random;
    if (initial) this.set(initial);
  }

  /** Decides the fate of one ARM request (`target`: its path and query) before it is handled. */
  decide(target = ''): FaultDecision {
    const k = this.knobs;
    const drop = this.random();
    const throttle = this.random();
    const serverError = this.random();
    const which = this.random();
    if (k.failMatching !== null && target.includes(k.failMatching)) return { kind: 'failMatching' };
    if (drop < k.dropRate) return { kind: 'drop' };
    if (throttle < k.throttleRate) return { kind: 'throttle', retryAfterSeconds: k.retryAfterSeconds };
    if (serverError < k.serverErrorRate) return { kind: 'serverError', status: which < 0.5 ? 500 : 503 };
    return { kind: 'none' };
  }

  /** Whether a successful JSON response should be corrupted. */
  shouldMalform(): boolean {
    return this.random() < this.knobs.malformedRate;
  }
}

/** Corrupts a JSON body: cut in half (unterminated JSON), or an HTML gateway page when the body is tiny. */
export function malformBody(serialized: string): string {
  if (serialized.length < 8) return '<html><body>502 Bad Gateway</body></html>';
  return serialized.slice(0, Math.floor(serialized.length / 2));
}
