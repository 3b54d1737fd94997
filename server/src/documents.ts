/**
 * Open documents and their parses. Edits are captured as they arrive so the
 * next parse can be incremental; parses are cached by document version.
 */
import { TextDocuments } from 'vscode-languageserver';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ParsedPolicy, PolicyLanguageService } from './language/languageService';
import { StructureResolver } from './language/structure';
import { reparseAfterEdit, type TextEdit } from './language/parser/incremental';

interface CachedParse {
  /** The document's content generation the parse belongs to (see `generations`). */
  generation: number;
  parsed: ParsedPolicy;
}

interface PendingEdit {
  edit: TextEdit;
  /** The text right after this edit. */
  text: string;
}

/** More edits than this between two parses: a full parse is cheaper than replaying them. */
const MAX_PENDING_EDITS = 32;

export class PolicyDocuments {
  readonly documents: TextDocuments<TextDocument>;
  private readonly parses = new Map<string, CachedParse>();
  private readonly pending = new Map<string, PendingEdit[]>();
  /**
   * Bumped on every open and every change. Version numbers come from the client and may
   * repeat (a second didOpen, a change that reuses the number), so they cannot key the cache.
   */
  private readonly generations = new Map<string, number>();

  constructor(private readonly languageService: PolicyLanguageService) {
    this.documents = new TextDocuments<TextDocument>({
      create: (uri, languageId, version, content) => {
        // A (re)opened document starts over: nothing cached or pending belongs to its text.
        this.parses.delete(uri);
        this.pending.delete(uri);
        this.bump(uri);
        return TextDocument.create(uri, languageId, version, content);
      },
      update: (document, changes, version) => this.applyChanges(document, changes, version),
    });
    this.documents.onDidClose((event) => {
      this.parses.delete(event.document.uri);
      this.pending.delete(event.document.uri);
      this.generations.delete(event.document.uri);
    });
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TextDocument[] {
    return this.documents.all();
  }

  /** The parse of the document's current version. */
  getParsed(document: TextDocument): ParsedPolicy {
    const generation = this.generations.get(document.uri) ?? 0;
    const cached = this.parses.get(document.uri);
    if (cached?.generation === generation) return cached.parsed;
    const edits = this.pending.get(document.uri);
    this.pending.delete(document.uri);
    let parsed: ParsedPolicy;
    if (cached && edits && edits.length <= MAX_PENDING_EDITS) {
      let doc = cached.parsed.doc;
      for (const { edit, text } of edits) doc = reparseAfterEdit(doc, text, edit);
      parsed = { doc, structure: new StructureResolver(this.languageService.catalog) };
    } else {
      parsed = this.languageService.parse(document.getText());
    }
    this.parses.set(document.uri, { generation, parsed });
    return parsed;
  }

  private bump(uri: string): void {
    this.generations.set(uri, (this.generations.get(uri) ?? 0) + 1);
  }

  private applyChanges(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    const uri = document.uri;
    this.bump(uri);
    const trackable = this.parses.has(uri);
    const edits = this.pending.get(uri) ?? [];
    let current = document;
    for (const change of changes) {
      let edit: TextEdit;
      if ('range' in change) {
        edit = { start: current.offsetAt(change.range.start), end: current.offsetAt(change.range.end), text: change.text };
      } else {
        edit = { start: 0, end: current.getText().length, text: change.text };
      }
      current = TextDocument.update(current, [change], version);
      if (trackable) edits.push({ edit, text: current.getText() });
    }
    if (trackable && edits.length <= MAX_PENDING_EDITS) this.pending.set(uri, edits);
    else {
      // Too far behind to replay: the next parse starts from scratch.
      this.pending.delete(uri);
      this.parses.delete(uri);
    }
    return current;
  }
}
