/**
 * The policy scope of a local `policy.xml` in the APIOps layout, from its path:
 *
 *   <artifacts>/policy.xml                                      the global policy
 *   <artifacts>/apis/<api>/policy.xml                           an API (revisions: `<api>;rev=<n>`)
 *   <artifacts>/apis/<api>/operations/<operation>/policy.xml    an operation
 *   <artifacts>/products/<product>/policy.xml                   a product
 *   <artifacts>/policy fragments/<fragment>/policy.xml          a policy fragment
 *   <artifacts>/workspaces/<ws>/…                               the same inside a workspace
 *
 * A `policy.xml` directly in a folder counts as global only when that folder
 * looks like an artifacts root (the caller says so), so a stray file is not
 * mistaken for the service's policy.
 */
import type { PolicyScope } from '../azure/policyScopes';

export interface ApiOpsLocation {
  scope: PolicyScope;
  /** How many trailing path segments belong to the scope (the rest is the artifacts root). */
  depth: number;
}

/** Folder names whose presence marks an APIOps artifacts root. */
export const ARTIFACT_FOLDERS = ['apis', 'products', 'policy fragments', 'named values', 'workspaces', 'backends', 'loggers'];

/**
 * `segments`: the file's path split on `/` (decoded). `isArtifactsRoot(n)` says whether the folder made of the
 * first `n` segments is an artifacts root; asked only for a `policy.xml` that could be a global policy.
 */
export function apiOpsScope(segments: readonly string[], isArtifactsRoot: (folderSegments: number) => boolean): ApiOpsLocation | undefined {
  const n = segments.length;
  if (n === 0 || segments[n - 1].toLowerCase() !== 'policy.xml') return undefined;
  const s = (fromEnd: number) => segments[n - 1 - fromEnd];
  const is = (fromEnd: number, name: string) => s(fromEnd)?.toLowerCase() === name;
  let local: { scope: PolicyScope; depth: number } | undefined;
  if (n >= 5 && is(2, 'operations') && is(4, 'apis')) local = { scope: { kind: 'operation', api: s(3), operation: s(1) }, depth: 5 };
  else if (n >= 3 && is(2, 'apis')) local = { scope: { kind: 'api', api: s(1) }, depth: 3 };
  else if (n >= 3 && is(2, 'products')) local = { scope: { kind: 'product', product: s(1) }, depth: 3 };
  else if (n >= 3 && is(2, 'policy fragments')) local = { scope: { kind: 'fragment', fragment: s(1) }, depth: 3 };
  // A workspace's own policy: <artifacts>/workspaces/<ws>/policy.xml.
  else if (n >= 3 && is(2, 'workspaces')) return { scope: { kind: 'global', workspace: s(1) }, depth: 3 };
  if (local) {
    const above = n - local.depth;
    if (above >= 2 && segments[above - 2].toLowerCase() === 'workspaces') {
      return { scope: { ...local.scope, workspace: segments[above - 1] }, depth: local.depth + 2 };
    }
    return local;
  }
  return isArtifactsRoot(n - 1) ? { scope: { kind: 'global' }, depth: 1 } : undefined;
}
