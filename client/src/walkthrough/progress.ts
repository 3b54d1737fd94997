/**
 * The Get Started walkthrough's steps complete on events VS Code sees by itself (a command run, a
 * view shown, a context key) — except two that only the extension sees: a policy shown in an editor,
 * and `{{` completion answered with named values. Each of those sets a context key, once per window;
 * VS Code remembers a completed step, so the key never needs to go back to false.
 * Free of editor types so plain Node tests can drive it.
 */
import { NAMED_VALUE_COMPLETION_KIND } from '../../../protocol/protocol';
import { CONTEXT_KEYS } from '../contributions';

export type SetContext = (key: string, value: unknown) => void;

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
  private readonly reached = new Set<string>();

  constructor(private readonly setContext: SetContext) {}

  /** A policy document is shown in an editor. */
  policyShown(): void {
    this.reach(CONTEXT_KEYS.policyOpened);
  }

  /** The language server answered a completion request with these items. */
  completionAnswered(items: readonly object[]): void {
    // After the first time, completion costs one set lookup here.
    if (!this.reached.has(CONTEXT_KEYS.namedValueCompletionShown) && isNamedValueCompletion(items)) this.reach(CONTEXT_KEYS.namedValueCompletionShown);
  }

  private reach(key: string): void {
    if (this.reached.has(key)) return;
    this.reached.add(key);
    this.setContext(key, true);
  }
}
