/**
 * Creating, editing and deleting named values through the real SDK, safely:
 * every change of an existing named value carries the ETag it was read with
 * (`If-Match`), so a change made by someone else in between fails with 412
 * instead of being overwritten; a Key Vault reference is only ever written
 * with its Key Vault shape (identifier and identity, never a `value`), so an
 * edit cannot turn it into a plain value. Secret values are sent only when the
 * caller sets a new one and are never returned, logged or cached here.
 */
import type { NamedValueContract, NamedValueUpdateParameters } from '@azure/arm-apimanagement';
import type { NamedValueInfo } from '../../../protocol/protocol';
import { type ApimClientSource, resolveClient } from './armClient';
import type { CallOptions } from './discovery';
import { AzureAccessError, classifyError, toAzureAccessError } from './errors';
import { mapNamedValue } from './metadataLoader';
import { parseServiceResourceId } from './resourceId';

export type { CallOptions } from './discovery';

/** A named value as read for editing: what it is, and the ETag to write it back with. */
export interface EditableNamedValue {
  info: NamedValueInfo;
  etag: string;
}

/** What to write. Values are optional on edits: left out, the stored value stays as it is. */
export type NamedValueDraft =
  | { kind: 'plain' | 'secret'; displayName: string; tags: string[]; value?: string }
  | { kind: 'keyVault'; displayName: string; tags: string[]; secretIdentifier: string; identityClientId?: string };

export async function readForEdit(source: ApimClientSource, instanceId: string, name: string, call: CallOptions = {}): Promise<EditableNamedValue> {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  try {
    const response = await handle.client.namedValue.get(id.resourceGroup, id.serviceName, name, { abortSignal: call.signal });
    return { info: requireInfo(response), etag: requireEtag(response.eTag, name) };
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'read', instanceId, target: name, endpoint: handle.armEndpoint });
  }
}

/** Whether a named value with this resource name exists (GET answers 404 otherwise). */
export async function namedValueExists(source: ApimClientSource, instanceId: string, name: string, call: CallOptions = {}): Promise<boolean> {
  try {
    await readForEdit(source, instanceId, name, call);
    return true;
  } catch (e) {
    if (classifyError(e).kind === 'notFound') return false;
    throw e;
  }
}

function toWire(draft: NamedValueDraft): NamedValueUpdateParameters {
  if (draft.kind === 'keyVault') {
    const keyVault: NamedValueUpdateParameters['keyVault'] = { secretIdentifier: draft.secretIdentifier };
    if (draft.identityClientId) keyVault.identityClientId = draft.identityClientId;
    return { displayName: draft.displayName, tags: draft.tags, secret: true, keyVault };
  }
  const wire: NamedValueUpdateParameters = { displayName: draft.displayName, tags: draft.tags, secret: draft.kind === 'secret' };
  if (draft.value !== undefined) wire.value = draft.value;
  return wire;
}

/** Creates a new named value (the caller checked the name is free) and waits for the operation. */
export async function createNamedValue(source: ApimClientSource, instanceId: string, name: string, draft: NamedValueDraft, call: CallOptions = {}): Promise<NamedValueInfo> {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  if (draft.kind !== 'keyVault' && draft.value === undefined) {
    throw invalid('A new plain or secret named value needs a value.');
  }
  try {
    const poller = await handle.client.namedValue.beginCreateOrUpdate(id.resourceGroup, id.serviceName, name, toWire(draft) as NamedValueContract, {
      abortSignal: call.signal, updateIntervalInMs: handle.retry.lroPollIntervalMs,
    });
    await poller.pollUntilDone({ abortSignal: call.signal });
    return requireInfo(await handle.client.namedValue.get(id.resourceGroup, id.serviceName, name, { abortSignal: call.signal }));
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'write', instanceId, target: name, endpoint: handle.armEndpoint });
  }
}

/**
 * Writes an edit with `If-Match: <etag read>`. A Key Vault reference may only
 * be written as one; a plain or secret value may not become a Key Vault one
 * here either (that is a new named value). A 412 rejects with
 * `isPreconditionFailed(e)` true.
 */
export async function updateNamedValue(source: ApimClientSource, instanceId: string, current: EditableNamedValue, draft: NamedValueDraft, call: CallOptions = {}): Promise<NamedValueInfo> {
  const wasKeyVault = current.info.kind === 'keyVault';
  if (wasKeyVault !== (draft.kind === 'keyVault')) {
    throw invalid(wasKeyVault
      ? `"${current.info.displayName}" is a Key Vault reference and stays one: change its secret identifier or identity instead of giving it a value.`
      : `"${current.info.displayName}" holds its own value; to read it from Key Vault, create a Key Vault named value instead.`);
  }
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  const name = current.info.name;
  try {
    const poller = await handle.client.namedValue.beginUpdate(id.resourceGroup, id.serviceName, name, current.etag, toWire(draft), {
      abortSignal: call.signal, updateIntervalInMs: handle.retry.lroPollIntervalMs,
    });
    await poller.pollUntilDone({ abortSignal: call.signal });
    return requireInfo(await handle.client.namedValue.get(id.resourceGroup, id.serviceName, name, { abortSignal: call.signal }));
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'write', instanceId, target: name, endpoint: handle.armEndpoint });
  }
}

/** Deletes with `If-Match: <etag read>`; a 412 means it changed since it was read. */
export async function deleteNamedValue(source: ApimClientSource, instanceId: string, current: EditableNamedValue, call: CallOptions = {}): Promise<void> {
  const id = parseServiceResourceId(instanceId);
  const handle = resolveClient(source, id.subscriptionId);
  try {
    await handle.client.namedValue.delete(id.resourceGroup, id.serviceName, current.info.name, current.etag, { abortSignal: call.signal });
  } catch (e) {
    throw toAzureAccessError(e, { operation: 'write', instanceId, target: current.info.name, endpoint: handle.armEndpoint });
  }
}

/** The named value changed (or was deleted and re-created) since its ETag was read. */
export function isPreconditionFailed(e: unknown): boolean {
  const error = classifyError(e);
  return error.status === 412 || error.code === 'PreconditionFailed';
}

function requireInfo(nv: NamedValueContract): NamedValueInfo {
  const info = mapNamedValue(nv);
  if (!info) throw new AzureAccessError({ kind: 'malformedResponse', message: 'Named value without a name.', userMessage: 'Azure returned a named value without a name; try again.', retryable: true });
  return info;
}

function requireEtag(etag: string | undefined, name: string): string {
  if (!etag) {
    throw new AzureAccessError({
      kind: 'malformedResponse', message: `No ETag on named value ${name}.`,
      userMessage: `Azure returned "${name}" without an ETag, so it cannot be changed safely; try again.`, retryable: true,
    });
  }
  return etag;
}

function invalid(message: string): AzureAccessError {
  return new AzureAccessError({ kind: 'invalidInput', message, userMessage: message, retryable: false });
}
