/**
 * "APIM Policy: Select Instance": subscriptions → API Management services
 * (quick picks that show progress while ARM answers), or a resource id typed
 * by hand; the choice is stored in `apimPolicy.instance` for the workspace
 * folder (or user settings without a folder).
 */
import * as vscode from 'vscode';
import type { ServiceRecord, SubscriptionRecord } from '../azure/discovery';
import { classifyError } from '../azure/errors';
import { normalizeServiceResourceId, validateServiceResourceId } from '../azure/resourceId';
import { COMMANDS, SETTINGS } from '../contributions';
import { showAzureError } from '../ui';
import type { ConnectionController } from './connectionController';

type Picked<T> = { value: T } | { manual: true } | undefined;

/** A quick pick that is visible (busy) while its items load; hiding it cancels the load. */
async function pickWhileLoading<T>(options: {
  title: string;
  loadingText: string;
  placeholder: string;
  load: (signal: AbortSignal) => Promise<T[]>;
  toItem: (value: T) => vscode.QuickPickItem;
  manualEntry?: string;
  emptyText: string;
  output: vscode.LogOutputChannel;
  retry: () => unknown;
}): Promise<Picked<T>> {
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { value?: T; manual?: boolean }>();
  quickPick.title = options.title;
  quickPick.placeholder = options.loadingText;
  quickPick.busy = true;
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  const controller = new AbortController();
  const manual = options.manualEntry ? [{ label: `$(edit) ${options.manualEntry}`, manual: true, alwaysShow: true }] : [];
  quickPick.items = manual;
  const result = new Promise<Picked<T>>((resolve) => {
    quickPick.onDidAccept(() => {
      const item = quickPick.selectedItems[0];
      if (!item) return;
      resolve(item.manual ? { manual: true } : { value: item.value as T });
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      controller.abort();
      resolve(undefined);
      quickPick.dispose();
    });
  });
  quickPick.show();
  options.load(controller.signal).then(
    (values) => {
      quickPick.busy = false;
      quickPick.placeholder = values.length ? options.placeholder : options.emptyText;
      quickPick.items = [...values.map((v) => ({ ...options.toItem(v), value: v })), ...manual];
    },
    (e: unknown) => {
      if (controller.signal.aborted) return;
      quickPick.hide();
      void showAzureError(e, { output: options.output, retry: options.retry });
    },
  );
  return result;
}

async function askForResourceId(): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'API Management instance resource id',
    prompt: 'e.g. /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.ApiManagement/service/<name>',
    ignoreFocusOut: true,
    validateInput: (text) => validateServiceResourceId(text),
  });
  return value ? normalizeServiceResourceId(value) : undefined;
}

/** Which folder's setting to write: asks only in multi-root workspaces. */
async function targetFolder(preferred?: string): Promise<vscode.WorkspaceFolder | undefined | null> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return undefined;
  if (preferred) {
    const match = folders.find((f) => f.uri.toString() === preferred);
    if (match) return match;
  }
  if (folders.length === 1) return folders[0];
  const active = vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri);
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: `Which folder uses this instance?${active ? ` (active: ${active.name})` : ''}` });
  return picked ?? null;
}

export async function writeInstanceSetting(instanceId: string, folderUri?: string): Promise<boolean> {
  const folder = await targetFolder(folderUri);
  if (folder === null) return false;
  const config = vscode.workspace.getConfiguration('apimPolicy', folder?.uri);
  await config.update('instance', instanceId, folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global);
  return true;
}

/**
 * `arg` may be a resource id (string) or `{ instanceId, folderUri }` — the
 * API for tests and other extensions; the interactive flow runs otherwise.
 */
export async function selectInstance(controller: ConnectionController, output: vscode.LogOutputChannel, arg?: unknown): Promise<string | undefined> {
  const direct = typeof arg === 'string' ? { instanceId: arg } : typeof arg === 'object' && arg && typeof (arg as { instanceId?: unknown }).instanceId === 'string' ? (arg as { instanceId: string; folderUri?: string }) : undefined;
  if (direct) {
    const problem = validateServiceResourceId(direct.instanceId);
    if (problem) {
      void vscode.window.showErrorMessage(problem);
      return undefined;
    }
    const id = normalizeServiceResourceId(direct.instanceId);
    return (await writeInstanceSetting(id, direct.folderUri)) ? id : undefined;
  }

  const manager = controller.manager;
  if (manager.authState === 'signedOut') {
    const choice = await vscode.window.showInformationMessage('Sign in to Azure to list your API Management instances, or enter a resource id.', 'Sign In', 'Enter Resource Id');
    if (choice === 'Enter Resource Id') {
      const id = await askForResourceId();
      return id && (await writeInstanceSetting(id)) ? id : undefined;
    }
    if (choice !== 'Sign In' || !(await controller.signIn())) return undefined;
  }
  let access;
  try {
    access = await manager.getAccess();
  } catch (e) {
    await showAzureError(e, { output, retry: () => vscode.commands.executeCommand(COMMANDS.selectInstance) });
    return undefined;
  }
  const retry = () => vscode.commands.executeCommand(COMMANDS.selectInstance);

  const subscription = await pickWhileLoading<SubscriptionRecord>({
    title: 'Select Instance (1/2): subscription',
    loadingText: 'Loading subscriptions…',
    placeholder: 'Pick the subscription of the API Management instance',
    emptyText: 'No subscriptions visible to this account — check the tenant ("APIM Policy: Select Tenant"), or enter a resource id',
    load: (signal) => access.listSubscriptions({ signal }),
    toItem: (s) => ({ label: s.displayName, description: s.subscriptionId, detail: [s.state, s.tenantId ? `tenant ${s.tenantId}` : undefined].filter(Boolean).join(' · ') || undefined }),
    manualEntry: 'Enter a resource id…',
    output,
    retry,
  });
  if (!subscription) return undefined;
  let instanceId: string | undefined;
  if ('manual' in subscription) {
    instanceId = await askForResourceId();
  } else {
    controller.rememberSubscriptionName(subscription.value.subscriptionId, subscription.value.displayName);
    const service = await pickWhileLoading<ServiceRecord>({
      title: `Select Instance (2/2): API Management in ${subscription.value.displayName}`,
      loadingText: 'Loading API Management instances…',
      placeholder: 'Pick the instance whose named values and entities this workspace uses',
      emptyText: 'No API Management instances in this subscription',
      load: (signal) => access.listServices(subscription.value.subscriptionId, { signal }),
      toItem: (s) => ({
        label: s.name,
        description: [s.resourceGroup, s.location, s.skuName].filter(Boolean).join(' · '),
        detail: s.gatewayUrl,
      }),
      manualEntry: 'Enter a resource id…',
      output,
      retry,
    });
    if (!service) return undefined;
    instanceId = 'manual' in service ? await askForResourceId() : normalizeServiceResourceId(service.value.id);
  }
  if (!instanceId) return undefined;
  try {
    if (!(await writeInstanceSetting(instanceId))) return undefined;
  } catch (e) {
    output.error(`Could not save ${SETTINGS.instance}: ${String(e)}`);
    void vscode.window.showErrorMessage(`Could not save ${SETTINGS.instance}: ${classifyError(e).message}`);
    return undefined;
  }
  output.info(`Selected instance ${instanceId}.`);
  return instanceId;
}
