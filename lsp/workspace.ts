// The server's view of the documents: open buffers overlay the file system, each document's parse
// (with its imports) is cached per text, and its compile outcome (one per model) is kept with the
// text it was made from, so features never mix a new text with old spans.
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { load, type CompileHost, type LoadResult, type Module } from '../compiler/loader.js';
import { overlayHost } from './compile-document.js';
import { compiledView, type Compiled, type CompileOutcome } from './compiled.js';
import { indexSyntax, type SyntaxIndex } from './syntax.js';
import { uriToPath } from './positions.js';
import { WorkspaceFiles } from './workspace-files.js';

export interface Parsed {
  readonly text: string;
  /** The workspace generation it was made in: any edit to an open document may change imports. */
  readonly generation: number;
  readonly loaded: LoadResult;
  /** The document's own module (absent when it is binary). */
  readonly root?: Module;
  readonly syntax?: SyntaxIndex;
}


export class Workspace {
  readonly documents = new TextDocuments(TextDocument);
  private readonly parsed = new Map<string, Parsed>();
  private readonly compiled = new Map<string, Compiled>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly syntaxByModule = new WeakMap<Module, SyntaxIndex>();
  /** Texts whose compile was stopped for taking too long, by URI: not compiled again. */
  private readonly stopped = new Map<string, string>();
  private generation = 0;
  /** The workspace folders' files, for references and rename beyond the open documents. */
  readonly files = new WorkspaceFiles();

  constructor() {
    this.documents.onDidChangeContent(() => this.generation++);
    this.documents.onDidClose(() => this.generation++);
  }

  path(uri: string): string {
    return uriToPath(uri);
  }

  /** Open documents by path → URI (so that a location in an open unsaved buffer keeps its URI). */
  uris(): Map<string, string> {
    return new Map(this.documents.all().map((d) => [uriToPath(d.uri), d.uri]));
  }

  overlays(): Record<string, string> {
    return Object.fromEntries(this.documents.all().map((d) => [uriToPath(d.uri), d.getText()]));
  }

  host(): CompileHost {
    return overlayHost(this.overlays());
  }

  parse(uri: string): Parsed | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const text = doc.getText();
    const cached = this.parsed.get(uri);
    if (cached && cached.text === text && cached.generation === this.generation) return cached;
    const path = this.path(uri);
    const loaded = load(path, this.host(), text);
    const root = loaded.modules.get(path);
    const parsed: Parsed = { text, generation: this.generation, loaded, root, syntax: root && this.syntaxOf(root) };
    this.parsed.set(uri, parsed);
    return parsed;
  }

  /** Every module of the workspace's files that are not open, with what they import. */
  closedModules(): Module[] {
    const open = new Set(this.documents.all().map((d) => uriToPath(d.uri)));
    return this.files.loadAll(this.host(), this.generation, open).flatMap((loaded) => [...loaded.modules.values()]);
  }

  syntaxOf(module: Module): SyntaxIndex {
    let index = this.syntaxByModule.get(module);
    if (!index) this.syntaxByModule.set(module, (index = indexSyntax(module.ast)));
    return index;
  }

  /** Records a compile outcome for the text it was made from, and wakes requests waiting for it. */
  setCompiled(uri: string, text: string, outcome: CompileOutcome): void {
    this.compiled.set(uri, compiledView(text, outcome));
    this.wake(uri);
  }

  /** Records that compiling this text was stopped; requests waiting for it get no result. */
  setStopped(uri: string, text: string): void {
    this.stopped.set(uri, text);
    this.wake(uri);
  }

  wasStopped(uri: string, text: string): boolean {
    return this.stopped.get(uri) === text;
  }

  /** Wakes waiters without a result (the compile timed out or the document closed). */
  wake(uri: string): void {
    for (const w of this.waiters.get(uri) ?? []) w();
    this.waiters.delete(uri);
  }

  forget(uri: string): void {
    this.parsed.delete(uri);
    this.compiled.delete(uri);
    this.stopped.delete(uri);
    this.wake(uri);
  }

  /** The compile outcome of the document's current text, waiting for it when a compile is due. */
  async current(uri: string, waitMs = 10_000): Promise<Compiled | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const doc = this.documents.get(uri);
      if (!doc) return undefined;
      const compiled = this.compiled.get(uri);
      if (compiled && compiled.text === doc.getText()) return compiled;
      if (this.wasStopped(uri, doc.getText())) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        const list = this.waiters.get(uri) ?? [];
        list.push(() => {
          clearTimeout(timer);
          resolve();
        });
        this.waiters.set(uri, list);
      });
    }
  }
}
