/** Sends instance notifications to the language server; skipped (and re-sent later) while it is not running. */
import { type LanguageClient, State } from 'vscode-languageclient/node';
import {
  InstanceFoldersNotification,
  InstanceMetadataNotification,
  InstanceRemovedNotification,
} from '../../../protocol/protocol';
import type { MetadataSink } from './notifications';

/** One metadata notification that reached the server: when, for which instance, from the cache or fresh. */
export interface MetadataSent {
  at: number;
  instanceId: string;
  stale: boolean;
  namedValues: number;
}

/** Sends kept for startup measurements (the newest last). */
const MAX_SENT_RECORDS = 50;

export class LanguageClientSink implements MetadataSink {
  /** The metadata notifications actually sent (not the ones skipped while the server was down). */
  readonly sent: MetadataSent[] = [];

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private running(): LanguageClient | undefined {
    const client = this.client();
    return client && client.state === State.Running ? client : undefined;
  }

  async publish(params: InstanceMetadataNotification.Params): Promise<void> {
    const client = this.running();
    if (!client) return;
    await client.sendNotification(InstanceMetadataNotification.method, params);
    if (this.sent.length >= MAX_SENT_RECORDS) this.sent.shift();
    this.sent.push({ at: this.now(), instanceId: params.instanceId, stale: params.stale === true, namedValues: params.namedValues.length });
  }

  async setFolders(params: InstanceFoldersNotification.Params): Promise<void> {
    await this.running()?.sendNotification(InstanceFoldersNotification.method, params);
  }

  async remove(params: InstanceRemovedNotification.Params): Promise<void> {
    await this.running()?.sendNotification(InstanceRemovedNotification.method, params);
  }
}
