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
  /** Lower-cased display name → every named value bearing it (more than one only when names differ by case alone). */
  private readonly namedValuesByName = new Map<string, NamedValueInfo[]>();
  private readonly unreadableNamedValues: ReadonlySet<string>;
  private readonly entities = new Map<EntityKind, Map<string, EntityEntry>>();
  private readonly availablePolicies: Set<string> | undefined;
  private completionKeys: string[] | undefined;

  /**
   * @param unreadableNamedValues Display names of entries the instance
   * listed but whose metadata could not be read: they exist, so references
   * to them are never reported as unknown.
   */
  constructor(
    readonly metadata: InstanceMetadata,
    unreadableNamedValues: readonly string[] = [],
  ) {
    // Policies refer to named values by display name, and APIM ignores case there.
    for (const nv of metadata.namedValues) {
      const key = lower(nv.displayName);
      const same = this.namedValuesByName.get(key);
      if (same) same.push(nv);
      else this.namedValuesByName.set(key, [nv]);
    }
    this.unreadableNamedValues = new Set(unreadableNamedValues.map(lower));
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

  /** The named value a `{{displayName}}` reference means: the exact name first, else the one differing only by case. */
  findNamedValue(displayName: string): NamedValueInfo | undefined {
    const same = this.namedValuesByName.get(lower(displayName));
    return same && (same.find((nv) => nv.displayName === displayName) ?? same[0]);
  }

  /** Every named value whose display name equals `displayName` ignoring case. */
  namedValuesIgnoringCase(displayName: string): readonly NamedValueInfo[] {
    return this.namedValuesByName.get(lower(displayName)) ?? [];
  }

  /** Listed by the instance, but its metadata was malformed and dropped. */
  isUnreadableNamedValue(displayName: string): boolean {
    return this.unreadableNamedValues.has(lower(displayName));
  }

  /** Lower-cased display names, in the order of `namedValues`, computed once for completion's matching. */
  get namedValueKeys(): readonly string[] {
    this.completionKeys ??= this.metadata.namedValues.map((nv) => lower(nv.displayName));
    return this.completionKeys;
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
