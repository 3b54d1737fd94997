/** Checks of literal attribute values against their catalog type. */
import type { AttributeSpec } from '../catalog/types';
import type { AttributeNode } from '../parser/nodes';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];
const BOOLEANS = ['true', 'false'];
const DURATION = /^(?:\d+\.)?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?$/;

/** Values computed at run time (expressions, `{{named values}}`) are never checked literally. */
export function isDynamicValue(attribute: AttributeNode): boolean {
  if (attribute.expression || attribute.hasNamedValue) return true;
  const value = attribute.value ?? '';
  return value.includes('{{') || /^\s*@[({]/.test(value);
}

/** The literal values completion can offer for an attribute (or a constrained element text). */
export function literalChoices(spec: Pick<AttributeSpec, 'type' | 'values'>): string[] {
  switch (spec.type) {
    case 'boolean':
      return BOOLEANS;
    case 'enum':
      return spec.values ?? [];
    case 'http-method':
      return HTTP_METHODS;
    default:
      return [];
  }
}

/** A message when `value` is not acceptable for `spec`, else undefined. */
export function checkLiteralValue(value: string, spec: AttributeSpec): string | undefined {
  const trimmed = value.trim();
  const label = `'${spec.name}'`;
  switch (spec.type) {
    case 'boolean':
      return BOOLEANS.includes(trimmed.toLowerCase()) ? undefined : `${label} must be true or false, not '${value}'.`;
    case 'enum': {
      const values = spec.values ?? [];
      if (!values.length) return undefined;
      const ok = values.some((v) => v === trimmed || (spec.caseInsensitive !== false && v.toLowerCase() === trimmed.toLowerCase()));
      return ok ? undefined : `${label} must be one of ${values.map((v) => `'${v}'`).join(', ')}; '${value}' is not allowed.`;
    }
    case 'integer': {
      if (!/^-?\d+$/.test(trimmed)) return `${label} must be a whole number, not '${value}'.`;
      return checkBounds(Number(trimmed), spec, label);
    }
    case 'number': {
      if (trimmed === '' || Number.isNaN(Number(trimmed))) return `${label} must be a number, not '${value}'.`;
      return checkBounds(Number(trimmed), spec, label);
    }
    case 'http-method':
      // Custom methods are legal HTTP; only reject what cannot be a method token.
      return /^[A-Za-z]+$/.test(trimmed) ? undefined : `${label} must be an HTTP method such as GET or POST, not '${value}'.`;
    case 'duration':
      return DURATION.test(trimmed) ? undefined : `${label} must be a time span such as 00:01:30, not '${value}'.`;
    default:
      return undefined;
  }
}

function checkBounds(n: number, spec: AttributeSpec, label: string): string | undefined {
  if (spec.min !== undefined && n < spec.min) return `${label} must be at least ${spec.min}.`;
  if (spec.max !== undefined && n > spec.max) return `${label} must be at most ${spec.max}.`;
  return undefined;
}
