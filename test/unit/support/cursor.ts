/**
 * Cursor-marker helpers: tests write `'<set-header |'` and get the text
 * without the marker plus the cursor offset.
 */
import type { ParsedPolicy, PolicyLanguageService } from '../../../server/src/language/languageService';
import { getLanguageService } from '../../../server/src/language/languageService';

export const CURSOR = '|';

export interface AtCursor {
  text: string;
  offset: number;
}

export function atCursor(source: string, marker = CURSOR): AtCursor {
  const offset = source.indexOf(marker);
  if (offset < 0) throw new Error(`no cursor marker '${marker}' in ${JSON.stringify(source)}`);
  if (source.indexOf(marker, offset + 1) >= 0) throw new Error(`more than one cursor marker in ${JSON.stringify(source)}`);
  return { text: source.slice(0, offset) + source.slice(offset + marker.length), offset };
}

let shared: PolicyLanguageService | undefined;
export function languageService(): PolicyLanguageService {
  shared ??= getLanguageService();
  return shared;
}

export function parse(text: string): ParsedPolicy {
  return languageService().parse(text);
}

/** Wraps statements in a complete policy document, in the given section. */
export function inSection(section: string, body: string): string {
  return `<policies>\n  <${section}>\n    ${body}\n  </${section}>\n</policies>\n`;
}
