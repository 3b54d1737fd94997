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
import { readable, setsVariable, storedTypes, variableDefinitions } from '../expressions/variables';
import type { PolicyDiagnostic } from '../languageTypes';
import { UNKNOWN } from '../expressions/model/typeRefs';
import type { AttributeNode, ElementNode, Expression, PolicyDocument, TextNode } from '../parser/nodes';
import { SEVERITY } from './validation';

/**
 * How long one diagnostics pass may spend parsing expressions it has not seen
 * before. A large document opened for the first time is checked over several
 * passes (`ExpressionService.pending`), so the server stays responsive.
 */
export const EXPRESSION_BUDGET_MS = 150;

export function validateExpressions(doc: PolicyDocument, expressions: ExpressionService, budgetMs = EXPRESSION_BUDGET_MS): PolicyDiagnostic[] {
  expressions.startPass();
  if (!expressions.ready || !doc.expressions.length) return [];
  const deadline = performance.now() + budgetMs;
  const diagnostics: PolicyDiagnostic[] = [];
  const { evaluated: checked, variableAttributes } = scanDocument(doc);
  const reads: Array<{ expression: Expression; read: NonNullable<ReturnType<ExpressionService['findings']>>['variableReads'][number] }> = [];
  for (const expression of checked) {
    const findings = expressions.findings(doc, expression, deadline);
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
    const stored = storedTypes(variableDefinitions(doc, variableAttributes, expressions, deadline));
    for (const { expression, read } of reads) {
      const type = stored.get(read.name) ?? UNKNOWN;
      if (!read.requested || readable(expressions.model, type, read.requested)) continue;
      const start = expression.start + (read.requestedStart ?? read.start);
      const end = expression.start + (read.requestedEnd ?? read.end);
      diagnostics.push({
        code: 'variable-type-mismatch',
        severity: SEVERITY['variable-type-mismatch'],
        message: `Variable '${read.name}' holds ${displayType(type)} in this document, but is read as ${displayType(read.requested)}: GetValueOrDefault throws when the types differ.`,
        start,
        end,
      });
    }
  }
  return diagnostics;
}

/** Expressions that are a whole attribute value or the whole text of an element, in document order. */
export function evaluatedExpressions(doc: PolicyDocument): Expression[] {
  return scanDocument(doc).evaluated;
}

/** One walk over the elements: the expressions APIM evaluates, and the attributes that name variables. */
function scanDocument(doc: PolicyDocument): { evaluated: Expression[]; variableAttributes: Array<{ element: ElementNode; attribute: AttributeNode }> } {
  const result: Expression[] = [];
  const variableAttributes: Array<{ element: ElementNode; attribute: AttributeNode }> = [];
  const stack: ElementNode[] = doc.root ? [doc.root] : [];
  while (stack.length) {
    const element = stack.pop()!;
    for (const attribute of element.attributes) {
      if (attribute.expression) result.push(attribute.expression);
      else if (setsVariable(element, attribute)) variableAttributes.push({ element, attribute });
    }
    let only: TextNode | undefined;
    let others = 0;
    for (let i = element.children.length - 1; i >= 0; i--) {
      const child = element.children[i];
      if (child.kind === 'element') {
        stack.push(child);
        others++;
      } else if (child.kind === 'text') {
        if (!child.significant) continue;
        if (only) others++;
        only = child;
      } else others++; // a comment or CDATA beside the expression: not sure how APIM reads it
    }
    const expression = only && !others && only.expressions?.length === 1 ? only.expressions[0] : undefined;
    if (expression && isBlank(doc.text, only!.start, expression.start) && isBlank(doc.text, expression.end, only!.end)) result.push(expression);
  }
  return { evaluated: result.sort((a, b) => a.start - b.start), variableAttributes: variableAttributes.sort((a, b) => a.attribute.start - b.attribute.start) };
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false;
  }
  return true;
}
