/** Go to definition: `{{named value}}` references and `fragment-id` values. The host resolves targets to locations. */
import type { DefinitionTarget } from '../languageTypes';
import { elementAt } from '../parser/navigation';
import type { PolicyDocument } from '../parser/nodes';
import type { StructureResolver } from '../structure';

export function findDefinitionTarget(doc: PolicyDocument, structure: StructureResolver, offset: number): DefinitionTarget | undefined {
  const ref = doc.namedValues.find((r) => offset >= r.start && offset <= r.end);
  if (ref && ref.name) return { kind: 'named-value', name: ref.name, origin: { start: ref.start, end: ref.end } };
  const element = elementAt(doc, offset);
  if (!element || offset > element.startTagEnd) return undefined;
  const attribute = element.attributes.find((a) => a.valueStart !== undefined && offset > a.valueStart && offset <= (a.valueEnd ?? a.valueStart));
  if (!attribute?.value || attribute.expression || attribute.valueStart === undefined) return undefined;
  const role = structure.roleOf(element);
  if (role.kind !== 'policy') return undefined;
  const spec = structure.catalog.findAttribute(role.policy.name, attribute.name);
  if (spec?.references !== 'policyFragment') return undefined;
  const start = attribute.valueStart + 1;
  return { kind: 'fragment', name: attribute.value.trim(), origin: { start, end: start + attribute.value.length } };
}
