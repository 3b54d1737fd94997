/**
 * A minimal event emitter without `vscode`, shaped like `vscode.Event` so the
 * adapters can hand it straight to VS Code APIs and tests can use it in Node.
 */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export class Emitter<T> {
  private listeners: Array<(value: T) => unknown> = [];

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
    this.listeners.push(bound);
    const subscription = {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== bound);
      },
    };
    disposables?.push(subscription);
    return subscription;
  };

  /** Calls every listener; one failing listener does not stop the others. */
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // a broken listener (UI code) must not break the state change that fired it
      }
    }
  }

  dispose(): void {
    this.listeners = [];
  }
}
