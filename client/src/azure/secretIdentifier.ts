/**
 * Key Vault secret identifiers as named values hold them:
 * `https://{vault}.{dns suffix}/secrets/{name}` (versionless: APIM follows the
 * newest version) or `…/secrets/{name}/{version}` (pinned: rotation stops).
 * A vault may also serve its secrets under a path (a private cloud or the
 * local emulator: `https://host/keyvault/{vault}/secrets/{name}`).
 */

export interface SecretIdentifier {
  /** Vault name (lower case). */
  vault: string;
  host: string;
  secret: string;
  version?: string;
  /** Everything before `/secrets/`, e.g. `https://contoso-kv.vault.azure.net`. */
  vaultBase: string;
}

export function parseSecretIdentifier(identifier: string): SecretIdentifier | undefined {
  let url: URL;
  try {
    url = new URL(identifier.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.search || url.hash) return undefined;
  const match = /^\/secrets\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (!match) return undefined;
  const parsed: SecretIdentifier = {
    vault: url.hostname.split('.')[0].toLowerCase(),
    host: url.hostname,
    secret: decodeURIComponent(match[1]),
    vaultBase: url.origin,
  };
  if (match[2]) parsed.version = match[2];
  return parsed;
}

/** The same secret without a version: APIM then picks up each new version within four hours. */
export function versionlessIdentifier(id: SecretIdentifier): string {
  return `${id.vaultBase}/secrets/${encodeURIComponent(id.secret)}`;
}

/** The identifier of a secret in a vault whose data-plane URI ARM reports (`properties.vaultUri`). */
export function identifierFor(vaultUri: string, secretName: string): string {
  return `${vaultUri.replace(/\/+$/, '')}/secrets/${encodeURIComponent(secretName)}`;
}
