/**
 * The APIOps artifact schemas (`schemas/apiops/*.schema.json`), the two validators they are checked
 * with, and the files they are checked against:
 * - Ajv in strict draft-07 mode: catches authoring mistakes in the schemas themselves (unknown
 *   keywords, missing types) and is an independent reading of draft-07;
 * - VS Code's own JSON language service: the diagnostics users actually see;
 * - the official ARM examples (api-version 2024-05-01) reshaped the way the APIOps extractor writes
 *   its files, and the demo workspace's artifact files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv, { type ErrorObject } from 'ajv';
import { getLanguageService, TextDocument, type ASTNode, type Diagnostic, type JSONSchema } from 'vscode-json-languageservice';
import { referenceDir, repoRoot } from '../support/repo';

/**
 * The artifact files with a schema, and the collection folder APIOps keeps each kind in
 * (Azure/apiops, `src/common/<Resource>.cs`: `FileName`, `CollectionDirectoryName`).
 */
export const ARTIFACTS = [
  { file: 'namedValueInformation.json', folder: 'named values' },
  { file: 'policyFragmentInformation.json', folder: 'policy fragments' },
  { file: 'apiInformation.json', folder: 'apis' },
  { file: 'backendInformation.json', folder: 'backends' },
  { file: 'productInformation.json', folder: 'products' },
  { file: 'loggerInformation.json', folder: 'loggers' },
  { file: 'versionSetInformation.json', folder: 'version sets' },
  { file: 'diagnosticInformation.json', folder: 'diagnostics' },
  { file: 'gatewayInformation.json', folder: 'gateways' },
  { file: 'groupInformation.json', folder: 'groups' },
  { file: 'tagInformation.json', folder: 'tags' },
  { file: 'subscriptionInformation.json', folder: 'subscriptions' },
  { file: 'workspaceInformation.json', folder: 'workspaces' },
] as const;

export type ArtifactFile = (typeof ARTIFACTS)[number]['file'];

export function schemaDir(): string {
  return path.join(repoRoot(), 'schemas', 'apiops');
}

export function schemaFileName(artifact: ArtifactFile): string {
  return artifact.replace(/\.json$/, '.schema.json');
}

const schemaCache = new Map<ArtifactFile, JSONSchema>();

export function loadSchema(artifact: ArtifactFile): JSONSchema {
  let schema = schemaCache.get(artifact);
  if (!schema) {
    schema = JSON.parse(fs.readFileSync(path.join(schemaDir(), schemaFileName(artifact)), 'utf8')) as JSONSchema;
    schemaCache.set(artifact, schema);
  }
  return schema;
}

// ---- Ajv ----------------------------------------------------------------------------------

/** Annotation keywords VS Code's JSON language service reads beyond draft-07. */
export const VS_CODE_KEYWORDS = ['markdownDescription', 'markdownEnumDescriptions', 'enumDescriptions', 'patternErrorMessage', 'errorMessage', 'doNotSuggest', 'defaultSnippets'];

export type AjvCheck = (value: unknown) => ErrorObject[];

/** Compiles the schema with Ajv in strict mode (throws on any authoring mistake); returns a checker listing the errors. */
export function ajvChecker(artifact: ArtifactFile): AjvCheck {
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  ajv.addVocabulary(VS_CODE_KEYWORDS);
  const validate = ajv.compile(loadSchema(artifact) as object);
  return (value) => (validate(value) ? [] : [...(validate.errors ?? [])]);
}

// ---- VS Code's JSON language service --------------------------------------------------------

/** A file URI as VS Code gives it, percent-encoded (`named%20values/...`). */
export function fileUri(relativePath: string): string {
  return pathToFileURL(path.join('/workspace', relativePath)).href;
}

export interface VsCodeResult {
  diagnostics: Diagnostic[];
  document: TextDocument;
  root: ASTNode | undefined;
}

/** Validates `text` with VS Code's JSON language service against the artifact's schema, with VS Code's default settings. */
export async function vscodeValidate(artifact: ArtifactFile, text: string): Promise<VsCodeResult> {
  const service = getLanguageService({});
  service.configure({ validate: true, allowComments: false });
  const document = TextDocument.create(fileUri(`apimartifacts/x/${artifact}`), 'json', 1, text);
  const jsonDocument = service.parseJSONDocument(document);
  const diagnostics = await service.doValidation(document, jsonDocument, {}, loadSchema(artifact));
  return { diagnostics, document, root: jsonDocument.root };
}

/** A place in a JSON document: `['properties', 'keyVault']`; `[]` is the whole document. */
export type JsonPath = ReadonlyArray<string | number>;

/** The AST node at a JSON path; throws when the path is not in the document. */
export function nodeAt(root: ASTNode | undefined, at: JsonPath): ASTNode {
  let node = root;
  for (const segment of at) {
    if (node?.type === 'object') node = node.properties.find((p) => p.keyNode.value === segment)?.valueNode;
    else if (node?.type === 'array' && typeof segment === 'number') node = node.items[segment];
    else node = undefined;
    if (!node) throw new Error(`the document has no node at /${at.join('/')}`);
  }
  if (!node) throw new Error('the document is empty');
  return node;
}

export function describeDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${typeof d.message === 'string' ? d.message : d.message.value}`).join('\n') || '(none)';
}

export function describeAjvErrors(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.keyword}: ${e.message ?? ''}`).join('\n') || '(none)';
}

// ---- the files the schemas are checked against ---------------------------------------------

export interface Sample {
  label: string;
  value: unknown;
}

type JsonObject = Record<string, unknown>;

interface ArmExample {
  parameters: JsonObject & { parameters?: unknown };
  responses: Record<string, { body?: unknown }>;
}

/**
 * Which official examples show each artifact: `shared` ones are in ../shared/reference/arm-examples,
 * `fixture` ones were copied from the same folder of Azure/azure-rest-api-specs into
 * test/schemas/fixtures/arm-examples (see its README) for the artifacts the shared set lacks.
 */
export const ARM_EXAMPLES: Record<ArtifactFile, Array<{ shared: string } | { fixture: string }>> = {
  'namedValueInformation.json': [
    { shared: 'ApiManagementCreateNamedValue.json' },
    { shared: 'ApiManagementCreateNamedValueWithKeyVault.json' },
    { shared: 'ApiManagementGetNamedValue.json' },
    { shared: 'ApiManagementGetNamedValueWithKeyVault.json' },
    { shared: 'ApiManagementListNamedValues.json' },
    { shared: 'ApiManagementRefreshNamedValue.json' },
    { shared: 'ApiManagementUpdateNamedValue.json' },
  ],
  'policyFragmentInformation.json': [
    { shared: 'ApiManagementCreatePolicyFragment.json' },
    { shared: 'ApiManagementGetPolicyFragment.json' },
    { shared: 'ApiManagementGetPolicyFragmentFormat.json' },
    { shared: 'ApiManagementListPolicyFragments.json' },
  ],
  'apiInformation.json': [{ shared: 'ApiManagementListApis.json' }],
  'backendInformation.json': [{ shared: 'ApiManagementListBackends.json' }, { fixture: 'ApiManagementCreateBackendWithPriorityBasedLoadBalancer.json' }],
  'productInformation.json': [{ shared: 'ApiManagementListProducts.json' }],
  'loggerInformation.json': [{ shared: 'ApiManagementListLoggers.json' }],
  'versionSetInformation.json': [{ fixture: 'ApiManagementCreateApiVersionSet.json' }],
  'diagnosticInformation.json': [{ fixture: 'ApiManagementCreateDiagnostic.json' }],
  'gatewayInformation.json': [{ fixture: 'ApiManagementCreateGateway.json' }],
  'groupInformation.json': [{ fixture: 'ApiManagementCreateGroupExternal.json' }],
  'tagInformation.json': [{ fixture: 'ApiManagementCreateTag.json' }],
  'subscriptionInformation.json': [{ fixture: 'ApiManagementCreateSubscription.json' }],
  'workspaceInformation.json': [{ shared: 'ApiManagementListWorkspaces.json' }, { fixture: 'ApiManagementCreateWorkspace.json' }],
};

export function fixtureExamplesDir(): string {
  return path.join(repoRoot(), 'test', 'schemas', 'fixtures', 'arm-examples');
}

/** Properties ARM only ever returns (readOnly in the 2024-05-01 contract); the extractor's DTOs leave them out. */
const READ_ONLY_PATHS = [['provisioningState'], ['keyVault', 'lastStatus'], ['isOnline'], ['createdDate'], ['builtIn']];

function withoutReadOnly(properties: JsonObject): JsonObject {
  const copy = structuredClone(properties);
  for (const readOnlyPath of READ_ONLY_PATHS) {
    let owner: unknown = copy;
    for (const key of readOnlyPath.slice(0, -1)) owner = owner && typeof owner === 'object' ? (owner as JsonObject)[key] : undefined;
    if (owner && typeof owner === 'object') delete (owner as JsonObject)[readOnlyPath[readOnlyPath.length - 1]];
  }
  return copy;
}

function resourceBodies(example: ArmExample): Array<{ where: string; properties: JsonObject }> {
  const bodies: Array<{ where: string; body: unknown }> = [{ where: 'request', body: example.parameters.parameters }];
  for (const [status, response] of Object.entries(example.responses)) {
    const body = response.body as { value?: unknown[] } | undefined;
    if (Array.isArray(body?.value)) body.value.forEach((item, index) => bodies.push({ where: `${status} value[${index}]`, body: item }));
    else bodies.push({ where: status, body });
  }
  return bodies.flatMap(({ where, body }) => {
    const properties = (body as { properties?: unknown } | undefined)?.properties;
    return properties && typeof properties === 'object' ? [{ where, properties: properties as JsonObject }] : [];
  });
}

/**
 * The artifact's official examples as APIOps files: `{ "properties": … }` from the request body and
 * every response body, without the read-only fields (as the extractor writes them) and, when that
 * differs, also as ARM returned them (a file copied from a GET response).
 */
export function armExampleSamples(artifact: ArtifactFile): Sample[] {
  return ARM_EXAMPLES[artifact].flatMap((source) => {
    const [name, file] = 'shared' in source ? [source.shared, path.join(referenceDir(), 'arm-examples', source.shared)] : [source.fixture, path.join(fixtureExamplesDir(), source.fixture)];
    const example = JSON.parse(fs.readFileSync(file, 'utf8')) as ArmExample;
    return resourceBodies(example).flatMap(({ where, properties }) => {
      const extracted = { label: `${name} ${where}`, value: { properties: withoutReadOnly(properties) } };
      const returned = { label: `${name} ${where} as returned`, value: { properties } };
      return JSON.stringify(extracted.value) === JSON.stringify(returned.value) ? [extracted] : [extracted, returned];
    });
  });
}

/** Every APIOps artifact file of the demo workspace (demo/workspace/apimartifacts), by artifact kind. */
export function demoArtifactFiles(): Array<{ artifact: ArtifactFile; relativePath: string; text: string }> {
  const root = path.join(repoRoot(), 'demo', 'workspace');
  const known = new Set<string>(ARTIFACTS.map((a) => a.file));
  const found: Array<{ artifact: ArtifactFile; relativePath: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (known.has(entry.name)) found.push({ artifact: entry.name as ArtifactFile, relativePath: path.relative(root, full), text: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(path.join(root, 'apimartifacts'));
  return found.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
}
