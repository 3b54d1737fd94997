/**
 * The APIM policy language server: glue between LSP and the language core.
 * `node dist/server.js --stdio` runs it standalone.
 */
import type { Connection, Definition, InitializeParams, InitializeResult } from 'vscode-languageserver';
import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  InstanceFoldersNotification,
  InstanceMetadataNotification,
  InstanceRemovedNotification,
} from '../../protocol/protocol';
import { instanceDocumentUri, parseInstanceDocumentUri } from '../../protocol/instanceDocuments';
import {
  completionItemData,
  toCompletionList,
  toDiagnostic,
  toDocumentSymbols,
  toFoldingRanges,
  toHover,
  toRange,
  toSignatureHelp,
  withDetails,
} from './conversions';
import { loadBundledCSharpParser } from './csharpWasm';
import { PolicyDocuments } from './documents';
import { InstanceRegistry } from './instances';
import type { DefinitionTarget, LanguageSettings } from './language/languageService';
import { getLanguageService } from './language/languageService';
import { checkInstanceFolders, checkInstanceMetadata } from './metadataCheck';
import { runSafe, runSafeAsync } from './runSafe';
import { WorkspaceArtifacts } from './workspaceArtifacts';

/**
 * Pause after a change before diagnostics are computed, so typing is not
 * slowed down. `APIM_POLICY_VALIDATION_DELAY_MS` overrides it (tests use a
 * long one to prove a newly opened document does not wait for it).
 */
const VALIDATION_DELAY_MS = validationDelay(process.env.APIM_POLICY_VALIDATION_DELAY_MS);

function validationDelay(setting: string | undefined): number {
  const ms = Number(setting);
  return setting && Number.isFinite(ms) && ms >= 0 ? ms : 200;
}

export function startServer(connection: Connection): void {
  const languageService = getLanguageService();
  const documents = new PolicyDocuments(languageService);
  const instances = new InstanceRegistry();
  const artifacts = new WorkspaceArtifacts();
  const log = { error: (message: string) => connection.console.error(message), warn: (message: string) => connection.console.warn(message) };
  const pendingValidation = new Map<string, ReturnType<typeof setTimeout>>();
  let pullConfiguration = false;
  let folderEvents = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pullConfiguration = !!params.capabilities.workspace?.configuration;
    folderEvents = !!params.capabilities.workspace?.workspaceFolders;
    artifacts.setFolders((params.workspaceFolders ?? []).map((f) => f.uri).concat(params.rootUri && !params.workspaceFolders?.length ? [params.rootUri] : []));
    const options = params.initializationOptions as { settings?: LanguageSettings } | undefined;
    if (options?.settings) languageService.configure(options.settings);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['<', '/', ' ', '"', "'", '{', '.'], resolveProvider: true },
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [')'] },
        hoverProvider: true,
        definitionProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: folderEvents } },
      },
      serverInfo: { name: 'APIM Policy Language Server' },
    };
  });

  connection.onInitialized(() => {
    if (pullConfiguration) void refreshSettings();
    // C# in expressions needs the parser's WebAssembly; everything else works while it loads.
    loadBundledCSharpParser().then(
      (parser) => {
        languageService.setCSharpParser(parser);
        revalidateAll();
      },
      (error: unknown) => log.error(`Policy expressions: the C# parser did not load, so C# completion and checks are off. ${error instanceof Error ? error.message : String(error)}`),
    );
    if (folderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders(() => {
        void connection.workspace.getWorkspaceFolders().then((folders) => artifacts.setFolders((folders ?? []).map((f) => f.uri)));
      });
    }
  });

  async function refreshSettings(): Promise<void> {
    try {
      const settings = (await connection.workspace.getConfiguration('apimPolicy')) as
        | { validation?: { unknownAttributes?: boolean }; completion?: { hideUnavailablePolicies?: boolean } }
        | undefined;
      languageService.configure({
        validateUnknownAttributes: settings?.validation?.unknownAttributes !== false,
        hideUnavailablePolicies: settings?.completion?.hideUnavailablePolicies === true,
      });
      revalidateAll();
    } catch (error) {
      log.error(`Reading settings failed: ${String(error)}`);
    }
  }

  connection.onDidChangeConfiguration((change) => {
    if (pullConfiguration) void refreshSettings();
    else {
      const settings = (change.settings as { apimPolicy?: LanguageSettings } | undefined)?.apimPolicy;
      if (settings) languageService.configure(settings);
      revalidateAll();
    }
  });

  connection.onDidChangeWatchedFiles(() => artifacts.invalidate());

  // ---- diagnostics --------------------------------------------------------

  function validateNow(uri: string): void {
    pendingValidation.delete(uri);
    const document = documents.get(uri);
    if (!document) return;
    try {
      const parsed = documents.getParsed(document);
      const diagnostics = languageService.doValidation(parsed, instances.forDocument(uri)).map((d) => toDiagnostic(document, d));
      void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
      // A large document seen for the first time gets its C# checks over several passes.
      if (languageService.expressions.pending) scheduleValidation(uri, 0);
    } catch (error) {
      log.error(`Validating ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  function scheduleValidation(uri: string, delay = VALIDATION_DELAY_MS): void {
    const previous = pendingValidation.get(uri);
    if (previous) clearTimeout(previous);
    pendingValidation.set(uri, setTimeout(() => validateNow(uri), delay));
  }

  function revalidateAll(): void {
    for (const document of documents.all()) scheduleValidation(document.uri, 0);
  }

  // Opening fires a content change right after; that one must not push the first diagnostics back by the typing delay.
  const justOpened = new Set<string>();
  documents.documents.onDidOpen((event) => {
    justOpened.add(event.document.uri);
    scheduleValidation(event.document.uri, 0);
  });
  documents.documents.onDidChangeContent((event) => {
    if (justOpened.delete(event.document.uri)) return;
    scheduleValidation(event.document.uri);
  });
  documents.documents.onDidClose((event) => {
    const pending = pendingValidation.get(event.document.uri);
    if (pending) clearTimeout(pending);
    pendingValidation.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  // ---- instance metadata ---------------------------------------------------

  // Whatever arrives is checked first: one malformed entry is set aside (and logged), never the whole instance.
  connection.onNotification(InstanceMetadataNotification.method, (params: unknown) => {
    try {
      const checked = checkInstanceMetadata(params);
      for (const problem of checked.problems) log.warn(problem);
      if (!checked.metadata) return;
      instances.set(checked.metadata, checked.unreadableNamedValues);
      revalidateAll();
    } catch (error) {
      log.error(`Instance metadata rejected: ${String(error)}`);
    }
  });
  connection.onNotification(InstanceFoldersNotification.method, (params: unknown) => {
    const { folders, problems } = checkInstanceFolders(params);
    for (const problem of problems) log.warn(problem);
    instances.setFolders(folders);
    revalidateAll();
  });
  connection.onNotification(InstanceRemovedNotification.method, (params: Partial<InstanceRemovedNotification.Params> | undefined) => {
    if (typeof params?.instanceId !== 'string') return log.warn('Instance removal ignored: `instanceId` is not a string.');
    instances.remove(params.instanceId);
    revalidateAll();
  });

  // ---- requests -----------------------------------------------------------

  connection.onCompletion((params, token) =>
    runSafe(log, 'completion', token, null, () => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return null;
      const parsed = documents.getParsed(document);
      const result = languageService.doComplete(parsed, document.offsetAt(params.position), instances.forDocument(document.uri));
      return toCompletionList(document, result);
    }),
  );

  connection.onCompletionResolve((item, token) =>
    runSafe(log, 'completion resolve', token, item, () => {
      const data = completionItemData(item);
      if (!data) return item;
      return withDetails(item, languageService.resolveCompletion(data, instances.forDocument(data.uri)));
    }),
  );

  connection.onHover((params, token) =>
    runSafe(log, 'hover', token, null, () => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return null;
      const hover = languageService.doHover(documents.getParsed(document), document.offsetAt(params.position), instances.forDocument(document.uri));
      return hover ? toHover(document, hover) : null;
    }),
  );

  connection.onSignatureHelp((params, token) =>
    runSafe(log, 'signature help', token, null, () => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return null;
      const help = languageService.doSignatureHelp(documents.getParsed(document), document.offsetAt(params.position));
      return help ? toSignatureHelp(help) : null;
    }),
  );

  connection.onDocumentSymbol((params, token) =>
    runSafe(log, 'document symbols', token, [], () => {
      const document = documents.get(params.textDocument.uri);
      return document ? toDocumentSymbols(document, languageService.findDocumentSymbols(documents.getParsed(document))) : [];
    }),
  );

  connection.onFoldingRanges((params, token) =>
    runSafe(log, 'folding ranges', token, [], () => {
      const document = documents.get(params.textDocument.uri);
      return document ? toFoldingRanges(document, languageService.getFoldingRanges(documents.getParsed(document))) : [];
    }),
  );

  connection.onDefinition((params, token) =>
    runSafeAsync<Definition | null>(log, 'definition', token, null, async () => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return null;
      const target = languageService.findDefinitionTarget(documents.getParsed(document), document.offsetAt(params.position));
      return target ? resolveDefinition(target, document.uri) : null;
    }),
  );

  /**
   * Local files: the workspace's APIOps artifact first, else the instance's document. Instance documents:
   * the same instance's documents (a workspace's fragments are the workspace's).
   */
  async function resolveDefinition(target: DefinitionTarget, documentUri: string): Promise<Definition | null> {
    const instance = instances.forDocument(documentUri);
    const fromInstance = parseInstanceDocumentUri(documentUri);
    if (target.kind === 'named-value') {
      const artifact = fromInstance ? undefined : await artifacts.findNamedValue(target.name);
      if (artifact) {
        const file = TextDocument.create(artifact.uri, 'json', 0, artifact.text);
        return { uri: artifact.uri, range: toRange(file, { start: artifact.offset, end: artifact.offset }) };
      }
      const nv = instance?.findNamedValue(target.name);
      if (!instance || !nv) return null;
      return { uri: instanceDocumentUri({ kind: 'named-value', instanceId: instance.instanceId, name: nv.displayName }), range: ZERO_RANGE };
    }
    if (fromInstance?.kind === 'policy' && fromInstance.scope.workspace !== undefined) {
      const scope = { kind: 'fragment' as const, workspace: fromInstance.scope.workspace, fragment: target.name };
      return { uri: instanceDocumentUri({ kind: 'policy', instanceId: fromInstance.instanceId, scope }), range: ZERO_RANGE };
    }
    const fragment = fromInstance ? undefined : await artifacts.findFragment(target.name);
    if (fragment) return { uri: fragment.uri, range: ZERO_RANGE };
    if (!instance || !instance.entitiesOf('policyFragment')?.has(target.name.toLowerCase())) return null;
    return { uri: instanceDocumentUri({ kind: 'policy', instanceId: instance.instanceId, scope: { kind: 'fragment', fragment: target.name } }), range: ZERO_RANGE };
  }

  documents.documents.listen(connection);
  connection.listen();
}

const ZERO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

startServer(createConnection(ProposedFeatures.all));
