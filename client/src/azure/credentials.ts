/**
 * Credentials for the non-interactive auth kinds. The VS Code Microsoft
 * account credential lives in the extension glue; everything else in this
 * layer accepts any TokenCredential.
 *
 * Token requests of @azure/identity go through its IdentityClient, a
 * core-client ServiceClient built from the credential options (MSAL uses it
 * as its network client), so `additionalPolicies` reach them: that is how
 * extra CA certificates, trace logging and the Retry-After cap apply to
 * sign-in as well. AzureCliCredential runs `az` and makes no HTTP calls of
 * its own; the CLI must be set to the same cloud (`az cloud set`).
 */
import {
  AzureCliCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  EnvironmentCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { AdditionalPolicyConfig } from '@azure/core-client';
import { AzureAccessError, classifyError } from './errors';
import { type AzureAccessOptions, resolveRetrySettings } from './options';
import { extraCaPolicy, retryAfterCapPolicy, traceLogPolicy } from './pipeline';

export type { TokenCredential } from '@azure/core-auth';

export type AuthKind = 'azureCli' | 'environment' | 'servicePrincipal' | 'default';

export interface ServicePrincipalSecret {
  tenantId: string;
  clientId: string;
  /** Passed in by the caller (e.g. from SecretStorage); never read from settings here. */
  clientSecret: string;
}

export interface ServicePrincipalCertificate {
  tenantId: string;
  clientId: string;
  /** PEM file holding the certificate and its private key. */
  certificatePath: string;
  certificatePassword?: string;
}

export type CredentialRequest =
  | { kind: 'azureCli'; tenantId?: string }
  | { kind: 'environment' }
  | { kind: 'servicePrincipal'; servicePrincipal: ServicePrincipalSecret | ServicePrincipalCertificate }
  | { kind: 'default'; tenantId?: string };

export type CreateCredentialOptions = CredentialRequest & AzureAccessOptions;

export function createCredential(options: CreateCredentialOptions): TokenCredential {
  const recorder = new SignInTransportRecorder();
  return new ClassifyingCredential(createIdentityCredential(options, recorder), options, recorder);
}

function createIdentityCredential(options: CreateCredentialOptions, recorder: SignInTransportRecorder): TokenCredential {
  const common = identityClientOptions(options, recorder);
  switch (options.kind) {
    case 'azureCli':
      return new AzureCliCredential({ ...common, tenantId: options.tenantId });
    case 'environment':
      return new EnvironmentCredential(common);
    case 'servicePrincipal': {
      const sp = options.servicePrincipal;
      requireField(sp.tenantId, 'tenantId');
      requireField(sp.clientId, 'clientId');
      if ('clientSecret' in sp) {
        requireField(sp.clientSecret, 'clientSecret');
        return new ClientSecretCredential(sp.tenantId, sp.clientId, sp.clientSecret, common);
      }
      requireField(sp.certificatePath, 'certificatePath');
      return new ClientCertificateCredential(
        sp.tenantId,
        sp.clientId,
        { certificatePath: sp.certificatePath, certificatePassword: sp.certificatePassword },
        common,
      );
    }
    case 'default':
      return new DefaultAzureCredential({ ...common, tenantId: options.tenantId });
    default: {
      const unknownKind: never = options;
      throw new AzureAccessError({
        kind: 'invalidInput',
        message: `Unknown auth kind ${JSON.stringify((unknownKind as { kind?: unknown }).kind)}.`,
        userMessage: 'Unknown authentication method; use azureCli, environment, servicePrincipal, default or the VS Code account.',
        retryable: false,
      });
    }
  }
}

/**
 * Options for any @azure/identity credential (also useful to the glue if it
 * builds one itself): cloud authority, instance discovery switch, CA trust,
 * logging and retry limits for token requests.
 */
export function identityClientOptions(
  options: AzureAccessOptions,
  recorder?: SignInTransportRecorder,
): TokenCredentialOptions & { disableInstanceDiscovery: boolean } {
  const retry = resolveRetrySettings(options.retry);
  const additionalPolicies: AdditionalPolicyConfig[] = [];
  if (options.extraCaCertificates?.length) {
    additionalPolicies.push({ policy: extraCaPolicy(options.extraCaCertificates), position: 'perCall' });
  }
  additionalPolicies.push({ policy: retryAfterCapPolicy(retry), position: 'perRetry' });
  if (options.logger) additionalPolicies.push({ policy: traceLogPolicy(options.logger, 'auth'), position: 'perRetry' });
  if (recorder) additionalPolicies.push({ policy: recorder.policy(), position: 'perRetry' });
  return {
    authorityHost: options.cloud.authorityHost,
    disableInstanceDiscovery: options.cloud.disableInstanceDiscovery,
    additionalPolicies,
    retryOptions: { maxRetries: retry.maxRetries, retryDelayInMs: retry.baseDelayMs, maxRetryDelayInMs: retry.maxDelayMs },
  };
}

function requireField(value: string | undefined, field: string): void {
  if (!value || !value.trim()) {
    throw new AzureAccessError({
      kind: 'invalidInput',
      message: `Service principal ${field} is missing.`,
      userMessage: `The service principal ${field} is missing; fill it in and sign in again.`,
      retryable: false,
    });
  }
}

/**
 * MSAL hides why discovery or the token call failed (TLS, refused
 * connection, unknown tenant all become `endpoints_resolution_error`). This
 * policy, placed in the credential's own pipeline, remembers the last
 * transport-level failure so the error can name the real cause.
 */
export class SignInTransportRecorder {
  private last: { error?: unknown; status?: number; code?: string; url: string } | undefined;

  reset(): void {
    this.last = undefined;
  }

  take(): { error?: unknown; status?: number; code?: string; url: string } | undefined {
    const last = this.last;
    this.last = undefined;
    return last;
  }

  policy(): PipelinePolicy {
    return {
      name: 'apimSignInTransportRecorder',
      sendRequest: async (request, next) => {
        try {
          const response = await next(request);
          if (response.status >= 400) {
            // Only the Entra error code is kept: descriptions are not needed and bodies are never stored.
            let code: string | undefined;
            try {
              const parsed = JSON.parse(response.bodyAsText ?? '') as { error?: unknown };
              if (typeof parsed.error === 'string') code = parsed.error;
            } catch {
              code = undefined;
            }
            this.last = { status: response.status, code, url: request.url };
          }
          return response;
        } catch (e) {
          this.last = { error: e, url: request.url };
          throw e;
        }
      },
    };
  }
}

/**
 * Makes any TokenCredential fail only with AzureAccessError, naming the real
 * cause when a recorder saw one. The glue can wrap its VS Code account
 * credential with it too (without a recorder).
 */
export class ClassifyingCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly options: Pick<AzureAccessOptions, 'cloud'>,
    private readonly recorder?: SignInTransportRecorder,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.recorder?.reset();
    try {
      return await this.inner.getToken(scopes, options);
    } catch (e) {
      throw this.explain(e);
    }
  }

  private explain(e: unknown): AzureAccessError {
    const context = { operation: 'signIn' as const, endpoint: this.options.cloud.authorityHost };
    const classified = classifyError(e, context);
    if (classified.kind === 'cancelled') return new AzureAccessError(classified);
    const seen = this.recorder?.take();
    if (seen?.error !== undefined) {
      const transport = classifyError(seen.error, context);
      if (transport.kind === 'network' || transport.kind === 'throttled' || transport.kind === 'malformedResponse') return new AzureAccessError(transport);
    }
    if (seen?.status !== undefined && classified.code === 'endpoints_resolution_error') {
      if (seen.status >= 500) {
        return new AzureAccessError({ ...classified, kind: 'server', status: seen.status, userMessage: `The sign-in service ${originOf(seen.url)} returned HTTP ${seen.status}; try again later.`, retryable: true });
      }
      return new AzureAccessError({
        ...classified,
        status: seen.status,
        code: seen.code ?? classified.code,
        userMessage: `The sign-in service ${originOf(seen.url)} rejected the tenant or authority (HTTP ${seen.status}${seen.code ? `, ${seen.code}` : ''}): check the tenant id and the cloud / authority host setting.`,
      });
    }
    return new AzureAccessError(classified);
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'endpoint';
  }
}
