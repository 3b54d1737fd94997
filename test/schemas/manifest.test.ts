/**
 * package.json's `jsonValidation` contributions: every entry points to a schema that exists, every
 * schema has an entry, and VS Code's JSON language service associates each schema with the paths
 * APIOps writes (folder names with spaces included) and with nothing else.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getLanguageService, TextDocument } from 'vscode-json-languageservice';
import { repoRoot } from '../support/repo';
import { ARTIFACTS, fileUri, schemaDir, schemaFileName, type ArtifactFile } from './support';

interface JsonValidation {
  fileMatch: string | string[];
  url: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { contributes: { jsonValidation?: JsonValidation[] } };
const entries = manifest.contributes.jsonValidation ?? [];

/** The extension-relative schema URL of an artifact, as package.json writes it. */
function schemaUrl(artifact: ArtifactFile): string {
  return `./schemas/apiops/${schemaFileName(artifact)}`;
}

/** A contributed URL as the JSON extension hands it to its server: `./…` resolved against the extension's folder. */
function resolvedUrl(url: string): string {
  return url.startsWith('./') ? pathToFileURL(path.join(repoRoot(), url)).href : url;
}

/**
 * The language service configured the way VS Code's JSON extension configures its server from the
 * contributions (extensions/json-language-features/client/src/jsonClient.ts, getSchemaAssociations):
 * a pattern not starting with a scheme, `/` or `!` gets a leading `/`.
 */
function schemasVsCodeAssociates(relativePath: string): string[] {
  const service = getLanguageService({});
  service.configure({
    validate: true,
    schemas: entries.map((entry) => ({
      uri: resolvedUrl(entry.url),
      fileMatch: (Array.isArray(entry.fileMatch) ? entry.fileMatch : [entry.fileMatch]).map((pattern) => (/^(\w+:\/\/|\/|!)/.test(pattern) ? pattern : `/${pattern}`)),
    })),
  });
  const document = TextDocument.create(fileUri(relativePath), 'json', 1, '{}');
  return service.getLanguageStatus(document, service.parseJSONDocument(document)).schemas;
}

/** Where APIOps puts each artifact: at the top of the artifacts folder, inside a workspace, and the special places some kinds have. */
function apiopsPaths(artifact: ArtifactFile, folder: string): string[] {
  const paths = [`apimartifacts/${folder}/orders/${artifact}`];
  if (artifact !== 'workspaceInformation.json') paths.push(`apimartifacts/workspaces/team-a/${folder}/orders/${artifact}`);
  if (artifact === 'apiInformation.json') paths.push('apimartifacts/apis/orders-api;rev=2/apiInformation.json');
  if (artifact === 'diagnosticInformation.json') paths.push('apimartifacts/apis/orders-api/diagnostics/applicationinsights/diagnosticInformation.json');
  return paths;
}

describe('schemas/manifest (package.json jsonValidation)', () => {
  it('has one entry per APIOps artifact schema, each pointing to an existing schema in schemas/apiops', () => {
    assert.deepEqual(
      entries.map((e) => e.url).sort(),
      ARTIFACTS.map((a) => schemaUrl(a.file)).sort(),
    );
    for (const entry of entries) assert.ok(fs.existsSync(path.join(repoRoot(), entry.url)), `${entry.url} does not exist`);
    assert.deepEqual(
      fs.readdirSync(schemaDir()).filter((f) => f.endsWith('.schema.json')).sort(),
      ARTIFACTS.map((a) => schemaFileName(a.file)).sort(),
      'every schema file in schemas/apiops has an entry',
    );
  });

  for (const { file, folder } of ARTIFACTS) {
    it(`associates ${file} at the paths APIOps writes ("${folder}/<name>/${file}")`, () => {
      for (const relativePath of apiopsPaths(file, folder)) {
        assert.ok(fileUri(relativePath).includes('%20') === folder.includes(' '), 'the URI is percent-encoded as VS Code gives it');
        assert.deepEqual(schemasVsCodeAssociates(relativePath), [resolvedUrl(schemaUrl(file))], relativePath);
      }
    });
  }

  it('leaves files of the same name outside the APIOps layout alone', () => {
    for (const relativePath of [
      'namedValueInformation.json',
      'src/namedValueInformation.json',
      'apimartifacts/named values/namedValueInformation.json',
      'apimartifacts/named values/orders/backup/namedValueInformation.json',
      'apimartifacts/apis/orders-api/operations/get-order/apiInformation.json',
      'apimartifacts/named-values/orders/namedValueInformation.json',
      'apimartifacts/products/starter/productInformation.json.bak',
    ]) {
      assert.deepEqual(schemasVsCodeAssociates(relativePath), [], relativePath);
    }
  });
});
