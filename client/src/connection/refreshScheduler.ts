/**
 * Background refresh every N minutes (0 = off). One timer; a manual refresh
 * pushes the next background one a full interval away, so the two never
 * pile up. The task's failures are the task's business (it never rejects).
 */
import type { Clock } from '../clock';

export class RefreshScheduler {
  private intervalMs = 0;
  private timer: unknown;
  private due: number | undefined;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly task: () => Promise<void>,
  ) {}

  /** When the next background refresh runs (ms since epoch), or undefined when off. */
  get nextDueAt(): number | undefined {
    return this.due;
  }

  setIntervalMinutes(minutes: number): void {
    const ms = Math.max(0, minutes) * 60_000;
    if (ms === this.intervalMs && (this.due !== undefined || ms === 0)) return;
    this.intervalMs = ms;
    this.schedule();
  }

  /** A refresh just happened outside the schedule: start counting again from now. */
  refreshed(): void {
    if (this.intervalMs > 0) this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private schedule(): void {
    this.cancel();
    if (this.disposed || this.intervalMs <= 0) return;
    this.due = this.clock.now() + this.intervalMs;
    this.timer = this.clock.setTimeout(() => void this.fire(), this.intervalMs);
  }

  private cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.due = undefined;
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    this.due = undefined;
    try {
      await this.task();
    } catch {
      // the task reports its own failures; the schedule goes on
    }
    if (!this.disposed && this.timer === undefined) this.schedule();
  }
}
