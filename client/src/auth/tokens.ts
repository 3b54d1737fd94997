/** Reading a JWT's expiry without verifying it: only to know when to ask VS Code for a fresh session. */

/** Milliseconds since epoch of the token's `exp` claim, or undefined when the token is not a readable JWT. */
export function jwtExpiresOn(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** VS Code's Microsoft provider takes `VSCODE_TENANT:<id>` as a pseudo-scope to pick the tenant. */
export function sessionScopes(scopes: string | string[], tenant: string | undefined): string[] {
  const list = (Array.isArray(scopes) ? scopes : [scopes]).filter((s) => s.trim() !== '');
  return tenant ? [...list, `VSCODE_TENANT:${tenant}`] : list;
}
