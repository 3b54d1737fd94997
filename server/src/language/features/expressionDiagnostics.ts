/**
 * Diagnostics inside policy expressions: C# syntax, unknown names and
 * members, types APIM does not allow, `@{ }` paths without `return`, and
 * variable reads whose type disagrees with what the document stored.
 *
 * Only expressions APIM evaluates are checked: a whole attribute value, or
 * the whole text of an element. An `@(` inside other text (an e-mail address
 * in a payload, a template) is literal text to APIM.
 */
import { displayType } from '../expressions/display';
import type { ExpressionService } from '../expressions/service';
import { collectVariables, readable, storedType } from '../expressions/variables';
import type { PolicyDiagnostic } from '../languageTypes';
import type { ElementNode, Expression, PolicyDocument } from '../parser/nodes';
import { SEVERITY } from './validation';

export function validateExpressions(doc: PolicyDocument, expressions: ExpressionService): PolicyDiagnostic[] {
  if (!expressions.ready || !doc.expressions.length) return [];
  const diagnostics: PolicyDiagnostic[] = [];
  const checked = evaluatedExpressions(doc);
  const reads: Array<{ expression: Expression; read: NonNullable<ReturnType<ExpressionService['findings']>>['variableReads'][number] }> = [];
  for (const expression of checked) {
    const findings = expressions.findings(doc, expression);
    if (!findings) continue;
    for (const finding of findings.findings) {
      diagnostics.push({
        code: finding.code,
        severity: SEVERITY[finding.code],
        message: finding.message,
        start: expression.start + finding.start,
        end: expression.start + finding.end,
      });
    }
    for (const read of findings.variableReads) if (read.requested) reads.push({ expression, read });
  }
  if (reads.length) {
    const variables = collectVariables(doc, expressions);
    for (const { expression, read } of reads) {
      const stored = storedType(variables, read.name);
      if (!read.requested || readable(expressions.model, stored, read.requested)) continue;
      const start = expression.start + (read.requestedStart ?? read.start);
      const end = expression.start + (read.requestedEnd ?? read.end);
      diagnostics.push({
        code: 'variable-type-mismatch',
        severity: SEVERITY['variable-type-mismatch'],
        message: `Variable '${read.name}' holds ${displayType(stored)} in this document, but is read as ${displayType(read.requested)}: GetValueOrDefault throws when the types differ.`,
        start,
        end,
      });
    }
  }
  return diagnostics;
}

/** Expressions that are a whole attribute value or the whole text of an element, in document order. */
export function evaluatedExpressions(doc: PolicyDocument): Expression[] {
  const result: Expression[] = [];
  const stack: ElementNode[] = doc.root ? [doc.root] : [];
  while (stack.length) {
    const element = stack.pop()!;
    for (const attribute of element.attributes) if (attribute.expression) result.push(attribute.expression);
    const significant = element.children.filter((c) => c.kind !== 'text' || c.significant);
    if (significant.length === 1 && significant[0].kind === 'text') {
      const text = significant[0];
      const only = text.expressions?.length === 1 ? text.expressions[0] : undefined;
      if (only && doc.text.slice(text.start, only.start).trim() === '' && doc.text.slice(only.end, text.end).trim() === '') result.push(only);
    }
    for (let i = element.children.length - 1; i >= 0; i--) {
      const child = element.children[i];
      if (child.kind === 'element') stack.push(child);
    }
  }
  return result.sort((a, b) => a.start - b.start);
}
