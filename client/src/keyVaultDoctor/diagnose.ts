/**
 * Runs the Key Vault doctor for one named value: reads what the checks need
 * through the Azure access layer (the named value as APIM has it now, the
 * instance's identities, the vault among the user's subscriptions, its
 * permission model, grants and network rules, the secret's metadata, the
 * user's own permissions, and — only when asked — the secret's length), then
 * runs the pure checks. A read that fails makes the checks depending on it
 * "could not check" instead of failing the diagnosis. vscode-free.
 */
import type { NamedValueInfo } from '../../../protocol/protocol';
import type { AzureAccess } from '../azure/azureAccess';
import { AzureAccessError, classifyError } from '../azure/errors';
import {
  listVaults, measureSecretLength, scanGate, readCallerPermissions, readRoleGrants, readSecretFacts, readServiceFacts, readVault, type VaultFacts,
  type VaultLocation,
} from '../azure/keyVaultReads';
import { readForEdit } from '../azure/namedValueWrites';
import { parseServiceResourceId } from '../azure/resourceId';
import { parseSecretIdentifier, type SecretIdentifier } from '../azure/secretIdentifier';
import { type CheckResult, type DoctorFacts, principalOf, type Read, runChecks } from './checks';

export interface DiagnoseOptions {
  signal?: AbortSignal;
  /** Read the secret through the data plane to measure its length (only after the user agreed). */
  checkLength?: boolean;
  onProgress?: (message: string) => void;
  now?: () => number;
}

export interface DoctorReport {
  instanceId: string;
  serviceName: string;
  /** ARM name of the named value. */
  name: string;
  displayName: string;
  checks: CheckResult[];
  facts: DoctorFacts;
  finishedAt: number;
}

const SEARCH_CONCURRENCY = 4;

async function attempt<T>(signal: AbortSignal | undefined, read: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (e) {
    const error = classifyError(e);
    if (error.kind === 'cancelled' || signal?.aborted) throw cancelled();
    return { ok: false, error };
  }
}

function cancelled(): AzureAccessError {
  return new AzureAccessError({ kind: 'cancelled', message: 'The diagnosis was cancelled.', userMessage: 'Cancelled.', retryable: false });
}

/** Throws AzureAccessError when the named value itself cannot be read (or is not a Key Vault reference). */
export async function diagnose(access: AzureAccess, instanceId: string, name: string, options: DiagnoseOptions = {}): Promise<DoctorReport> {
  if (options.signal?.aborted) throw cancelled();
  options.onProgress?.('Reading the named value…');
  const { info: namedValue } = await readForEdit(access.clients, instanceId, name, { signal: options.signal });
  if (namedValue.kind !== 'keyVault' || !namedValue.keyVault) {
    throw new AzureAccessError({
      kind: 'invalidInput', message: `${name} is not a Key Vault reference.`,
      userMessage: `"${namedValue.displayName}" is not a Key Vault reference: there is nothing to diagnose.`, retryable: false,
    });
  }
  return diagnoseReference(access, instanceId, namedValue, options);
}

/**
 * The checks for a Key Vault reference as given: an existing named value, or
 * one about to be created (`draft`, no status yet), so Create Named Value can
 * run the same checks before it creates anything.
 */
export async function diagnoseReference(
  access: AzureAccess, instanceId: string, namedValue: NamedValueInfo, options: DiagnoseOptions & { draft?: boolean } = {},
): Promise<DoctorReport> {
  const { signal } = options;
  const progress = (message: string) => {
    if (signal?.aborted) throw cancelled();
    try {
      options.onProgress?.(message);
    } catch {
      // progress UI must not break the diagnosis
    }
  };
  const resource = parseServiceResourceId(instanceId);
  if (!namedValue.keyVault) throw new AzureAccessError({ kind: 'invalidInput', message: 'Not a Key Vault reference.', userMessage: 'Only Key Vault references can be diagnosed.', retryable: false });
  const identifier = parseSecretIdentifier(namedValue.keyVault.secretIdentifier);
  const facts: DoctorFacts = {
    now: (options.now ?? Date.now)(),
    serviceName: resource.serviceName,
    namedValue,
    service: { ok: false, error: cancelled().classification },
  };
  if (options.draft) facts.draft = true;
  if (identifier) facts.identifier = identifier;

  progress('Reading the instance\'s managed identities…');
  const [service, callerOnService, search] = await Promise.all([
    attempt(signal, () => readServiceFacts(access.clients, instanceId, { signal })),
    attempt(signal, () => readCallerPermissions(access.keyVault, instanceId, { signal })),
    identifier ? attempt(signal, () => findVault(access, resource.subscriptionId, identifier, signal, progress)) : Promise.resolve(undefined),
  ]);
  facts.service = service;
  facts.callerOnService = callerOnService;
  if (search) {
    facts.vaultSearch = search.ok
      ? { ok: true, value: { location: search.value.location?.id, subscriptions: search.value.subscriptions, failedSubscriptions: search.value.failedSubscriptions } }
      : search;
  }

  const location = search?.ok ? search.value.location : undefined;
  if (location && identifier) {
    progress(`Reading Key Vault "${location.name}"…`);
    facts.vault = await attempt(signal, () => readVault(access.keyVault, location, { signal }));
    const vault: VaultFacts | undefined = facts.vault.ok ? facts.vault.value : undefined;
    const principal = principalOf(facts);
    progress('Reading the grants and the secret\'s metadata…');
    const [grants, secret, callerOnVault] = await Promise.all([
      vault?.rbac && principal
        ? attempt(signal, () => readRoleGrants(access.keyVault, location, `${location.id}/secrets/${identifier.secret}`, principal.principalId, { signal }))
        : Promise.resolve(undefined),
      attempt(signal, () => readSecretFacts(access.keyVault, location, identifier.secret, { signal })),
      attempt(signal, () => readCallerPermissions(access.keyVault, location.id, { signal })),
    ]);
    if (grants) facts.roleGrants = grants;
    facts.secret = secret;
    facts.callerOnVault = callerOnVault;
    if (options.checkLength) {
      progress('Reading the secret to measure its length (the value is discarded)…');
      const vaultUri = vault?.vaultUri;
      facts.length = vaultUri
        ? await attempt(signal, () => measureSecretLength(access.keyVault, vaultUri, identifier.secret, identifier.version, { signal }))
        : { ok: false, error: new AzureAccessError({ kind: 'notFound', message: 'The vault has no data-plane URI.', userMessage: 'The vault reports no URI to read the secret from.', retryable: false }).classification };
    }
  }
  progress('Checking…');
  return {
    instanceId,
    serviceName: resource.serviceName,
    name: namedValue.name,
    displayName: namedValue.displayName,
    checks: runChecks(facts),
    facts,
    finishedAt: Date.now(),
  };
}

/**
 * Looks for the vault by name in the instance's subscription first, then in
 * every other subscription the user can see (a few at a time, all pages
 * through one request gate). A private
 * cloud may serve vaults under host names that do not carry the vault's name:
 * then the vaults of the instance's subscription are matched by their
 * data-plane URI (ARM's vaultUri) instead.
 */
async function findVault(
  access: AzureAccess, homeSubscription: string, identifier: SecretIdentifier, signal: AbortSignal | undefined, progress: (m: string) => void,
): Promise<{ location?: VaultLocation; subscriptions: number; failedSubscriptions: number }> {
  const byName = (list: VaultLocation[]) => list.find((v) => v.name.toLowerCase() === identifier.vault);
  progress(`Looking for Key Vault "${identifier.vault}"…`);
  let failed = 0;
  let home: VaultLocation[] = [];
  const gate = scanGate(access.keyVault);
  try {
    home = await listVaults(access.keyVault, homeSubscription, { signal, gate });
    const found = byName(home);
    if (found) return { location: found, subscriptions: 1, failedSubscriptions: 0 };
  } catch (e) {
    if (classifyError(e).kind === 'cancelled') throw e;
    failed++;
  }
  const others = (await access.listSubscriptions({ signal })).map((s) => s.subscriptionId).filter((id) => id.toLowerCase() !== homeSubscription.toLowerCase());
  let next = 0;
  let found: VaultLocation | undefined;
  const worker = async () => {
    while (next < others.length && !found) {
      const subscriptionId = others[next++];
      try {
        found ??= byName(await listVaults(access.keyVault, subscriptionId, { signal, gate }));
      } catch (e) {
        if (classifyError(e).kind === 'cancelled') throw e;
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEARCH_CONCURRENCY, others.length) }, worker));
  for (const candidate of found ? [] : home) {
    const vault = await readVault(access.keyVault, candidate, { signal }).catch(() => undefined);
    if (vault?.vaultUri && originOf(vault.vaultUri) === originOf(identifier.vaultBase)) {
      found = candidate;
      break;
    }
  }
  return { location: found, subscriptions: 1 + others.length, failedSubscriptions: failed };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export interface ReportSummary {
  failed: number;
  warnings: number;
  unknown: number;
  passed: number;
  /** One line: "2 checks fail, 1 warning" / "All checks pass". */
  text: string;
}

export function summarizeReport(report: Pick<DoctorReport, 'checks'>): ReportSummary {
  const count = (o: CheckResult['outcome']) => report.checks.filter((c) => c.outcome === o).length;
  const failed = count('fail');
  const warnings = count('warning');
  const unknown = count('unknown');
  const passed = count('pass');
  const parts: string[] = [];
  if (failed) parts.push(`${failed} ${failed === 1 ? 'check fails' : 'checks fail'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (unknown) parts.push(`${unknown} not checked`);
  const text = failed || warnings ? parts.join(', ') : unknown ? `No problems found; ${unknown} not checked` : 'All checks pass';
  return { failed, warnings, unknown, passed, text };
}
