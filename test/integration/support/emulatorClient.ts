// An HTTPS client for the local ARM emulator from outside its process (the extension host): the
// loopback /_emulator control endpoints (reset, vault states, secret-free state summary, request
// log) and plain ARM calls with a service-principal token, for changing the instance the way a
// colleague in the portal would. Plain Node; trusts only the emulator's own certificate.
import * as https from 'node:https';
import type { VaultSecretState } from '../../../emulator/types';

export interface KeyVaultStatusSummary {
  name: string;
  displayName: string;
  secretIdentifier: string;
  lastStatus?: { code: string; message?: string; timeStampUtc: string };
  refreshFailed: boolean;
}

/** The part of `GET /_emulator/state` the suites read (it never carries secret values). */
export interface EmulatorStateSummary {
  services: Array<{ id: string; name: string; resourceGroup: string; counts: { namedValues: number }; keyVaultNamedValues: KeyVaultStatusSummary[] }>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
}

interface HttpResult {
  status: number;
  text: string;
}

export const ARM_API_VERSION = '2024-05-01';

export class EmulatorClient {
  private token: { value: string; expires: number } | undefined;

  constructor(
    readonly url: string,
    private readonly ca: string,
  ) {}

  private request(method: string, pathAndQuery: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    const target = new URL(pathAndQuery, this.url);
    return new Promise((resolve, reject) => {
      const request = https.request(
        target,
        { method, ca: this.ca, headers: { ...(body !== undefined ? { 'content-length': Buffer.byteLength(body).toString() } : {}), ...headers }, timeout: 15_000 },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${target.pathname}: no answer within 15 s`)));
      request.on('error', reject);
      if (body !== undefined) request.write(body);
      request.end();
    });
  }

  private async json<T>(method: string, pathAndQuery: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const result = await this.request(method, pathAndQuery, text, { ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...headers });
    if (result.status < 200 || result.status >= 300) throw new Error(`${method} ${pathAndQuery} answered ${result.status}: ${result.text.slice(0, 300)}`);
    return (result.text ? JSON.parse(result.text) : undefined) as T;
  }

  // ---- control endpoints ------------------------------------------------------------------

  /** Restores the fixture (named values, vaults, Key Vault statuses), faults and request log. */
  async reset(): Promise<void> {
    await this.json('POST', '/_emulator/reset');
  }

  state(): Promise<EmulatorStateSummary> {
    return this.json('GET', '/_emulator/state');
  }

  requests(): Promise<RequestLogEntry[]> {
    return this.json('GET', '/_emulator/requests');
  }

  /** Merges fault knobs (latency, throttling …); `reset()` puts them back. */
  async setFaults(faults: Record<string, unknown>): Promise<void> {
    await this.json('POST', '/_emulator/faults', faults);
  }

  /** Vault-level (`secret` null: ok / unreachable / accessDenied) or secret-level (ok / missing / disabled). */
  async setVault(vault: string, secret: string | null, state: VaultSecretState): Promise<void> {
    const route = secret === null ? `/_emulator/vaults/${encodeURIComponent(vault)}` : `/_emulator/vaults/${encodeURIComponent(vault)}/secrets/${encodeURIComponent(secret)}`;
    await this.json('POST', route, state);
  }

  /** Attaches a user-assigned managed identity to a service. */
  async attachIdentity(service: string, clientId: string, principalId: string): Promise<void> {
    await this.json('POST', `/_emulator/identities/${encodeURIComponent(service)}`, { clientId, principalId });
  }

  /**
   * Changes a policy behind the editor's back, as a colleague in the portal would (`scope` below the service:
   * '' global, apis/{api}, products/{p}, policyFragments/{f}, workspaces/{ws}/…). Returns the new text.
   */
  async changePolicy(scope: string, value?: string): Promise<string> {
    return (await this.json<{ value: string }>('POST', '/_emulator/policies', { scope, ...(value === undefined ? {} : { value }) })).value;
  }

  /** Key Vault statuses of the first (demo) service, by display name. */
  async keyVaultStatuses(): Promise<Map<string, KeyVaultStatusSummary>> {
    const summary = await this.state();
    return new Map(summary.services[0].keyVaultNamedValues.map((nv) => [nv.displayName, nv]));
  }

  // ---- ARM, as any client of the instance ---------------------------------------------------

  /** A client-credentials token from the emulator's authority (the same service principal the extension uses). */
  private async bearer(tenantId: string, clientId: string, clientSecret: string): Promise<string> {
    if (this.token && this.token.expires > Date.now() + 60_000) return this.token.value;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${this.url}/.default` }).toString();
    const result = await this.request('POST', `/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, form, { 'content-type': 'application/x-www-form-urlencoded' });
    if (result.status !== 200) throw new Error(`token request answered ${result.status}: ${result.text.slice(0, 200)}`);
    const token = JSON.parse(result.text) as { access_token: string; expires_in: number };
    this.token = { value: token.access_token, expires: Date.now() + token.expires_in * 1000 };
    return token.access_token;
  }

  /** A policy's text as stored (rawxml), or undefined when the scope has none; `path` is below the service. */
  async policyText(credentials: { tenantId: string; clientId: string; clientSecret: string }, serviceId: string, path: string): Promise<string | undefined> {
    const token = await this.bearer(credentials.tenantId, credentials.clientId, credentials.clientSecret);
    const result = await this.request('GET', `${serviceId}${path}?api-version=${ARM_API_VERSION}&format=rawxml`, undefined, { authorization: `Bearer ${token}` });
    if (result.status === 404) return undefined;
    if (result.status !== 200) throw new Error(`GET ${path} answered ${result.status}: ${result.text.slice(0, 300)}`);
    return (JSON.parse(result.text) as { properties: { value: string } }).properties.value;
  }

  /** Creates or replaces a plain named value in the service `serviceId` (its ARM id). */
  async putNamedValue(credentials: { tenantId: string; clientId: string; clientSecret: string }, serviceId: string, name: string, properties: { displayName: string; value: string }): Promise<void> {
    const token = await this.bearer(credentials.tenantId, credentials.clientId, credentials.clientSecret);
    await this.json('PUT', `${serviceId}/namedValues/${encodeURIComponent(name)}?api-version=${ARM_API_VERSION}`, { properties: { ...properties, secret: false } }, { authorization: `Bearer ${token}` });
  }
}
