/**
 * Signature help for calls inside policy expressions: the overloads of the
 * method (or constructor) whose argument list holds the cursor, with the
 * parameter being typed.
 */
import type { Meaning } from '../expressions/binder';
import { expressionEndingAt, openCallAt, previousNonSpace } from '../expressions/cursor';
import { describeMember, parameterLabels } from '../expressions/display';
import type { ExpressionModel, FoundMember } from '../expressions/model/model';
import type { ExpressionService } from '../expressions/service';
import type { SignatureHelpResult } from '../languageTypes';
import type { Expression, PolicyDocument } from '../parser/nodes';

export function signatureHelpInExpression(doc: PolicyDocument, expression: Expression, offset: number, expressions: ExpressionService): SignatureHelpResult | undefined {
  return expressions.withAnalysis(
    doc,
    expression,
    ({ source, root, binder, model }) => {
      const at = source.toSource(offset);
      const call = openCallAt(source.text, source.codeStart + 1, at);
      if (!call) return undefined;
      const calleeEnd = previousNonSpace(source.text, call.open, source.codeStart) + 1;
      const callee = expressionEndingAt(root, calleeEnd);
      if (!callee) return undefined;
      const candidates = overloads(model, binder.evaluateAt(callee, calleeEnd), isConstructorCall(source.text, callee.startIndex, source.codeStart));
      if (!candidates.length) return undefined;
      return present(model, candidates, call.argument, call.argumentName);
    },
    { record: true, cutAt: expression.closed ? undefined : offset },
  );
}

function isConstructorCall(text: string, calleeStart: number, floor: number): boolean {
  const before = previousNonSpace(text, calleeStart, floor);
  return before >= 2 && text.slice(before - 2, before + 1) === 'new';
}

function overloads(model: ExpressionModel, callee: Meaning, constructor: boolean): FoundMember[] {
  if (constructor) return callee.kind === 'type' && callee.type.kind === 'named' ? model.constructors(callee.type.type) : [];
  return callee.kind === 'methods' ? callee.candidates.filter((f) => f.member.kind === 'method') : [];
}

function present(model: ExpressionModel, candidates: FoundMember[], argument: number, argumentName: string | undefined): SignatureHelpResult {
  const signatures = candidates.map((found) => {
    const labels = parameterLabels(model, found);
    const name = found.member.kind === 'constructor' ? `new ${found.owner.spec.name}` : found.member.name;
    let label = `${name}(`;
    const parameters: SignatureHelpResult['signatures'][number]['parameters'] = [];
    labels.forEach((parameterLabel, i) => {
      if (i) label += ', ';
      parameters.push({ label: [label.length, label.length + parameterLabel.length] });
      label += parameterLabel;
    });
    label += ')';
    return { label, documentation: describeMember(model, found), parameters, found };
  });
  const parameterNames = (found: FoundMember): string[] => (found.member.parameters ?? []).slice(found.viaExtension ? 1 : 0).map((p) => p.name);
  const fitting = signatures.findIndex((s) => (argumentName ? parameterNames(s.found).includes(argumentName) : s.parameters.length > argument));
  const activeSignature = fitting >= 0 ? fitting : 0;
  const active = signatures[activeSignature];
  const named = argumentName ? parameterNames(active.found).indexOf(argumentName) : -1;
  return {
    signatures: signatures.map(({ label, documentation, parameters }) => ({ label, documentation, parameters })),
    activeSignature,
    activeParameter: named >= 0 ? named : Math.min(argument, Math.max(0, active.parameters.length - 1)),
  };
}
