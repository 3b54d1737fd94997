/**
 * Identifiers the extension contributes in package.json (commands, views,
 * context keys, settings), declared once so code and manifest cannot drift;
 * test/client/manifest.test.ts checks package.json against this file.
 */

export const COMMANDS = {
  selectInstance: 'apimPolicy.selectInstance',
  signIn: 'apimPolicy.signIn',
  signOut: 'apimPolicy.signOut',
  selectTenant: 'apimPolicy.selectTenant',
  setServicePrincipalSecret: 'apimPolicy.setServicePrincipalSecret',
  refreshNamedValues: 'apimPolicy.refreshNamedValues',
  refreshKeyVaultSecret: 'apimPolicy.refreshKeyVaultSecret',
  refreshFailedKeyVaultSecrets: 'apimPolicy.refreshFailedKeyVaultSecrets',
  filterNamedValues: 'apimPolicy.filterNamedValues',
  showFailedNamedValues: 'apimPolicy.showFailedNamedValues',
  copyReference: 'apimPolicy.copyNamedValueReference',
  insertReference: 'apimPolicy.insertNamedValueReference',
  revealValue: 'apimPolicy.revealNamedValue',
  goToDefinition: 'apimPolicy.goToNamedValueDefinition',
  findUsages: 'apimPolicy.findNamedValueUsages',
  treatAsPolicy: 'apimPolicy.treatAsPolicy',
  showLog: 'apimPolicy.showLog',
  diagnoseKeyVaultReference: 'apimPolicy.diagnoseKeyVaultReference',
  applyKeyVaultFix: 'apimPolicy.applyKeyVaultFix',
  rerunKeyVaultDiagnosis: 'apimPolicy.rerunKeyVaultDiagnosis',
  createNamedValue: 'apimPolicy.createNamedValue',
  editNamedValue: 'apimPolicy.editNamedValue',
  deleteNamedValue: 'apimPolicy.deleteNamedValue',
  openInstancePolicy: 'apimPolicy.openInstancePolicy',
  compareWithInstance: 'apimPolicy.compareWithInstance',
  publishToInstance: 'apimPolicy.publishToInstance',
  pullFromInstance: 'apimPolicy.pullFromInstance',
  deletePolicy: 'apimPolicy.deletePolicy',
  refreshPolicies: 'apimPolicy.refreshPolicies',
  filterPolicies: 'apimPolicy.filterPolicies',
  loadMorePolicies: 'apimPolicy.loadMorePolicies',
  openWalkthrough: 'apimPolicy.openWalkthrough',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

export const VIEW_CONTAINER_ID = 'apimPolicy';
export const NAMED_VALUES_VIEW_ID = 'apimPolicy.namedValues';
export const KEY_VAULT_DOCTOR_VIEW_ID = 'apimPolicy.keyVaultDoctor';
export const POLICIES_VIEW_ID = 'apimPolicy.policies';

/** `contributes.walkthroughs[].id` of the Get Started walkthrough; VS Code knows it as `<extension id>#getStarted`. */
export const WALKTHROUGH_ID = 'getStarted';

/** Context keys set with `setContext`, used by `when` / `enablement` clauses in package.json. */
export const CONTEXT_KEYS = {
  /** 'signedOut' | 'noInstance' | 'loading' | 'connected' | 'stale' | 'error' — see ConnectionState. */
  state: 'apimPolicy.state',
  signedIn: 'apimPolicy.signedIn',
  /** At least one instance has metadata (fresh or cached). */
  hasMetadata: 'apimPolicy.hasMetadata',
  /** Number of Key Vault named values whose last refresh failed, over all connected instances. */
  failedKeyVaultCount: 'apimPolicy.failedKeyVaultCount',
  /** 'all' | 'keyVault' | 'failed' */
  filter: 'apimPolicy.namedValuesFilter',
  /** The auth setting, so "Set Service Principal Secret" shows only where it matters. */
  auth: 'apimPolicy.auth',
  /** The Key Vault Doctor view has a diagnosis to show. */
  doctorHasReport: 'apimPolicy.doctorHasReport',
  /** The Policies view lists only names containing a text. */
  policiesFiltered: 'apimPolicy.policiesFiltered',
  /** True for a moment when a policy is shown in an editor (the walkthrough's "open a policy" step; see walkthrough/progress.ts). */
  policyOpened: 'apimPolicy.policyOpened',
  /** True for a moment when completion offers named values (the walkthrough's `{{` step). */
  namedValueCompletionShown: 'apimPolicy.namedValueCompletionShown',
} as const;

/** Tree item `contextValue`s; menus match them with regular expressions. */
export const CONTEXT_VALUES = {
  instance: 'apimInstance',
  plain: 'namedValue.plain',
  secret: 'namedValue.secret',
  keyVault: 'namedValue.keyVault',
  message: 'apimMessage',
  doctorReport: 'keyVaultDoctor.report',
  /** Followed by `.pass|.fail|.warning|.unknown` and `.fixable` when it offers fixes. */
  doctorCheck: 'keyVaultDoctor.check',
  doctorDetail: 'keyVaultDoctor.detail',
  doctorFix: 'keyVaultDoctor.fix',
} as const;

export const SETTINGS = {
  auth: 'apimPolicy.auth',
  cloud: 'apimPolicy.cloud',
  customArmEndpoint: 'apimPolicy.customCloud.armEndpoint',
  customAuthorityHost: 'apimPolicy.customCloud.authorityHost',
  tenant: 'apimPolicy.tenant',
  servicePrincipalTenantId: 'apimPolicy.servicePrincipal.tenantId',
  servicePrincipalClientId: 'apimPolicy.servicePrincipal.clientId',
  servicePrincipalCertificatePath: 'apimPolicy.servicePrincipal.certificatePath',
  instance: 'apimPolicy.instance',
  refreshIntervalMinutes: 'apimPolicy.refreshIntervalMinutes',
  maxParallelRequests: 'apimPolicy.maxParallelRequests',
  extraCaCertificates: 'apimPolicy.extraCaCertificates',
  unknownAttributes: 'apimPolicy.validation.unknownAttributes',
  hideUnavailablePolicies: 'apimPolicy.completion.hideUnavailablePolicies',
  detectPolicyRoots: 'apimPolicy.detectPolicyRoots',
  traceServer: 'apimPolicy.trace.server',
  confirmPublish: 'apimPolicy.policies.confirmPublish',
  policyPageSize: 'apimPolicy.policies.pageSize',
  offerXmlValidationOff: 'apimPolicy.policies.offerToTurnOffXmlValidation',
} as const;

/**
 * Settings that decide where credentials and tokens are sent. In a workspace
 * the user has not trusted, only their user-level values count, so a cloned
 * repository cannot point sign-in at a host of its choosing.
 */
export const CONNECTION_SECURITY_SETTINGS: readonly string[] = [
  SETTINGS.auth,
  SETTINGS.cloud,
  SETTINGS.customArmEndpoint,
  SETTINGS.customAuthorityHost,
  SETTINGS.tenant,
  SETTINGS.servicePrincipalTenantId,
  SETTINGS.servicePrincipalClientId,
  SETTINGS.servicePrincipalCertificatePath,
  SETTINGS.extraCaCertificates,
];

/** Key in `ExtensionContext.secrets` for the service principal's client secret. */
export function servicePrincipalSecretKey(tenantId: string, clientId: string): string {
  return `apimPolicy.servicePrincipal.clientSecret/${tenantId.trim().toLowerCase()}/${clientId.trim().toLowerCase()}`;
}
