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
