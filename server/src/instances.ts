/**
 * The instances the client has connected, and which one applies to a
 * document: the one its URI names (instance documents), else by workspace
 * folder, else the only one.
 */
import { parseInstanceDocumentUri } from '../../protocol/instanceDocuments';
import type { InstanceFolder, InstanceMetadata } from '../../protocol/protocol';
import { InstanceIndex } from './language/instance';

export class InstanceRegistry {
  private readonly instances = new Map<string, InstanceIndex>();
  private folders: InstanceFolder[] = [];

  /** Adds or replaces an instance's metadata (see `InstanceIndex` for the unreadable names). */
  set(metadata: InstanceMetadata, unreadableNamedValues: readonly string[] = []): InstanceIndex {
    const index = new InstanceIndex(metadata, unreadableNamedValues);
    this.instances.set(metadata.instanceId.toLowerCase(), index);
    return index;
  }

  remove(instanceId: string): void {
    this.instances.delete(instanceId.toLowerCase());
  }

  setFolders(folders: InstanceFolder[]): void {
    // Longest folder first so nested folders win.
    this.folders = [...folders].sort((a, b) => b.folderUri.length - a.folderUri.length);
  }

  get(instanceId: string): InstanceIndex | undefined {
    return this.instances.get(instanceId.toLowerCase());
  }

  get size(): number {
    return this.instances.size;
  }

  forDocument(uri: string): InstanceIndex | undefined {
    const fromInstance = parseInstanceDocumentUri(uri);
    if (fromInstance) {
      // A workspace's policies see the workspace's own named values and fragments, which the metadata does not
      // hold: no instance there, so nothing is reported as unknown.
      const inWorkspace = fromInstance.kind === 'policy' ? fromInstance.scope.workspace !== undefined : fromInstance.workspace !== undefined;
      return inWorkspace ? undefined : this.get(fromInstance.instanceId);
    }
    for (const folder of this.folders) {
      const prefix = folder.folderUri.endsWith('/') ? folder.folderUri : `${folder.folderUri}/`;
      if (uri.startsWith(prefix)) return this.get(folder.instanceId);
    }
    if (this.instances.size === 1) return this.instances.values().next().value;
    return undefined;
  }
}
