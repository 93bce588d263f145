// `archc lsp`: the language server over stdio. Documents compile in a worker thread (lsp/
// compile-queue.ts) on every change, newest text first, and diagnostics are published when the
// compile ends; the other features read the document's parse and its latest compile. Every
// handler is guarded: a failure in one request answers nothing for it and the server goes on.
import { join } from 'node:path';
import {
  CodeActionKind,
  createConnection,
  ProposedFeatures,
  ResponseError,
  ErrorCodes,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node.js';
import { fileURLToPath } from 'node:url';
import { diagnostic } from '../compiler/diagnostics.js';
import { fileSpan } from '../compiler/loader.js';
import { nodeHost, zooRoot } from '../compiler/node-host.js';
import { format } from '../dsl/format.js';
import { SourceFile } from '../dsl/source.js';
import type { ArchFile } from '../dsl/ast.js';
import { codeActions } from './actions.js';
import { CompileQueue } from './compile-queue.js';
import { complete, signatureHelp } from './completion.js';
import { importPaths } from './import-paths.js';
import { toLspDiagnostic } from './diagnostics.js';
import { hover } from './hover.js';
import { inlayHints } from './inlay.js';
import { targetAt, type Target } from './lookup.js';
import { definition, documentSymbols, referenceSpans, renameEdits, toLocations } from './navigation.js';
import { toRange } from './spans.js';
import { Workspace } from './workspace.js';

export interface ServerOptions {
  /** A compile running longer than this is stopped with a diagnostic (default 5 s). */
  readonly compileTimeoutMs?: number;
  /** Shapes as inlay hints after each assignment (default on). */
  readonly inlayHints?: boolean;
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout)): void {
  const ws = new Workspace();
  let options: ServerOptions = {};
  let queue: CompileQueue | undefined;
  let showHints = true;
  let canRefreshHints = false;

  const guard = <A extends unknown[], R>(name: string, fallback: R, f: (...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await f(...args);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        connection.console.error(`archc lsp: ${name} failed (a bug in archc): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return fallback;
      }
    };

  connection.onInitialize((params): InitializeResult => {
    options = (params.initializationOptions ?? {}) as ServerOptions;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    ws.files.setRoots(folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)));
    showHints = options.inlayHints !== false;
    canRefreshHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    queue = new CompileQueue(new URL('./compile-worker.js', import.meta.url), options.compileTimeoutMs ?? 5_000);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '"', '(', ',', '/', '='] },
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: ['='] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
      },
      serverInfo: { name: 'archc' },
    };
  });

  connection.onDidChangeConfiguration(
    guard('configuration', undefined, (change) => {
      const setting = (change.settings as { archc?: { inlayHints?: boolean } } | undefined)?.archc?.inlayHints;
      if (typeof setting === 'boolean' && setting !== showHints) {
        showHints = setting;
        if (canRefreshHints) void connection.languages.inlayHint.refresh();
      }
    }),
  );

  const publish = (uri: string) => {
    const doc = ws.documents.get(uri);
    if (!doc || !queue) return;
    const path = ws.path(uri);
    const text = doc.getText();
    if (ws.wasStopped(uri, text)) return;
    let compiledText = text;
    queue.request(
      path,
      () => {
        const overlays = ws.overlays();
        compiledText = overlays[path] ?? text;
        return overlays;
      },
      (result) => {
        const current = ws.documents.get(uri);
        if (!current) return;
        if (result.kind === 'timeout') {
          ws.setStopped(uri, compiledText);
          const d = diagnostic('E0606', `compilation stopped after ${result.ms / 1000} s; the editor features wait for a faster edit`, fileSpan(path), {
            hint: 'look for large loop bounds or deep recursion; `archc check` compiles it without a time limit',
          });
          void connection.sendDiagnostics({ uri, diagnostics: [toLspDiagnostic(d, path, undefined, (s) => s, ws.uris())] });
          return;
        }
        if (result.kind === 'done') return ws.setCompiled(uri, compiledText, result.outcome);
        if (compiledText !== current.getText()) return; // a newer compile is queued
        let file: ArchFile | undefined;
        try {
          file = result.diagnostics.some((d) => d.span.file !== path) ? ws.parse(uri)?.root?.ast : undefined;
        } catch (e) {
          connection.console.error(`archc lsp: parse failed (a bug in archc): ${e instanceof Error ? e.stack : String(e)}`);
        }
        const uris = ws.uris();
        const diagnostics = result.diagnostics.map((d) => toLspDiagnostic(d, path, file, (spec) => nodeHost.resolve(path, spec), uris));
        void connection.sendDiagnostics({ uri, version: current.version, diagnostics });
      },
    );
  };

  ws.documents.onDidChangeContent(
    guard('change', undefined, ({ document }) => {
      publish(document.uri);
      // Open files that import the changed one (directly or not) see its new text.
      const changed = ws.path(document.uri);
      for (const other of ws.documents.all()) {
        if (other.uri !== document.uri && ws.parse(other.uri)?.loaded.modules.has(changed)) publish(other.uri);
      }
    }),
  );
  ws.documents.onDidClose(
    guard('close', undefined, ({ document }) => {
      ws.forget(document.uri);
      void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    }),
  );

  /** The document's parse and the target under the cursor. */
  const at = (uri: string, position: { line: number; character: number }) => {
    const doc = ws.documents.get(uri);
    const parsed = ws.parse(uri);
    if (!doc || !parsed?.root || !parsed.syntax) return undefined;
    const offset = doc.offsetAt(position);
    return { doc, parsed, root: parsed.root, syntax: parsed.syntax, offset, target: targetAt(parsed.root, parsed.syntax, offset) };
  };

  connection.onHover(
    guard('hover', null, async ({ textDocument, position }) => {
      const here = at(textDocument.uri, position);
      if (!here?.target) return null;
      const compiled = await ws.current(textDocument.uri);
      return hover(here.target, here.syntax, compiled) ?? null;
    }),
  );

  connection.onDefinition(
    guard('definition', null, ({ textDocument, position }) => {
      const here = at(textDocument.uri, position);
      return (here?.target && definition(here.target, ws.uris())) ?? null;
    }),
  );

  // The open documents (their buffers win over the disk) and what they import, then the workspace's closed files.
  const searchModules = (uri: string) => {
    const out = [];
    for (const doc of [ws.documents.get(uri), ...ws.documents.all()]) {
      const parsed = doc && ws.parse(doc.uri);
      for (const module of parsed?.loaded.modules.values() ?? []) out.push({ module, syntax: ws.syntaxOf(module) });
    }
    for (const module of ws.closedModules()) out.push({ module, syntax: ws.syntaxOf(module) });
    return out;
  };

  const spansOf = (uri: string, target: Target, includeDeclaration: boolean) => {
    const here = ws.parse(uri)!;
    return referenceSpans(target, here.syntax!, searchModules(uri), includeDeclaration);
  };

  connection.onReferences(
    guard('references', null, ({ textDocument, position, context }) => {
      const here = at(textDocument.uri, position);
      if (!here?.target) return null;
      return toLocations(spansOf(textDocument.uri, here.target, context.includeDeclaration), ws.uris());
    }),
  );

  connection.onPrepareRename(
    guard('prepareRename', null, ({ textDocument, position }) => {
      const here = at(textDocument.uri, position);
      const t = here?.target;
      if (!t || t.kind === 'op' || t.kind === 'builtin') return null;
      const span = t.kind === 'decl' ? (t.occurrence?.span ?? t.decl.nameSpan) : t.occurrence.span;
      return toRange(span);
    }),
  );

  connection.onRenameRequest(
    guard('rename', null, ({ textDocument, position, newName }) => {
      const here = at(textDocument.uri, position);
      if (!here?.target) return null;
      const library = join(zooRoot, 'std');
      const edit = renameEdits(here.target, newName, spansOf(textDocument.uri, here.target, true), ws.path(textDocument.uri), (p) => p.startsWith(library), ws.uris());
      if (typeof edit === 'string') throw new ResponseError(ErrorCodes.InvalidRequest, edit);
      return edit;
    }),
  );

  connection.onDocumentSymbol(
    guard('documentSymbol', [], ({ textDocument }) => {
      const root = ws.parse(textDocument.uri)?.root;
      return root ? documentSymbols(root) : [];
    }),
  );

  connection.onCompletion(
    guard('completion', [], ({ textDocument, position }) => {
      const doc = ws.documents.get(textDocument.uri);
      if (!doc) return [];
      const parsed = ws.parse(textDocument.uri);
      const path = ws.path(textDocument.uri);
      return complete(doc.getText(), doc.offsetAt(position), parsed?.root, parsed?.syntax, () => importPaths(path));
    }),
  );

  connection.onSignatureHelp(
    guard('signatureHelp', null, ({ textDocument, position }) => {
      const doc = ws.documents.get(textDocument.uri);
      if (!doc) return null;
      return signatureHelp(doc.getText(), doc.offsetAt(position), ws.parse(textDocument.uri)?.root) ?? null;
    }),
  );

  connection.onDocumentFormatting(
    guard('formatting', [], ({ textDocument }) => {
      const doc = ws.documents.get(textDocument.uri);
      if (!doc) return [];
      const result = format(new SourceFile(ws.path(textDocument.uri), doc.getText()));
      // A file with syntax errors is left as it is (like `archc fmt`); its diagnostics say why.
      if (result.text === undefined || result.text === doc.getText()) return [];
      return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, newText: result.text }];
    }),
  );

  connection.onCodeAction(
    guard('codeAction', [], ({ textDocument, context }) => {
      const doc = ws.documents.get(textDocument.uri);
      return doc ? codeActions(doc, context.diagnostics, ws.parse(textDocument.uri)?.syntax) : [];
    }),
  );

  connection.languages.inlayHint.on(
    guard('inlayHint', [], async ({ textDocument, range }) => {
      if (!showHints) return [];
      const syntax = ws.parse(textDocument.uri)?.syntax;
      if (!syntax) return [];
      return inlayHints(syntax, await ws.current(textDocument.uri), range);
    }),
  );

  connection.onShutdown(() => queue?.dispose());
  ws.documents.listen(connection);
  connection.listen();
}

/** The path of the worker script, for tests that check it was built. */
export const workerPath = (): string => fileURLToPath(new URL('./compile-worker.js', import.meta.url));
