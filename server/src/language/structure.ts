/**
 * Resolves what each element of a parsed document *is* — the root, a
 * section, a policy, a declared child of a policy, payload — and what may
 * appear inside it. Every feature builds on these answers, and all of them
 * come from the catalog data.
 */
import type { PolicyCatalog } from './catalog/catalog';
import type { ElementSpec, PolicySpec, SectionName } from './catalog/types';
import { SECTION_NAMES } from './catalog/types';
import type { ElementNode } from './parser/nodes';

export type DocumentShape = 'policies' | 'fragment';

/** What may appear inside an element (or at the top of the document). */
export type ContentContext =
  | { kind: 'document' }
  | { kind: 'sections' }
  /** Policy statements: in a section, a fragment, or nested (`when`, `retry`, …). */
  | { kind: 'statements'; section: SectionName | undefined; inFragment: boolean; nested?: boolean }
  /** The declared child elements of a policy or of one of its children. */
  | { kind: 'children'; elements: readonly ElementSpec[]; policy: PolicySpec; section: SectionName | undefined; inFragment: boolean }
  /** Text or markup payload: opaque, no policy rules apply. */
  | { kind: 'payload' }
  | { kind: 'empty'; owner: string }
  | { kind: 'unknown' };

export type ElementRole =
  | { kind: 'root'; shape: DocumentShape }
  | { kind: 'section'; section: SectionName }
  | { kind: 'base' }
  | { kind: 'policy'; policy: PolicySpec }
  | { kind: 'child'; spec: ElementSpec; policy: PolicySpec }
  | { kind: 'payload' }
  | { kind: 'unknown'; expected: ContentContext };

const DOCUMENT: ContentContext = { kind: 'document' };
const SECTIONS: ContentContext = { kind: 'sections' };
const PAYLOAD: ContentContext = { kind: 'payload' };
const UNKNOWN: ContentContext = { kind: 'unknown' };

function isSection(name: string): name is SectionName {
  return (SECTION_NAMES as readonly string[]).includes(name);
}

/** Memoizes roles per element; create one per parsed document. */
export class StructureResolver {
  private readonly roles = new Map<ElementNode, ElementRole>();
  private readonly contents = new Map<ElementNode, ContentContext>();

  constructor(readonly catalog: PolicyCatalog) {}

  /** What may appear inside `element`, or at the top level when undefined. */
  contentOf(element: ElementNode | undefined): ContentContext {
    if (!element) return DOCUMENT;
    const content = this.contents.get(element);
    if (content) return content;
    this.resolveDownTo(element);
    return this.contents.get(element)!;
  }

  roleOf(element: ElementNode): ElementRole {
    const role = this.roles.get(element);
    if (role) return role;
    this.resolveDownTo(element);
    return this.roles.get(element)!;
  }

  /**
   * Fills roles and contents from the nearest resolved ancestor down to
   * `element`, top-down in a loop: each answer needs its parent's, and a
   * recursive climb would overflow the stack in deeply nested documents.
   */
  private resolveDownTo(element: ElementNode): void {
    const chain: ElementNode[] = [];
    for (let e: ElementNode | undefined = element; e && !this.contents.has(e); e = e.parent) chain.push(e);
    for (let k = chain.length - 1; k >= 0; k--) {
      const e = chain[k];
      if (!this.roles.has(e)) this.roles.set(e, this.computeRole(e, e.parent ? this.contents.get(e.parent)! : DOCUMENT));
      this.contents.set(e, this.computeContent(e));
    }
  }

  /** The role `name` would have as a child of `parent` (used by completion before the element exists). */
  roleForName(name: string, parentContent: ContentContext): ElementRole {
    return this.classify(name, parentContent);
  }

  /** The section an element sits in, if any. */
  sectionOf(element: ElementNode | undefined): SectionName | undefined {
    for (let e = element; e; e = e.parent) {
      if (isSection(e.name) && this.roleOf(e).kind === 'section') return e.name;
    }
    return undefined;
  }

  /** The document shape decided by the root element. */
  shapeOf(root: ElementNode | undefined): DocumentShape | undefined {
    if (!root) return undefined;
    const role = this.roleOf(root);
    return role.kind === 'root' ? role.shape : undefined;
  }

  private computeRole(element: ElementNode, parentContent: ContentContext): ElementRole {
    return this.classify(element.name, parentContent);
  }

  private classify(name: string, parent: ContentContext): ElementRole {
    switch (parent.kind) {
      case 'document':
        if (name === 'policies' || name === 'fragment') return { kind: 'root', shape: name };
        return { kind: 'unknown', expected: parent };
      case 'sections':
        return isSection(name) ? { kind: 'section', section: name } : { kind: 'unknown', expected: parent };
      case 'statements': {
        if (name === 'base') return { kind: 'base' };
        const policy = this.catalog.getPolicy(name);
        return policy ? { kind: 'policy', policy } : { kind: 'unknown', expected: parent };
      }
      case 'children': {
        const spec = parent.elements.find((e) => e.name === name);
        return spec ? { kind: 'child', spec, policy: parent.policy } : { kind: 'unknown', expected: parent };
      }
      case 'payload':
        return { kind: 'payload' };
      default:
        return { kind: 'unknown', expected: parent };
    }
  }

  private computeContent(element: ElementNode): ContentContext {
    const role = this.roleOf(element);
    switch (role.kind) {
      case 'root':
        return role.shape === 'policies' ? SECTIONS : { kind: 'statements', section: undefined, inFragment: true };
      case 'section':
        return { kind: 'statements', section: role.section, inFragment: false };
      case 'base':
        return { kind: 'empty', owner: 'base' };
      case 'policy':
        return this.contentFor(role.policy.content, this.catalog.allChildElements(role.policy.name), role.policy, element);
      case 'child':
        return this.contentFor(role.spec.content, role.spec.elements, role.policy, element);
      case 'payload':
        return PAYLOAD;
      default:
        return UNKNOWN;
    }
  }

  private contentFor(
    content: PolicySpec['content'],
    elements: readonly ElementSpec[],
    policy: PolicySpec,
    element: ElementNode,
  ): ContentContext {
    const enclosing = this.statementsAround(element);
    switch (content) {
      case 'text':
      case 'markup':
        return PAYLOAD;
      case 'policies':
        return { kind: 'statements', section: enclosing.section, inFragment: enclosing.inFragment, nested: true };
      case 'empty':
        return { kind: 'empty', owner: element.name };
      default:
        return { kind: 'children', elements, policy, section: enclosing.section, inFragment: enclosing.inFragment };
    }
  }

  /** The statement context an element ultimately sits in (section or fragment). */
  private statementsAround(element: ElementNode): { section: SectionName | undefined; inFragment: boolean } {
    for (let e = element.parent; e; e = e.parent) {
      const content = this.contentOf(e);
      if (content.kind === 'statements' || content.kind === 'children') return { section: content.section, inFragment: content.inFragment };
    }
    return { section: undefined, inFragment: false };
  }
}
