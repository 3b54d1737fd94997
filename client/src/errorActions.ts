/** Which buttons an error message offers, by the kind of failure (vscode-free so it is testable). */
import type { ClassifiedError } from './azure/errors';

export type ErrorAction = 'Sign In' | 'Select Instance' | 'Open Settings' | 'Retry' | 'Show Log';

export function errorActions(error: ClassifiedError, canRetry = true): ErrorAction[] {
  const retry: ErrorAction[] = canRetry ? ['Retry'] : [];
  switch (error.kind) {
    case 'unauthenticated':
      return ['Sign In', 'Open Settings'];
    case 'forbidden':
      return ['Select Instance', ...retry];
    case 'notFound':
      return ['Select Instance', ...retry];
    case 'network':
      return [...retry, 'Open Settings', 'Show Log'];
    case 'throttled':
    case 'server':
    case 'malformedResponse':
      return [...retry, 'Show Log'];
    case 'invalidInput':
      return ['Open Settings'];
    case 'conflict':
      return [...retry];
    case 'cancelled':
      return [];
  }
}
