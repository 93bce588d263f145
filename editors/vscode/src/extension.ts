// The VS Code side of archc: it starts `archc lsp` (the language server does the work: diagnostics,
// hover, inlay hints, navigation, completion, formatting) and passes the inlay-hint setting on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type Executable, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** The configured command, else the workspace's own archc, else archc on the PATH. */
function serverCommand(): Executable {
  const configured = workspace.getConfiguration('archc').get<string[]>('server.command') ?? [];
  if (configured.length > 0) return { command: configured[0]!, args: configured.slice(1), transport: TransportKind.stdio };
  for (const folder of workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', process.platform === 'win32' ? 'archc.cmd' : 'archc');
    if (existsSync(local)) return { command: local, args: ['lsp'], transport: TransportKind.stdio };
    const checkout = join(folder.uri.fsPath, 'bin', 'archc.js');
    if (existsSync(checkout)) return { command: process.execPath.includes('node') ? process.execPath : 'node', args: [checkout, 'lsp'], transport: TransportKind.stdio };
  }
  return { command: 'archc', args: ['lsp'], transport: TransportKind.stdio };
}

export async function activate(context: ExtensionContext): Promise<void> {
  const run = serverCommand();
  const server: ServerOptions = { run, debug: run };
  const options: LanguageClientOptions = {
    documentSelector: [{ language: 'archc' }],
    initializationOptions: { inlayHints: workspace.getConfiguration('archc').get<boolean>('inlayHints') ?? true },
    synchronize: { configurationSection: 'archc' },
  };
  client = new LanguageClient('archc', 'archc language server', server, options);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
