/**
 * Documents and instance metadata shaped to break a language server: a
 * start tag of millions of stray characters, thousands of nesting levels,
 * a hundred thousand attributes or named values. Shared by the stdio
 * robustness layer and the in-process fuzz test.
 */
import type { InstanceMetadata, NamedValueInfo } from '../../protocol/protocol';
import { testInstance } from './instanceFixture';

export function inInbound(body: string): string {
  return `<policies>\n  <inbound>\n    ${body}\n  </inbound>\n</policies>\n`;
}

/** A root start tag holding `count` stray `(` characters. */
export function strayCharactersInStartTag(count: number, char = '('): string {
  return `<policies ${char.repeat(count)}>\n  <inbound />\n</policies>\n`;
}

export interface NestedDocument {
  text: string;
  /** Inside the innermost `<when>`, after its content (element completion, `<` included). */
  completionAt: number;
  /** On the name of the innermost `<when>`. */
  innermostWhen: number;
  /** On the `{{…}}` reference in the innermost block. */
  namedValueAt: number;
  /** On the name of the element placed innermost (see `innermost`). */
  innermostElement: number;
}

/**
 * `levels` levels of `<choose><when condition="@(true)">`, with `innermost`
 * (by default a valid `set-header` using `{{deep-value}}`) at the bottom.
 */
export function nestedChooseWhen(levels: number, innermost = '<set-header name="x" exists-action="override"><value>{{deep-value}}</value></set-header>'): NestedDocument {
  // One level per line, so every level also folds.
  const open = '<choose><when condition="@(true)">\n';
  const close = '</when></choose>\n';
  const head = `<policies><inbound>${open.repeat(levels)}`;
  const body = innermost;
  const text = `${head}${body}${close.repeat(levels)}</inbound></policies>\n`;
  const innermostWhen = head.length - open.length + '<choose><w'.length;
  const reference = text.indexOf('{{', head.length);
  return { text, completionAt: head.length + body.length, innermostWhen, namedValueAt: reference < 0 ? -1 : reference + 3, innermostElement: head.length + 2 };
}

/** A policy expression holding `levels` interpolated strings, each inside the previous one's hole. */
export function nestedInterpolations(levels: number): string {
  return inInbound(`<set-variable name="v" value="@(${'$"{'.repeat(levels)}1${'}"'.repeat(levels)})" />`);
}

/** One `set-header` holding `count` distinct attributes `a0="0" a1="1" …`. */
export function manyAttributes(count: number): string {
  const parts: string[] = [];
  for (let k = 0; k < count; k++) parts.push(`a${k}="${k}"`);
  return inInbound(`<set-header name="x" exists-action="override" ${parts.join(' ')}><value>v</value></set-header>`);
}

/** `count` separate parse errors (a bare `&` on each line, so none form a run) in one `set-body`. */
export function manySeparateParseErrors(count: number): { text: string; bodyStart: number } {
  const head = '<policies>\n  <inbound>\n    <set-body>';
  return { text: `${head}${'&\n'.repeat(count)}</set-body>\n  </inbound>\n</policies>\n`, bodyStart: head.length };
}

/** `count` distinct unknown elements: diagnostics that no collapsing can merge. */
export function manyDistinctProblems(count: number): string {
  const parts: string[] = [];
  for (let k = 0; k < count; k++) parts.push(`<bogus-${k} />`);
  return inInbound(parts.join('\n    '));
}

/** The display name of the `k`-th generated named value. */
export function generatedName(k: number): string {
  return `named-value-${String(k).padStart(6, '0')}`;
}

/** The test instance with `count` more named values, of every kind in turn. */
export function instanceWithNamedValues(count: number): InstanceMetadata {
  const namedValues: NamedValueInfo[] = [];
  for (let k = 0; k < count; k++) {
    const displayName = generatedName(k);
    switch (k % 3) {
      case 0:
        namedValues.push({ name: `nv-${k}`, displayName, kind: 'plain', value: `https://backend-${k}.contoso.example/api/v1/orders?region=west-europe`, tags: ['generated', `batch-${k % 7}`] });
        break;
      case 1:
        namedValues.push({ name: `nv-${k}`, displayName, kind: 'secret', tags: ['generated'] });
        break;
      default:
        namedValues.push({
          name: `nv-${k}`,
          displayName,
          kind: 'keyVault',
          keyVault: {
            secretIdentifier: `https://contoso-vault.vault.azure.net/secrets/${displayName}`,
            identityClientId: '11111111-2222-3333-4444-555555555555',
            lastStatus: { code: k % 5 === 0 ? 'Forbidden' : 'Success', message: k % 5 === 0 ? 'The identity may not read this secret.' : undefined, timeStampUtc: '2026-11-21T09:30:00Z' },
          },
        });
    }
  }
  const base = testInstance();
  return { ...base, namedValues: [...base.namedValues, ...namedValues] };
}
