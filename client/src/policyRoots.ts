/** Recognising APIM policy XML by name or by its root element, without `vscode`. */

const ROOT_PATTERN = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(policies|fragment)[\s>]/;

/** True when the text starts (after a prolog and comments) with `<policies>` or `<fragment>`. */
export function looksLikePolicy(text: string): boolean {
  return ROOT_PATTERN.test(text.slice(0, 4096));
}

/** `*.policy.xml` and APIOps' `policy.xml` are policies by name. */
export function isPolicyFileName(fileName: string): boolean {
  const base = fileName.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  return base === 'policy.xml' || base.endsWith('.policy.xml');
}
