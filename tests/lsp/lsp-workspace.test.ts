// References and rename across the editor's workspace folder: a block renamed in the library file
// is renamed where closed files call it, and a same-named block elsewhere is left alone.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Location, WorkspaceEdit } from 'vscode-languageserver';
import { fileUri, startClient, type LspClient } from '../../tools/dev/lsp-client.js';
import { archFilesUnder } from '../../lsp/workspace-files.js';

const LIB = `block widen(x, c) {\n  return x |> conv(c, 1) |> relu\n}\n`;
const MODEL = `use "lib.arch"\nmodel m {\n  input x: [3, 8, 8]\n  y = x |> widen(8)\n  output z = y |> widen(16)\n}\n`;
// Its own block named widen: not the library's, so never renamed with it.
const OTHER = `block widen(x) {\n  return x |> relu\n}\nmodel o {\n  input x: [3, 8, 8]\n  output y = x |> widen\n}\n`;

let dir: string;
let client: LspClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'archc-lsp-ws-'));
  mkdirSync(join(dir, 'nets'));
  mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(dir, 'lib.arch'), LIB);
  writeFileSync(join(dir, 'nets', 'model.arch'), MODEL.replace('"lib.arch"', '"../lib.arch"'));
  writeFileSync(join(dir, 'other.arch'), OTHER);
  writeFileSync(join(dir, 'node_modules', 'pkg', 'skipped.arch'), MODEL);
  client = await startClient({}, dir);
});

afterAll(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The position of `needle`'s first character (plus `delta`). */
function pos(text: string, needle: string, delta = 0) {
  const before = text.slice(0, text.indexOf(needle) + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

describe('archc lsp: the workspace folder', () => {
  it('finds the workspace files, skipping node_modules and hidden folders, within its limits', () => {
    expect(archFilesUnder([dir]).map((p) => p.slice(dir.length + 1)).sort()).toEqual(['lib.arch', 'nets/model.arch', 'other.arch']);
    expect(archFilesUnder([dir], { entries: 50_000, files: 1 })).toHaveLength(1);
  });

  it('lists references to a block in closed files that import it, and renames them there', async () => {
    const libUri = fileUri(join(dir, 'lib.arch'));
    await client.open(libUri, LIB);
    const position = pos(LIB, 'widen');
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: libUri }, position, context: { includeDeclaration: true } });
    const modelUri = fileUri(join(dir, 'nets', 'model.arch'));
    expect(refs.map((r) => r.uri).sort()).toEqual([libUri, modelUri, modelUri].sort());

    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: libUri }, position, newName: 'expand' });
    expect(Object.keys(edit.changes!).sort()).toEqual([libUri, modelUri].sort());
    const modelText = MODEL.replace('"lib.arch"', '"../lib.arch"');
    expect(edit.changes![modelUri]!.map((e) => e.range.start)).toEqual([pos(modelText, 'widen(8)'), pos(modelText, 'widen(16)')]);
    expect(edit.changes![modelUri]!.every((e) => e.newText === 'expand')).toBe(true);
  });

  it('follows the open buffer, not the disk, for the file being edited', async () => {
    const modelPath = join(dir, 'nets', 'model.arch');
    const modelUri = fileUri(modelPath);
    // The buffer calls widen three times; the file on disk twice.
    const buffer = MODEL.replace('"lib.arch"', '"../lib.arch"').replace('output z = y |> widen(16)', 'w = y |> widen(16)\n  output z = w |> widen(4)');
    await client.open(modelUri, buffer);
    const libUri = fileUri(join(dir, 'lib.arch'));
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: libUri }, position: pos(LIB, 'widen'), context: { includeDeclaration: false } });
    expect(refs.filter((r) => r.uri === modelUri)).toHaveLength(3);
  });
});
