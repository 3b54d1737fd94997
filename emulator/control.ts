// Loopback-only control endpoints under /_emulator/ so out-of-process tests can change faults and vaults,
// inspect a secret-free summary of the state, and reset. Never part of the ARM surface.
import { ArmError, isObject, json, parseJsonBody, type EmulatorResponse } from './http';
import { isKeyVaultRefreshFailed, isVaultSecretState } from './keyVault';
import { serviceId } from './armResources';
import type { FaultInjector } from './faults';
import type { ArmRequestStats, EmulatorState, FaultSettings, RequestLogEntry, VaultSecretState } from './types';

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
