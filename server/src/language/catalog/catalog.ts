/**
 * Read-only index over the policy catalog data. Features ask it questions
 * ("which policies may appear in outbound?", "what is this attribute?")
 * instead of hard-coding knowledge about particular policies.
 */
import catalogData from './policies.json';
import type { AttributeSpec, ElementSpec, PolicyCatalogData, PolicySpec, SectionName } from './types';
import { SECTION_NAMES } from './types';

export class PolicyCatalog {
  readonly policies: readonly PolicySpec[];
  /** Element name → the records using it (more than one for variants such as the Dapr form). */
  private readonly byName = new Map<string, PolicySpec[]>();
  private readonly bySection = new Map<SectionName, PolicySpec[]>();

  constructor(data: PolicyCatalogData) {
    this.policies = data.policies;
    for (const policy of data.policies) {
      const list = this.byName.get(policy.name);
      if (list) list.push(policy);
      else this.byName.set(policy.name, [policy]);
    }
    for (const section of SECTION_NAMES) {
      this.bySection.set(
        section,
        this.primaryPolicies().filter((p) => p.sections.includes(section)),
      );
    }
  }

  /** The main record for an element name (the non-variant one when there are several). */
  getPolicy(name: string): PolicySpec | undefined {
    const list = this.byName.get(name);
    return list && (list.find((p) => !p.variant) ?? list[0]);
  }

  /** Every record for an element name (main record first). */
  getVariants(name: string): readonly PolicySpec[] {
    const list = this.byName.get(name) ?? [];
    return list.length > 1 ? [...list].sort((a, b) => Number(!!a.variant) - Number(!!b.variant)) : list;
  }

  /** One record per element name, the main one. */
  primaryPolicies(): PolicySpec[] {
    const result: PolicySpec[] = [];
    for (const name of this.byName.keys()) {
      const policy = this.getPolicy(name);
      if (policy) result.push(policy);
    }
    return result;
  }

  /** Policies allowed directly in a section (excluding `base`, which callers handle). */
  policiesForSection(section: SectionName): readonly PolicySpec[] {
    return this.bySection.get(section) ?? [];
  }

  /** An attribute as declared by any variant of the policy. */
  findAttribute(policyName: string, attributeName: string): AttributeSpec | undefined {
    for (const variant of this.getVariants(policyName)) {
      const found = variant.attributes.find((a) => a.name === attributeName);
      if (found) return found;
    }
    return undefined;
  }

  /** Attributes of all variants, main variant's first, without duplicates. */
  allAttributes(policyName: string): readonly AttributeSpec[] {
    return this.mergeVariants(policyName, (variant) => variant.attributes);
  }

  /** Child element specs of all variants (main first), without duplicates. */
  allChildElements(policyName: string): readonly ElementSpec[] {
    return this.mergeVariants(policyName, (variant) => variant.elements);
  }

  private mergeVariants<T extends { name: string }>(policyName: string, pick: (variant: PolicySpec) => readonly T[]): readonly T[] {
    const variants = this.getVariants(policyName);
    if (variants.length === 1) return pick(variants[0]); // the common case: nothing to merge
    const seen = new Set<string>();
    const result: T[] = [];
    for (const variant of variants) {
      for (const item of pick(variant)) {
        if (!seen.has(item.name)) {
          seen.add(item.name);
          result.push(item);
        }
      }
    }
    return result;
  }
}

let defaultCatalog: PolicyCatalog | undefined;

/** The catalog shipped with the extension (loaded once). */
export function getDefaultCatalog(): PolicyCatalog {
  // JSON literal types are wider than the schema's unions; the catalog test checks the data.
  defaultCatalog ??= new PolicyCatalog(catalogData as unknown as PolicyCatalogData);
  return defaultCatalog;
}
