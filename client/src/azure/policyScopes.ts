/**
 * Where each policy scope lives in ARM, and how to name it to a person.
 * Paths are relative to the service's resource id.
 */
import type { PolicyScope } from '../../../protocol/instanceDocuments';

export type { PolicyScope } from '../../../protocol/instanceDocuments';

const enc = encodeURIComponent;

/** `scope` inside `workspace`, or at the service when it is undefined (no `workspace: undefined` key). */
export function inWorkspace(scope: PolicyScope, workspace: string | undefined): PolicyScope {
  return workspace === undefined ? scope : { ...scope, workspace };
}

function workspacePrefix(scope: PolicyScope): string {
  return scope.workspace === undefined ? '' : `/workspaces/${enc(scope.workspace)}`;
}

/** The policy resource (for fragments, the fragment itself), e.g. `/apis/orders-api/policies/policy`. */
export function policyResourcePath(scope: PolicyScope): string {
  const prefix = workspacePrefix(scope);
  switch (scope.kind) {
    case 'global': return `${prefix}/policies/policy`;
    case 'api': return `${prefix}/apis/${enc(scope.api)}/policies/policy`;
    case 'operation': return `${prefix}/apis/${enc(scope.api)}/operations/${enc(scope.operation)}/policies/policy`;
    case 'product': return `${prefix}/products/${enc(scope.product)}/policies/policy`;
    case 'fragment': return `${prefix}/policyFragments/${enc(scope.fragment)}`;
  }
}

/**
 * What must exist for the scope to exist, outermost first: the workspace, the API, the operation, the
 * product. The global policy of the service has none (the service itself is checked on connect).
 */
export function scopeContainers(scope: PolicyScope): Array<{ path: string; label: string }> {
  const prefix = workspacePrefix(scope);
  const out: Array<{ path: string; label: string }> = [];
  if (scope.workspace !== undefined) out.push({ path: prefix, label: `workspace "${scope.workspace}"` });
  if (scope.kind === 'api' || scope.kind === 'operation') out.push({ path: `${prefix}/apis/${enc(scope.api)}`, label: `API "${scope.api}"` });
  if (scope.kind === 'operation') out.push({ path: `${prefix}/apis/${enc(scope.api)}/operations/${enc(scope.operation)}`, label: `operation "${scope.operation}" of API "${scope.api}"` });
  if (scope.kind === 'product') out.push({ path: `${prefix}/products/${enc(scope.product)}`, label: `product "${scope.product}"` });
  return out;
}

/** "the policy of API "orders-api" in workspace "team-orders"" style, for messages and titles. */
export function describePolicyScope(scope: PolicyScope): string {
  const where = scope.workspace === undefined ? '' : ` in workspace "${scope.workspace}"`;
  switch (scope.kind) {
    case 'global': return scope.workspace === undefined ? 'the global policy' : `the policy of workspace "${scope.workspace}"`;
    case 'api': return `the policy of API "${scope.api}"${where}`;
    case 'operation': return `the policy of operation "${scope.operation}" of API "${scope.api}"${where}`;
    case 'product': return `the policy of product "${scope.product}"${where}`;
    case 'fragment': return `policy fragment "${scope.fragment}"${where}`;
  }
}

/**
 * A lower-case key per scope, equal for equal scopes: `''` (global), `apis/{api}`,
 * `apis/{api}/operations/{op}`, `products/{p}`, `policyfragments/{f}`, with `workspaces/{ws}/` in front.
 */
export function policyScopeKey(scope: PolicyScope): string {
  const prefix = scope.workspace === undefined ? '' : `workspaces/${scope.workspace}/`;
  const key = (() => {
    switch (scope.kind) {
      case 'global': return '';
      case 'api': return `apis/${scope.api}`;
      case 'operation': return `apis/${scope.api}/operations/${scope.operation}`;
      case 'product': return `products/${scope.product}`;
      case 'fragment': return `policyfragments/${scope.fragment}`;
    }
  })();
  return `${prefix}${key}`.replace(/\/$/, '').toLowerCase();
}

/** The scope key of an `allPolicies` entry's `referencePolicyId`, or undefined when it is not below `instanceId`. */
export function scopeKeyOfPolicyId(instanceId: string, policyId: string): string | undefined {
  if (!policyId.toLowerCase().startsWith(`${instanceId.toLowerCase()}/`)) return undefined;
  const rest = policyId.slice(instanceId.length + 1).replace(/\/?policies\/policy$/i, '');
  try {
    return rest.split('/').map(decodeURIComponent).join('/').toLowerCase();
  } catch {
    return undefined;
  }
}
