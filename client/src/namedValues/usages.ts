/**
 * "Find Usages" of a named value: every `{{displayName}}` in the workspace's
 * policy files. Name matching ignores case, as the service does for named
 * value references. File discovery belongs to the caller (VS Code's
 * findFiles honours `files.exclude`); this module reads and scans.
 */
import { isPolicyFileName, looksLikePolicy } from '../policyRoots';

export interface TextMatch {
  line: number;
  character: number;
  length: number;
}

export interface Usage extends TextMatch {
  file: string;
  /** The line's text, trimmed, for a results list. */
  preview: string;
}

export interface UsageSearchResult {
  usages: Usage[];
  filesSearched: number;
  /** Files that could not be read (reported, not fatal). */
  unreadable: string[];
  cancelled: boolean;
}

/** Glob for candidate files: every XML file; `searchUsages` keeps the ones that are policies. */
export const POLICY_CANDIDATE_GLOB = '**/*.xml';
export const DEFAULT_MAX_FILES = 20_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Positions of `{{displayName}}` in `text` (zero-based line and UTF-16 character). */
export function findReferencesInText(text: string, displayName: string): TextMatch[] {
  if (!displayName) return [];
  const pattern = new RegExp(`\\{\\{${escapeRegExp(displayName)}\\}\\}`, 'gi');
  const matches: TextMatch[] = [];
  let lineStart = 0;
  let line = 0;
  let scanned = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    // Count newlines between the last match and this one only: linear in the text length.
    for (let i = text.indexOf('\n', scanned); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = m.index;
    matches.push({ line, character: m.index - lineStart, length: m[0].length });
  }
  return matches;
}

/** Whether a file should be searched: policy by name, or an XML file whose root is `<policies>` / `<fragment>`. */
export function isPolicyFile(file: string, text: string): boolean {
  return isPolicyFileName(file) || (file.toLowerCase().endsWith('.xml') && looksLikePolicy(text));
}

export interface SearchOptions {
  read(file: string): Promise<string>;
  /** Files to search whatever their name or root element (e.g. editors in the policy language). */
  treatAsPolicy?: (file: string) => boolean;
  signal?: AbortSignal;
  maxFiles?: number;
}

export async function searchUsages(files: readonly string[], displayName: string, options: SearchOptions): Promise<UsageSearchResult> {
  const result: UsageSearchResult = { usages: [], filesSearched: 0, unreadable: [], cancelled: false };
  const limit = Math.min(files.length, options.maxFiles ?? DEFAULT_MAX_FILES);
  for (let i = 0; i < limit; i++) {
    if (options.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    const file = files[i];
    let text: string;
    try {
      text = await options.read(file);
    } catch {
      result.unreadable.push(file);
      continue;
    }
    if (!options.treatAsPolicy?.(file) && !isPolicyFile(file, text)) continue;
    result.filesSearched++;
    const lines = text.split(/\r?\n/);
    for (const match of findReferencesInText(text, displayName)) {
      result.usages.push({ file, ...match, preview: (lines[match.line] ?? '').trim() });
    }
  }
  return result;
}
