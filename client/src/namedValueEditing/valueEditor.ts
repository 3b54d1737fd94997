/**
 * Plain named values edited in an ordinary editor that lives in memory: the
 * `apim-named-value:` file system serves the value read from the instance
 * and writes it back on Save with the ETag it was read with. Nothing touches
 * the disk. A 412 (changed by someone else) shows what changed and asks
 * before overwriting; a value API Management would refuse is not sent.
 */
import * as vscode from 'vscode';
import type { InstanceSession } from '../connection/instanceSession';
import { classifyError } from '../azure/errors';
import { type EditableNamedValue, isPreconditionFailed, readForEdit, updateNamedValue } from '../azure/namedValueWrites';
import { describeChanges, validateValue } from './validation';

export const NAMED_VALUE_SCHEME = 'apim-named-value';

interface OpenValue {
  session: InstanceSession;
  current: EditableNamedValue;
  mtime: number;
}

export class NamedValueFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly open = new Map<string, OpenValue>();

  constructor(private readonly afterWrite: (session: InstanceSession, message: string) => Promise<void>) {}

  /** Registers the value for editing and returns the URI to open it at. */
  uriFor(session: InstanceSession, current: EditableNamedValue): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: NAMED_VALUE_SCHEME,
      path: `/${session.resource.serviceName}/${current.info.displayName}`,
      query: new URLSearchParams({ instance: session.instanceId, name: current.info.name }).toString(),
    });
    this.open.set(uri.toString(), { session, current, mtime: Date.now() });
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    return uri;
  }

  private entry(uri: vscode.Uri): OpenValue {
    const entry = this.open.get(uri.toString());
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return entry;
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const entry = this.entry(uri);
    return { type: vscode.FileType.File, ctime: entry.mtime, mtime: entry.mtime, size: Buffer.byteLength(entry.current.info.value ?? '') };
  }

  readFile(uri: vscode.Uri): Uint8Array {
    return Buffer.from(this.entry(uri).current.info.value ?? '', 'utf8');
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const entry = this.entry(uri);
    const value = Buffer.from(content).toString('utf8');
    const problem = validateValue(value);
    if (problem) throw vscode.FileSystemError.NoPermissions(`Not saved: ${problem}`);
    const access = await entry.session.access();
    const write = (current: EditableNamedValue) => updateNamedValue(access.clients, entry.session.instanceId, current, {
      kind: 'plain', displayName: current.info.displayName, tags: current.info.tags ?? [], value,
    });
    try {
      await write(entry.current);
    } catch (e) {
      if (!isPreconditionFailed(e)) throw vscode.FileSystemError.Unavailable(`Not saved: ${classifyError(e).userMessage}`);
      const fresh = await readForEdit(access.clients, entry.session.instanceId, entry.current.info.name);
      const changes = describeChanges(entry.current.info, fresh.info);
      const choice = await vscode.window.showWarningMessage(
        `"${fresh.info.displayName}" was changed by someone else since you opened it.`,
        { modal: true, detail: `Changed: ${changes.join('; ')}.\n\nOverwrite it with your value, or cancel and reopen it to see theirs.` },
        'Overwrite',
      );
      if (choice !== 'Overwrite') throw vscode.FileSystemError.Unavailable('Not saved: the named value was changed by someone else.');
      if (fresh.info.kind !== 'plain') throw vscode.FileSystemError.NoPermissions(`Not saved: "${fresh.info.displayName}" is no longer a plain value.`);
      await write(fresh);
    }
    entry.current = await readForEdit(access.clients, entry.session.instanceId, entry.current.info.name);
    entry.mtime = Date.now();
    await this.afterWrite(entry.session, `Saved the value of "${entry.current.info.displayName}".`);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}
