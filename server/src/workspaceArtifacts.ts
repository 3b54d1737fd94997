/**
 * Finds APIOps artifacts in the workspace: `named values/<name>/namedValueInformation.json`
 * and `policy fragments/<name>/policy.xml` (also the camel-case folder names
 * some pipelines use). The walk is bounded and cached until files change.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SKIPPED = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test', '.test-cache', 'bin', 'obj']);
const MAX_DEPTH = 8;
const MAX_ENTRIES = 50_000;
const NAMED_VALUE_FOLDERS = new Set(['named values', 'namedvalues', 'named-values']);
const FRAGMENT_FOLDERS = new Set(['policy fragments', 'policyfragments', 'policy-fragments', 'fragments']);

export interface NamedValueArtifact {
  /** Display name from the file, else the folder name. */
  displayName: string;
  folderName: string;
  uri: string;
  /** Offset of the `"displayName"` property, to place the cursor on it. */
  offset: number;
  text: string;
}

export interface FragmentArtifact {
  name: string;
  uri: string;
}

export interface Artifacts {
  namedValues: NamedValueArtifact[];
  fragments: FragmentArtifact[];
}

export class WorkspaceArtifacts {
  private folders: string[] = [];
  private cached: Promise<Artifacts> | undefined;

  setFolders(folderUris: string[]): void {
    this.folders = folderUris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    this.invalidate();
  }

  invalidate(): void {
    this.cached = undefined;
  }

  get(): Promise<Artifacts> {
    this.cached ??= this.scan();
    return this.cached;
  }

  async findNamedValue(displayName: string): Promise<NamedValueArtifact | undefined> {
    const wanted = displayName.toLowerCase();
    const { namedValues } = await this.get();
    return namedValues.find((nv) => nv.displayName.toLowerCase() === wanted) ?? namedValues.find((nv) => nv.folderName.toLowerCase() === wanted);
  }

  async findFragment(name: string): Promise<FragmentArtifact | undefined> {
    const wanted = name.toLowerCase();
    return (await this.get()).fragments.find((f) => f.name.toLowerCase() === wanted);
  }

  private async scan(): Promise<Artifacts> {
    const result: Artifacts = { namedValues: [], fragments: [] };
    let budget = MAX_ENTRIES;
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH || budget <= 0) return;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return; // unreadable folders are skipped, not fatal
      }
      budget -= entries.length;
      const kind = path.basename(dir).toLowerCase();
      for (const entry of entries) {
        if (!entry.isDirectory() || SKIPPED.has(entry.name)) continue;
        const child = path.join(dir, entry.name);
        if (NAMED_VALUE_FOLDERS.has(kind)) await this.readNamedValue(child, entry.name, result);
        else if (FRAGMENT_FOLDERS.has(kind)) await this.readFragment(child, entry.name, result);
        else await walk(child, depth + 1);
      }
    };
    for (const folder of this.folders) await walk(folder, 0);
    return result;
  }

  private async readNamedValue(dir: string, folderName: string, result: Artifacts): Promise<void> {
    const file = path.join(dir, 'namedValueInformation.json');
    try {
      const text = await fs.readFile(file, 'utf8');
      let displayName = folderName;
      try {
        const json = JSON.parse(text) as { properties?: { displayName?: unknown } };
        if (typeof json.properties?.displayName === 'string') displayName = json.properties.displayName;
      } catch {
        // Malformed JSON still counts as the definition, by folder name.
      }
      const offset = Math.max(0, text.indexOf('"displayName"'));
      result.namedValues.push({ displayName, folderName, uri: pathToFileURL(file).toString(), offset, text });
    } catch {
      // no information file in this folder
    }
  }

  private async readFragment(dir: string, name: string, result: Artifacts): Promise<void> {
    const file = path.join(dir, 'policy.xml');
    try {
      await fs.access(file);
      result.fragments.push({ name, uri: pathToFileURL(file).toString() });
    } catch {
      // no policy file in this folder
    }
  }
}
