/**
 * Messages between the extension client and the language server, declared
 * once and imported by both sides. Plain types only (no vscode or LSP
 * imports) so the language core can use the metadata types too.
 */

/** Status of the last Key Vault fetch APIM made for a named value. */
export interface KeyVaultStatus {
  /** `Success` when APIM could read the secret; otherwise an error code such as `Forbidden`. */
  code: string;
  message?: string;
  timeStampUtc: string;
}

export type NamedValueKind = 'plain' | 'secret' | 'keyVault';

export interface NamedValueInfo {
  /** ARM resource name (the id segment). */
  name: string;
  /** The name policies use inside `{{…}}`. */
  displayName: string;
  kind: NamedValueKind;
  /** Plain values only; never present for secret or Key Vault named values. */
  value?: string;
  tags?: string[];
  keyVault?: {
    secretIdentifier: string;
    identityClientId?: string;
    lastStatus?: KeyVaultStatus;
  };
}

export interface BackendInfo {
  name: string;
  url?: string;
  description?: string;
}

export interface PolicyFragmentInfo {
  name: string;
  description?: string;
}

export interface LoggerInfo {
  name: string;
  loggerType?: string;
  description?: string;
}

export interface CertificateInfo {
  name: string;
  subject?: string;
  expirationDate?: string;
}

export interface PolicyDescriptionInfo {
  name: string;
  description?: string;
  scope?: number;
}

/** Everything the server knows about one API Management instance. */
export interface InstanceMetadata {
  /** ARM resource id of the service. */
  instanceId: string;
  displayName: string;
  /** true when served from the offline cache rather than a fresh load. */
  stale?: boolean;
  namedValues: NamedValueInfo[];
  backends: BackendInfo[];
  policyFragments: PolicyFragmentInfo[];
  loggers: LoggerInfo[];
  certificates?: CertificateInfo[];
  policyDescriptions?: PolicyDescriptionInfo[];
}

/**
 * Client → server: metadata of a connected instance. A later notification
 * with the same `instanceId` replaces the earlier one.
 */
export namespace InstanceMetadataNotification {
  export const method = 'apimPolicy/instanceMetadata' as const;
  export type Params = InstanceMetadata;
}

/** One workspace folder's connected instance, so documents map to instances by folder. */
export interface InstanceFolder {
  folderUri: string;
  instanceId: string;
}

/**
 * Client → server: which instance each workspace folder uses. Documents
 * outside every listed folder use the only known instance, if there is one.
 */
export namespace InstanceFoldersNotification {
  export const method = 'apimPolicy/instanceFolders' as const;
  export interface Params {
    folders: InstanceFolder[];
  }
}

/** Client → server: forget an instance (signed out or disconnected). */
export namespace InstanceRemovedNotification {
  export const method = 'apimPolicy/instanceRemoved' as const;
  export interface Params {
    instanceId: string;
  }
}

/**
 * `data.kind` of the `{{named value}}` completion items the server sends light and fills in on
 * `completionItem/resolve`. The client recognises those items by it (the walkthrough's `{{` step).
 */
export const NAMED_VALUE_COMPLETION_KIND = 'named-value' as const;
