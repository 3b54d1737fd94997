/** Extension entry point: wires the language client, the Azure connection, the Named Values panel, commands and the status bar. */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import type { ApimPolicyExtensionApi } from './api';
import { registerNamedValueArtifacts } from './apiops/namedValueArtifacts';
import { ConnectionController } from './connection/connectionController';
import { LanguageClientSink } from './connection/languageClientSink';
import { selectInstance } from './connection/selectInstance';
import { COMMANDS, NAMED_VALUES_VIEW_ID, POLICIES_VIEW_ID, SETTINGS } from './contributions';
import { KeyVaultDoctorCommands } from './keyVaultDoctor/doctorCommands';
import { createLanguageClient } from './languageClient';
import { NamedValueEditCommands } from './namedValueEditing/editCommands';
import { NamedValueCommands } from './namedValues/commands';
import type { NamedValuesTreeNode } from './namedValues/treeNodes';
import { NamedValuesTreeProvider } from './namedValues/treeProvider';
import { offerToSilenceXmlValidation } from './policies/coexistence';
import { PolicyCommands } from './policies/commands';
import { registerPolicyFileSystem } from './policies/fileSystem';
import { registerInstanceLabel } from './policies/instanceLabel';
import { publishPrompts } from './policies/publishUi';
import type { PolicyTreeNode } from './policies/treeModel';
import { DEFAULT_POLICY_PAGE_SIZE, PoliciesTreeProvider } from './policies/treeProvider';
import { registerPolicyDetection } from './policyDetection';
import { StatusBarController } from './statusBar';
import { safeCommand } from './ui';
import { registerWalkthrough } from './walkthrough/walkthrough';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ApimPolicyExtensionApi> {
  const activatedAt = Date.now();
  const output = vscode.window.createOutputChannel('APIM Policy', { log: true });
  context.subscriptions.push(output);
  registerPolicyDetection(context);

  // The connection exists before the server starts, so metadata loads in parallel with the server start.
  const sink = new LanguageClientSink(() => client);
  const controller = new ConnectionController(context, output, sink);
  context.subscriptions.push(controller);
  const manager = controller.manager;

  const treeProvider = new NamedValuesTreeProvider(manager);
  const treeView = vscode.window.createTreeView<NamedValuesTreeNode>(NAMED_VALUES_VIEW_ID, { treeDataProvider: treeProvider, showCollapseAll: false, canSelectMany: true });
  context.subscriptions.push(treeProvider, treeView);
  const commands = new NamedValueCommands({ context, output, controller, tree: treeProvider, treeView });
  const doctor = new KeyVaultDoctorCommands({ context, output, manager });
  const editing = new NamedValueEditCommands({
    context,
    output,
    manager,
    findUsages: (target) => commands.findUsages(target),
    showDiagnosis: (report) => doctor.showReport(report),
  });
  const statusBar = new StatusBarController(manager);
  context.subscriptions.push(statusBar);

  // Policies on the instance: the view, the `apim-instance:` documents (save = publish) and their commands.
  const settings = () => vscode.workspace.getConfiguration();
  const problems = vscode.languages.createDiagnosticCollection('apim-policy-publish');
  const policiesTree = new PoliciesTreeProvider(manager, () => settings().get<number>(SETTINGS.policyPageSize, DEFAULT_POLICY_PAGE_SIZE));
  const policiesView = vscode.window.createTreeView<PolicyTreeNode>(POLICIES_VIEW_ID, { treeDataProvider: policiesTree, showCollapseAll: true });
  const fileSystem = registerPolicyFileSystem(context, {
    manager,
    confirmPublish: () => settings().get<boolean>(SETTINGS.confirmPublish, true),
    prompts: (uri) => publishPrompts(fileSystem, uri, uri),
    problems,
    policyChanged: (instanceId, scope, present) => policiesTree.notePolicy(instanceId, scope, present),
    log: output,
  });
  const policyCommands = new PolicyCommands({ manager, fileSystem, tree: policiesTree, treeView: policiesView, problems, output });
  context.subscriptions.push(
    problems,
    policiesTree,
    policiesView,
    vscode.workspace.onDidCloseTextDocument((document) => problems.delete(document.uri)),
  );
  registerInstanceLabel(context);
  registerNamedValueArtifacts(context, manager);

  const register = <A extends unknown[]>(id: string, handler: (...args: A) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, safeCommand(output, id, handler)));
  register(COMMANDS.selectInstance, (arg?: unknown) => selectInstance(controller, output, arg));
  register(COMMANDS.signIn, () => controller.signIn());
  register(COMMANDS.signOut, () => controller.signOut());
  register(COMMANDS.setServicePrincipalSecret, (secret?: unknown) => controller.setServicePrincipalSecret(typeof secret === 'string' ? secret : undefined));
  register(COMMANDS.selectTenant, () => controller.selectTenant());
  register(COMMANDS.showLog, () => output.show());
  register(COMMANDS.openInstancePolicy, (arg?: unknown) => policyCommands.openInstancePolicy(arg));
  register(COMMANDS.compareWithInstance, (arg?: unknown) => policyCommands.compareWithInstance(arg));
  register(COMMANDS.publishToInstance, (arg?: unknown, options?: { confirm?: boolean }) => policyCommands.publishToInstance(arg, options));
  register(COMMANDS.pullFromInstance, (arg?: unknown, options?: { confirm?: boolean }) => policyCommands.pullFromInstance(arg, options));
  register(COMMANDS.deletePolicy, (arg?: unknown, options?: { confirm?: boolean }) => policyCommands.deletePolicy(arg, options));
  register(COMMANDS.refreshPolicies, (node?: PolicyTreeNode) => policyCommands.refreshPolicies(node));
  register(COMMANDS.filterPolicies, (text?: unknown) => policyCommands.filterPolicies(text));
  register(COMMANDS.loadMorePolicies, (node?: unknown) => policyCommands.loadMore(node));
  void offerToSilenceXmlValidation(context).catch((e: unknown) => output.warn(`Could not offer to turn off XML validation for policy files: ${String(e)}`));
  const walkthrough = registerWalkthrough(context, register);

  client = createLanguageClient(context, output, walkthrough.middleware);
  const startedClient = client;
  context.subscriptions.push(
    startedClient.onDidChangeState((e) => {
      // A (re)started server knows nothing: send the folders and every instance's metadata again.
      if (e.newState === State.Running) manager.republish();
    }),
  );
  let languageClient: LanguageClient | undefined = startedClient;
  try {
    await startedClient.start();
  } catch (e) {
    languageClient = undefined;
    output.error(`The APIM policy language server did not start: ${e instanceof Error ? e.message : String(e)}`);
    void vscode.window.showErrorMessage('The APIM policy language server did not start; see the "APIM Policy" output for details.', 'Show Log').then((choice) => {
      if (choice) output.show();
    });
  }

  return {
    languageClient,
    startup: { activatedAt, metadataSent: sink.sent },
    connection: {
      get state() {
        return manager.state;
      },
      get authState() {
        return manager.authState;
      },
      ready: controller.ready,
      snapshots: () => manager.snapshots(),
      metadata: (instanceId?: string) => manager.metadata(instanceId),
      onDidChange: manager.onDidChange,
      refresh: () => manager.refresh(),
      whenIdle: () => manager.whenIdle(),
      manager,
    },
    namedValues: {
      treeProvider,
      treeView,
      getChildren: (element) => treeProvider.getChildren(element),
      getTreeItem: (element) => treeProvider.resolveTreeItem(treeProvider.getTreeItem(element), element),
      get filter() {
        return treeProvider.filter;
      },
      setFilter: (mode) => commands.applyFilter(mode),
      get lastRefreshReport() {
        return commands.lastRefreshReport;
      },
      get lastUsageSearch() {
        return commands.lastUsageSearch;
      },
      get lastWrite() {
        return editing.lastWrite;
      },
    },
    keyVaultDoctor: {
      treeView: doctor.treeView,
      get report() {
        return doctor.report;
      },
      get lastFixMessage() {
        return doctor.lastFixMessage;
      },
      getChildren: (element) => doctor.tree.getChildren(element),
      getTreeItem: (element) => doctor.tree.getTreeItem(element),
    },
    policies: {
      treeProvider: policiesTree,
      treeView: policiesView,
      roots: () => policiesTree.roots(),
      getChildren: async (element) => (element ? element.getChildren() : policiesTree.roots()),
      getTreeItem: (element) => policiesTree.getTreeItem(element),
      setFilter: (text) => policyCommands.filterPolicies(text ?? ''),
      get lastPublish() {
        return fileSystem.lastPublish;
      },
      get lastOutcome() {
        return policyCommands.lastOutcome;
      },
      baseEtag: (uri) => fileSystem.baseEtag(uri),
      problems,
    },
    statusBar: {
      item: statusBar.item,
      get presentation() {
        return statusBar.presentation;
      },
    },
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
