/**
 * Completion: what can be typed at the cursor, decided from the tree and
 * the catalog — element names valid for the parent, attributes not yet
 * present, attribute values, `{{named values}}` and end tags.
 */
import type { AttributeSpec, PolicySpec } from '../catalog/types';
import { SECTION_NAMES } from '../catalog/types';
import type { ExpressionService } from '../expressions/service';
import type { InstanceIndex } from '../instance';
import { isKeyVaultFailing } from '../instance';
import type { NamedValueInfo } from '../../../../protocol/protocol';
import type { CompletionData, CompletionDetails, CompletionEntry, CompletionResult, LanguageSettings, OffsetRange } from '../languageTypes';
import { canBeReferenced } from '../parser/namedValues';
import { elementAt, elementChildren } from '../parser/navigation';
import type { AttributeNode, ElementNode, PolicyDocument } from '../parser/nodes';
import type { ContentContext, StructureResolver } from '../structure';
import { SECTION_DOCS, caseNote, describeAttribute, describeElement, describeNamedValue, describePolicy, namedValueKindLabel, previewValue } from './describe';
import { completeInExpression } from './expressionCompletion';
import { attributeSnippet, elementSnippet } from './snippets';
import { literalChoices } from './values';

const EMPTY: CompletionResult = { items: [], incomplete: false };

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 58;
}

function nameEndFrom(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
  return i;
}

function nameStartBefore(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && isNameChar(text.charCodeAt(i - 1))) i--;
  return i;
}

/** Named value names: letters, digits, `.`, `-`, `_` (and spaces while typing). */
function isNamedValueChar(c: number): boolean {
  return isNameChar(c) && c !== 58;
}

interface Request {
  doc: PolicyDocument;
  text: string;
  offset: number;
  structure: StructureResolver;
  instance: InstanceIndex | undefined;
  settings: LanguageSettings;
}

export function doComplete(
  doc: PolicyDocument,
  structure: StructureResolver,
  offset: number,
  instance: InstanceIndex | undefined,
  settings: LanguageSettings = {},
  expressions?: ExpressionService,
): CompletionResult {
  const request: Request = { doc, text: doc.text, offset, structure, instance, settings };
  const namedValue = namedValueAt(request.text, offset);
  if (namedValue) return completeNamedValues(request, namedValue);
  const expression = expressions?.expressionAt(doc, offset);
  if (expression && expressions) return completeInExpression(doc, expression, offset, expressions);

  const element = elementAt(doc, offset);
  if (element && offset <= element.startTagEnd && !(element.startTagClosed && offset === element.startTagEnd)) {
    return completeInStartTag(request, element);
  }
  return completeInContent(request, element);
}

// ---- named values -------------------------------------------------------

interface NamedValueSlot {
  range: OffsetRange;
  closed: boolean;
}

/** When the cursor follows `{{` (optionally with part of a name), the name's range. */
export function namedValueAt(text: string, offset: number): NamedValueSlot | undefined {
  let start = offset;
  while (start > 0 && isNamedValueChar(text.charCodeAt(start - 1))) start--;
  if (start < 2 || text.charCodeAt(start - 1) !== 123 || text.charCodeAt(start - 2) !== 123) return undefined;
  let end = offset;
  while (end < text.length && isNamedValueChar(text.charCodeAt(end))) end++;
  return { range: { start, end }, closed: text.startsWith('}}', end) };
}

/**
 * Most named values listed at once. When more match what is typed, the
 * list holds the best matches and is marked incomplete, so the editor asks
 * again as the user types: huge instances stay fast and the reply small.
 */
export const MAX_NAMED_VALUE_ITEMS = 1000;

function completeNamedValues(request: Request, slot: NamedValueSlot): CompletionResult {
  const instance = request.instance;
  if (!instance) return EMPTY;
  const typed = request.text.slice(slot.range.start, Math.max(slot.range.start, request.offset)).toLowerCase();
  const { matches, incomplete } = bestNamedValues(instance, typed, MAX_NAMED_VALUE_ITEMS);
  const items: CompletionEntry[] = [];
  for (const nv of matches) {
    const failing = nv.kind === 'keyVault' && isKeyVaultFailing(nv);
    let detail = namedValueKindLabel(nv);
    if (nv.kind === 'plain' && nv.value !== undefined) detail = `${detail}: ${previewValue(nv.value)}`;
    if (nv.kind === 'keyVault') detail = `${detail} — ${nv.keyVault?.lastStatus?.code ?? 'not refreshed'}`;
    // Light items: the documentation comes with `resolveCompletion`, for the one item the user looks at.
    items.push({
      label: nv.displayName,
      kind: 'named-value',
      detail: failing ? `⚠ ${detail}` : detail,
      insertText: slot.closed ? nv.displayName : `${nv.displayName}}}`,
      snippet: false,
      replace: slot.range,
      resolve: { kind: 'named-value', name: nv.displayName },
    });
  }
  return { items, incomplete };
}

/**
 * Named values whose name holds the typed characters in order (ignoring
 * case, as the editor's own filter does), prefix matches first, then
 * substrings, then the rest; at most `limit`. Names a `{{…}}` reference
 * cannot spell (with braces, quotes, `<`, line breaks or outer spaces)
 * are left out: inserting them would refer to something else.
 */
function bestNamedValues(instance: InstanceIndex, typed: string, limit: number): { matches: NamedValueInfo[]; incomplete: boolean } {
  const keys = instance.namedValueKeys;
  const all = instance.namedValues;
  const tiers: NamedValueInfo[][] = [[], [], []];
  let found = 0;
  let k = 0;
  // Once `limit` names start with what is typed, nothing else would be shown: stop looking.
  for (; k < all.length && tiers[0].length < limit; k++) {
    const key = keys[k];
    const tier = key.startsWith(typed) ? 0 : key.includes(typed) ? 1 : isSubsequence(typed, key) ? 2 : -1;
    if (tier < 0 || !canBeReferenced(all[k].displayName)) continue;
    found++;
    if (tiers[tier].length < limit) tiers[tier].push(all[k]);
  }
  const matches: NamedValueInfo[] = [];
  for (const tier of tiers) for (let t = 0; t < tier.length && matches.length < limit; t++) matches.push(tier[t]);
  return { matches, incomplete: k < all.length || found > matches.length };
}

function isSubsequence(needle: string, haystack: string): boolean {
  let at = 0;
  for (let k = 0; k < needle.length; k++) {
    at = haystack.indexOf(needle[k], at) + 1;
    if (at === 0) return false;
  }
  return true;
}

/** The documentation of a light item, looked up again by name. */
export function resolveCompletion(data: CompletionData, instance: InstanceIndex | undefined): CompletionDetails | undefined {
  if (data.kind !== 'named-value' || !instance) return undefined;
  const nv = instance.findNamedValue(data.name);
  if (!nv) return undefined;
  const note = caseNote(data.name, nv, instance.namedValuesIgnoringCase(data.name));
  return { documentation: describeNamedValue(nv, instance.displayName, instance.metadata.stale) + (note ? `\n\n${note}` : '') };
}

// ---- start tags ---------------------------------------------------------

function completeInStartTag(request: Request, element: ElementNode): CompletionResult {
  const { offset } = request;
  if (offset <= element.nameEnd) {
    const hasRest = element.attributes.length > 0 || element.startTagClosed;
    const range = { start: element.start + 1, end: element.nameEnd };
    return { items: elementItems(request, element.parent, range, hasRest ? 'name-only' : 'full', false), incomplete: false };
  }
  const attribute = element.attributes.find((a) => offset >= a.start && offset <= (a.valueEnd ?? a.nameEnd));
  if (attribute && attribute.valueStart !== undefined && offset > attribute.valueStart) {
    return completeValue(request, element, attribute);
  }
  const range = attribute ? { start: attribute.start, end: attribute.nameEnd } : { start: offset, end: offset };
  if (!attribute && offset > 0 && isNameChar(request.text.charCodeAt(offset - 1))) return EMPTY; // right after a value or name, no space
  return { items: attributeItems(request, element, attribute, range), incomplete: false };
}

/** Attribute specs for an element, by its role. */
function attributeSpecsOf(request: Request, element: ElementNode): { specs: readonly AttributeSpec[]; owner: string } {
  const role = request.structure.roleOf(element);
  if (role.kind === 'policy') return { specs: request.structure.catalog.allAttributes(role.policy.name), owner: role.policy.name };
  if (role.kind === 'child') return { specs: role.spec.attributes, owner: `${role.policy.name}/${role.spec.name}` };
  return { specs: [], owner: element.name };
}

function attributeItems(request: Request, element: ElementNode, editing: AttributeNode | undefined, range: OffsetRange): CompletionEntry[] {
  const { specs, owner } = attributeSpecsOf(request, element);
  const present = new Set(element.attributes.filter((a) => a !== editing).map((a) => a.name));
  const hasValue = editing?.valueStart !== undefined;
  return specs
    .filter((spec) => !present.has(spec.name))
    .map((spec) => {
      const choices = literalChoices(spec);
      return {
        label: spec.name,
        kind: 'attribute' as const,
        detail: spec.required === true ? 'required' : spec.required === 'conditional' ? 'conditionally required' : undefined,
        documentation: describeAttribute(spec, owner),
        insertText: hasValue ? spec.name : attributeSnippet(spec),
        snippet: !hasValue,
        replace: range,
        sortText: `${spec.required === true ? '0' : spec.required === 'conditional' ? '1' : '2'}${spec.name}`,
        retrigger: !hasValue && (choices.length > 12 || (choices.length === 0 && !!spec.references)),
      };
    });
}

function completeValue(request: Request, element: ElementNode, attribute: AttributeNode): CompletionResult {
  const { specs, owner } = attributeSpecsOf(request, element);
  const spec = specs.find((s) => s.name === attribute.name);
  if (!spec || attribute.valueStart === undefined) return EMPTY;
  const valueStart = attribute.valueStart + 1;
  const range = { start: valueStart, end: valueStart + (attribute.value?.length ?? 0) };
  if (request.offset > range.end) return EMPTY;
  if (attribute.expression && request.offset > attribute.expression.start) return EMPTY; // inside C#
  const items: CompletionEntry[] = literalChoices(spec).map((value) => ({
    label: value,
    kind: 'value',
    detail: value === spec.default ? 'default' : undefined,
    documentation: describeAttribute(spec, owner),
    insertText: value,
    snippet: false,
    replace: range,
  }));
  if (spec.references && request.instance) {
    const entities = request.instance.entitiesOf(spec.references);
    for (const entity of entities?.values() ?? []) {
      items.push({
        label: entity.name,
        kind: 'entity',
        detail: `${spec.references} of ${request.instance.displayName}`,
        documentation: [`**${entity.name}**`, '', ...entity.details].join('\n\n'),
        insertText: entity.name,
        snippet: false,
        replace: range,
      });
    }
  }
  return { items, incomplete: false };
}

// ---- content ------------------------------------------------------------

function completeInContent(request: Request, parent: ElementNode | undefined): CompletionResult {
  const { text, offset } = request;
  const nameStart = nameStartBefore(text, offset);
  const before = text.charCodeAt(nameStart - 1);
  const range = { start: nameStart, end: nameEndFrom(text, offset) };
  if (before === 60 /* < */) {
    return { items: elementItems(request, parent, range, 'full', false), incomplete: false };
  }
  if (before === 47 /* / */ && text.charCodeAt(nameStart - 2) === 60) {
    return { items: endTagItems(parent, { start: nameStart - 2, end: range.end }), incomplete: false };
  }
  if (request.structure.contentOf(parent).kind === 'payload') return parent ? completeTextValue(request, parent) : EMPTY;
  // Between tags with nothing typed: offer elements with their '<', and the end tag.
  if (nameStart !== offset) return EMPTY;
  const here = { start: offset, end: offset };
  const items = elementItems(request, parent, here, 'full', true);
  for (const item of endTagItems(parent, here)) items.push(item);
  return { items, incomplete: false };
}

/** Element text that is a constrained literal, such as the HTTP method in `<set-method>`. */
function completeTextValue(request: Request, element: ElementNode): CompletionResult {
  const role = request.structure.roleOf(element);
  const textType = role.kind === 'policy' ? role.policy.textType : role.kind === 'child' ? role.spec.textType : undefined;
  if (!textType || element.startTagEnd > request.offset) return EMPTY;
  const { text, offset } = request;
  const contentEnd = element.endTagStart ?? element.end;
  // Only while the text is a plain word: an expression or markup means something else is meant.
  const content = text.slice(element.startTagEnd, contentEnd);
  if (/[<@{]/.test(content)) return EMPTY;
  const range = { start: nameStartBefore(text, offset), end: nameEndFrom(text, offset) };
  const items: CompletionEntry[] = literalChoices({ type: textType }).map((value) => ({
    label: value,
    kind: 'value',
    insertText: value,
    snippet: false,
    replace: range,
  }));
  return { items, incomplete: false };
}

function endTagItems(parent: ElementNode | undefined, range: OffsetRange): CompletionEntry[] {
  if (!parent || parent.endTagStart !== undefined) {
    // Closed already: still offer the innermost unclosed ancestor, if any.
    let open = parent?.parent;
    while (open && open.endTagStart !== undefined) open = open.parent;
    if (!open || parent?.endTagStart === undefined) return [];
    parent = open;
  }
  return [
    {
      label: `</${parent.name}>`,
      kind: 'end-tag',
      detail: 'close the open element',
      insertText: `</${parent.name}>`,
      snippet: false,
      replace: range,
      sortText: '!',
      filterText: `</${parent.name}`,
    },
  ];
}

type InsertStyle = 'full' | 'name-only';

function elementItems(
  request: Request,
  parent: ElementNode | undefined,
  range: OffsetRange,
  style: InsertStyle,
  withBracket: boolean,
): CompletionEntry[] {
  const content = request.structure.contentOf(parent);
  const siblings = parent ? elementChildren(parent) : request.doc.children.filter((c): c is ElementNode => c.kind === 'element');
  const present = new Set(siblings.filter((s) => !(s.start < range.start && range.start <= s.nameEnd)).map((s) => s.name));
  const prefix = withBracket ? '<' : '';
  const make = (name: string, body: string, documentation: string | undefined, sortText: string, detail?: string): CompletionEntry => ({
    label: name,
    kind: 'element',
    detail,
    documentation,
    insertText: style === 'name-only' ? name : `${prefix}${body}`,
    snippet: style !== 'name-only',
    replace: range,
    sortText,
    filterText: `${prefix}${name}`,
  });
  switch (content.kind) {
    case 'document':
      if (siblings.length && !present.has(siblings[0]?.name ?? '')) return [];
      return [
        make('policies', 'policies>\n\t<inbound>\n\t\t<base />\n\t\t$0\n\t</inbound>\n\t<backend>\n\t\t<base />\n\t</backend>\n\t<outbound>\n\t\t<base />\n\t</outbound>\n\t<on-error>\n\t\t<base />\n\t</on-error>\n</policies>', 'A policy definition with the four sections.', '0'),
        make('fragment', 'fragment>\n\t$0\n</fragment>', 'A policy fragment: policies that other policies include with `<include-fragment>`.', '1'),
      ];
    case 'sections':
      return SECTION_NAMES.filter((s) => !present.has(s)).map((section, i) =>
        make(section, `${section}>\n\t<base />\n\t$0\n</${section}>`, SECTION_DOCS[section], `${i}`, 'section'),
      );
    case 'statements':
      return statementItems(request, content, present, make);
    case 'children':
      return content.elements
        .filter((e) => e.repeatable || !present.has(e.name))
        .map((e) => make(e.name, elementSnippet(e), describeElement(e, content.policy), `${e.required ? '0' : '1'}${e.name}`, e.required ? 'required' : undefined));
    default:
      return [];
  }
}

function statementItems(
  request: Request,
  content: Extract<ContentContext, { kind: 'statements' }>,
  present: ReadonlySet<string>,
  make: (name: string, body: string, documentation: string | undefined, sortText: string, detail?: string) => CompletionEntry,
): CompletionEntry[] {
  const catalog = request.structure.catalog;
  const items: CompletionEntry[] = [];
  // <base /> sits directly in a section; nested blocks (when, retry, …) do not inherit.
  if (!content.inFragment && !content.nested && content.section && !present.has('base')) {
    items.push(make('base', 'base />', 'Runs the policies of the same section from the enclosing scope here.', '0base', 'inherit'));
  }
  const candidates: readonly PolicySpec[] = content.section
    ? catalog.policiesForSection(content.section)
    : catalog.primaryPolicies().filter((p) => p.sections.length > 0 && !(content.inFragment && p.name === 'include-fragment'));
  for (const policy of candidates) {
    if (policy.name === 'base') continue;
    const available = request.instance?.isPolicyAvailable(policy.name) ?? true;
    if (!available && request.settings.hideUnavailablePolicies) continue;
    const item = make(
      policy.name,
      policy.snippet ?? elementSnippet({ ...policy, elements: catalog.allChildElements(policy.name) }),
      describePolicy(policy),
      `${policy.documented ? '1' : '2'}${policy.name}`,
      available ? policy.category : `not offered by ${request.instance?.displayName}`,
    );
    if (!available) item.deprecated = true;
    items.push(item);
  }
  return items;
}
