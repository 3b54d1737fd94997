/**
 * What the client tells the language server (protocol/protocol.ts): the
 * metadata of each connected instance, which workspace folder uses which
 * instance, and instances to forget. Metadata passes the cache's allow-list
 * on its way out, so no secret value can reach the server even if one ever
 * slipped into the client's in-memory copy.
 */
import type {
  InstanceFolder,
  InstanceFoldersNotification,
  InstanceMetadata,
  InstanceMetadataNotification,
  InstanceRemovedNotification,
} from '../../../protocol/protocol';
import { sanitizeMetadata } from '../azure/metadataCache';

/** Where metadata goes: the language client in the extension, a recorder in tests. */
export interface MetadataSink {
  publish(params: InstanceMetadataNotification.Params): void | Promise<void>;
  setFolders(params: InstanceFoldersNotification.Params): void | Promise<void>;
  remove(params: InstanceRemovedNotification.Params): void | Promise<void>;
}

export function toMetadataNotification(metadata: InstanceMetadata, stale: boolean): InstanceMetadataNotification.Params {
  return sanitizeMetadata(metadata, stale);
}

/** One entry per folder that names a valid instance, in folder order, without duplicates. */
export function toFoldersNotification(assignments: ReadonlyArray<{ folderUri: string; instanceId?: string }>): InstanceFoldersNotification.Params {
  const folders: InstanceFolder[] = [];
  const seen = new Set<string>();
  for (const { folderUri, instanceId } of assignments) {
    if (!instanceId || seen.has(folderUri)) continue;
    seen.add(folderUri);
    folders.push({ folderUri, instanceId });
  }
  return { folders };
}

export function toRemovedNotification(instanceId: string): InstanceRemovedNotification.Params {
  return { instanceId };
}
