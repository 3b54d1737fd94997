/**
 * `missing-return`: Learn says every code path of a multi-statement
 * expression must end with `return`. This is C#'s "end point reachable"
 * rule, kept simple: when unsure (goto, labels), a path counts as ending.
 */
import type { SyntaxNode } from './csharpParser';

/** Whether execution can run past the end of `node` (C#: its end point is reachable). */
export function canCompleteNormally(node: SyntaxNode): boolean {
  switch (node.type) {
    case 'return_statement':
    case 'throw_statement':
    case 'goto_statement':
      return false;
    case 'block': {
      for (const child of node.namedChildren) {
        if (child && child.type !== 'comment' && child.type !== 'local_function_statement' && !canCompleteNormally(child)) return false;
      }
      return true;
    }
    case 'if_statement': {
      const consequence = node.childForFieldName('consequence');
      const alternative = node.childForFieldName('alternative');
      if (!alternative || !consequence) return true;
      return canCompleteNormally(consequence) || canCompleteNormally(alternative);
    }
    case 'while_statement':
    case 'for_statement':
    case 'do_statement': {
      const condition = node.childForFieldName('condition');
      const forever = node.type === 'for_statement' ? !condition || condition.text.trim() === 'true' : condition?.text.trim() === 'true';
      const body = node.childForFieldName('body');
      if (!forever) return node.type === 'do_statement' ? !body || canCompleteNormally(body) || hasBreak(body) : true;
      return !!body && hasBreak(body);
    }
    case 'switch_statement': {
      const body = node.childForFieldName('body');
      if (!body) return true;
      const sections = body.namedChildren.filter((c): c is SyntaxNode => c?.type === 'switch_section');
      const hasDefault = sections.some((s) => s.children.some((c) => c?.type === 'default'));
      if (!hasDefault) return true;
      return sections.some((section) => {
        const statements = section.namedChildren.filter((c): c is SyntaxNode => !!c && (c.type.endsWith('_statement') || c.type === 'block'));
        const last = statements[statements.length - 1];
        return !last || statements.some(hasBreak) || canCompleteNormally(last);
      });
    }
    case 'try_statement': {
      const finallyClause = node.namedChildren.find((c) => c?.type === 'finally_clause');
      const finallyBlock = finallyClause?.namedChildren.find((c) => c?.type === 'block');
      if (finallyBlock && !canCompleteNormally(finallyBlock)) return false;
      const body = node.childForFieldName('body');
      if (body && canCompleteNormally(body)) return true;
      return node.namedChildren.some((c) => {
        if (c?.type !== 'catch_clause') return false;
        const block = c.childForFieldName('body');
        return !block || canCompleteNormally(block);
      });
    }
    case 'using_statement':
    case 'lock_statement':
    case 'fixed_statement':
    case 'checked_statement':
    case 'unsafe_statement':
    case 'labeled_statement': {
      const body = node.childForFieldName('body') ?? node.namedChildren[node.namedChildren.length - 1];
      return !body || body.type === 'identifier' || canCompleteNormally(body);
    }
    case 'expression_statement': {
      const expression = node.namedChild(0);
      return expression?.type !== 'throw_expression';
    }
    default:
      return true;
  }
}

/** A `break` that leaves `node` (not one inside a nested loop or switch). */
function hasBreak(node: SyntaxNode): boolean {
  if (node.type === 'break_statement') return true;
  if (['while_statement', 'for_statement', 'foreach_statement', 'do_statement', 'switch_statement', 'lambda_expression', 'local_function_statement'].includes(node.type)) return false;
  return node.namedChildren.some((c) => !!c && hasBreak(c));
}
