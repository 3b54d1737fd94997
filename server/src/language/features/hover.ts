/** Hover: what an element, attribute, entity reference or `{{named value}}` is. */
import { DiagnoseKeyVaultReferenceCommand } from '../../../../protocol/commands';
import type { ExpressionService } from '../expressions/service';
import type { InstanceIndex } from '../instance';
import type { HoverResult } from '../languageTypes';
import { elementAt } from '../parser/navigation';
import type { ElementNode, PolicyDocument } from '../parser/nodes';
import type { StructureResolver } from '../structure';
import { SECTION_DOCS, caseNote, describeAttribute, describeElement, describeNamedValue, describePolicy } from './describe';
import { hoverInExpression } from './expressionHover';

export function doHover(
  doc: PolicyDocument,
  structure: StructureResolver,
  offset: number,
  instance: InstanceIndex | undefined,
  expressions?: ExpressionService,
): HoverResult | undefined {
  const ref = doc.namedValues.find((r) => offset >= r.start && offset <= r.end);
  if (ref) {
    const range = { start: ref.start, end: ref.end };
    if (!instance) return { ...range, markdown: `**{{${ref.name}}}** — named value. Connect an API Management instance to see its kind and status.` };
    const nv = instance.findNamedValue(ref.name);
    if (!nv) {
      const markdown = instance.isUnreadableNamedValue(ref.name)
        ? `**{{${ref.name}}}** — listed by ${instance.displayName}, but its details arrived malformed and were set aside (see the APIM Policy log).`
        : `**{{${ref.name}}}** — not a named value of ${instance.displayName}.`;
      return { ...range, markdown };
    }
    const note = caseNote(ref.name, nv, instance.namedValuesIgnoringCase(ref.name));
    const markdown = describeNamedValue(nv, instance.displayName, instance.metadata.stale) + (note ? `\n\n${note}` : '');
    if (nv.kind !== 'keyVault') return { ...range, markdown };
    const link = DiagnoseKeyVaultReferenceCommand.uri({ instanceId: instance.instanceId, name: nv.name });
    return { ...range, markdown: `${markdown}\n\n[Diagnose this Key Vault reference…](${link})` };
  }
  const expression = expressions?.expressionAt(doc, offset);
  const inExpression = expression && expressions ? hoverInExpression(doc, expression, offset, expressions) : undefined;
  if (inExpression) return inExpression;

  const element = elementAt(doc, offset);
  if (!element) return undefined;
  const inStartName = offset > element.start && offset <= element.nameEnd;
  const inEndName = element.endTagStart !== undefined && offset >= element.endTagStart + 2 && offset <= element.end;
  if (inStartName || inEndName) {
    const start = inStartName ? element.start + 1 : element.endTagStart! + 2;
    const markdown = describeElementNode(element, structure);
    return markdown ? { start, end: start + element.name.length, markdown } : undefined;
  }
  if (offset > element.startTagEnd) return undefined;
  const attribute = element.attributes.find((a) => offset >= a.start && offset <= (a.valueEnd ?? a.nameEnd));
  if (!attribute) return undefined;
  const role = structure.roleOf(element);
  const specs = role.kind === 'policy' ? structure.catalog.allAttributes(role.policy.name) : role.kind === 'child' ? role.spec.attributes : [];
  const owner = role.kind === 'policy' ? role.policy.name : role.kind === 'child' ? `${role.policy.name}/${role.spec.name}` : element.name;
  const spec = specs.find((s) => s.name === attribute.name);
  if (!spec) return undefined;
  if (offset <= attribute.nameEnd) return { start: attribute.start, end: attribute.nameEnd, markdown: describeAttribute(spec, owner) };
  // On the value: describe the referenced entity when the instance knows it.
  if (spec.references && instance && attribute.value && attribute.valueStart !== undefined && !attribute.expression) {
    const entity = instance.entitiesOf(spec.references)?.get(attribute.value.trim().toLowerCase());
    const start = attribute.valueStart + 1;
    const markdown = entity
      ? [`**${entity.name}** — ${spec.references} of ${instance.displayName}`, '', ...entity.details].join('\n\n')
      : `**${attribute.value}** — no ${spec.references} with this name in ${instance.displayName}.`;
    return { start, end: start + attribute.value.length, markdown };
  }
  return { start: attribute.start, end: attribute.valueEnd ?? attribute.nameEnd, markdown: describeAttribute(spec, owner) };
}

function describeElementNode(element: ElementNode, structure: StructureResolver): string | undefined {
  const role = structure.roleOf(element);
  switch (role.kind) {
    case 'root':
      return role.shape === 'policies'
        ? '**<policies>** — a policy definition: up to four sections, run in order for each request.'
        : '**<fragment>** — a policy fragment: reusable policies inserted where `<include-fragment>` names it.';
    case 'section':
      return `**<${role.section}>** — ${SECTION_DOCS[role.section]}`;
    case 'base':
      return '**<base />** — runs the same section of the enclosing scope (for example the API policy from an operation policy) at this point.';
    case 'policy':
      return describePolicy(role.policy);
    case 'child':
      return describeElement(role.spec, role.policy);
    default:
      return undefined;
  }
}
