/**
 * The VS Code Microsoft account as a TokenCredential: every token comes from
 * `vscode.authentication.getSession` (silently — the Sign In command is the
 * only place that may prompt), so VS Code owns the account, its refresh
 * tokens and the Accounts menu.
 */
import * as vscode from 'vscode';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { AzureAccessError } from '../azure/errors';
import { jwtExpiresOn, sessionScopes } from './tokens';

/** How long to trust a token whose expiry cannot be read; VS Code refreshes sessions itself. */
const FALLBACK_LIFETIME_MS = 5 * 60_000;

export class VscodeAccountCredential implements TokenCredential {
  constructor(
    private readonly providerId: string,
    private readonly tenant: string | undefined,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const tenant = options?.tenantId ?? this.tenant;
    const session = await vscode.authentication.getSession(this.providerId, sessionScopes(scopes, tenant), { silent: true });
    if (!session) throw notSignedIn();
    return { token: session.accessToken, expiresOnTimestamp: jwtExpiresOn(session.accessToken) ?? Date.now() + FALLBACK_LIFETIME_MS };
  }
}

/** Asks the user to sign in (the only interactive call); resolves to the account label. */
export async function signInWithVscodeAccount(providerId: string, armScope: string, tenant: string | undefined): Promise<string> {
  const session = await vscode.authentication.getSession(providerId, sessionScopes(armScope, tenant), { createIfNone: true });
  return session.account.label;
}

/** Whether VS Code already holds a session for these scopes, without prompting. */
export async function hasVscodeSession(providerId: string, armScope: string, tenant: string | undefined): Promise<boolean> {
  try {
    return !!(await vscode.authentication.getSession(providerId, sessionScopes(armScope, tenant), { silent: true }));
  } catch {
    return false;
  }
}

function notSignedIn(): AzureAccessError {
  return new AzureAccessError({
    kind: 'unauthenticated',
    code: 'NotSignedIn',
    message: 'No VS Code Microsoft account session.',
    userMessage: 'You are not signed in to Azure: run "APIM Policy: Sign In" to use your Microsoft account.',
    retryable: false,
  });
}
