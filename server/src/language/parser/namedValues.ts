/**
 * Finds `{{name}}` named-value references in a span of text. APIM substitutes
 * them before anything else is evaluated, so they may appear anywhere:
 * attribute values, text, inside expression strings, even in names.
 */
import type { NamedValueRef } from './nodes';

/** Characters that cannot be part of a reference: they end a half-typed `{{na`. */
function endsReference(c: number): boolean {
  // { } < > " ' newline
  return c === 123 || c === 125 || c === 60 || c === 62 || c === 34 || c === 39 || c === 10 || c === 13;
}

/** Appends the references in `text[start, end)` to `out`; returns how many were found. */
export function collectNamedValues(text: string, start: number, end: number, out: NamedValueRef[]): number {
  let found = 0;
  let i = text.indexOf('{{', start);
  while (i >= 0 && i + 1 < end) {
    // `{{{` : the reference starts at the last pair of braces.
    while (text.charCodeAt(i + 2) === 123 && i + 2 < end) i++;
    const nameStart = i + 2;
    let j = nameStart;
    while (j < end && !endsReference(text.charCodeAt(j))) j++;
    const closed = j + 1 < end + 1 && text.charCodeAt(j) === 125 && text.charCodeAt(j + 1) === 125 && j + 2 <= end;
    const raw = text.substring(nameStart, j);
    const name = raw.trim();
    const leading = raw.length - raw.trimStart().length;
    out.push({
      name,
      start: i,
      nameStart: nameStart + leading,
      nameEnd: nameStart + leading + name.length,
      end: closed ? j + 2 : j,
      closed,
    });
    found++;
    i = text.indexOf('{{', closed ? j + 2 : Math.max(j, i + 2));
  }
  return found;
}

/** The name characters APIM accepts in a named value's display name. */
export function isValidNamedValueName(name: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(name);
}

/**
 * Whether `{{name}}` reads back as exactly this name: no braces, quotes,
 * angle brackets or line breaks inside, no spaces around it.
 */
export function canBeReferenced(name: string): boolean {
  if (!name || name.trim() !== name) return false;
  for (let i = 0; i < name.length; i++) if (endsReference(name.charCodeAt(i))) return false;
  return true;
}
