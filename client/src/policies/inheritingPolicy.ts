/** The document a scope without a policy of its own opens as. */
import type { PolicyScope } from '../azure/policyScopes';

/** What a scope without a policy of its own starts as: every section inherits (the service's global policy has nothing to inherit). */
export function inheritingPolicy(scope: PolicyScope): string {
  const base = scope.kind === 'global' && scope.workspace === undefined ? '' : '\n\t\t<base />\n\t';
  const section = (name: string, extra = '') => `\t<${name}>${base || extra}</${name}>`;
  return ['<policies>', section('inbound'), section('backend', '\n\t\t<forward-request />\n\t'), section('outbound'), section('on-error'), '</policies>', ''].join('\n');
}
