/**
 * The Azure clients the Key Vault doctor and its fixes use, built like the
 * API Management client (cloud endpoint and token scope, extra CA trust,
 * trace logging, JSON guard, our retry rules): Key Vault management
 * (`@azure/arm-keyvault`), role assignments and definitions
 * (`@azure/arm-authorization`), resource lookup (`@azure/arm-resources`) and,
 * only for the optional length check, the Key Vault data plane
 * (`@azure/keyvault-secrets`). One client per subscription, made on first use.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { sharedPolicies, useOurRetry } from './armClient';
import type { AzureAccessOptions } from './options';

export class KeyVaultClients {
  private readonly keyVaultClients = new Map<string, KeyVaultManagementClient>();
  private readonly authorizationClients = new Map<string, AuthorizationManagementClient>();
  private readonly resourceClients = new Map<string, ResourceManagementClient>();

  constructor(
    private readonly credential: TokenCredential,
    readonly options: AzureAccessOptions,
  ) {}

  get armEndpoint(): string {
    return this.options.cloud.armEndpoint;
  }

  keyVault(subscriptionId: string): KeyVaultManagementClient {
    return cached(this.keyVaultClients, subscriptionId, () => {
      const client = new KeyVaultManagementClient(this.credential, subscriptionId, this.restClientOptions('keyvault-arm'));
      useOurRetry(client.pipeline, this.options);
      return client;
    });
  }

  resources(subscriptionId: string): ResourceManagementClient {
    return cached(this.resourceClients, subscriptionId, () => {
      const client = new ResourceManagementClient(this.credential, subscriptionId, this.restClientOptions('resources'));
      useOurRetry(client.pipeline, this.options);
      return client;
    });
  }

  authorization(subscriptionId: string): AuthorizationManagementClient {
    return cached(this.authorizationClients, subscriptionId, () => {
      const endpoint = this.options.cloud.armEndpoint;
      const client = new AuthorizationManagementClient(this.credential, subscriptionId, {
        endpoint,
        $host: endpoint,
        credentialScopes: [this.options.cloud.armScope],
        additionalPolicies: sharedPolicies(this.options, 'authorization'),
      });
      useOurRetry(client.pipeline, this.options);
      return client;
    });
  }

  /**
   * A data-plane client for one vault. Key Vault names the token audience in a
   * challenge, and the SDK checks that audience against the vault's host name;
   * a custom cloud that serves its vaults on the ARM endpoint's own host (the
   * local emulator) cannot pass that check, so it is skipped only there: the
   * token then goes to a host that already receives our ARM tokens.
   */
  secrets(vaultUri: string): SecretClient {
    const sameHostAsArm = hostname(vaultUri) !== undefined && hostname(vaultUri) === hostname(this.options.cloud.armEndpoint);
    return new SecretClient(vaultUri.replace(/\/+$/, ''), this.credential, {
      additionalPolicies: sharedPolicies(this.options, 'keyvault'),
      disableChallengeResourceVerification: this.options.cloud.name === 'custom' && sameHostAsArm,
      retryOptions: { maxRetries: 1 },
    });
  }

  private restClientOptions(label: string) {
    return {
      endpoint: this.options.cloud.armEndpoint,
      credentials: { scopes: [this.options.cloud.armScope] },
      additionalPolicies: sharedPolicies(this.options, label),
    };
  }
}

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  const k = key.toLowerCase();
  let value = map.get(k);
  if (!value) {
    value = make();
    map.set(k, value);
  }
  return value;
}

function hostname(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
