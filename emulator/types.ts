// Public types of the local ARM emulator. Other layers (tests, demo, harness) code against these.

/** Probabilities and delays injected into ARM routes (never into the token or control endpoints). */
export interface FaultKnobs {
  latencyMs: number;            // added to every ARM response
  throttleRate: number;         // 0..1 probability of 429 TooManyRequests
  retryAfterSeconds: number | null; // Retry-After header on 429s (null = omit the header)
  serverErrorRate: number;      // 0..1 probability of 500/503 with an ARM error body
  dropRate: number;             // 0..1 probability the socket is destroyed without a response
  malformedRate: number;        // 0..1 probability of a truncated / non-JSON 200 body
  failMatching: string | null;  // every ARM request whose path+query contains this text gets a 500 (a page that keeps failing)
}

/** Concurrency of the ARM requests served since the last reset (for parallel-paging tests and benchmarks). */
export interface ArmRequestStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  throttled: number;
}

/** Fault settings as accepted from callers: any subset, plus an optional PRNG seed for reproducible runs. */
export type FaultSettings = Partial<FaultKnobs> & { seed?: number };

export interface EmulatorOptions {
  port?: number;                // 0 / undefined = free port on 127.0.0.1
  fixture?: string | InstanceFixture; // path or object; default = emulator/fixtures/demo-instance.json
  faults?: FaultSettings;
  extraNamedValues?: number;    // add N generated named values (e.g. 10000 for the "huge instance")
  extraApis?: number;           // add N generated APIs (two operations each) for the "2,000 APIs" scenarios
  certDir?: string;             // where to write ca.pem (default: a temp dir)
  quiet?: boolean;
  /** How long a refreshSecret / create operation stays InProgress (default 300 ms). */
  lroDurationMs?: number;
  /** Fixed client secret for the service principal (default: the fixture's, else random per start). */
  clientSecret?: string;
}

export interface RequestLogEntry { method: string; path: string; status: number }

export interface RunningEmulator {
  url: string;                  // https://127.0.0.1:<port>  (ARM endpoint AND authority host)
  port: number;
  caFile: string;               // PEM of the certificate clients must trust
  caPem: string;
  tenantId: string; clientId: string; clientSecret: string;
  subscriptionId: string;
  instanceId: string;           // ARM resource id of the demo service
  setFaults(f: FaultSettings): void;
  state: EmulatorState;         // live in-memory state (tests may inspect/mutate)
  setVaultState(vault: string, secret: string | null, state: VaultSecretState): void;
  /** Attaches a user-assigned managed identity (client id, principal id) to a service. */
  attachIdentity(service: string, clientId: string, principalId: string): void;
  /**
   * Changes a policy behind the client's back, as a colleague in the portal would: `scope` is the path below
   * the service (`''` global, `apis/{api}`, `apis/{api}/operations/{op}`, `products/{p}`,
   * `policyFragments/{f}`, each optionally under `workspaces/{ws}/`). Without `value` a comment is appended.
   * Returns the new raw text. The ETag changes.
   */
  changePolicy(scope: string, value?: string, service?: string): string;
  requestLog: RequestLogEntry[]; // no bodies, no secrets
  /** ARM request counts and the most served at once, since start or `resetStats()`. */
  stats(): ArmRequestStats;
  resetStats(): void;
  stop(): Promise<void>;
}

/**
 * What a vault or one of its secrets should look like.
 * Vault-level (secret = null): 'ok' | 'unreachable' | 'accessDenied'.
 * Secret-level: 'ok' (present and enabled; `value` replaces the stored value) | 'missing' | 'disabled'.
 */
export type VaultSecretState =
  | { status: 'ok'; value?: string }
  | { status: 'missing' }
  | { status: 'disabled' }
  | { status: 'accessDenied' }
  | { status: 'unreachable' };

// ---------------------------------------------------------------------------------------------
// Fixture (JSON on disk) — ARM wire shapes where the service returns them verbatim.

export type JsonObject = { [key: string]: unknown };

/** One child resource as stored: its ARM name and its wire `properties`. */
export interface FixtureResource { name: string; properties: JsonObject }

/** An API; a revision other than the current one is an API named `{api};rev={n}` with `isCurrent: false`. */
export interface FixtureApi extends FixtureResource {
  operations?: Array<FixtureResource & { policy?: string }>;
  policy?: string;
}

/** What holds APIs, products, fragments, named values and policies: the service itself, or one of its workspaces. */
export interface FixtureScopeContainer {
  /** Global (service) or workspace-level policy (raw XML). */
  policy?: string;
  namedValues?: FixtureResource[];
  policyFragments?: FixtureResource[];
  apis?: FixtureApi[];
  products?: Array<FixtureResource & { policy?: string }>;
}

/** An APIM workspace (a `workspaces/{ws}` child of the service) with its own APIs, products, fragments, named values and policies. */
export interface FixtureWorkspace extends FixtureResource, FixtureScopeContainer {}

export interface FixtureService extends FixtureScopeContainer {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  sku: { name: string; capacity: number };
  identity?: JsonObject;
  systemData?: JsonObject;
  properties: JsonObject;
  backends?: FixtureResource[];
  loggers?: FixtureResource[];
  certificates?: FixtureResource[];
  authorizationProviders?: Array<FixtureResource & { authorizations?: FixtureResource[] }>;
  caches?: FixtureResource[];
  workspaces?: FixtureWorkspace[];
}

export interface FixtureSubscription {
  subscriptionId: string;
  displayName: string;
  state?: string;
  tags?: Record<string, string>;
  /** Home tenant; defaults to the service principal's tenant. */
  tenantId?: string;
  subscriptionPolicies?: JsonObject;
  authorizationSource?: string;
  managedByTenants?: Array<{ tenantId: string }>;
}

/**
 * A Key Vault: the data APIM's secret fetch simulation needs (reachable, the coarse accessDenied knob, secrets)
 * plus its Azure Resource Manager side (where it lives, permission model, network rules). A vault that sets
 * neither `enableRbacAuthorization` nor `accessPolicies` lets every identity of every fixture service read it
 * (its ARM view then shows those access policies), so older fixtures keep resolving.
 */
export interface FixtureVault {
  reachable?: boolean;          // default true (false: APIM cannot resolve or reach the host)
  accessDenied?: boolean;       // default false (true: every read is refused, whatever the grants say)
  /** Where the vault lives; default: the first subscription and the first service's resource group. */
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  enableRbacAuthorization?: boolean;
  accessPolicies?: FixtureAccessPolicy[];
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  networkAcls?: { defaultAction: 'Allow' | 'Deny'; bypass?: 'AzureServices' | 'None'; ipRules?: string[] };
  secrets: Record<string, FixtureSecret>;
}

export interface FixtureAccessPolicy {
  objectId: string;
  tenantId?: string;
  permissions: { secrets?: string[]; keys?: string[]; certificates?: string[] };
}

export interface FixtureSecret {
  value: string;
  enabled?: boolean;
  /** Pads the value with filler characters up to this length (for secrets too long for a named value). */
  padToLength?: number;
  /** ISO times; stored as the secret's nbf / exp attributes. */
  notBefore?: string;
  expires?: string;
  contentType?: string;
  /** Current version id (32 hex characters); generated when absent. */
  version?: string;
  /** Older versions, oldest first; a versioned identifier may point at one of them. */
  olderVersions?: Array<{ version: string; value: string; enabled?: boolean }>;
}

/** A role definition the fixture adds to the built-in ones (custom roles). */
export interface FixtureRoleDefinition {
  id: string;                   // GUID
  roleName: string;
  description?: string;
  assignableScopes?: string[];
  permissions: Array<{ actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }>;
}

export interface FixtureRoleAssignment {
  id?: string;                  // GUID; generated when absent
  /** ARM scope: a subscription, resource group, resource or Key Vault secret id. */
  scope: string;
  /** Role by name (built-in or fixture-defined) or by GUID. */
  role: string;
  principalId: string;
  principalType?: 'ServicePrincipal' | 'User' | 'Group';
}

export interface PolicyDescriptionFixture { name: string; description: string; scope: number }

export interface InstanceFixture {
  /** `objectId`: the principal ARM sees for the emulator's tokens (role assignments name it). */
  servicePrincipal: { tenantId: string; clientId: string; clientSecret?: string; objectId?: string };
  subscriptions: FixtureSubscription[];
  services: FixtureService[];
  policyDescriptions?: PolicyDescriptionFixture[];
  vaults?: Record<string, FixtureVault>;
  roleDefinitions?: FixtureRoleDefinition[];
  roleAssignments?: FixtureRoleAssignment[];
}

// ---------------------------------------------------------------------------------------------
// Live state

export interface ResourceRecord {
  name: string;
  properties: JsonObject;
  etagVersion: number;
}

/** A named value; Key Vault ones also carry the value last fetched from the vault (never serialized). */
export interface NamedValueRecord extends ResourceRecord {
  keyVaultValue?: string;
}

export interface ApiRecord extends ResourceRecord {
  operations: Map<string, ResourceRecord>;
}

export interface AuthorizationProviderRecord extends ResourceRecord {
  authorizations: Map<string, ResourceRecord>;
}

/** A policy as stored (raw XML) and its version; the version, and so the ETag, changes on every write. */
export interface PolicyRecord {
  value: string;
  etagVersion: number;
}

/**
 * What the service and each workspace hold alike. Policies are keyed by scope below the container: ''
 * (the container's own policy), 'apis/{api}', 'apis/{api}/operations/{op}', 'products/{p}' (lower case).
 */
export interface PolicyContainer {
  name: string;
  namedValues: Map<string, NamedValueRecord>;
  policyFragments: Map<string, ResourceRecord>;
  apis: Map<string, ApiRecord>;
  products: Map<string, ResourceRecord>;
  policies: Map<string, PolicyRecord>;
}

export interface WorkspaceRecord extends ResourceRecord, PolicyContainer {}

export interface ServiceRecord extends PolicyContainer {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  sku: { name: string; capacity: number };
  identity?: JsonObject;
  systemData?: JsonObject;
  properties: JsonObject;
  etagVersion: number;
  backends: Map<string, ResourceRecord>;
  loggers: Map<string, ResourceRecord>;
  certificates: Map<string, ResourceRecord>;
  authorizationProviders: Map<string, AuthorizationProviderRecord>;
  caches: Map<string, ResourceRecord>;
  workspaces: Map<string, WorkspaceRecord>;
}

export interface SecretVersion {
  version: string;
  value: string;
  enabled: boolean;
  /** Unix seconds, as Key Vault stores them. */
  created: number;
  updated: number;
  notBefore?: number;
  expires?: number;
  contentType?: string;
}

/** A vault secret: the current version's fields at the top (what most code reads) and older versions. */
export interface SecretRecord extends SecretVersion {
  name: string;
  olderVersions: SecretVersion[];
}

export interface VaultAccessPolicy {
  tenantId: string;
  objectId: string;
  permissions: { secrets: string[]; keys: string[]; certificates: string[] };
}

export interface VaultRecord {
  name: string;
  /** Data-plane base URL (ARM's vaultUri): `https://{name}.vault.azure.net/` until the emulator serves the vault on a port of its own. */
  dataPlaneUri: string;
  reachable: boolean;
  accessDenied: boolean;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  enableRbacAuthorization: boolean;
  accessPolicies: VaultAccessPolicy[];
  publicNetworkAccess: 'Enabled' | 'Disabled';
  networkAcls: { defaultAction: 'Allow' | 'Deny'; bypass: 'AzureServices' | 'None'; ipRules: string[] };
  secrets: Map<string, SecretRecord>;
}

export interface RoleDefinitionRecord {
  /** GUID. */
  id: string;
  roleName: string;
  type: 'BuiltInRole' | 'CustomRole';
  description: string;
  assignableScopes: string[];
  permissions: Array<{ actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }>;
}

export interface RoleAssignmentRecord {
  /** GUID (the assignment's name). */
  id: string;
  /** Normalised ARM scope without a trailing slash. */
  scope: string;
  /** Role definition GUID. */
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  createdOn: string;
}

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

/** What a long-running operation does, so tests and tools can tell operations apart by meaning. */
export type OperationKind = 'createOrUpdateNamedValue' | 'updateNamedValue' | 'refreshSecret' | 'createOrUpdatePolicyFragment';

export interface AsyncOperation {
  id: string;
  kind: OperationKind;
  /** The resource the operation acts on (named value or fragment name, as the request spelled it). */
  target: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  /** When the operation settles; before that, status stays InProgress. */
  settlesAt: number;
  /** Applies the operation's effect once (called lazily when first observed after settlesAt). */
  settle?: () => { code: string; message: string } | undefined;
}

export interface EmulatorState {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptions: FixtureSubscription[];
  services: ServiceRecord[];
  policyDescriptions: PolicyDescriptionFixture[];
  vaults: Map<string, VaultRecord>;
  /** Object id of the emulator's service principal: the caller ARM and Key Vault see. */
  servicePrincipalObjectId: string;
  roleDefinitions: Map<string, RoleDefinitionRecord>;
  roleAssignments: Map<string, RoleAssignmentRecord>;
  operations: Map<string, AsyncOperation>;
}
