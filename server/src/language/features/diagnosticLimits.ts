/**
 * Keeps the diagnostics of one document readable and cheap to send: a run
 * of the same problem becomes one diagnostic, and past a cap the rest is
 * summed up in a final "…and N more".
 */
import type { PolicyDiagnostic, Severity } from '../languageTypes';

/** Most diagnostics published for one document; the summary comes on top. */
export const MAX_DIAGNOSTICS = 1000;

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Most characters between two reports of the same problem that still make them one run. */
const RUN_GAP = 8;

/**
 * Merges consecutive diagnostics with the same code and message that
 * overlap or sit on one line at most a few characters apart (`& & &`,
 * `<x/><x/><x/>`), noting how many there were. Problems on separate lines
 * stay separate: each line keeps its own mark.
 */
export function collapseRuns(diagnostics: readonly PolicyDiagnostic[], text: string): PolicyDiagnostic[] {
  const result: PolicyDiagnostic[] = [];
  let run = 1;
  const finishRun = (): void => {
    if (run > 1) {
      const last = result[result.length - 1];
      last.message = `${last.message} (${run.toLocaleString('en-US')} in a row)`;
    }
    run = 1;
  };
  for (const diagnostic of diagnostics) {
    const last = result[result.length - 1];
    if (last && last.code === diagnostic.code && last.message === diagnostic.message && diagnostic.start >= last.start && closeOnOneLine(text, last.end, diagnostic.start)) {
      last.end = Math.max(last.end, diagnostic.end);
      run++;
      continue;
    }
    finishRun();
    result.push({ ...diagnostic });
  }
  finishRun();
  return result;
}

function closeOnOneLine(text: string, from: number, to: number): boolean {
  if (to - from > RUN_GAP) return false;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || c === 13) return false;
  }
  return true;
}

/**
 * At most `max` diagnostics, the most severe first chosen (in their original
 * order), then one more that counts what was left out and sits where the
 * first of those was.
 */
export function capDiagnostics(diagnostics: PolicyDiagnostic[], max = MAX_DIAGNOSTICS): PolicyDiagnostic[] {
  if (diagnostics.length <= max) return diagnostics;
  // The severity at which the budget runs out, and how many of that severity still fit.
  const counts = [0, 0, 0, 0];
  for (const d of diagnostics) counts[RANK[d.severity]]++;
  let cutoff = 0;
  let budget = max;
  while (budget >= counts[cutoff]) budget -= counts[cutoff++];
  const kept: PolicyDiagnostic[] = [];
  let firstLeftOut: PolicyDiagnostic | undefined;
  let worstLeftOut: Severity = 'hint';
  for (const d of diagnostics) {
    const rank = RANK[d.severity];
    if (rank < cutoff || (rank === cutoff && budget-- > 0)) {
      kept.push(d);
      continue;
    }
    if (!firstLeftOut || d.start < firstLeftOut.start) firstLeftOut = d;
    if (rank < RANK[worstLeftOut]) worstLeftOut = d.severity;
  }
  const more = diagnostics.length - kept.length;
  kept.push({
    code: 'too-many-problems',
    severity: worstLeftOut,
    message: `…and ${more.toLocaleString('en-US')} more problems in this document, not shown (only the first ${max.toLocaleString('en-US')} are listed, most severe first). Fix these and the rest appear.`,
    start: firstLeftOut!.start,
    end: firstLeftOut!.end,
  });
  return kept;
}

/** Collapses runs, then caps: what a host publishes for one document of `text`. */
export function limitDiagnostics(diagnostics: readonly PolicyDiagnostic[], text: string, max = MAX_DIAGNOSTICS): PolicyDiagnostic[] {
  return capDiagnostics(collapseRuns(diagnostics, text), max);
}
