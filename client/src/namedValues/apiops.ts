/**
 * APIOps extracts named values as `named values/<name>/namedValueInformation.json`
 * (`{ "properties": { "displayName": … } }`). Go to Definition opens that file
 * when the workspace has one for the named value.
 */

export const APIOPS_NAMED_VALUE_GLOB = '**/namedValueInformation.json';

export interface ApiOpsMatch {
  /** Offset of the `"displayName"` key (or 0), to put the cursor there. */
  offset: number;
}

/** Whether `text` (the file at `file`) defines the named value with this display name. */
export function matchApiOpsNamedValue(file: string, text: string, displayName: string): ApiOpsMatch | undefined {
  const wanted = displayName.toLowerCase();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  const properties = (parsed as { properties?: { displayName?: unknown } } | null)?.properties;
  const fileDisplayName = typeof properties?.displayName === 'string' ? properties.displayName : undefined;
  const folderName = file.split(/[\\/]/).slice(-2, -1)[0] ?? '';
  const matches = fileDisplayName !== undefined ? fileDisplayName.toLowerCase() === wanted : folderName.toLowerCase() === wanted;
  if (!matches) return undefined;
  const offset = text.indexOf('"displayName"');
  return { offset: offset >= 0 ? offset : 0 };
}

/** Glob of the artifact files, for document selectors (the folder name has a space). */
export const APIOPS_NAMED_VALUE_FILE_PATTERN = '**/named values/*/namedValueInformation.json';

/** The display name an artifact file defines: its `properties.displayName`, else its folder's name. */
export function artifactDisplayName(file: string, text: string): string | undefined {
  try {
    const parsed = JSON.parse(text.replace(/^\uFEFF/, '')) as { properties?: { displayName?: unknown } } | null;
    if (typeof parsed?.properties?.displayName === 'string' && parsed.properties.displayName) return parsed.properties.displayName;
  } catch {
    // A file being edited may not parse; the folder still names the value.
  }
  return file.split(/[\\/]/).slice(-2, -1)[0] || undefined;
}

/**
 * When `offset` is inside the string value of a `"secretIdentifier"` key, the range of that
 * value's text (between the quotes, up to the closing quote or the line's end).
 */
export function secretIdentifierValueAt(text: string, offset: number): { start: number; end: number } | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const match = /"secretIdentifier"\s*:\s*"([^"\\]*)$/.exec(before);
  if (!match) return undefined;
  const start = offset - match[1].length;
  let end = offset;
  while (end < text.length && text[end] !== '"' && text[end] !== '\n' && text[end] !== '\r') end++;
  return { start, end };
}
