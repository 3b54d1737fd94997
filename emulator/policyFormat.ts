// Converts policy documents between the two formats the management API serves:
//  - rawxml: as authored; characters such as < > & inside policy expressions (@(...), @{...}) stay literal.
//  - xml:    the same document made well-formed: those characters inside expressions are escaped as entities
//            (compare the service's GetApiPolicy example: `s =&gt; s[...]`), and inside attribute values the
//            attribute's own quote character is escaped too.
// Comments and CDATA are copied verbatim.

/** Rewrites one expression; `quote` is the surrounding attribute quote, or undefined in element text. */
type Rewrite = (expression: string, quote?: string) => string;

const NOT_AN_ENTITY = /&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/g;

const escapeExpression: Rewrite = (e, quote) => {
  let out = e.replace(NOT_AN_ENTITY, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (quote === '"') out = out.replace(/"/g, '&quot;');
  if (quote === "'") out = out.replace(/'/g, '&apos;');
  return out;
};
const unescapeExpression: Rewrite = (e) =>
  e.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

export function toXmlFormat(raw: string): string {
  return rewriteExpressions(raw, escapeExpression, false);
}

export function toRawXmlFormat(xml: string): string {
  return rewriteExpressions(xml, unescapeExpression, true);
}

export function startsExpression(doc: string, at: number): boolean {
  return doc[at] === '@' && (doc[at + 1] === '(' || doc[at + 1] === '{');
}

/** Index just past the bracket closing the expression that opens at `start` (the `(` or `{` after `@`). */
export function expressionEnd(text: string, start: number, escaped: boolean): number {
  const open = text[start];
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      // Skip a C# string / char literal, honouring backslash escapes.
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    // In the escaped form a '<' inside the expression reads as '&lt;' and could not open a tag.
    if (!escaped && c === '<' && text.startsWith('</', i) && depth === 0) return i;
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return text.length;
}

function rewriteExpressions(doc: string, rewrite: Rewrite, escaped: boolean): string {
  let out = '';
  let i = 0;
  while (i < doc.length) {
    if (doc.startsWith('<!--', i)) {
      const end = doc.indexOf('-->', i);
      const stop = end < 0 ? doc.length : end + 3;
      out += doc.slice(i, stop);
      i = stop;
    } else if (doc.startsWith('<![CDATA[', i)) {
      const end = doc.indexOf(']]>', i);
      const stop = end < 0 ? doc.length : end + 3;
      out += doc.slice(i, stop);
      i = stop;
    } else if (doc[i] === '<') {
      // A tag: copy through its closing '>'. Quoted attribute values may contain '>' and, when they hold an
      // expression, quotes of their own inside C# string literals (allowed in rawxml).
      let j = i + 1;
      out += '<';
      while (j < doc.length && doc[j] !== '>') {
        const q = doc[j];
        if (q !== '"' && q !== "'") {
          out += q;
          j++;
          continue;
        }
        let valueStart = j + 1;
        out += q;
        if (startsExpression(doc, valueStart)) {
          const end = expressionEnd(doc, valueStart + 1, escaped);
          out += '@' + rewrite(doc.slice(valueStart + 1, end), q);
          valueStart = end;
        }
        const close = doc.indexOf(q, valueStart);
        const stop = close < 0 ? doc.length : close + 1;
        out += doc.slice(valueStart, stop);
        j = stop;
      }
      if (j < doc.length) out += '>';
      i = j + 1;
    } else if (startsExpression(doc, i)) {
      const end = expressionEnd(doc, i + 1, escaped);
      out += '@' + rewrite(doc.slice(i + 1, end));
      i = end;
    } else {
      out += doc[i];
      i++;
    }
  }
  return out;
}
