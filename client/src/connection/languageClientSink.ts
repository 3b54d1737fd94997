/** Sends instance notifications to the language server; skipped (and re-sent later) while it is not running. */
import { type LanguageClient, State } from 'vscode-languageclient/node';
import {
  InstanceFoldersNotification,
  InstanceMetadataNotification,
  InstanceRemovedNotification,
} from '../../../protocol/protocol';
import type { MetadataSink } from './notifications';

export class LanguageClientSink implements MetadataSink {
  constructor(private readonly client: () => LanguageClient | undefined) {}

  private running(): LanguageClient | undefined {
    const client = this.client();
    return client && client.state === State.Running ? client : undefined;
  }

  async publish(params: InstanceMetadataNotification.Params): Promise<void> {
    await this.running()?.sendNotification(InstanceMetadataNotification.method, params);
  }

  async setFolders(params: InstanceFoldersNotification.Params): Promise<void> {
    await this.running()?.sendNotification(InstanceFoldersNotification.method, params);
  }

  async remove(params: InstanceRemovedNotification.Params): Promise<void> {
    await this.running()?.sendNotification(InstanceRemovedNotification.method, params);
  }
}
