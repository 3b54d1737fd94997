/**
 * Drives the real `dist/server.js` over stdio, as other editors and tools
 * do: spawn it, speak LSP, collect what it publishes.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProtocolConnection } from 'vscode-languageserver-protocol/node';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type CompletionItem,
  type CompletionList,
  type Definition,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type PublishDiagnosticsParams,
  type SignatureHelp,
} from 'vscode-languageserver-protocol/node';
import type { InstanceFolder, InstanceMetadata } from '../../../protocol/protocol';
import { InstanceFoldersNotification, InstanceMetadataNotification } from '../../../protocol/protocol';
import { repoRoot } from '../../support/repo';

export interface SessionOptions {
  rootUri?: string;
  /** Extra CLI arguments or env for the server. */
  env?: NodeJS.ProcessEnv;
  /** What the client declares; by default snippet completion only. */
  capabilities?: ClientCapabilities;
}

export class LspSession {
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: Array<() => void> = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  /** Everything the server wrote to stdout and stderr, for leak checks. */
  readonly rawOutput: Buffer[] = [];
  readonly logMessages: string[] = [];

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
  ) {}

  static async start(options: SessionOptions = {}): Promise<LspSession> {
    const serverPath = path.join(repoRoot(), 'dist', 'server.js');
    assert.ok(fs.existsSync(serverPath), `${serverPath} is missing: run "npm run build" first`);
    const child = spawn(process.execPath, [serverPath, '--stdio'], { env: { ...process.env, ...options.env } });
    const session = new LspSession(
      child,
      createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin)),
    );
    child.stdout.on('data', (chunk: Buffer) => session.rawOutput.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => session.rawOutput.push(chunk));
    session.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      session.diagnostics.set(params.uri, params);
      for (const wake of session.waiters.splice(0)) wake();
    });
    session.connection.onNotification('window/logMessage', (params: { message: string }) => {
      session.logMessages.push(params.message);
    });
    session.connection.listen();
    await session.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.rootUri ?? null,
      workspaceFolders: options.rootUri ? [{ uri: options.rootUri, name: 'workspace' }] : null,
      capabilities: options.capabilities ?? { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
    });
    await session.connection.sendNotification('initialized', {});
    return session;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'apim-policy', version, text } });
  }

  /**
   * Opens a document whose text, on the wire, holds `bytes` where `marker`
   * is (for bytes that are not valid UTF-8 and cannot be sent as a string).
   */
  openWithBytes(uri: string, text: string, marker: string, bytes: Buffer): void {
    const json = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'apim-policy', version: 1, text } } }));
    const at = json.indexOf(marker);
    assert.ok(at >= 0, `no ${marker} in the text`);
    const body = Buffer.concat([json.subarray(0, at), bytes, json.subarray(at + Buffer.byteLength(marker))]);
    this.versions.set(uri, 1);
    this.texts.set(uri, Buffer.concat([Buffer.from(text.slice(0, text.indexOf(marker))), bytes, Buffer.from(text.slice(text.indexOf(marker) + marker.length))]).toString('utf8'));
    this.process.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  /** Replaces the whole text, as a full-content change carrying `version` (by default the next one). */
  async replaceAll(uri: string, text: string, version = (this.versions.get(uri) ?? 0) + 1): Promise<void> {
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** Whether the server process is still running. */
  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Replaces `[start, end)` (offsets) with `text` as an incremental change. */
  async edit(uri: string, start: number, end: number, text: string): Promise<void> {
    const before = this.texts.get(uri);
    assert.ok(before !== undefined, `${uri} is not open`);
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, before.slice(0, start) + text + before.slice(end));
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: positionAt(before, start), end: positionAt(before, end) }, text }],
    });
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  completion(uri: string, offset: number): Promise<CompletionList> {
    return this.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: positionAt(this.text(uri), offset) });
  }

  resolve(item: CompletionItem): Promise<CompletionItem> {
    return this.connection.sendRequest('completionItem/resolve', item);
  }

  hover(uri: string, offset: number): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionAt(this.text(uri), offset) });
  }

  signatureHelp(uri: string, offset: number): Promise<SignatureHelp | null> {
    return this.connection.sendRequest('textDocument/signatureHelp', { textDocument: { uri }, position: positionAt(this.text(uri), offset) });
  }

  definition(uri: string, offset: number): Promise<Definition | null> {
    return this.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: positionAt(this.text(uri), offset) });
  }

  symbols(uri: string): Promise<DocumentSymbol[]> {
    return this.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
  }

  folding(uri: string): Promise<FoldingRange[]> {
    return this.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri } });
  }

  async sendMetadata(metadata: InstanceMetadata): Promise<void> {
    await this.connection.sendNotification(InstanceMetadataNotification.method, metadata);
  }

  async sendFolders(folders: InstanceFolder[]): Promise<void> {
    await this.connection.sendNotification(InstanceFoldersNotification.method, { folders });
  }

  /** Waits until the diagnostics published for `uri` satisfy `predicate` (polling notifications, with a deadline). */
  async waitForDiagnostics(uri: string, predicate: (diagnostics: Diagnostic[]) => boolean, timeoutMs = 5000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const published = this.diagnostics.get(uri);
      const current = published && published.version === this.versions.get(uri) ? published.diagnostics : undefined;
      if (current && predicate(current)) return current;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`diagnostics for ${uri} did not match within ${timeoutMs} ms; last: ${JSON.stringify(published?.diagnostics ?? null)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.process.exitCode === null) this.process.kill();
  }
}

/** The LSP position of an offset: lines end at `\n`, `\r\n` or a lone `\r`, as in every LSP text document. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}
