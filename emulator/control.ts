// Loopback-only control endpoints under /_emulator/ so out-of-process tests can change faults and vaults,
// inspect a secret-free summary of the state, and reset. Never part of the ARM surface.
import { ArmError, isObject, json, parseJsonBody, type EmulatorResponse } from './http';
import { isKeyVaultRefreshFailed, isVaultSecretState } from './keyVault';
import { serviceId } from './armResources';
import type { FaultInjector } from './faults';
import { nextEtagVersion } from './state';
import type { ArmRequestStats, EmulatorState, FaultSettings, PolicyContainer, RequestLogEntry, VaultSecretState } from './types';

export interface ControlHooks {
  state: EmulatorState;
  faults: FaultInjector;
  requestLog: RequestLogEntry[];
  setVaultState(vault: string, secret: string | null, state: VaultSecretState): void;
  attachIdentity(service: string, clientId: string, principalId: string): void;
  stats(): ArmRequestStats;
  resetStats(): void;
  reset(): void;
}

/**
 * Changes a policy or fragment the way a colleague in the portal would (no If-Match, no validation), so a
 * client holding the old ETag runs into 412. `scope` is the path below the service: '' (global),
 * `apis/{api}`, `apis/{api}/operations/{op}`, `products/{p}`, `policyFragments/{f}`, each optionally
 * prefixed with `workspaces/{ws}/`. Without `value`, a dated comment is added before the closing root tag.
 */
export function changePolicy(state: EmulatorState, scope: string, value: string | undefined, serviceName?: string): string {
  const service = serviceName === undefined ? state.services[0] : state.services.find((s) => s.name.toLowerCase() === serviceName.toLowerCase());
  if (!service) throw new Error(`There is no service '${serviceName ?? ''}'.`);
  let segments = scope.split('/').filter((s) => s !== '').map((s) => s.toLowerCase());
  let container: PolicyContainer = service;
  if (segments[0] === 'workspaces') {
    const workspace = service.workspaces.get(segments[1] ?? '');
    if (!workspace) throw new Error(`Service '${service.name}' has no workspace '${segments[1] ?? ''}'.`);
    container = workspace;
    segments = segments.slice(2);
  }
  const edit = (current: string | undefined): string => {
    if (value !== undefined) return value;
    if (current === undefined) throw new Error(`Nothing to change at '${scope}': give the new policy as "value".`);
    const note = `<!-- Changed on the instance at ${new Date().toISOString()} -->`;
    const close = current.lastIndexOf('</');
    return close < 0 ? `${current}\n${note}` : `${current.slice(0, close)}\t${note}\n${current.slice(close)}`;
  };
  if (segments[0] === 'policyfragments' && segments.length === 2) {
    const fragment = container.policyFragments.get(segments[1]);
    const next = edit(typeof fragment?.properties.value === 'string' ? fragment.properties.value : undefined);
    container.policyFragments.set(segments[1], {
      name: fragment?.name ?? segments[1], properties: { ...(fragment?.properties ?? {}), value: next }, etagVersion: nextEtagVersion(),
    });
    return next;
  }
  const valid = segments.length === 0
    || (segments[0] === 'apis' && (segments.length === 2 || (segments.length === 4 && segments[2] === 'operations')))
    || (segments[0] === 'products' && segments.length === 2);
  if (!valid) throw new Error(`'${scope}' is not a policy scope (use '', apis/{api}, apis/{api}/operations/{op}, products/{p} or policyFragments/{f}).`);
  const key = segments.join('/');
  const next = edit(container.policies.get(key)?.value);
  container.policies.set(key, { value: next, etagVersion: nextEtagVersion() });
  return next;
}

/** A summary of the live state with counts and statuses, and without any secret or named-value value. */
export function stateSummary(hooks: ControlHooks): unknown {
  const { state } = hooks;
  return {
    tenantId: state.tenantId,
    clientId: state.clientId,
    subscriptions: state.subscriptions.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName })),
    services: state.services.map((s) => ({
      id: serviceId(s),
      name: s.name,
      resourceGroup: s.resourceGroup,
      counts: {
        namedValues: s.namedValues.size,
        backends: s.backends.size,
        policyFragments: s.policyFragments.size,
        loggers: s.loggers.size,
        certificates: s.certificates.size,
        authorizationProviders: s.authorizationProviders.size,
        caches: s.caches.size,
        apis: s.apis.size,
        products: s.products.size,
        workspaces: s.workspaces.size,
        policies: s.policies.size,
        workspacePolicies: [...s.workspaces.values()].reduce((n, w) => n + w.policies.size, 0),
      },
      keyVaultNamedValues: [...s.namedValues.values()]
        .filter((r) => isObject(r.properties.keyVault))
        .map((r) => {
          const kv = r.properties.keyVault as Record<string, unknown>;
          return {
            name: r.name,
            displayName: r.properties.displayName,
            secretIdentifier: kv.secretIdentifier,
            lastStatus: kv.lastStatus,
            refreshFailed: isKeyVaultRefreshFailed(r),
          };
        }),
    })),
    vaults: Object.fromEntries([...state.vaults].map(([name, v]) => [name, {
      reachable: v.reachable,
      accessDenied: v.accessDenied,
      secrets: Object.fromEntries([...v.secrets].map(([secret, s]) => [secret, { enabled: s.enabled }])),
    }])),
    faults: hooks.faults.current,
    operations: [...state.operations.values()].map((o) => ({ id: o.id, status: o.status })),
    requestCount: hooks.requestLog.length,
  };
}

export function handleControl(method: string, url: URL, body: string, hooks: ControlHooks): EmulatorResponse {
  const segs = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent).slice(1);
  try {
    const route = `${method} ${segs[0] ?? ''}`;
    switch (route) {
      case 'GET health': return json(200, { ok: true });
      case 'GET state': return json(200, stateSummary(hooks));
      case 'GET requests': return json(200, hooks.requestLog);
      case 'GET stats': return json(200, hooks.stats());
      case 'DELETE stats': hooks.resetStats(); return json(200, hooks.stats());
      case 'POST reset': hooks.reset(); return json(200, stateSummary(hooks));
      case 'POST faults': {
        const settings = parseJsonBody(body);
        if (!isObject(settings)) throw new ArmError(400, 'ValidationError', 'Body must be a JSON object of fault knobs.');
        try {
          hooks.faults.set(settings as FaultSettings);
        } catch (e) {
          throw new ArmError(400, 'ValidationError', (e as Error).message);
        }
        return json(200, hooks.faults.current);
      }
      case 'POST policies': {
        // Body: { "scope": "apis/orders-api", "value"?: "<policies>…", "service"?: "contoso-apim" }
        const change = parseJsonBody(body);
        if (!isObject(change) || typeof change.scope !== 'string' || (change.value !== undefined && typeof change.value !== 'string')
          || (change.service !== undefined && typeof change.service !== 'string')) {
          throw new ArmError(400, 'ValidationError', 'Body must be {"scope": "<path below the service>", "value"?: "<policy XML>", "service"?: "<name>"}.');
        }
        try {
          const value = changePolicy(hooks.state, change.scope, change.value as string | undefined, change.service as string | undefined);
          return json(200, { scope: change.scope, value });
        } catch (e) {
          throw new ArmError(400, 'ValidationError', (e as Error).message);
        }
      }
      case 'POST vaults': {
        // /_emulator/vaults/{vault}  or  /_emulator/vaults/{vault}/secrets/{secret}
        const vault = segs[1];
        const secret = segs.length === 4 && segs[2] === 'secrets' ? segs[3] : segs.length === 2 ? null : undefined;
        if (vault === undefined || secret === undefined) break;
        const change = parseJsonBody(body);
        if (!isVaultSecretState(change)) {
          throw new ArmError(400, 'ValidationError',
            "Body must be {\"status\": \"ok\"|\"missing\"|\"disabled\"|\"accessDenied\"|\"unreachable\", \"value\"?: string}.");
        }
        try {
          hooks.setVaultState(vault, secret, change);
        } catch (e) {
          throw new ArmError(400, 'ValidationError', (e as Error).message);
        }
        return json(200, (stateSummary(hooks) as { vaults: unknown }).vaults);
      }
      case 'POST identities': {
        // /_emulator/identities/{service}  {"clientId", "principalId"}: attach a user-assigned identity
        const change = parseJsonBody(body);
        if (segs.length !== 2 || !isObject(change) || typeof change.clientId !== 'string' || typeof change.principalId !== 'string') {
          throw new ArmError(400, 'ValidationError', 'POST /_emulator/identities/{service} with {"clientId": "...", "principalId": "..."}.');
        }
        try {
          hooks.attachIdentity(segs[1], change.clientId, change.principalId);
        } catch (e) {
          throw new ArmError(400, 'ValidationError', (e as Error).message);
        }
        return json(200, { ok: true });
      }
    }
    throw new ArmError(404, 'NotFound', `No control endpoint '${method} ${url.pathname}'.`);
  } catch (e) {
    if (e instanceof ArmError) return e.toResponse();
    throw e;
  }
}
