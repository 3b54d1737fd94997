/**
 * Diagnostics: syntax problems from the parser, then structure and
 * attribute checks driven by the catalog, then (when an instance is
 * connected) named values and entity references.
 */
import type { AttributeSpec, ElementSpec } from '../catalog/types';
import type { InstanceIndex } from '../instance';
import { isKeyVaultFailing } from '../instance';
import type { DiagnosticCode, PolicyDiagnostic, Severity } from '../languageTypes';
import type { AttributeNode, ElementNode, PolicyDocument } from '../parser/nodes';
import { ElementSweep, elementChildren } from '../parser/navigation';
import type { ContentContext, StructureResolver } from '../structure';
import { limitDiagnostics } from './diagnosticLimits';
import { checkLiteralValue, isDynamicValue } from './values';

export const SEVERITY: Record<DiagnosticCode, Severity> = {
  'malformed-xml': 'error',
  'malformed-expression': 'error',
  'unknown-element': 'error',
  'misplaced-policy': 'error',
  'not-allowed-in-fragment': 'error',
  'duplicate-section': 'error',
  'missing-required-attribute': 'error',
  'invalid-attribute-value': 'error',
  'unknown-attribute': 'warning',
  'missing-required-element': 'warning',
  'duplicate-element': 'warning',
  'duplicate-policy': 'warning',
  'unknown-named-value': 'error',
  'key-vault-refresh-failed': 'warning',
  'unknown-entity': 'warning',
  'policy-not-available': 'warning',
  'expression-syntax': 'error',
  'unknown-identifier': 'error',
  'unknown-member': 'error',
  'type-not-allowed': 'error',
  'missing-return': 'error',
  'variable-type-mismatch': 'warning',
  'too-many-problems': 'warning', // set from what it sums up
};

export interface ValidationOptions {
  validateUnknownAttributes: boolean;
}

/** Attributes that XML itself allows everywhere. */
function isXmlAttribute(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:') || name.startsWith('xml:');
}

class Validator {
  readonly diagnostics: PolicyDiagnostic[] = [];
  private readonly liquid = new Map<ElementNode, boolean>();

  constructor(
    private readonly doc: PolicyDocument,
    private readonly structure: StructureResolver,
    private readonly instance: InstanceIndex | undefined,
    private readonly options: ValidationOptions,
  ) {}

  report(code: DiagnosticCode, message: string, start: number, end: number): void {
    this.diagnostics.push({ code, severity: SEVERITY[code], message, start, end: Math.max(end, start) });
  }

  run(): PolicyDiagnostic[] {
    for (const error of this.doc.errors) this.report(error.code, error.message, error.start, error.end);
    const root = this.doc.root;
    if (root) this.visitTree(root);
    this.checkNamedValues();
    return this.diagnostics;
  }

  /**
   * Visits every element in document order, each before its children, with
   * an explicit stack: policies may nest deeper than the call stack allows.
   */
  private visitTree(root: ElementNode): void {
    const open: Array<{ parent: ElementNode | undefined; children: readonly ElementNode[]; content: ContentContext; seen: Map<string, number>; next: number }> = [];
    const enter = (parent: ElementNode | undefined, children: readonly ElementNode[]): void => {
      const content = this.structure.contentOf(parent);
      if (content.kind === 'payload') return; // opaque: no policy rules inside payloads
      open.push({ parent, children, content, seen: new Map(), next: 0 });
    };
    enter(undefined, [root]);
    while (open.length) {
      const level = open[open.length - 1];
      if (level.next === level.children.length) {
        open.pop();
        if (level.content.kind === 'children') this.checkRequiredChildren(level.parent!, level.content.elements, level.seen);
        continue;
      }
      const child = level.children[level.next++];
      const count = (level.seen.get(child.name) ?? 0) + 1;
      level.seen.set(child.name, count);
      if (this.visitElement(child, level.content, count)) enter(child, elementChildren(child));
    }
  }

  /** Checks one element; returns whether its children should be visited. */
  private visitElement(element: ElementNode, parentContent: ContentContext, occurrence: number): boolean {
    const role = this.structure.roleOf(element);
    const nameRange: [number, number] = [element.start + 1, element.nameEnd];
    switch (role.kind) {
      case 'root':
        this.checkNoAttributes(element);
        break;
      case 'section':
        if (occurrence > 1) this.report('duplicate-section', `Section <${element.name}> appears more than once; merge its policies into the first one.`, ...nameRange);
        this.checkNoAttributes(element);
        break;
      case 'base':
        if (parentContent.kind === 'statements' && parentContent.inFragment) {
          this.report('not-allowed-in-fragment', '<base /> is not allowed in a policy fragment: fragments have no parent scope to inherit from.', ...nameRange);
        }
        break;
      case 'policy': {
        const policy = role.policy;
        if (parentContent.kind === 'statements') {
          if (parentContent.inFragment && policy.name === 'include-fragment') {
            this.report('not-allowed-in-fragment', 'A policy fragment cannot include another fragment.', ...nameRange);
          } else if (parentContent.section && policy.sections.length && !policy.sections.includes(parentContent.section)) {
            this.report(
              'misplaced-policy',
              `<${policy.name}> is not allowed in the ${parentContent.section} section; it belongs in ${policy.sections.join(', ')}.`,
              ...nameRange,
            );
          }
          if (policy.oncePerSection && occurrence === 2) {
            this.report('duplicate-policy', `<${policy.name}> may be used only once in a section; merge the two.`, ...nameRange);
          }
          if (this.instance && !this.instance.isPolicyAvailable(policy.name)) {
            this.report('policy-not-available', `The connected instance (${this.instance.displayName}) does not list the <${policy.name}> policy.`, ...nameRange);
          }
        }
        this.checkAttributes(element, this.structure.catalog.allAttributes(policy.name), policy.name);
        break;
      }
      case 'child':
        if (occurrence === 2 && !role.spec.repeatable) {
          this.report('duplicate-element', `<${element.name}> may appear only once in <${element.parent?.name}>.`, ...nameRange);
        }
        this.checkAttributes(element, role.spec.attributes, `${role.policy.name}/${role.spec.name}`);
        break;
      case 'payload':
        return false;
      case 'unknown':
        this.reportUnknown(element, role.expected);
        return false; // don't pile diagnostics inside something we don't understand
    }
    return true;
  }

  private reportUnknown(element: ElementNode, expected: ContentContext): void {
    const range: [number, number] = [element.start + 1, element.nameEnd];
    const name = element.name;
    const catalog = this.structure.catalog;
    switch (expected.kind) {
      case 'document':
        this.report('unknown-element', `The root element must be <policies> or <fragment>, not <${name}>.`, ...range);
        return;
      case 'sections':
        if (catalog.getPolicy(name)) {
          this.report('misplaced-policy', `<${name}> must be inside a section (<inbound>, <backend>, <outbound> or <on-error>).`, ...range);
        } else {
          this.report('unknown-element', `<policies> holds only <inbound>, <backend>, <outbound> and <on-error>; <${name}> is not one of them.`, ...range);
        }
        return;
      case 'statements':
        if ((name === 'inbound' || name === 'backend' || name === 'outbound' || name === 'on-error') && expected.inFragment && !element.parent?.parent) {
          this.report('not-allowed-in-fragment', `A policy fragment holds policies directly; remove the <${name}> section.`, ...range);
        } else {
          this.report('unknown-element', `<${name}> is not an API Management policy.`, ...range);
        }
        return;
      case 'children': {
        const allowed = expected.elements.map((e) => `<${e.name}>`).join(', ');
        this.report('unknown-element', `<${name}> is not expected inside <${element.parent?.name}>${allowed ? `; expected ${allowed}` : ''}.`, ...range);
        return;
      }
      case 'empty':
        this.report('unknown-element', `<${expected.owner}> takes no child elements.`, ...range);
        return;
      default:
        return; // inside an unknown element: already reported there
    }
  }

  private checkNoAttributes(element: ElementNode): void {
    for (const attribute of element.attributes) {
      if (!isXmlAttribute(attribute.name) && this.options.validateUnknownAttributes) {
        this.report('unknown-attribute', `<${element.name}> takes no attribute '${attribute.name}'.`, attribute.start, attribute.nameEnd);
      }
    }
  }

  private checkAttributes(element: ElementNode, specs: readonly AttributeSpec[], owner: string): void {
    const nameRange: [number, number] = [element.start + 1, element.nameEnd];
    for (const spec of specs) {
      if (spec.required === true && !element.attributes.some((a) => a.name === spec.name)) {
        this.report('missing-required-attribute', `<${element.name}> requires the attribute '${spec.name}'.`, ...nameRange);
      }
    }
    for (const attribute of element.attributes) {
      const spec = specs.find((s) => s.name === attribute.name);
      if (!spec) {
        if (this.options.validateUnknownAttributes && !isXmlAttribute(attribute.name) && !attribute.name.includes('{{')) {
          this.report('unknown-attribute', `'${attribute.name}' is not a known attribute of <${owner}>.`, attribute.start, attribute.nameEnd);
        }
        continue;
      }
      this.checkValue(attribute, spec);
    }
  }

  private checkValue(attribute: AttributeNode, spec: AttributeSpec): void {
    if (attribute.value === undefined || attribute.valueStart === undefined) return;
    if (isDynamicValue(attribute)) return;
    const start = attribute.valueStart + 1;
    const end = start + attribute.value.length;
    const problem = checkLiteralValue(attribute.value, spec);
    if (problem) {
      this.report('invalid-attribute-value', problem, start, end);
      return;
    }
    if (spec.references && this.instance) {
      const entities = this.instance.entitiesOf(spec.references);
      const value = attribute.value.trim();
      if (entities && value && !entities.has(value.toLowerCase())) {
        this.report('unknown-entity', `'${value}' is not a ${ENTITY_LABEL[spec.references] ?? spec.references} of ${this.instance.displayName}.`, start, end);
      }
    }
  }

  private checkRequiredChildren(parent: ElementNode, elements: readonly ElementSpec[], seen: ReadonlyMap<string, number>): void {
    for (const spec of elements) {
      if (spec.required && !seen.has(spec.name)) {
        this.report('missing-required-element', `<${parent.name}> needs a <${spec.name}> element.`, parent.start + 1, parent.nameEnd);
      }
    }
  }

  private checkNamedValues(): void {
    const instance = this.instance;
    if (!instance) return; // without an instance we cannot tell what exists
    const sweep = new ElementSweep(this.doc); // references come in document order
    for (const ref of this.doc.namedValues) {
      if (!ref.closed || !ref.name) continue;
      const nv = instance.findNamedValue(ref.name);
      if (!nv) {
        if (instance.isUnreadableNamedValue(ref.name) || this.inLiquidTemplate(sweep.at(ref.start))) continue;
        this.report('unknown-named-value', `Named value '${ref.name}' does not exist in ${instance.displayName}; deploying this policy would fail.`, ref.start, ref.end);
      } else if (nv.kind === 'keyVault' && isKeyVaultFailing(nv)) {
        const status = nv.keyVault?.lastStatus;
        this.report(
          'key-vault-refresh-failed',
          `Key Vault secret behind '${nv.displayName}' failed to refresh (${status?.code}${status?.message ? `: ${status.message}` : ''}); APIM may serve a stale value.`,
          ref.start,
          ref.end,
        );
      }
    }
  }

  /**
   * Liquid templates in `set-body` use `{{ … }}` for their own variables: the
   * nearest enclosing `set-body`, `return-response` or `mock-response` decides.
   * Answers are remembered per element, so deep nesting is walked once.
   */
  private inLiquidTemplate(element: ElementNode | undefined): boolean {
    const chain: ElementNode[] = [];
    let decided: boolean | undefined;
    for (let e = element; e && decided === undefined; e = e.parent) {
      decided = this.liquid.get(e);
      if (decided !== undefined) break;
      if (e.name === 'set-body' || e.name === 'return-response' || e.name === 'mock-response') {
        decided = e.attributes.find((a) => a.name === 'template')?.value?.toLowerCase() === 'liquid';
      }
      chain.push(e);
    }
    for (const e of chain) this.liquid.set(e, decided ?? false);
    return decided ?? false;
  }
}

const ENTITY_LABEL: Record<string, string> = {
  backend: 'backend',
  policyFragment: 'policy fragment',
  logger: 'logger',
  certificate: 'certificate',
};

/**
 * The policy's diagnostics, collapsed and capped. `extra` joins before the cap
 * (the C# checks), so one cap covers everything a document publishes.
 */
export function validate(
  doc: PolicyDocument,
  structure: StructureResolver,
  instance: InstanceIndex | undefined,
  options: ValidationOptions,
  extra: () => readonly PolicyDiagnostic[] = () => [],
): PolicyDiagnostic[] {
  return limitDiagnostics(new Validator(doc, structure, instance, options).run().concat(extra()), doc.text);
}
