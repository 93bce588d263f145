// A minimal LSP client for the tests and the benchmark (npm run bench, section lsp): it starts `archc lsp` (dist/) as an editor
// does and talks JSON-RPC over its stdin/stdout with vscode-jsonrpc.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node.js';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { packageRoot } from '../../compiler/node-host.js';

export interface LspClient {
  readonly connection: MessageConnection;
  readonly child: ChildProcess;
  /** What the server wrote to stderr (its log). */
  readonly stderr: () => string;
  open(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  /** Replaces the whole text; resolves with the diagnostics published for this version. */
  change(uri: string, text: string, version: number): Promise<PublishDiagnosticsParams>;
  request<R>(method: string, params: unknown): Promise<R>;
  close(): Promise<void>;
}

export const fileUri = (path: string): string => pathToFileURL(path).href;

/** Starts `archc lsp`; `workspaceFolder` is the folder the editor has open (none: loose files only). */
export async function startClient(initializationOptions: Record<string, unknown> = {}, workspaceFolder?: string): Promise<LspClient> {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'archc.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const waiting = new Map<string, { version?: number; resolve: (p: PublishDiagnosticsParams) => void }[]>();
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    const list = waiting.get(p.uri) ?? [];
    const keep = list.filter((w) => {
      if (w.version !== undefined && p.version !== undefined && p.version < w.version) return true;
      w.resolve(p);
      return false;
    });
    waiting.set(p.uri, keep);
  });
  connection.listen();
  const next = (uri: string, version?: number) =>
    new Promise<PublishDiagnosticsParams>((resolve) => {
      const list = waiting.get(uri) ?? [];
      list.push({ version, resolve });
      waiting.set(uri, list);
    });
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: workspaceFolder ? fileUri(workspaceFolder) : null,
    workspaceFolders: workspaceFolder ? [{ uri: fileUri(workspaceFolder), name: 'workspace' }] : null,
    capabilities: { workspace: { inlayHint: { refreshSupport: false } } },
    initializationOptions,
  });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    child,
    stderr: () => log,
    open(uri, text) {
      const published = next(uri, 1);
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'archc', version: 1, text } });
      return published;
    },
    change(uri, text, version) {
      const published = next(uri, version);
      void connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      return published;
    },
    request: (method, params) => connection.sendRequest(method, params),
    async close() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // the server is already gone
      }
      connection.dispose();
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => (child.kill(), resolve()), 2_000);
          child.once('exit', () => (clearTimeout(timer), resolve()));
        });
      }
    },
  };
}
