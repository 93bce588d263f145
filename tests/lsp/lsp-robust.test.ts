// The language server never crashes and never hangs the editor: the fuzz corpus (seeded mutations
// of zoo files: truncations, swapped tokens, random bytes) goes through it with every request at
// several places, and a document whose compilation is slow is cut off with a diagnostic.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic, Hover } from 'vscode-languageserver';
import { caseText, corpus } from '../../tools/dev/fuzz/check.js';
import { rng } from '../../tools/dev/fuzz/mutate.js';
import { NESTINGS, nestedModel, type Nesting } from '../../tools/dev/fuzz/nesting.js';
import { fileUri, startClient, type LspClient } from '../../tools/dev/lsp-client.js';

const CASES = Number(process.env['LSP_FUZZ_CASES'] ?? 120);
const SEED = 20_261_202;

describe('archc lsp under bad input', () => {
  let client: LspClient;
  beforeAll(async () => {
    client = await startClient({ compileTimeoutMs: 1_500 });
  });
  afterAll(async () => {
    await client?.close();
  });

  it('cuts off a document whose compilation is slow with E0606, answers meanwhile, and recovers on the next edit', async () => {
    // 2,000 lists of 100,000 items: far within the expansion budget (E0607), and minutes of work.
    const slow = `model slow {\n  input x: [3, 8, 8]\n  s = 0\n  for i in 0..2000 {\n    s = s + len(range(100000))\n  }\n  output y = x |> relu\n}\n`;
    const uri = 'untitled:slow';
    const published = await client.open(uri, slow);
    expect(published.diagnostics.map((d) => d.code)).toEqual(['E0606']);
    expect(published.diagnostics[0]!.message).toMatch(/compilation stopped after 1\.5 s/);
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols).toHaveLength(1);
    const fixed = slow.replace('0..2000', '0..2');
    expect((await client.change(uri, fixed, 2)).diagnostics).toEqual([]);
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 10 } });
    expect(JSON.stringify(hover.contents)).toContain('y: [3, 8, 8]');
  });

  it('answers every request on documents nested 1,000 levels deep (which compile) and 100,000 (E0104)', async () => {
    for (const kind of Object.keys(NESTINGS) as Nesting[]) {
      for (const n of [1000, 100_000]) {
        // Past the limits every construct takes the same paths: three of them suffice.
        if (n > 1000 && !['parentheses', 'ifs', 'stages'].includes(kind)) continue;
        const uri = `untitled:${kind}-${n}`;
        const text = nestedModel(kind, n);
        const published = await client.open(uri, text);
        const codes = published.diagnostics.filter((d: Diagnostic) => d.severity === 1).map((d) => `${d.code} line ${d.range.start.line + 1}`);
        expect(codes, `${kind} ${n}`).toEqual(n === 1000 ? [] : ['E0104 line 4']);
        const doc = { textDocument: { uri } };
        const deep = { line: 3, character: Math.min(text.split('\n')[3]!.length - 1, 4000) };
        await client.request('textDocument/hover', { ...doc, position: deep });
        await client.request('textDocument/definition', { ...doc, position: deep });
        await client.request('textDocument/completion', { ...doc, position: deep });
        await client.request('textDocument/documentSymbol', doc);
        await client.request('textDocument/inlayHint', { ...doc, range: { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } } });
        const edits = await client.request<unknown[] | null>('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } });
        if (n === 1000) expect(edits, `${kind} formats`).not.toBeNull();
        if (n === 1000) {
          // The shapes arrive after the diagnostics: ask again until they are there.
          let hover = '';
          for (let tries = 0; tries < 50 && !hover.includes('[8, 8, 8]'); tries++) {
            if (tries) await new Promise((r) => setTimeout(r, 100));
            hover = JSON.stringify((await client.request<Hover>('textDocument/hover', { ...doc, position: { line: 4, character: 9 } }))?.contents);
          }
          expect(hover, `${kind} hover`).toContain('[8, 8, 8]');
        }
      }
    }
    expect(client.stderr()).not.toMatch(/failed|internal error|RangeError/);
    expect(client.child.exitCode).toBeNull();
  }, 120_000);

  it(`answers every request on ${CASES} fuzz cases without an internal error`, async () => {
    const targets = corpus();
    const versions = new Map<string, number>();
    const opened = new Set<string>();
    const r = rng(SEED);
    let withErrors = 0;
    for (let index = 0; index < CASES; index++) {
      const { target, text } = caseText(SEED, index, targets);
      const uri = fileUri(target.mutated);
      if (target.root !== target.mutated && !opened.has(target.root)) {
        opened.add(target.root);
        await client.open(fileUri(target.root), readFileSync(target.root, 'utf8'));
      }
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      const published = version === 1 ? await client.open(uri, text) : await client.change(uri, text, version);
      if (published.diagnostics.some((d: Diagnostic) => d.severity === 1)) withErrors++;
      expect(published.diagnostics.map((d) => d.code)).not.toContain('E0900');
      const lines = text.split('\n');
      const doc = { textDocument: { uri } };
      for (let k = 0; k < 4; k++) {
        const line = Math.floor(r() * lines.length);
        const position = { line, character: Math.floor(r() * ((lines[line]?.length ?? 0) + 1)) };
        await client.request('textDocument/hover', { ...doc, position });
        await client.request('textDocument/completion', { ...doc, position });
        await client.request('textDocument/signatureHelp', { ...doc, position });
        await client.request('textDocument/definition', { ...doc, position });
        await client.request('textDocument/references', { ...doc, position, context: { includeDeclaration: true } });
        await client.request('textDocument/prepareRename', { ...doc, position });
      }
      await client.request('textDocument/documentSymbol', doc);
      await client.request('textDocument/inlayHint', { ...doc, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } });
      await client.request('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } });
      await client.request('textDocument/codeAction', { ...doc, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: published.diagnostics } });
    }
    // The mutations broke most files: the cases did exercise error paths.
    expect(withErrors).toBeGreaterThan(CASES / 3);
    expect(client.stderr()).not.toMatch(/failed|internal error/);
    expect(client.child.exitCode).toBeNull();
  }, 120_000);
});
