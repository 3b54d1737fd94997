/**
 * Connection settings read through a plain getter (the adapter passes
 * `WorkspaceConfiguration.get`), checked here so tests need no `vscode`.
 * Values of the wrong type fall back to defaults and are reported, so a
 * hand-edited settings.json never crashes activation.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLOUD_NAMES, type CloudName, type CloudSettings } from './azure/clouds';
import type { AuthKind } from './azure/credentials';
import { DEFAULT_PARALLEL_REQUESTS } from './azure/pager';
import { SETTINGS } from './contributions';

export type AuthSetting = 'vscode' | AuthKind;
export const AUTH_SETTINGS: readonly AuthSetting[] = ['vscode', 'azureCli', 'environment', 'servicePrincipal', 'default'];

export const DEFAULT_REFRESH_INTERVAL_MINUTES = 15;
export const MAX_PARALLEL_REQUESTS = 32;
export const MAX_REFRESH_INTERVAL_MINUTES = 24 * 60;

export interface ConnectionSettings {
  auth: AuthSetting;
  cloud: CloudSettings;
  /** Tenant for the VS Code account, Azure CLI and DefaultAzureCredential; undefined = home tenant. */
  tenant?: string;
  servicePrincipal: { tenantId?: string; clientId?: string; certificatePath?: string };
  /** 0 = no automatic refresh. */
  refreshIntervalMinutes: number;
  /** PEM files as written in settings (resolve with `resolveSettingPath`). */
  extraCaCertificates: string[];
  /** Most ARM requests in flight while loading an instance. */
  parallelRequests: number;
}

export interface SettingsRead {
  settings: ConnectionSettings;
  /** Human-readable problems with values that were ignored. */
  problems: string[];
}

export type SettingGetter = (key: string) => unknown;

export function readConnectionSettings(get: SettingGetter): SettingsRead {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      problems.push(`${key} must be a string; ignored.`);
      return undefined;
    }
    return value.trim() || undefined;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = text(key);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${key} "${value}" is not one of ${allowed.join(', ')}; using "${fallback}".`);
    return fallback;
  };

  const cloudName = oneOf<CloudName>(SETTINGS.cloud, CLOUD_NAMES, 'AzureCloud');
  const cloud: CloudSettings = { cloud: cloudName };
  if (cloudName === 'custom') {
    cloud.customArmEndpoint = text(SETTINGS.customArmEndpoint);
    cloud.customAuthorityHost = text(SETTINGS.customAuthorityHost);
  }

  let interval = DEFAULT_REFRESH_INTERVAL_MINUTES;
  const rawInterval = get(SETTINGS.refreshIntervalMinutes);
  if (rawInterval !== undefined && rawInterval !== null) {
    if (typeof rawInterval === 'number' && Number.isFinite(rawInterval) && rawInterval >= 0) {
      interval = Math.min(rawInterval, MAX_REFRESH_INTERVAL_MINUTES);
    } else {
      problems.push(`${SETTINGS.refreshIntervalMinutes} must be a number of minutes (0 = off); using ${DEFAULT_REFRESH_INTERVAL_MINUTES}.`);
    }
  }

  let parallelRequests = DEFAULT_PARALLEL_REQUESTS;
  const rawParallel = get(SETTINGS.maxParallelRequests);
  if (rawParallel !== undefined && rawParallel !== null) {
    if (typeof rawParallel === 'number' && Number.isInteger(rawParallel) && rawParallel >= 1) {
      parallelRequests = Math.min(rawParallel, MAX_PARALLEL_REQUESTS);
    } else {
      problems.push(`${SETTINGS.maxParallelRequests} must be a whole number from 1 to ${MAX_PARALLEL_REQUESTS}; using ${DEFAULT_PARALLEL_REQUESTS}.`);
    }
  }

  const extra: string[] = [];
  const rawExtra = get(SETTINGS.extraCaCertificates);
  if (Array.isArray(rawExtra)) {
    for (const item of rawExtra) {
      if (typeof item === 'string' && item.trim()) extra.push(item.trim());
      else problems.push(`${SETTINGS.extraCaCertificates} must list file paths; an entry was ignored.`);
    }
  } else if (typeof rawExtra === 'string' && rawExtra.trim()) {
    extra.push(rawExtra.trim());
  } else if (rawExtra !== undefined && rawExtra !== null) {
    problems.push(`${SETTINGS.extraCaCertificates} must be a list of PEM file paths; ignored.`);
  }

  const settings: ConnectionSettings = {
    auth: oneOf<AuthSetting>(SETTINGS.auth, AUTH_SETTINGS, 'vscode'),
    cloud,
    tenant: text(SETTINGS.tenant),
    servicePrincipal: {
      tenantId: text(SETTINGS.servicePrincipalTenantId),
      clientId: text(SETTINGS.servicePrincipalClientId),
      certificatePath: text(SETTINGS.servicePrincipalCertificatePath),
    },
    refreshIntervalMinutes: interval,
    extraCaCertificates: extra,
    parallelRequests,
  };
  return { settings, problems };
}

/** `~/x`, `${userHome}/x`, `${workspaceFolder}/x` and relative paths (against the first folder) to absolute paths. */
export function resolveSettingPath(raw: string, workspaceFolder: string | undefined): string {
  let p = raw.trim();
  p = p.replace(/^\$\{userHome\}/, os.homedir()).replace(/^~(?=$|[\\/])/, os.homedir());
  if (workspaceFolder) p = p.replace(/^\$\{workspaceFolder\}/, workspaceFolder);
  if (!path.isAbsolute(p) && workspaceFolder) p = path.join(workspaceFolder, p);
  return path.normalize(p);
}

export interface CaLoadResult {
  pems: string[];
  problems: string[];
}

/** Reads the PEM files; unreadable or non-PEM files are reported, not fatal. */
export async function loadCaCertificates(paths: readonly string[], workspaceFolder: string | undefined): Promise<CaLoadResult> {
  const pems: string[] = [];
  const problems: string[] = [];
  for (const raw of paths) {
    const file = resolveSettingPath(raw, workspaceFolder);
    try {
      const text = await fs.readFile(file, 'utf8');
      if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
        problems.push(`${file} (from ${SETTINGS.extraCaCertificates}) holds no PEM certificate; ignored.`);
        continue;
      }
      pems.push(text);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      problems.push(`Cannot read ${file} (from ${SETTINGS.extraCaCertificates})${typeof code === 'string' ? `: ${code}` : ''}; ignored.`);
    }
  }
  return { pems, problems };
}
