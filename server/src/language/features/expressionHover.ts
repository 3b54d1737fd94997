/**
 * Hover inside policy expressions: members (signature, description, docs
 * link), `context`, locals and parameters, types and namespaces, and the
 * variable names passed to `context.Variables` (where the document sets them).
 */
import type { Reference } from '../expressions/binder';
import { codeBlock, describeMember, displayType } from '../expressions/display';
import type { ExpressionModel } from '../expressions/model/model';
import type { ExpressionService } from '../expressions/service';
import { collectVariables } from '../expressions/variables';
import type { HoverResult } from '../languageTypes';
import type { Expression, PolicyDocument } from '../parser/nodes';
import { lineOf } from './expressionCompletion';

export function hoverInExpression(doc: PolicyDocument, expression: Expression, offset: number, expressions: ExpressionService): HoverResult | undefined {
  return expressions.withAnalysis(
    doc,
    expression,
    ({ source, binder, model }) => {
      const at = source.toSource(offset);
      let best: Reference | undefined;
      for (const reference of binder.references) {
        if (at < reference.start || at > reference.end) continue;
        if (!best || reference.end - reference.start < best.end - best.start) best = reference;
      }
      if (!best) return undefined;
      const markdown = describe(doc, best, expressions, model);
      if (!markdown) return undefined;
      return { ...source.spanToDocument(best.start, best.end), markdown };
    },
    { record: true },
  );
}

function describe(document: PolicyDocument, reference: Reference, service: ExpressionService, model: ExpressionModel): string | undefined {
  const target = reference.target;
  switch (target.kind) {
    case 'global':
      return [codeBlock(`${displayType(target.global.type)} ${target.global.spec.name}`), target.global.spec.description, `[Documentation](${target.global.spec.docs})`].join('\n\n');
    case 'local': {
      const label = target.symbol.kind === 'parameter' ? 'parameter' : target.symbol.kind === 'range' ? 'range variable' : target.symbol.kind === 'function' ? 'local function' : 'local';
      return codeBlock(`(${label}) ${displayType(target.symbol.type)} ${target.symbol.name}`);
    }
    case 'member': {
      const shown = target.chosen ?? target.candidates[0];
      return describeMember(model, shown, target.candidates.length);
    }
    case 'type': {
      const spec = target.type.spec;
      const generic = target.type.typeParameters.length ? `<${target.type.typeParameters.join(', ')}>` : '';
      const lines = [codeBlock(`${spec.kind.replace('static-class', 'static class')} ${target.type.fullName}${generic}`), spec.description];
      if (spec.allowed === false) lines.push('**Not allowed in policy expressions.**');
      lines.push(`[Documentation](${spec.docs})`);
      return lines.join('\n\n');
    }
    case 'namespace':
      return codeBlock(`namespace ${target.name}`);
    case 'variable': {
      const definitions = collectVariables(document, service).filter((d) => d.name === target.name);
      if (!definitions.length) return `Policy variable **${target.name}**: not set in this document (it may be set by a policy at another scope).`;
      const lines = definitions.map((d) => `- \`<${d.policy} ${d.attribute}="${d.name}">\` on line ${lineOf(document.text, d.start)}${displayType(d.type) !== '?' ? ` — ${displayType(d.type)}` : ''}`);
      return [`Policy variable **${target.name}**, set by:`, ...lines].join('\n');
    }
    default:
      return undefined;
  }
}
