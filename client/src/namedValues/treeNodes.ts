/** Elements of the Named Values tree: plain objects, so the API can hand them to tests. */
import type { NamedValueInfo } from '../../../protocol/protocol';

export interface InstanceNode {
  readonly kind: 'instance';
  readonly instanceId: string;
}

export interface NamedValueNode {
  readonly kind: 'namedValue';
  readonly instanceId: string;
  readonly namedValue: NamedValueInfo;
}

/** A non-item row: a load error with a retry action, or "no named values match the filter". */
export interface MessageNode {
  readonly kind: 'message';
  readonly instanceId: string;
  readonly key: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: { id: string; color?: string };
  readonly command?: { command: string; title: string; arguments?: unknown[] };
}

export type NamedValuesTreeNode = InstanceNode | NamedValueNode | MessageNode;

export function isNamedValueNode(value: unknown): value is NamedValueNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'namedValue';
}

export function isInstanceNode(value: unknown): value is InstanceNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'instance';
}
