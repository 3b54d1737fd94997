// Local ARM emulator for API Management: one loopback HTTPS server that is both the ARM endpoint and the
// Entra ID authority host, so the real @azure/arm-apimanagement SDK and @azure/identity's
// ClientSecretCredential talk to it unchanged (see emulator/README.md for client settings).
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmApi } from './armRoutes';
import { serviceId } from './armResources';
import { changePolicy, handleControl, type ControlHooks } from './control';
import { FaultInjector, malformBody } from './faults';
import { ArmError, json, readBody, serialize, type EmulatorResponse } from './http';
import { TokenIssuer } from './identity';
import { applyVaultState, attachUserAssignedIdentity } from './keyVault';
import { handleKeyVaultDataPlane, KEY_VAULT_AUDIENCE } from './keyVaultDataPlane';
import { buildState, loadFixture } from './state';
import { createTlsIdentity } from './tls';
import type { ArmRequestStats, EmulatorOptions, EmulatorState, RequestLogEntry, RunningEmulator, VaultSecretState } from './types';

export type * from './types';
export { buildState, loadFixture } from './state';

const MAX_LOG_ENTRIES = 50_000;
const DEFAULT_LRO_DURATION_MS = 300;

/**
 * Waits `ms`, or less when the client goes away first (a cancelled request must not keep a timer,
 * or the process, alive for the rest of a long injected latency). True when the wait was complete.
 */
function delay(ms: number, req: IncomingMessage): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      req.socket.off('close', onClose);
      resolve(true);
    }, ms);
    req.socket.once('close', onClose);
  });
}

/** Recognises the identity endpoints MSAL calls: discovery, keys and token (v2.0, plus v1-style discovery). */
function identityRoute(method: string, segs: string[]): { tenant: string; kind: 'oidc' | 'keys' | 'token' } | undefined {
  const [tenant, a] = segs;
  if (tenant === undefined) return undefined;
  const path = segs.slice(1).join('/').toLowerCase();
  if (method === 'GET' && (path === 'v2.0/.well-known/openid-configuration' || path === '.well-known/openid-configuration')) {
    return { tenant, kind: 'oidc' };
  }
  if (method === 'GET' && path === 'discovery/v2.0/keys') return { tenant, kind: 'keys' };
  if (method === 'POST' && a === 'oauth2' && (path === 'oauth2/v2.0/token' || path === 'oauth2/token')) return { tenant, kind: 'token' };
  return undefined;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const fixture = loadFixture(options.fixture);
  const buildOptions = { extraNamedValues: options.extraNamedValues, extraApis: options.extraApis, clientSecret: options.clientSecret };
  const state: EmulatorState = buildState(fixture, buildOptions);
  const tls = await createTlsIdentity(options.certDir);
  const faults = new FaultInjector(options.faults);
  const requestLog: RequestLogEntry[] = [];
  const ctx = { state, baseUrl: '', lroDurationMs: options.lroDurationMs ?? DEFAULT_LRO_DURATION_MS };
  const arm = new ArmApi(ctx);
  const issuer = new TokenIssuer(() => ({
    baseUrl: ctx.baseUrl, tenantId: state.tenantId, clientId: state.clientId, clientSecret: state.clientSecret,
    objectId: state.servicePrincipalObjectId,
  }));

  const setVaultState = (vault: string, secret: string | null, change: VaultSecretState): void => {
    applyVaultState(state, vault, secret, change);
  };
  const attachIdentity = (service: string, clientId: string, principalId: string): void => {
    attachUserAssignedIdentity(state, service, clientId, principalId);
  };
  /** Each vault's data plane listens on a loopback port of its own (the Key Vault SDK wants a vault at an origin's root). */
  const vaultUris = new Map<string, string>();
  const vaultServers: https.Server[] = [];
  const onVaultRequest = async (vaultName: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(`https://127.0.0.1${req.url ?? '/'}`);
    const entry: RequestLogEntry = { method, path: `/_vaults/${vaultName}${url.pathname}${url.search}`, status: 0 };
    try {
      await readBody(req);
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const validation = token ? issuer.validate(token[1], [KEY_VAULT_AUDIENCE]) : { reason: 'no bearer token' };
      const caller = 'claims' in validation ? { objectId: validation.claims.oid } : validation;
      const clientAddress = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      const segs = url.pathname.split('/').filter((x) => x !== '').map(decodeURIComponent);
      const response = handleKeyVaultDataPlane(state, { method, url, baseUrl: ctx.baseUrl, caller, clientAddress }, vaultName, segs);
      entry.status = response.status;
      write(req, res, response);
    } catch (e) {
      const response = e instanceof ArmError ? e.toResponse() : json(500, { error: { code: 'InternalServerError', message: 'The emulator failed to handle the request.' } });
      entry.status = response.status;
      if (!res.headersSent && !res.destroyed) write(req, res, response);
    }
    log(entry, startedAt);
  };

  const armStats: ArmRequestStats = { requests: 0, inFlight: 0, maxInFlight: 0, throttled: 0 };
  const resetStats = (): void => {
    Object.assign(armStats, { requests: 0, maxInFlight: armStats.inFlight, throttled: 0 });
  };
  const hooks: ControlHooks = {
    state,
    faults,
    requestLog,
    setVaultState,
    attachIdentity,
    stats: () => ({ ...armStats }),
    resetStats,
    reset: () => {
      // Mutate in place: callers hold references to `state` and `requestLog`.
      Object.assign(state, buildState(loadFixture(options.fixture), { ...buildOptions, clientSecret: state.clientSecret }));
      for (const vault of state.vaults.values()) {
        const uri = vaultUris.get(vault.name.toLowerCase());
        if (uri) vault.dataPlaneUri = uri;
      }
      faults.reset(options.faults);
      requestLog.splice(0, requestLog.length);
    },
  };

  const log = (entry: RequestLogEntry, startedAt: number): void => {
    if (requestLog.length >= MAX_LOG_ENTRIES) requestLog.splice(0, requestLog.length - MAX_LOG_ENTRIES + 1);
    requestLog.push(entry);
    if (!options.quiet) process.stdout.write(`${entry.method} ${entry.path} -> ${entry.status || 'dropped'} (${Date.now() - startedAt} ms)\n`);
  };

  const write = (req: IncomingMessage, res: ServerResponse, response: EmulatorResponse, corrupt = false, serialized?: string): void => {
    let text = serialized ?? serialize(response);
    if (corrupt && text !== undefined) text = malformBody(text);
    const headers: Record<string, string> = {
      'x-ms-request-id': randomUUID(),
      'x-ms-correlation-request-id': randomUUID(),
      ...response.headers,
    };
    if (text !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    if (text !== undefined) headers['Content-Length'] = String(Buffer.byteLength(text));
    res.writeHead(response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : text);
  };

  const handleArm = async (req: IncomingMessage, res: ServerResponse, url: URL, body: string, entry: RequestLogEntry): Promise<void> => {
    armStats.requests++;
    armStats.inFlight++;
    armStats.maxInFlight = Math.max(armStats.maxInFlight, armStats.inFlight);
    try {
      await serveArm(req, res, url, body, entry);
    } finally {
      armStats.inFlight--;
    }
  };

  const serveArm = async (req: IncomingMessage, res: ServerResponse, url: URL, body: string, entry: RequestLogEntry): Promise<void> => {
    const knobs = faults.current;
    if (knobs.latencyMs > 0 && !(await delay(knobs.latencyMs, req))) {
      entry.status = 0;
      return;
    }
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const validation = auth ? issuer.validate(auth[1]) : { reason: "The 'Authorization' header is missing." };
    if ('reason' in validation) {
      const error = new ArmError(401, 'AuthenticationFailed', `Authentication failed. ${validation.reason}`, {
        'WWW-Authenticate': `Bearer authorization_uri="${ctx.baseUrl}/${state.tenantId}", error="invalid_token", error_description="${validation.reason.replace(/"/g, "'")}"`,
      });
      entry.status = 401;
      write(req, res, error.toResponse());
      return;
    }
    const decision = faults.decide(`${url.pathname}${url.search}`);
    if (decision.kind === 'drop') {
      entry.status = 0;
      req.socket.destroy();
      return;
    }
    let response: EmulatorResponse;
    if (decision.kind === 'failMatching') {
      response = new ArmError(500, 'InternalServerError', 'The server encountered an internal error; please retry the request.').toResponse();
    } else if (decision.kind === 'throttle') {
      armStats.throttled++;
      const headers: Record<string, string> = decision.retryAfterSeconds === null ? {} : { 'Retry-After': String(decision.retryAfterSeconds) };
      response = new ArmError(429, 'TooManyRequests',
        'The request was throttled: too many requests for this subscription and service. Retry after the indicated delay.', headers).toResponse();
    } else if (decision.kind === 'serverError') {
      response = decision.status === 500
        ? new ArmError(500, 'InternalServerError', 'The server encountered an internal error; please retry the request.').toResponse()
        : new ArmError(503, 'ServiceUnavailable', 'The service is temporarily unavailable; please retry the request.').toResponse();
    } else {
      response = arm.handle({ method: req.method ?? 'GET', url, headers: req.headers, body, caller: validation.claims.oid });
    }
    const text = serialize(response);
    const corrupt = response.status === 200 && req.method !== 'HEAD' && text !== undefined && faults.shouldMalform();
    entry.status = response.status;
    write(req, res, response, corrupt, text);
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    const method = req.method ?? 'GET';
    // Concatenated, not resolved: a path starting with // (an SDK joining '/' and an id) must stay a path.
    const url = new URL(`${ctx.baseUrl}${req.url ?? '/'}`);
    const segs = url.pathname.split('/').filter((s) => s !== '');
    const entry: RequestLogEntry = { method, path: `${url.pathname}${url.search}`, status: 0 };
    try {
      const body = await readBody(req);
      if (segs[0] === '_emulator') {
        write(req, res, handleControl(method, url, body, hooks));
        return;
      }
      if (segs[0]?.toLowerCase() === 'subscriptions') {
        await handleArm(req, res, url, body, entry);
      } else {
        const idRoute = identityRoute(method, segs);
        let response: EmulatorResponse;
        if (idRoute?.kind === 'oidc') response = issuer.openIdConfiguration(idRoute.tenant);
        else if (idRoute?.kind === 'keys') response = issuer.keys(idRoute.tenant);
        else if (idRoute?.kind === 'token') response = issuer.token(idRoute.tenant, body, req.headers.authorization);
        else response = json(404, { error: { code: 'NotFound', message: `Nothing is served at '${method} ${url.pathname}'.` } });
        entry.status = response.status;
        write(req, res, response);
      }
      log(entry, startedAt);
    } catch (e) {
      const response = e instanceof ArmError
        ? e.toResponse()
        : json(500, { error: { code: 'InternalServerError', message: 'The emulator failed to handle the request.' } });
      if (!(e instanceof ArmError)) process.stderr.write(`emulator: ${(e as Error).stack ?? String(e)}\n`);
      entry.status = response.status;
      if (!res.headersSent && !res.destroyed) write(req, res, response);
      log(entry, startedAt);
    }
  };

  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  ctx.baseUrl = `https://127.0.0.1:${port}`;
  for (const vault of state.vaults.values()) {
    const vaultServer = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => void onVaultRequest(vault.name, req, res));
    await new Promise<void>((resolve, reject) => {
      vaultServer.once('error', reject);
      vaultServer.listen(0, '127.0.0.1', () => resolve());
    });
    const uri = `https://127.0.0.1:${(vaultServer.address() as AddressInfo).port}/`;
    vaultUris.set(vault.name.toLowerCase(), uri);
    vault.dataPlaneUri = uri;
    vaultServers.push(vaultServer);
  }
  const first = state.services[0];
  const caPem = await fs.readFile(tls.caFile, 'utf8');

  return {
    url: ctx.baseUrl,
    port,
    caFile: tls.caFile,
    caPem,
    tenantId: state.tenantId,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    subscriptionId: first?.subscriptionId ?? state.subscriptions[0].subscriptionId,
    instanceId: first ? serviceId(first) : '',
    setFaults: (f) => faults.set(f),
    state,
    setVaultState,
    attachIdentity,
    changePolicy: (scope, value, service) => changePolicy(state, scope, value, service),
    requestLog,
    stats: () => ({ ...armStats }),
    resetStats,
    stop: async () => {
      await Promise.all([server, ...vaultServers].map((each) => new Promise<void>((resolve, reject) => {
        each.close((err) => (err ? reject(err) : resolve()));
        each.closeAllConnections();
      })));
      await tls.cleanup();
    },
  };
}
