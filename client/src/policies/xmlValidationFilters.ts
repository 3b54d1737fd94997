/**
 * Which `xml.validation.filters` entries (Red Hat XML's documented setting)
 * keep it from validating policy files; free of vscode so it is unit-tested.
 */
export const POLICY_FILE_PATTERNS = ['**/*.policy.xml', '**/policy.xml'];

export interface XmlValidationFilter {
  pattern: string;
  enabled: false;
}

/** Filters to add so Red Hat XML leaves policy files alone; empty when they are already there. */
export function missingFilters(current: unknown): XmlValidationFilter[] {
  const filters: unknown[] = Array.isArray(current) ? current : [];
  const disabled = (pattern: string) => filters.some((f) => typeof f === 'object' && f !== null
    && (f as { pattern?: unknown }).pattern === pattern && (f as { enabled?: unknown }).enabled === false);
  return POLICY_FILE_PATTERNS.filter((pattern) => !disabled(pattern)).map((pattern) => ({ pattern, enabled: false }));
}
