/**
 * Settings → TokenCredential. The VS Code account credential is injected by
 * the adapter (it needs `vscode`); everything else comes from the Azure
 * access layer. Missing pieces fail with an AzureAccessError whose
 * `userMessage` says which setting or command fixes it.
 */
import type { ResolvedCloud } from '../azure/clouds';
import { ClassifyingCredential, createCredential, type TokenCredential } from '../azure/credentials';
import { AzureAccessError } from '../azure/errors';
import type { AzureAccessOptions } from '../azure/options';
import { COMMANDS, SETTINGS } from '../contributions';
import type { ConnectionSettings } from '../settings';

export interface CredentialDeps {
  /** Builds the VS Code Microsoft-account credential for a cloud and optional tenant. */
  vscodeAccount?: (providerId: string, cloud: ResolvedCloud, tenant: string | undefined) => TokenCredential;
  /** The service principal's client secret from SecretStorage, when one is stored. */
  servicePrincipalSecret?: string;
  /** Absolute path of `apimPolicy.servicePrincipal.certificatePath`, resolved by the caller. */
  servicePrincipalCertificatePath?: string;
}

/**
 * VS Code's built-in Microsoft authentication extension: `microsoft` for the
 * public cloud, `microsoft-sovereign-cloud` for national clouds (the user
 * picks the cloud in VS Code's `microsoft-sovereign-cloud.environment`).
 */
export function vscodeAuthProviderId(cloud: ResolvedCloud): string | undefined {
  if (cloud.name === 'AzureCloud') return 'microsoft';
  if (cloud.name === 'AzureChinaCloud' || cloud.name === 'AzureUSGovernment') return 'microsoft-sovereign-cloud';
  return undefined;
}

export function buildCredential(settings: ConnectionSettings, options: AzureAccessOptions, deps: CredentialDeps): TokenCredential {
  const { cloud } = options;
  switch (settings.auth) {
    case 'vscode': {
      const providerId = vscodeAuthProviderId(cloud);
      if (!providerId) {
        throw invalid(
          `The VS Code account cannot sign in to a custom cloud. Set "${SETTINGS.auth}" to "servicePrincipal", "environment", "azureCli" or "default" for ${cloud.armEndpoint}.`,
        );
      }
      if (!deps.vscodeAccount) throw invalid('Signing in with the VS Code account is not available here.');
      return new ClassifyingCredential(deps.vscodeAccount(providerId, cloud, settings.tenant), options);
    }
    case 'azureCli':
      return createCredential({ kind: 'azureCli', tenantId: settings.tenant, ...options });
    case 'environment':
      return createCredential({ kind: 'environment', ...options });
    case 'default':
      return createCredential({ kind: 'default', tenantId: settings.tenant, ...options });
    case 'servicePrincipal': {
      const { tenantId, clientId } = settings.servicePrincipal;
      if (!tenantId || !clientId) {
        throw invalid(`Fill in "${SETTINGS.servicePrincipalTenantId}" and "${SETTINGS.servicePrincipalClientId}" to sign in with a service principal.`);
      }
      if (deps.servicePrincipalCertificatePath) {
        return createCredential({
          kind: 'servicePrincipal',
          servicePrincipal: { tenantId, clientId, certificatePath: deps.servicePrincipalCertificatePath },
          ...options,
        });
      }
      if (!deps.servicePrincipalSecret) {
        throw new AzureAccessError({
          kind: 'unauthenticated',
          code: 'NoClientSecret',
          message: 'No client secret is stored for the service principal.',
          userMessage: `No client secret is stored for service principal ${clientId}: run "APIM Policy: Set Service Principal Secret" (or set "${SETTINGS.servicePrincipalCertificatePath}").`,
          retryable: false,
        });
      }
      return createCredential({
        kind: 'servicePrincipal',
        servicePrincipal: { tenantId, clientId, clientSecret: deps.servicePrincipalSecret },
        ...options,
      });
    }
  }
}

/**
 * Whether a sign-in could work without asking the user anything: false when
 * a service principal has neither a stored secret nor a certificate. The
 * other methods can only be checked by asking for a token.
 */
export function credentialConfigured(settings: ConnectionSettings, hasSecret: boolean): { ready: boolean; reason?: string } {
  if (settings.auth !== 'servicePrincipal') return { ready: true };
  const { tenantId, clientId, certificatePath } = settings.servicePrincipal;
  if (!tenantId || !clientId) return { ready: false, reason: `Set "${SETTINGS.servicePrincipalTenantId}" and "${SETTINGS.servicePrincipalClientId}".` };
  if (!certificatePath && !hasSecret) return { ready: false, reason: `Run "APIM Policy: Set Service Principal Secret" (${COMMANDS.setServicePrincipalSecret}).` };
  return { ready: true };
}

function invalid(userMessage: string): AzureAccessError {
  return new AzureAccessError({ kind: 'invalidInput', message: userMessage, userMessage, retryable: false });
}
