// The examples of Microsoft Learn's policy reference pages (test/unit/fixtures/
// learn-corpus: the ```xml blocks of articles/api-management/*-policy.md, kept
// verbatim) must validate without a single Error — C# checks included. Blocks
// marked "```xml wrong <code>: why" are the known mistakes on those pages; each
// must get exactly that diagnostic. See the corpus README for what was left out.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getDefaultCatalog } from '../../server/src/language/catalog/catalog';
import { SECTION_NAMES } from '../../server/src/language/catalog/types';
import type { PolicyDiagnostic } from '../../server/src/language/languageService';
import { repoRoot } from '../support/repo';
import { enableCSharp } from './support/csharp';
import { languageService, parse } from './support/cursor';

interface Example {
  page: string;
  index: number;
  xml: string;
  /** For a known-wrong example: the diagnostic code it must get. */
  wrong?: string;
}

const CORPUS = path.join(repoRoot(), 'test/unit/fixtures/learn-corpus');

function examples(): Example[] {
  const result: Example[] = [];
  for (const file of fs.readdirSync(CORPUS).filter((f) => f.endsWith('.md') && f !== 'README.md').sort()) {
    const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
    let index = 0;
    for (const match of text.matchAll(/^```xml([^\n]*)\n([\s\S]*?)^```$/gm)) {
      const wrong = /^\s+wrong\s+([a-z-]+):/.exec(match[1])?.[1];
      result.push({ page: file.replace(/\.md$/, ''), index: ++index, xml: match[2], wrong });
    }
  }
  return result;
}

/** Top-level element names of a snippet (comments skipped). */
function topLevelNames(xml: string): string[] {
  const doc = parse(`<fragment>${xml}</fragment>`).doc;
  return (doc.root?.children ?? []).filter((c) => c.kind === 'element').map((c) => (c as { name: string }).name);
}

/** The snippet as a whole policy document, in a section every top-level policy may appear in. */
export function asDocument(xml: string): string {
  const names = topLevelNames(xml);
  if (names[0] === 'policies' || names[0] === 'fragment') return xml;
  if ((SECTION_NAMES as readonly string[]).includes(names[0])) return `<policies>${xml}</policies>`;
  const catalog = getDefaultCatalog();
  // Every policy named anywhere in the snippet (nested ones too) must be allowed in the section.
  const policies = [...new Set([...xml.matchAll(/<([a-z][a-z-]*)/g)].map((m) => m[1]))].filter((n) => catalog.getPolicy(n)?.sections.length);
  const section = SECTION_NAMES.find((s) => policies.every((n) => catalog.getPolicy(n)?.sections.includes(s)));
  return section ? `<policies><${section}>${xml}</${section}></policies>` : `<fragment>${xml}</fragment>`;
}

const describeDiagnostics = (text: string, diagnostics: PolicyDiagnostic[]): string =>
  diagnostics.map((d) => `${d.code} at ${JSON.stringify(text.slice(d.start, d.end))}: ${d.message}`).join('\n      ');

describe('Microsoft Learn policy examples', () => {
  before(enableCSharp);
  const all = examples();

  it('the corpus holds the reference pages\' examples', () => {
    assert.ok(all.length >= 60, `only ${all.length} examples`);
    assert.ok(all.filter((e) => /@[({]/.test(e.xml)).length >= 35, 'examples with expressions');
  });

  it('every valid example validates without an Error', () => {
    const problems: string[] = [];
    for (const example of all.filter((e) => !e.wrong)) {
      const text = asDocument(example.xml);
      const errors = languageService().doValidation(parse(text)).filter((d) => d.severity === 'error');
      if (errors.length) problems.push(`${example.page} #${example.index}:\n      ${describeDiagnostics(text, errors)}`);
    }
    assert.equal(problems.length, 0, `\n${problems.join('\n')}`);
  });

  it('every known mistake on the pages gets its diagnostic, once', () => {
    const wrong = all.filter((e) => e.wrong);
    assert.ok(wrong.length >= 4, 'the mistakes the issue lists');
    for (const example of wrong) {
      const text = asDocument(example.xml);
      const errors = languageService().doValidation(parse(text)).filter((d) => d.severity === 'error');
      const where = `${example.page} #${example.index}:\n      ${describeDiagnostics(text, errors)}`;
      assert.ok(errors.length > 0 && errors.every((d) => d.code === example.wrong), where);
      // One C# mistake, one diagnostic: no cascade.
      if (example.wrong !== 'malformed-xml') assert.equal(errors.length, 1, where);
    }
  });
});
