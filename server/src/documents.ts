/**
 * Open documents and their parses. Edits are captured as they arrive so the
 * next parse can be incremental. A cached parse is reused only for the very
 * text it was made from: version numbers come from the client and may repeat.
 */
import { TextDocuments } from 'vscode-languageserver';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ParsedPolicy, PolicyLanguageService } from './language/languageService';
import { StructureResolver } from './language/structure';
import { reparseAfterEdit, type TextEdit } from './language/parser/incremental';

interface CachedParse {
  /** The text parsed; compared by identity first, so the common hit costs nothing. */
  text: string;
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

  constructor(private readonly languageService: PolicyLanguageService) {
    this.documents = new TextDocuments<TextDocument>({
      create: (uri, languageId, version, content) => TextDocument.create(uri, languageId, version, content),
      update: (document, changes, version) => this.applyChanges(document, changes, version),
    });
    // A document opened again (even without a close) starts from scratch, like a closed one.
    const forget = (event: { document: TextDocument }): void => {
      this.parses.delete(event.document.uri);
      this.pending.delete(event.document.uri);
    };
    this.documents.onDidOpen(forget);
    this.documents.onDidClose(forget);
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TextDocument[] {
    return this.documents.all();
  }

  /** The parse of the document's current text. */
  getParsed(document: TextDocument): ParsedPolicy {
    const text = document.getText();
    const cached = this.parses.get(document.uri);
    const edits = this.pending.get(document.uri);
    this.pending.delete(document.uri);
    if (cached && cached.text === text) return cached.parsed; // unchanged, or edits that cancel out
    let parsed: ParsedPolicy | undefined;
    if (cached && edits && edits.length <= MAX_PENDING_EDITS && edits[edits.length - 1].text === text) {
      let doc = cached.parsed.doc;
      for (const { edit, text: after } of edits) doc = reparseAfterEdit(doc, after, edit);
      parsed = { doc, structure: new StructureResolver(this.languageService.catalog) };
    }
    parsed ??= this.languageService.parse(text);
    this.parses.set(document.uri, { text, parsed });
    return parsed;
  }

  private applyChanges(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    const uri = document.uri;
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
