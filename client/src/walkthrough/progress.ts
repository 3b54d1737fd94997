/**
 * The Get Started walkthrough's steps complete on events VS Code sees by itself (a command run, a
 * view shown, a context key) — except two that only the extension sees: a policy shown in an editor,
 * and `{{` completion answered with named values. Each of those is signalled as a context key pulse
 * (true, then false again) rather than a lasting state: VS Code (1.139) treats an `onContext`
 * expression that already holds when it registers a walkthrough as seen, and then never completes
 * that step in the window. Its walkthrough service starts lazily (when the Welcome page or a
 * walkthrough first opens), so a key that stayed true would never tick the step for someone who
 * opened a policy before opening the walkthrough; a pulse ticks it the next time it happens.
 * Free of editor types so plain Node tests can drive it.
 */
import { NAMED_VALUE_COMPLETION_KIND } from '../../../protocol/protocol';
import { CONTEXT_KEYS } from '../contributions';

/** Sets a context key; resolves once the workbench has applied it. */
export type SetContext = (key: string, value: boolean) => Thenable<unknown>;

/**
 * Whether a completion answer holds `{{named value}}` items. The language client hands items over
 * as its own CompletionItem subclass, which keeps the server's `data`.
 */
export function isNamedValueCompletion(items: readonly object[]): boolean {
  return items.some((item) => {
    const data = (item as { data?: unknown }).data;
    return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === NAMED_VALUE_COMPLETION_KIND;
  });
}

export class WalkthroughProgress {
  /** Keys whose pulse is under way: another occurrence meanwhile adds nothing. */
  private readonly pulsing = new Set<string>();

  constructor(private readonly setContext: SetContext) {}

  /** A policy document is shown in an editor. */
  policyShown(): Promise<void> {
    return this.pulse(CONTEXT_KEYS.policyOpened);
  }

  /** The language server answered a completion request with these items. */
  completionAnswered(items: readonly object[]): Promise<void> {
    return isNamedValueCompletion(items) ? this.pulse(CONTEXT_KEYS.namedValueCompletionShown) : Promise.resolve();
  }

  private async pulse(key: string): Promise<void> {
    if (this.pulsing.has(key)) return;
    this.pulsing.add(key);
    try {
      // The workbench checks walkthrough steps while it applies the true value; false waits for that.
      await this.setContext(key, true);
      await this.setContext(key, false);
    } finally {
      this.pulsing.delete(key);
    }
  }
}
