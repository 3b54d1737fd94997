/**
 * Lookup tables over one instance's metadata (named values, backends,
 * fragments, loggers, …) built once per metadata notification.
 */
import type { EntityKind } from './catalog/types';
import type { InstanceMetadata, NamedValueInfo } from '../../../protocol/protocol';

/** An entity offered for an attribute that references the instance. */
export interface EntityEntry {
  name: string;
  /** Markdown lines for hover and completion. */
  details: string[];
}

const lower = (s: string): string => s.toLowerCase();

export class InstanceIndex {
  private readonly namedValuesByName = new Map<string, NamedValueInfo>();
  private readonly entities = new Map<EntityKind, Map<string, EntityEntry>>();
  private readonly availablePolicies: Set<string> | undefined;

  constructor(readonly metadata: InstanceMetadata) {
    // Policies refer to named values by display name, case-insensitively.
    for (const nv of metadata.namedValues) this.namedValuesByName.set(lower(nv.displayName), nv);
    this.addEntities('backend', metadata.backends.map((b) => ({ name: b.name, details: compact([b.url && `URL: ${b.url}`, b.description]) })));
    this.addEntities('policyFragment', metadata.policyFragments.map((f) => ({ name: f.name, details: compact([f.description]) })));
    this.addEntities('logger', metadata.loggers.map((l) => ({ name: l.name, details: compact([l.loggerType && `Type: ${l.loggerType}`, l.description]) })));
    if (metadata.certificates) {
      this.addEntities(
        'certificate',
        metadata.certificates.map((c) => ({ name: c.name, details: compact([c.subject && `Subject: ${c.subject}`, c.expirationDate && `Expires: ${c.expirationDate}`]) })),
      );
    }
    this.availablePolicies = metadata.policyDescriptions?.length ? new Set(metadata.policyDescriptions.map((p) => p.name)) : undefined;
  }

  get instanceId(): string {
    return this.metadata.instanceId;
  }

  get displayName(): string {
    return this.metadata.displayName;
  }

  get namedValues(): readonly NamedValueInfo[] {
    return this.metadata.namedValues;
  }

  findNamedValue(displayName: string): NamedValueInfo | undefined {
    return this.namedValuesByName.get(lower(displayName));
  }

  /** Entities of a kind, or undefined when the instance metadata does not cover that kind. */
  entitiesOf(kind: EntityKind): ReadonlyMap<string, EntityEntry> | undefined {
    return this.entities.get(kind);
  }

  /** False only when the instance lists its policies and this one is missing. */
  isPolicyAvailable(name: string): boolean {
    return !this.availablePolicies || name === 'base' || this.availablePolicies.has(name);
  }

  private addEntities(kind: EntityKind, entries: EntityEntry[]): void {
    const map = new Map<string, EntityEntry>();
    for (const entry of entries) map.set(lower(entry.name), entry);
    this.entities.set(kind, map);
  }
}

function compact(values: Array<string | undefined | false>): string[] {
  return values.filter((v): v is string => !!v);
}

/** A short, safe label for a Key Vault status. */
export function isKeyVaultFailing(nv: NamedValueInfo): boolean {
  const code = nv.keyVault?.lastStatus?.code;
  return !!code && code.toLowerCase() !== 'success';
}
