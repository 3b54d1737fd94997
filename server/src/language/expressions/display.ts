/** How types and members read in hovers, completion details and messages: C# style. */
import type { ExpressionModel, FoundMember } from './model/model';
import { TYPE_KEYWORDS } from './model/model';
import type { Type } from './model/typeRefs';
import { isUnknown } from './model/typeRefs';

const KEYWORD_OF = new Map(Object.entries(TYPE_KEYWORDS).map(([keyword, fullName]) => [fullName, keyword]));

export function displayType(type: Type): string {
  switch (type.kind) {
    case 'named': {
      const keyword = KEYWORD_OF.get(type.type.fullName);
      if (keyword) return keyword;
      if (type.type.fullName === 'System.Nullable' && type.args.length === 1) return `${displayType(type.args[0])}?`;
      const args = type.args.length ? `<${type.args.map(displayType).join(', ')}>` : '';
      return `${type.type.spec.name}${args}`;
    }
    case 'array':
      return `${displayType(type.element)}[]`;
    case 'param':
      return type.name;
    case 'null':
      return 'null';
    case 'void':
      return 'void';
    default:
      return type.display ?? '?';
  }
}

/** A type, falling back to the model's own spelling when the binding is unknown. */
function shown(type: Type, written: string | undefined): string {
  return isUnknown(type) && type.kind !== 'param' && written ? written : displayType(type);
}

/** `string Headers.GetValueOrDefault(string name, string defaultValue)`: a member's C# signature with bindings applied. */
export function memberSignature(model: ExpressionModel, found: FoundMember): string {
  const { member, owner } = found;
  const typeParameters = member.typeParameters?.length ? `<${member.typeParameters.map((t) => displayType(found.bindings.get(t) ?? { kind: 'param', name: t })).join(', ')}>` : '';
  const container = owner.spec.nameable === false && owner.spec.kind === 'static-class' ? '' : `${owner.spec.name}.`;
  switch (member.kind) {
    case 'property':
    case 'field':
    case 'enum-value':
      return `${member.static && member.kind !== 'enum-value' ? 'static ' : ''}${shown(model.memberType(found), member.type)} ${container}${member.name}`;
    case 'indexer':
      return `${shown(model.memberType(found), member.type)} this[${parameterList(model, found)}]`;
    case 'constructor':
      return `new ${owner.spec.name}(${parameterList(model, found)})`;
    default: {
      const prefix = member.static && !found.viaExtension ? 'static ' : '';
      return `${prefix}${shown(model.memberType(found), member.type)} ${container}${member.name}${typeParameters}(${parameterList(model, found)})`;
    }
  }
}

/** Parameters as written in a signature; an extension method's receiver is left out when reached through it. */
export function parameterLabels(model: ExpressionModel, found: FoundMember): string[] {
  const parameters = found.member.parameters ?? [];
  const labels: string[] = [];
  parameters.forEach((parameter, index) => {
    if (found.viaExtension && index === 0) return;
    const modifier = parameter.modifier && parameter.modifier !== 'this' ? `${parameter.modifier} ` : '';
    const type = shown(model.parameterType(found, index), parameter.type);
    const defaultValue = parameter.default !== undefined ? ` = ${parameter.default}` : '';
    labels.push(`${modifier}${type} ${parameter.name}${defaultValue}`);
  });
  return labels;
}

function parameterList(model: ExpressionModel, found: FoundMember): string {
  return parameterLabels(model, found).join(', ');
}

/** The markdown body describing a member: signature block, description, docs link. */
export function describeMember(model: ExpressionModel, found: FoundMember, overloads = 1): string {
  const lines = [codeBlock(memberSignature(model, found)), found.member.description];
  if (overloads > 1) lines.push(`(+${overloads - 1} overload${overloads > 2 ? 's' : ''})`);
  if (found.viaExtension) lines.push(`Extension method of \`${found.owner.spec.name}\`.`);
  if (found.member.allowed === false) lines.push('**Not allowed in policy expressions.**');
  const docs = found.member.docs ?? found.owner.spec.docs;
  if (docs) lines.push(`[Documentation](${docs})`);
  return lines.join('\n\n');
}

export function codeBlock(code: string): string {
  return `\`\`\`csharp\n${code}\n\`\`\``;
}
