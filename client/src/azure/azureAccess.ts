/**
 * Convenience facade for the extension glue: one object per signed-in
 * credential + cloud, holding one ARM client per subscription. Every method
 * rejects only with AzureAccessError (use `classifyError` / `.classification`).
 */
import type { NamedValueInfo } from '../../../protocol/protocol';
import type { TokenCredential } from '@azure/core-auth';
import { type ApimClientHandle, type ApimClientSource, createApimClient, createApimClientFactory } from './armClient';
import { KeyVaultClients } from './keyVaultClients';
import { type CallOptions, listServicesWith, listSubscriptionsWith, type ServiceRecord, type SubscriptionRecord } from './discovery';
import { refreshMany, type RefreshManyOptions, type RefreshOptions, refreshSecret, type RefreshSummary, revealValue } from './keyVault';
import { getFragmentXml, loadInstanceMetadata, type LoadOptions, type LoadResult } from './metadataLoader';
import type { AzureAccessOptions } from './options';

export class AzureAccess {
  private readonly clientFor: (subscriptionId: string) => ApimClientHandle;
  private tenantLevelClient: ApimClientHandle | undefined;
  /** Key Vault, authorization, resource and data-plane clients sharing this credential and pipeline (Key Vault doctor). */
  readonly keyVault: KeyVaultClients;

  constructor(
    private readonly credential: TokenCredential,
    private readonly options: AzureAccessOptions,
  ) {
    this.clientFor = createApimClientFactory(credential, options);
    this.keyVault = new KeyVaultClients(credential, options);
  }

  /** One ARM client per subscription, for the modules that take a client source (policies, listings). */
  get clients(): ApimClientSource {
    return this.clientFor;
  }

  listSubscriptions(call?: CallOptions): Promise<SubscriptionRecord[]> {
    this.tenantLevelClient ??= createApimClient(this.credential, undefined, this.options);
    return listSubscriptionsWith(this.tenantLevelClient, call);
  }

  listServices(subscriptionId: string, call?: CallOptions): Promise<ServiceRecord[]> {
    return listServicesWith(this.clientFor(subscriptionId), call);
  }

  loadInstanceMetadata(instanceId: string, options?: LoadOptions): Promise<LoadResult> {
    return loadInstanceMetadata(this.clientFor, instanceId, options);
  }

  getFragmentXml(instanceId: string, fragmentName: string, options?: RefreshOptions): Promise<string> {
    return getFragmentXml(this.clientFor, instanceId, fragmentName, options);
  }

  refreshSecret(instanceId: string, namedValueName: string, options?: RefreshOptions): Promise<NamedValueInfo> {
    return refreshSecret(this.clientFor, instanceId, namedValueName, options);
  }

  refreshMany(instanceId: string, names: readonly string[], options?: RefreshManyOptions): Promise<RefreshSummary> {
    return refreshMany(this.clientFor, instanceId, names, options);
  }

  /** The value of a named value; returned to the caller only, never logged or cached. */
  revealValue(instanceId: string, namedValueName: string, options?: RefreshOptions): Promise<string> {
    return revealValue(this.clientFor, instanceId, namedValueName, options);
  }
}
