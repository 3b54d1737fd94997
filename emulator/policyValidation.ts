// What API Management checks when a policy or fragment is saved, as far as the emulator models it: the document
// must be well-formed XML once policy expressions are set aside (rawxml keeps `<`, `>`, `&` and quotes inside
// @(...) / @{...} literal), its root must be <policies> (or <fragment>), every {{named value}} must exist, and
// every include-fragment must name an existing fragment. Problems come back in the wording the service uses:
// .NET XmlException messages ("... Line 3, position 7.") for malformed XML, "Cannot find a property 'x'" for
// unknown named values, and "Error in element 'e' on line L, column C: ..." for elements that fail a check.
import { expressionEnd, startsExpression } from './policyFormat';

export interface PolicyReferences {
  hasNamedValue(displayName: string): boolean;
  hasFragment(name: string): boolean;
}

interface Cursor {
  line: number;
  column: number;
}

class MalformedXml extends Error {}

/** Line and column (1-based) of every offset, computed once per document. */
class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.starts.push(i + 1);
  }

  at(offset: number): Cursor {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low] + 1 };
  }
}

interface ElementStart {
  name: string;
  offset: number;
  attributes: Map<string, string>;
}

const NAME = /[A-Za-z_:][\w.:-]*/y;

/**
 * Problems the service would report for `raw`, or an empty list. `root` is the required root element:
 * `policies` for a policy, `fragment` for a policy fragment.
 */
export function validatePolicyDocument(raw: string, root: 'policies' | 'fragment', references: PolicyReferences): string[] {
  const lines = new LineMap(raw);
  const where = (offset: number) => {
    const c = lines.at(offset);
    return ` Line ${c.line}, position ${c.column}.`;
  };
  let elements: ElementStart[];
  try {
    elements = scanElements(raw, where);
  } catch (e) {
    if (e instanceof MalformedXml) return [e.message];
    throw e;
  }
  const problems: string[] = [];
  const first = elements[0];
  if (!first || first.name !== root) {
    problems.push(`The root element must be '${root}'${first ? `, not '${first.name}'` : ''}.`);
    return problems;
  }
  const reported = new Set<string>();
  // Liquid templates use {{ … }} for their own variables; the service leaves those alone.
  const outsideLiquid = raw.replace(/<(set-body|return-response|mock-response)\b[^>]*template\s*=\s*["']liquid["'][\s\S]*?<\/\1\s*>/gi, '');
  for (const match of outsideLiquid.matchAll(/\{\{\s*([A-Za-z0-9._-]+)\s*\}\}/g)) {
    const name = match[1];
    if (reported.has(name.toLowerCase()) || references.hasNamedValue(name)) continue;
    reported.add(name.toLowerCase());
    problems.push(`Cannot find a property '${name}'`);
  }
  for (const element of elements) {
    if (element.name !== 'include-fragment') continue;
    const id = element.attributes.get('fragment-id');
    if (id === undefined || id.includes('{{') || references.hasFragment(id)) continue;
    const c = lines.at(element.offset);
    problems.push(`Error in element 'include-fragment' on line ${c.line}, column ${c.column}: Policy fragment '${id}' does not exist.`);
  }
  return problems;
}

/** Walks the document as an XML parser would (expressions skipped) and returns its elements in order. */
function scanElements(text: string, where: (offset: number) => string): ElementStart[] {
  const elements: ElementStart[] = [];
  const open: ElementStart[] = [];
  let rootClosed = false;
  let i = 0;
  const fail = (message: string, offset: number): never => {
    throw new MalformedXml(`${message}${where(offset)}`);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '<') {
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) fail('Unexpected end of file while parsing Comment has occurred.', text.length);
        i = end + 3;
      } else if (text.startsWith('<![CDATA[', i)) {
        if (open.length === 0) fail('Data at the root level is invalid.', i);
        const end = text.indexOf(']]>', i + 9);
        if (end < 0) fail('Unexpected end of file while parsing CDATA has occurred.', text.length);
        i = end + 3;
      } else if (text.startsWith('<?', i)) {
        const end = text.indexOf('?>', i + 2);
        if (end < 0) fail('Unexpected end of file while parsing processing instruction has occurred.', text.length);
        i = end + 2;
      } else if (text[i + 1] === '/') {
        NAME.lastIndex = i + 2;
        const name = NAME.exec(text)?.[0];
        if (!name) fail(`'${text[i + 2] ?? ''}' is an unexpected token. Expecting a name.`, i + 2);
        const top = open.pop();
        if (!top) fail(`Unexpected end tag '${name}'.`, i + 2);
        else if (top.name !== name) {
          const start = where(top.offset).replace(/^ Line (\d+), position (\d+)\.$/, 'line $1 position $2');
          fail(`The '${top.name}' start tag on ${start} does not match the end tag of '${name}'.`, i + 2);
        }
        let j = i + 2 + (name as string).length;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] !== '>') fail(`'${text[j] ?? ''}' is an unexpected token. The expected token is '>'.`, j);
        i = j + 1;
        if (open.length === 0) rootClosed = true;
      } else {
        if (rootClosed) fail('There are multiple root elements.', i + 1);
        const element = scanStartTag(text, i, fail);
        elements.push(element.start);
        if (!element.selfClosing) open.push(element.start);
        else if (open.length === 0) rootClosed = true;
        i = element.end;
      }
    } else if (startsExpression(text, i)) {
      if (open.length === 0) fail('Data at the root level is invalid.', i);
      i = expressionEnd(text, i + 1, false);
    } else if (c === '&') {
      if (!/^&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);/.test(text.slice(i, i + 12))) fail('An error occurred while parsing EntityName.', i + 1);
      i++;
    } else {
      if (open.length === 0 && !/\s/.test(c)) fail('Data at the root level is invalid.', i);
      i++;
    }
  }
  if (open.length > 0) {
    fail(`Unexpected end of file has occurred. The following elements are not closed: ${open.map((e) => e.name).reverse().join(', ')}.`, text.length);
  }
  if (elements.length === 0) fail('Root element is missing.', text.length);
  return elements;
}

function scanStartTag(text: string, at: number, fail: (message: string, offset: number) => never): { start: ElementStart; end: number; selfClosing: boolean } {
  NAME.lastIndex = at + 1;
  const name = NAME.exec(text)?.[0];
  if (!name) return fail(`Name cannot begin with the '${text[at + 1] ?? ''}' character.`, at + 1);
  const attributes = new Map<string, string>();
  let i = at + 1 + name.length;
  for (;;) {
    const before = i;
    while (/\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) return fail('Unexpected end of file while parsing Name has occurred.', text.length);
    if (text[i] === '>') return { start: { name, offset: at + 1, attributes }, end: i + 1, selfClosing: false };
    if (text.startsWith('/>', i)) return { start: { name, offset: at + 1, attributes }, end: i + 2, selfClosing: true };
    if (i === before) fail(`'${text[i]}' is an unexpected token. Expecting white space.`, i);
    NAME.lastIndex = i;
    const attribute = NAME.exec(text)?.[0];
    if (!attribute) fail(`Name cannot begin with the '${text[i]}' character.`, i);
    const attributeName = attribute as string;
    i += attributeName.length;
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] !== '=') fail(`'${text[i] ?? ''}' is an unexpected token. The expected token is '='.`, i);
    i++;
    while (/\s/.test(text[i] ?? '')) i++;
    const quote = text[i];
    if (quote !== '"' && quote !== "'") fail(`'${quote ?? ''}' is an unexpected token. The expected token is '"' or '''.`, i);
    if (attributes.has(attributeName)) fail(`'${attributeName}' is a duplicate attribute name.`, i);
    let j = i + 1;
    // An attribute value that is an expression may hold the quote character inside its C# strings.
    if (startsExpression(text, j)) j = expressionEnd(text, j + 1, false);
    const close = text.indexOf(quote, j);
    if (close < 0) return fail('Unexpected end of file while parsing attribute value has occurred.', text.length);
    const value = text.slice(i + 1, close);
    if (!startsExpression(value, 0) && /<|&(?!(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);)/.test(value)) {
      fail(`'${value.includes('<') ? '<' : '&'}', hexadecimal value 0x${(value.includes('<') ? 0x3c : 0x26).toString(16).toUpperCase()}, is an invalid attribute character.`, i + 1 + value.search(/[<&]/));
    }
    attributes.set(attributeName, value);
    i = close + 1;
  }
}
