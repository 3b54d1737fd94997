// Helpers for suites that run inside the extension host (code-server's or Electron's): the
// extension's API, the emulator's control endpoints, the demo fixture as the independent source
// of expected values, workspace files, and polling with deadlines (never fixed sleeps).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApimPolicyExtensionApi } from '../../../client/src/api';
import type { InstanceFixture, VaultSecretState } from '../../../emulator/types';
import { repoRoot } from '../../harness/paths';
import { waitFor } from '../../harness/wait';
import { EmulatorClient } from './emulatorClient';
import { ENV, REAL_EXTENSION_ID, SECRET_MARKER } from './envNames';

export { SECRET_MARKER };

/** Value the suites give a Key Vault secret they restore; carries the marker so leak checks see it too. */
export const RESTORED_SECRET = `${SECRET_MARKER}restored-by-the-integration-suite`;

/** Environment variable set by the driver; a clear message when a suite is started some other way. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: the in-host suites need the emulator started by their driver. ` +
        'Run `node out/test/integration/run.js` (code-server) or `node out/test/integration/run.js --host electron`.',
    );
  }
  return value;
}

export function extensionId(): string {
  return process.env[ENV.extensionId] || REAL_EXTENSION_ID;
}

/** Polls `check` every 50 ms until it returns something other than undefined/false. */
export function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, description: string, timeoutMs = 20_000, detail?: () => string): Promise<T> {
  return waitFor(check, { timeoutMs, intervalMs: 50, description, detail });
}

/** The extension under test, activated, with its exported API. */
export async function extensionApi(): Promise<ApimPolicyExtensionApi> {
  const extension = vscode.extensions.getExtension<ApimPolicyExtensionApi>(extensionId());
  if (!extension) throw new Error(`extension ${extensionId()} is not installed`);
  const api = await extension.activate();
  if (!api) throw new Error(`extension ${extensionId()} activated without returning its API`);
  await api.connection.ready;
  return api;
}

/** The API once the extension is connected to the demo instance and has its metadata. */
export async function connectedApi(): Promise<ApimPolicyExtensionApi> {
  const api = await extensionApi();
  await until(
    () => api.connection.state === 'connected' && api.connection.metadata() !== undefined,
    'the extension connected to the emulator through the workspace settings',
    60_000,
    () => `state ${api.connection.state}, auth ${api.connection.authState}; see the "APIM Policy" output`,
  );
  return api;
}

let emulatorClient: EmulatorClient | undefined;

/** Control client for the demo emulator (URL and CA from the driver's environment). */
export function emulator(): EmulatorClient {
  emulatorClient ??= new EmulatorClient(requireEnv(ENV.emulatorUrl), fs.readFileSync(requireEnv(ENV.emulatorCa), 'utf8'));
  return emulatorClient;
}

/**
 * Puts the emulator back to its fixture and reloads the extension from it (a suite's `before`),
 * so suites do not depend on the order mocha runs them in.
 */
export async function resetInstance(api: ApimPolicyExtensionApi): Promise<void> {
  await emulator().reset();
  api.namedValues.setFilter('all');
  const results = await api.connection.refresh();
  const failed = results.filter((r) => !r.outcome.ok);
  if (failed.length > 0) throw new Error(`reloading after the emulator reset failed: ${JSON.stringify(failed.map((r) => r.serviceName))}`);
  await api.connection.whenIdle();
}

export async function setVault(vault: string, secret: string | null, state: VaultSecretState): Promise<void> {
  await emulator().setVault(vault, secret, state);
}

// ---- the demo fixture: what the instance holds, independent of the extension ----------------

let fixtureCache: InstanceFixture | undefined;

export function demoFixture(): InstanceFixture {
  fixtureCache ??= JSON.parse(fs.readFileSync(path.join(repoRoot(), 'emulator', 'fixtures', 'demo-instance.json'), 'utf8')) as InstanceFixture;
  return fixtureCache;
}

export interface FixtureNamedValue {
  name: string;
  displayName: string;
  kind: 'plain' | 'secret' | 'keyVault';
  value?: string;
  tags: string[];
  secretIdentifier?: string;
  identityClientId?: string;
}

/** Named values of the demo service (the first service of the fixture). */
export function fixtureNamedValues(): FixtureNamedValue[] {
  return (demoFixture().services[0].namedValues ?? []).map((resource) => {
    const p = resource.properties as { displayName: string; secret?: boolean; value?: string; tags?: string[]; keyVault?: { secretIdentifier: string; identityClientId?: string } };
    return {
      name: resource.name,
      displayName: p.displayName,
      kind: p.keyVault ? 'keyVault' : p.secret ? 'secret' : 'plain',
      value: p.value,
      tags: p.tags ?? [],
      secretIdentifier: p.keyVault?.secretIdentifier,
      identityClientId: p.keyVault?.identityClientId,
    };
  });
}

/** Every secret value the fixture holds (secret named values and Key Vault secrets). */
export function fixtureSecretValues(): string[] {
  const fixture = demoFixture();
  const values = new Set<string>();
  for (const service of fixture.services) {
    for (const nv of service.namedValues ?? []) {
      const p = nv.properties as { secret?: boolean; value?: string };
      if (p.secret && p.value) values.add(p.value);
    }
  }
  for (const vault of Object.values(fixture.vaults ?? {})) for (const secret of Object.values(vault.secrets)) values.add(secret.value);
  return [...values];
}

/** Markdown without its backslash escapes (`contoso\\-kv` → `contoso-kv`), so searches see the words. */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1');
}

/** Fails when `text` (or its Markdown-unescaped form) contains a fixture secret or the marker every secret starts with. */
export function assertNoSecrets(text: string, where: string): void {
  for (const form of [text, unescapeMarkdown(text)]) {
    if (form.includes(SECRET_MARKER)) throw new Error(`${where} contains a secret value (marker ${SECRET_MARKER}): ${text}`);
    for (const secret of fixtureSecretValues()) if (form.includes(secret)) throw new Error(`${where} contains a secret value: ${text}`);
  }
}

// ---- workspace files -----------------------------------------------------------------------

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open (the driver opens a copy of demo/workspace)');
  return folder;
}

export function workspaceUri(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...relativePath.split('/'));
}

/** Opens a workspace file in an editor and returns its document. */
export async function openWorkspaceFile(relativePath: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relativePath));
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** Writes a file under the workspace's `test-scratch/` folder, opens it and returns its document. */
export async function scratchFile(name: string, content: string): Promise<vscode.TextDocument> {
  const uri = workspaceUri(`test-scratch/${name}`);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** Position just after the `occurrence`-th (0-based) match of `needle` (or at its start with `at: 'start'`). */
export function positionOf(document: vscode.TextDocument, needle: string, options: { occurrence?: number; at?: 'start' | 'end' } = {}): vscode.Position {
  const text = document.getText();
  let index = -1;
  for (let i = 0; i <= (options.occurrence ?? 0); i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" (occurrence ${options.occurrence ?? 0}) is not in ${document.uri.toString()}`);
  }
  return document.positionAt(options.at === 'start' ? index : index + needle.length);
}

/** The range of the first `needle` in the document. */
export function rangeOf(document: vscode.TextDocument, needle: string): vscode.Range {
  const start = positionOf(document, needle, { at: 'start' });
  return new vscode.Range(start, document.positionAt(document.offsetAt(start) + needle.length));
}

// ---- diagnostics ---------------------------------------------------------------------------

export function diagnosticCode(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  if (code === undefined) return '';
  return typeof code === 'object' ? String(code.value) : String(code);
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const list = vscode.languages.getDiagnostics(uri);
  return list.length === 0 ? '(no diagnostics)' : list.map((d) => `${diagnosticCode(d)} @${d.range.start.line}:${d.range.start.character} ${d.message}`).join('\n');
}

/** Waits until the document's diagnostics satisfy `predicate`; returns them. */
export function waitForDiagnostics(uri: vscode.Uri, predicate: (diagnostics: vscode.Diagnostic[]) => boolean, description: string, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  return until(
    () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      return predicate(diagnostics) ? diagnostics : undefined;
    },
    description,
    timeoutMs,
    () => `diagnostics of ${uri.toString()}:\n${describeDiagnostics(uri)}`,
  );
}

export function hasDiagnostic(diagnostics: vscode.Diagnostic[], code: string, range?: vscode.Range): boolean {
  return diagnostics.some((d) => diagnosticCode(d) === code && (!range || d.range.intersection(range) !== undefined));
}

// ---- language feature results -------------------------------------------------------------

export function completionLabel(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

export function markdownText(content: vscode.MarkdownString | vscode.MarkedString | string | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return 'value' in content ? content.value : '';
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents.map((content) => markdownText(content as vscode.MarkdownString))).join('\n');
}

/** Location or LocationLink → target URI and range. */
export function definitionTarget(result: vscode.Location | vscode.LocationLink): { uri: vscode.Uri; range: vscode.Range } {
  return 'targetUri' in result ? { uri: result.targetUri, range: result.targetSelectionRange ?? result.targetRange } : { uri: result.uri, range: result.range };
}
