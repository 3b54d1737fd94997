/**
 * Settings → cloud + CA trust + credential → AzureAccess: the same path for
 * the extension and for plain-Node tests (which drive it with the settings
 * the emulator prints).
 */
import { AzureAccess } from '../azure/azureAccess';
import { resolveCloud, type ResolvedCloud } from '../azure/clouds';
import type { TokenCredential } from '../azure/credentials';
import type { AzureAccessOptions, AzureTraceLogger, RetrySettings } from '../azure/options';
import { buildCredential, type CredentialDeps } from '../auth/credentialFactory';
import { type ConnectionSettings, loadCaCertificates, resolveSettingPath } from '../settings';

export interface AccessParts {
  access: AzureAccess;
  credential: TokenCredential;
  cloud: ResolvedCloud;
  /** Problems with CA files (unreadable, not PEM); the rest still works. */
  problems: string[];
  caCount: number;
}

export interface AccessInputs {
  /** First workspace folder, for relative paths in settings. */
  workspaceFolder?: string;
  servicePrincipalSecret?: string;
  vscodeAccount?: CredentialDeps['vscodeAccount'];
  logger?: AzureTraceLogger;
  retry?: Partial<RetrySettings>;
}

/** Rejects with AzureAccessError (invalidInput / unauthenticated) when settings are incomplete. */
export async function createAccessFromSettings(settings: ConnectionSettings, inputs: AccessInputs = {}): Promise<AccessParts> {
  const cloud = resolveCloud(settings.cloud);
  const ca = await loadCaCertificates(settings.extraCaCertificates, inputs.workspaceFolder);
  const options: AzureAccessOptions = { cloud, extraCaCertificates: ca.pems, logger: inputs.logger, retry: inputs.retry, parallelRequests: settings.parallelRequests };
  const certificate = settings.servicePrincipal.certificatePath;
  const credential = buildCredential(settings, options, {
    vscodeAccount: inputs.vscodeAccount,
    servicePrincipalSecret: inputs.servicePrincipalSecret,
    servicePrincipalCertificatePath: certificate ? resolveSettingPath(certificate, inputs.workspaceFolder) : undefined,
  });
  return { access: new AzureAccess(credential, options), credential, cloud, problems: ca.problems, caCount: ca.pems.length };
}
