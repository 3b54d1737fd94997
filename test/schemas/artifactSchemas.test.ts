/**
 * The APIOps artifact schemas against real files: each accepts the official ARM examples reshaped
 * as APIOps files and the demo workspace's files (zero false errors), and rejects a broken file of
 * its kind where the problem is. Every verdict is reached twice, by Ajv (strict draft-07) and by
 * VS Code's JSON language service, and the two must agree.
 */
import * as assert from 'node:assert/strict';
import {
  ajvChecker,
  ARTIFACTS,
  armExampleSamples,
  demoArtifactFiles,
  describeAjvErrors,
  describeDiagnostics,
  loadSchema,
  nodeAt,
  vscodeValidate,
  type ArtifactFile,
  type JsonPath,
} from './support';
import { BROKEN_FILES, FILES_APIM_ACCEPTS } from './cases';

async function assertAccepted(artifact: ArtifactFile, label: string, value: unknown, text = JSON.stringify(value, null, 2)): Promise<void> {
  const errors = ajvChecker(artifact)(value);
  assert.deepEqual(errors, [], `${label}: Ajv rejects it:\n${describeAjvErrors(errors)}`);
  const { diagnostics } = await vscodeValidate(artifact, text);
  assert.deepEqual(diagnostics, [], `${label}: VS Code reports:\n${describeDiagnostics(diagnostics)}`);
}

function pointer(at: JsonPath): string {
  return at.map((segment) => `/${segment}`).join('');
}

async function assertRejected(artifact: ArtifactFile, label: string, value: unknown, at: JsonPath, keyword: string, vscodeMessage?: RegExp): Promise<void> {
  const errors = ajvChecker(artifact)(value);
  assert.ok(
    errors.some((e) => e.instancePath === pointer(at) && e.keyword === keyword),
    `${label}: expected Ajv's "${keyword}" error at ${pointer(at) || '/'}, got:\n${describeAjvErrors(errors)}`,
  );
  const { diagnostics, document, root } = await vscodeValidate(artifact, JSON.stringify(value, null, 2));
  // VS Code reports a missing property on the key of the object that lacks it: look at the whole `"key": value`.
  const node = nodeAt(root, at);
  const span = node.parent?.type === 'property' ? node.parent : node;
  const inside = diagnostics.filter((d) => {
    const offset = document.offsetAt(d.range.start);
    return offset >= span.offset && offset <= span.offset + span.length;
  });
  assert.ok(inside.length > 0, `${label}: expected a VS Code diagnostic inside ${pointer(at) || '/'}, got:\n${describeDiagnostics(diagnostics)}`);
  if (vscodeMessage) assert.ok(inside.some((d) => vscodeMessage.test(typeof d.message === 'string' ? d.message : d.message.value)), `${label}: no VS Code message matches ${vscodeMessage}:\n${describeDiagnostics(inside)}`);
}

describe('schemas/apiops: APIOps artifact schemas', () => {
  for (const { file: artifact } of ARTIFACTS) {
    describe(artifact, () => {
      it('compiles as a strict draft-07 schema with a title and a Learn link', () => {
        ajvChecker(artifact);
        const schema = loadSchema(artifact);
        assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
        assert.match(schema.title ?? '', new RegExp(`\\(${artifact.replace('.', '\\.')}\\)$`));
        assert.match(schema.markdownDescription ?? '', /\]\(https:\/\/learn\.microsoft\.com\/[^)\s]+\)/);
      });

      it('accepts the official ARM examples (api-version 2024-05-01) reshaped as APIOps files', async () => {
        const samples = armExampleSamples(artifact);
        assert.ok(samples.length > 0, `no example shows ${artifact}`);
        for (const sample of samples) await assertAccepted(artifact, sample.label, sample.value);
      });

      it('rejects a file without the `properties` wrapper (the flat SDK shape)', async () => {
        const [first] = armExampleSamples(artifact);
        const flat = (first.value as { properties: unknown }).properties;
        await assertRejected(artifact, 'flat file', flat, [], 'required', /"properties"/);
      });

      for (const broken of BROKEN_FILES[artifact]) {
        it(`rejects ${broken.name}`, async () => {
          await assertRejected(artifact, broken.name, broken.value, broken.at, broken.keyword, broken.vscodeMessage);
        });
      }

      for (const accepted of FILES_APIM_ACCEPTS[artifact] ?? []) {
        it(`accepts ${accepted.name}`, async () => {
          await assertAccepted(artifact, accepted.name, accepted.value);
        });
      }
    });
  }

  it("accepts the demo workspace's artifact files as they are on disk", async () => {
    const files = demoArtifactFiles();
    assert.deepEqual(
      files.map((f) => f.relativePath),
      [
        'apimartifacts/named values/api-version-header/namedValueInformation.json',
        'apimartifacts/named values/kv-legacy-partner-key/namedValueInformation.json',
        'apimartifacts/policy fragments/cors-default/policyFragmentInformation.json',
      ],
    );
    for (const file of files) await assertAccepted(file.artifact, file.relativePath, JSON.parse(file.text), file.text);
  });

  it('describes every property it declares, in Markdown', () => {
    const undescribed: string[] = [];
    const visit = (schema: unknown, where: string, definitions: Record<string, unknown>): void => {
      if (!schema || typeof schema !== 'object') return;
      const node = schema as Record<string, unknown>;
      const ref = typeof node.$ref === 'string' ? definitions[node.$ref.replace('#/definitions/', '')] : undefined;
      for (const [name, property] of Object.entries((node.properties as Record<string, unknown> | undefined) ?? {})) {
        const own = property as Record<string, unknown>;
        const target = typeof own.$ref === 'string' ? (definitions[own.$ref.replace('#/definitions/', '')] as Record<string, unknown>) : own;
        if (typeof own.markdownDescription !== 'string' && typeof target?.markdownDescription !== 'string') undescribed.push(`${where}.${name}`);
        if (typeof own.$ref !== 'string') visit(own, `${where}.${name}`, definitions);
      }
      for (const key of ['items', 'additionalProperties']) visit(node[key], `${where}[${key}]`, definitions);
      if (ref) visit(ref, where, definitions);
    };
    for (const { file } of ARTIFACTS) {
      const schema = loadSchema(file) as { definitions?: Record<string, unknown> };
      visit(schema, file, schema.definitions ?? {});
      for (const [name, definition] of Object.entries(schema.definitions ?? {})) visit(definition, `${file}#${name}`, schema.definitions ?? {});
    }
    assert.deepEqual(undescribed, []);
  });
});
