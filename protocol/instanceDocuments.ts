/**
 * The one way instance documents are named: a policy (or fragment) that
 * lives on an API Management instance, or a named value's read-only
 * definition. The client serves them (a FileSystemProvider); the server
 * learns the instance from the URI and points "go to definition" at them.
 *
 *   apim-instance:/{subscription}/{resourceGroup}/{service}[/workspaces/{ws}]/global.policy.xml
 *                                                         …/apis/{api}.policy.xml
 *                                                         …/apis/{api}/operations/{operation}.policy.xml
 *                                                         …/products/{product}.policy.xml
 *                                                         …/policyFragments/{fragment}.policy.xml
 *                                                         …/namedValues/{displayName}.json
 *
 * The file name gives the tab a readable title and the `.policy.xml` suffix
 * the policy language. A query (the client's read-only snapshots) is ignored here.
 */

export const INSTANCE_SCHEME = 'apim-instance';

/** Where a policy applies; `workspace` set means inside that APIM workspace. */
export type PolicyScope =
  | { kind: 'global'; workspace?: string }
  | { kind: 'api'; workspace?: string; api: string }
  | { kind: 'operation'; workspace?: string; api: string; operation: string }
  | { kind: 'product'; workspace?: string; product: string }
  | { kind: 'fragment'; workspace?: string; fragment: string };

export type InstanceDocument =
  | { kind: 'policy'; instanceId: string; scope: PolicyScope }
  | { kind: 'named-value'; instanceId: string; workspace?: string; name: string };

const POLICY_SUFFIX = '.policy.xml';
const NAMED_VALUE_SUFFIX = '.json';

export function instanceDocumentUri(document: InstanceDocument): string {
  const instance = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)$/i.exec(document.instanceId);
  if (!instance) throw new Error(`Not an API Management service id: ${document.instanceId}`);
  const enc = encodeURIComponent;
  const segments = [decodeURIComponent(instance[1]), decodeURIComponent(instance[2]), decodeURIComponent(instance[3])];
  const workspace = document.kind === 'policy' ? document.scope.workspace : document.workspace;
  if (workspace !== undefined) segments.push('workspaces', workspace);
  if (document.kind === 'named-value') {
    segments.push('namedValues', `${document.name}${NAMED_VALUE_SUFFIX}`);
  } else {
    const scope = document.scope;
    switch (scope.kind) {
      case 'global': segments.push(`global${POLICY_SUFFIX}`); break;
      case 'api': segments.push('apis', `${scope.api}${POLICY_SUFFIX}`); break;
      case 'operation': segments.push('apis', scope.api, 'operations', `${scope.operation}${POLICY_SUFFIX}`); break;
      case 'product': segments.push('products', `${scope.product}${POLICY_SUFFIX}`); break;
      case 'fragment': segments.push('policyFragments', `${scope.fragment}${POLICY_SUFFIX}`); break;
    }
  }
  return `${INSTANCE_SCHEME}:/${segments.map(enc).join('/')}`;
}

/** From a URI string as the language server sees it (percent-encoded). */
export function parseInstanceDocumentUri(uri: string): InstanceDocument | undefined {
  if (!uri.toLowerCase().startsWith(`${INSTANCE_SCHEME}:`)) return undefined;
  const path = uri.slice(INSTANCE_SCHEME.length + 1).split(/[?#]/, 1)[0].replace(/^\/\/[^/]*/, '');
  try {
    return fromSegments(path.split('/').slice(1).map(decodeURIComponent));
  } catch {
    return undefined; // a broken %-escape
  }
}

/** From `vscode.Uri.path` (already percent-decoded; ARM names never contain `/`, named values may). */
export function parseInstanceDocumentPath(path: string): InstanceDocument | undefined {
  const segments = path.split('/').slice(1);
  const namedValues = segments.indexOf('namedValues');
  // Everything after the folder is the display name, whatever it contains.
  if (namedValues >= 0) segments.splice(namedValues + 1, segments.length, segments.slice(namedValues + 1).join('/'));
  return fromSegments(segments);
}

function fromSegments(segments: string[]): InstanceDocument | undefined {
  const [subscription, resourceGroup, service, ...rest] = segments;
  if (!subscription || !resourceGroup || !service || rest.length === 0) return undefined;
  const instanceId = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${service}`;
  let workspace: string | undefined;
  let tail = rest;
  if (tail[0] === 'workspaces' && tail.length > 2) {
    workspace = tail[1];
    tail = tail.slice(2);
  }
  const at = <T extends object>(value: T) => (workspace === undefined ? value : { ...value, workspace });
  const policyName = (file: string | undefined) =>
    file !== undefined && file.endsWith(POLICY_SUFFIX) && file.length > POLICY_SUFFIX.length ? file.slice(0, -POLICY_SUFFIX.length) : undefined;
  const [folder, a, b, c] = tail;
  if (folder === 'namedValues' && tail.length === 2 && a.endsWith(NAMED_VALUE_SUFFIX) && a.length > NAMED_VALUE_SUFFIX.length) {
    return { kind: 'named-value', instanceId, ...at({}), name: a.slice(0, -NAMED_VALUE_SUFFIX.length) };
  }
  let scope: PolicyScope | undefined;
  if (tail.length === 1 && folder === `global${POLICY_SUFFIX}`) scope = at({ kind: 'global' as const });
  else if (tail.length === 2 && folder === 'apis' && policyName(a)) scope = at({ kind: 'api' as const, api: policyName(a) as string });
  else if (tail.length === 4 && folder === 'apis' && b === 'operations' && policyName(c)) scope = at({ kind: 'operation' as const, api: a, operation: policyName(c) as string });
  else if (tail.length === 2 && folder === 'products' && policyName(a)) scope = at({ kind: 'product' as const, product: policyName(a) as string });
  else if (tail.length === 2 && folder === 'policyFragments' && policyName(a)) scope = at({ kind: 'fragment' as const, fragment: policyName(a) as string });
  return scope ? { kind: 'policy', instanceId, scope } : undefined;
}
