// A minimal Microsoft Entra ID (v2.0 endpoint) stand-in: OIDC discovery plus the client-credentials token
// endpoint, enough for MSAL Node (inside @azure/identity's ClientSecretCredential) to obtain a token.
// MSAL fetches `{authority}/v2.0/.well-known/openid-configuration`, requires authorization_endpoint,
// token_endpoint, issuer and jwks_uri, and checks that the issuer shares scheme+host+port with the authority.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmulatorResponse } from './http';
import { json } from './http';

const TOKEN_LIFETIME_SECONDS = 3599;
/** Resources (audiences) a token can be requested for, besides the emulator's own URL. */
const PUBLIC_ARM_AUDIENCES = ['https://management.azure.com', 'https://management.core.windows.net'];
/** Key Vault's data plane audience: tokens for it are issued too, but ARM does not accept them. */
const KEY_VAULT_AUDIENCES = ['https://vault.azure.net'];
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export interface PrincipalConfig {
  baseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Object id put into tokens (`oid`): the principal role assignments and access policies name. */
  objectId: string;
}

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  oid: string;
  iat: number;
  nbf: number;
  exp: number;
}

/** Issues and validates HMAC-signed JWT access tokens; the key lives only in this process. */
export class TokenIssuer {
  private readonly signingKey = randomBytes(32);

  constructor(private readonly principal: () => PrincipalConfig) {}

  private isOurTenant(tenant: string): boolean {
    const t = tenant.toLowerCase();
    return t === this.principal().tenantId.toLowerCase() || t === 'organizations' || t === 'common';
  }

  /** GET /{tenant}/v2.0/.well-known/openid-configuration */
  openIdConfiguration(tenant: string): EmulatorResponse {
    if (!this.isOurTenant(tenant)) return tenantNotFound(this.principal().baseUrl, tenant);
    const { baseUrl, tenantId } = this.principal();
    const root = `${baseUrl}/${tenantId}`;
    return json(200, {
      token_endpoint: `${root}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${root}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${root}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${root}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
      tenant_region_scope: 'WW',
      cloud_instance_name: 'emulator.local',
      cloud_graph_host_name: 'graph.emulator.local',
      msgraph_host: 'graph.emulator.local',
    });
  }

  /** GET /{tenant}/discovery/v2.0/keys — no public keys: tokens are HMAC-signed and only this emulator validates them. */
  keys(tenant: string): EmulatorResponse {
    if (!this.isOurTenant(tenant)) return tenantNotFound(this.principal().baseUrl, tenant);
    return json(200, { keys: [] });
  }

  /** POST /{tenant}/oauth2/v2.0/token (application/x-www-form-urlencoded, client_credentials only). */
  token(tenant: string, formBody: string, authorizationHeader: string | undefined): EmulatorResponse {
    const { baseUrl, tenantId, clientId, clientSecret } = this.principal();
    if (!this.isOurTenant(tenant)) return tenantNotFound(baseUrl, tenant);
    const form = new URLSearchParams(formBody);
    let requestClientId = form.get('client_id') ?? '';
    let requestSecret = form.get('client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(authorizationHeader ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      requestClientId = decodeURIComponent(id ?? '');
      requestSecret = decodeURIComponent(secret ?? '');
    }
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      return aadError(baseUrl, 400, 'unsupported_grant_type', 70003,
        `The app requested an unsupported grant type '${grantType ?? ''}'. This emulator only implements client_credentials.`);
    }
    if (requestClientId.toLowerCase() !== clientId.toLowerCase()) {
      return aadError(baseUrl, 400, 'unauthorized_client', 700016,
        `Application with identifier '${requestClientId}' was not found in the directory '${tenantId}'. ` +
        'Check that the client id is right and that the application is registered in this tenant.');
    }
    if (requestSecret === null || requestSecret === '') {
      return aadError(baseUrl, 401, 'invalid_client', 7000216,
        "The request body must contain 'client_secret' or 'client_assertion' for a confidential client.");
    }
    if (!constantTimeEquals(requestSecret, clientSecret)) {
      return aadError(baseUrl, 401, 'invalid_client', 7000215,
        `The client secret sent for app '${clientId}' is not valid. Send the secret's value (not its id) ` +
        'and check that it has not expired.');
    }
    const audience = audienceFromScopes(form.get('scope') ?? '', baseUrl);
    if (audience === undefined) {
      return aadError(baseUrl, 400, 'invalid_scope', 1002012,
        `The scope '${form.get('scope') ?? ''}' is not valid here. Request '<resource>/.default' for ` +
        `${baseUrl}, ${PUBLIC_ARM_AUDIENCES[0]} or ${KEY_VAULT_AUDIENCES[0]}.`);
    }
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      aud: audience, iss: `${baseUrl}/${tenantId}/v2.0`, tid: tenantId, appid: clientId,
      oid: this.principal().objectId, iat: now, nbf: now - 60, exp: now + TOKEN_LIFETIME_SECONDS,
    };
    return json(200, {
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
      ext_expires_in: TOKEN_LIFETIME_SECONDS,
      access_token: this.sign(claims),
    }, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  }

  /** Returns the claims of a valid, unexpired token for an ARM audience (or `audiences`), or a reason it is not acceptable. */
  validate(token: string, audiences?: readonly string[]): { claims: TokenClaims } | { reason: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { reason: 'The access token is not a well-formed JWT.' };
    const expected = this.signature(`${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { reason: 'The access token signature is invalid; it was not issued by this emulator instance.' };
    }
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { reason: 'The access token payload could not be decoded.' };
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.exp <= now) return { reason: 'The access token has expired.' };
    if (claims.tid !== this.principal().tenantId) return { reason: `The access token is from the wrong issuer '${claims.iss}'.` };
    const accepted = audiences ?? [this.principal().baseUrl, ...PUBLIC_ARM_AUDIENCES];
    if (!accepted.includes(claims.aud)) return { reason: `The access token has an invalid audience '${claims.aud}'.` };
    return { claims };
  }

  private sign(claims: TokenClaims): string {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${header}.${payload}.${this.signature(`${header}.${payload}`).toString('base64url')}`;
  }

  private signature(input: string): Buffer {
    return createHmac('sha256', this.signingKey).update(input).digest();
  }
}

function constantTimeEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Maps `<resource>/.default` (plus optional OIDC scopes) to the token audience; undefined if not an ARM resource. */
function audienceFromScopes(scope: string, baseUrl: string): string | undefined {
  const resources = scope.split(/\s+/).filter((s) => s !== '' && !OIDC_SCOPES.has(s));
  if (resources.length !== 1) return undefined;
  const match = /^(.*?)\/?\.default$/.exec(resources[0]);
  if (!match) return undefined;
  const resource = match[1].replace(/\/+$/, '');
  return [baseUrl, ...PUBLIC_ARM_AUDIENCES, ...KEY_VAULT_AUDIENCES].find((a) => a.toLowerCase() === resource.toLowerCase());
}

function tenantNotFound(baseUrl: string, tenant: string): EmulatorResponse {
  return aadError(baseUrl, 400, 'invalid_request', 90002,
    `Tenant '${tenant}' not found. Check the tenant id; this emulator hosts exactly one tenant.`);
}

/** An Entra-style OAuth error body (error, error_description with an AADSTS code, trace ids, error_uri). */
function aadError(baseUrl: string, status: number, error: string, code: number, description: string): EmulatorResponse {
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${baseUrl}/error?code=${code}`,
  });
}
