// The language server, driven as an editor drives it: `archc lsp` started as a process (dist/),
// JSON-RPC over its stdin/stdout (vscode-jsonrpc). Documents are unsaved buffers whose imports
// resolve against the real zoo.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, Hover, InlayHint, Location, SignatureHelp, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { startClient, fileUri, type LspClient } from '../../tools/dev/lsp-client.js';
import { zooRoot } from '../../compiler/node-host.js';

const RESNET50 = join(zooRoot, 'resnet', 'resnet50.arch');
const resnetText = readFileSync(RESNET50, 'utf8');
const resnetUri = fileUri(RESNET50);

/** The position of the `nth` occurrence of `needle` in `text` (plus `delta` characters). */
function pos(text: string, needle: string, delta = 0, nth = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`'${needle}' not in the text`);
  const before = text.slice(0, at + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

const hoverText = (h: Hover | null): string => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');

let client: LspClient;
let untitled = 0;
/** Opens `text` as a new unsaved buffer; returns its URI and first diagnostics. */
async function openBuffer(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = `untitled:Untitled-${++untitled}`;
  const published = await client.open(uri, text);
  return { uri, diagnostics: published.diagnostics };
}

beforeAll(async () => {
  client = await startClient();
});

afterAll(async () => {
  await client?.close();
});

describe('archc lsp: diagnostics', () => {
  it('publishes a clean zoo file with no diagnostics, and an error with its code, link and fix after a change', async () => {
    expect((await client.open(resnetUri, resnetText)).diagnostics).toEqual([]);
    const broken = resnetText.replace('|> bn |> relu |> maxpool', '|> bn |> rleu |> maxpool');
    const published = await client.change(resnetUri, broken, 2);
    expect(published.version).toBe(2);
    expect(published.diagnostics).toHaveLength(1);
    const d = published.diagnostics[0]!;
    expect(d).toMatchObject({ code: 'E0201', severity: 1, source: 'archc', range: { start: pos(broken, 'rleu'), end: pos(broken, 'rleu', 4) } });
    expect(d.codeDescription?.href).toMatch(/docs\/diagnostics\.md#e0201$/);
    expect(d.message).toContain("help: did you mean 'relu'?");
    expect((await client.change(resnetUri, resnetText, 3)).diagnostics).toEqual([]);
  });

  it('reports warnings as warnings and an error inside a std block with its call chain as related information', async () => {
    const clean = `use "std/resnet"\nmodel m {\n  input x: [64, 8, 8]\n  y = x |> conv(8, 3, pad=1) |> bn\n  output z = y |> bottleneck(16)\n}\n`;
    const warnings = (await openBuffer(clean)).diagnostics;
    expect(warnings.map((d) => [d.code, d.severity])).toEqual([['W0101', 2]]);
    const text = clean.replace('bottleneck(16)', 'bottleneck(16, stride=0)');
    const { diagnostics } = await openBuffer(text);
    const error = diagnostics.find((d) => d.severity === 1)!;
    expect(error.code).toBe('E0305');
    // Shown at the call in this buffer; the place inside std/resnet.arch is related information.
    expect(error.range.start).toEqual(pos(text, 'bottleneck(16'));
    expect(error.message).toMatch(/^in .*std\/resnet\.arch:\d+:\d+: /);
    const places = error.relatedInformation!.map((r) => `${r.location.uri.replace(/^.*\/zoo\//, 'zoo/')} ${r.message}`);
    expect(places.some((p) => p.startsWith('zoo/std/resnet.arch'))).toBe(true);
    expect(places.some((p) => p.includes("in block 'bottleneck', called here"))).toBe(true);
  });

  it('reports an error inside a block that nothing calls, checked on its own from its shape signatures', async () => {
    const text = `block up(x: [C, H, W], skip: [C / 2, 2 * H, 2 * W]) {\n  u = x |> conv_transpose(C / 2, 2, stride=2)\n  return skip + (u |> conv(C, 1))\n}\n`;
    const { diagnostics } = await openBuffer(text);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['E0302', 1]]);
    expect(diagnostics[0]!.range.start).toEqual(pos(text, 'skip + (u'));
    const notes = diagnostics[0]!.relatedInformation!.map((r) => r.message);
    expect(notes.some((m) => m.startsWith("nothing calls block 'up': it is checked on its own"))).toBe(true);
    const fixed = text.replace('conv(C, 1)', 'conv(C / 2, 1)');
    expect((await openBuffer(fixed)).diagnostics).toEqual([]);
  });

  it('works on a file with syntax errors: the errors, and symbols from the recovered parse', async () => {
    const text = `model a {\n  input x: [3, 8, 8]\n  y = x |> conv(8, 3, \n  output z = y\n}\n\nblock b(x) {\n  return x |> relu\n}\n`;
    const { uri, diagnostics } = await openBuffer(text);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.every((d) => d.code === 'E0102' || d.code === 'E0101')).toBe(true);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toContain('b');
    // Hover and completion answer (possibly nothing) instead of failing.
    await client.request('textDocument/hover', { textDocument: { uri }, position: pos(text, 'y =') });
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: pos(text, 'conv(8, 3, ', 11) });
    expect(items.map((i) => i.label)).toContain('stride=');
  });
});

describe('archc lsp: hover, inlay hints, navigation', () => {
  it('hovers a tensor with its shape, a pipeline stage with params and MACs, a block call and a model with totals', async () => {
    const tensor = hoverText(await client.request('textDocument/hover', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'x = x |> stage(bottleneck, 64') }));
    // resnet50's input names its sizes (`[3, H, W] = [3, 224, 224]`): symbolic, then at the defaults.
    expect(tensor).toContain('x: [256, (H + 3)//4, (W + 3)//4]');
    expect(tensor).toContain('[256, 56, 56] at H = 224, W = 224');
    const conv = hoverText(await client.request('textDocument/hover', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'conv(64, 7', 1) }));
    expect(conv).toContain('→ **[64, (H + 1)//2, (W + 1)//2]** ([64, 112, 112] at H = 224, W = 224)');
    expect(conv).toContain('params 9,408'); // 64·3·7·7
    expect(conv).toContain('MACs 118,013,952'); // 9,408 · 112 · 112
    expect(conv).toContain('convolution');
    const stage = hoverText(await client.request('textDocument/hover', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'stage(bottleneck, 64', 1) }));
    expect(stage).toContain('stage(x, unit, width, blocks');
    expect(stage).toContain('[256, 56, 56] at H = 224, W = 224');
    expect(stage).toContain('params 215,808'); // torchvision resnet50 layer1
    const model = hoverText(await client.request('textDocument/hover', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'resnet50(', 2) }));
    expect(model).toContain('params 25,557,032');
    expect(model).toContain('MACs 4,089,184,256');
    expect(model).toContain('counted at H = 224, W = 224');
  });

  it('hovers a tensor inside a block with the shape of each evaluation', async () => {
    const text = `model m {\n  input x: [8, 16, 16]\n  a = x |> down(16)\n  output b = a |> down(32)\n}\nblock down(x, c) {\n  y = x |> conv(c, 3, stride=2, pad=1)\n  return y |> relu\n}\n`;
    const { uri } = await openBuffer(text);
    const y = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: pos(text, 'y |> relu') }));
    expect(y).toContain('y: [16, 8, 8] | [32, 4, 4]');
    expect(y).toMatch(/`down1`: \[16, 8, 8\]\n- `down2`: \[32, 4, 4\]/);
    const b = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: pos(text, 'b =') }));
    expect(b).toContain('b: [32, 4, 4]');
  });

  it('hovers tensors and pipeline stages of a size-generic model with symbolic shapes and the shape at the default size', async () => {
    const path = join(zooRoot, 'segmentation', 'unet_same.arch');
    const text = readFileSync(path, 'utf8');
    const uri = fileUri(path);
    expect((await client.open(uri, text)).diagnostics).toEqual([]);
    const e2 = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: pos(text, 'e2 =') }));
    expect(e2).toContain('e2: [128, H/2, W/2]');
    expect(e2).toContain('[128, 128, 128] at H = 256, W = 256');
    const down = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: pos(text, 'unet_down(256', 1) }));
    expect(down).toContain('→ **[256, H/4, W/4]** ([256, 64, 64] at H = 256, W = 256)');
    const scores = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: pos(text, 'scores =') }));
    expect(scores).toContain('scores: [2, H, W]');
    const model = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: pos(text, 'unet_same(', 1) }));
    expect(model).toContain('valid for H, W ≡ 0 (mod 16), H, W ≥ 16');
    const range = { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } };
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range });
    expect(hints.map((h) => `${h.position.line}${h.label as string}`)).toContain(`${pos(text, 'u4 =').line}: [512, H/8, W/8]`);
  });

  it('shows the shape after each assignment as inlay hints, and none once they are switched off', async () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } };
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: resnetUri }, range });
    const labels = hints.map((h) => `${h.position.line}${h.label as string}`);
    expect(labels).toContain(`${pos(resnetText, 'x = image').line}: [64, (H + 3)//4, (W + 3)//4]`);
    expect(hints.find((h) => h.position.line === pos(resnetText, 'x = image').line)?.tooltip).toBe('[64, 56, 56] at H = 224, W = 224');
    expect(labels).toContain(`${pos(resnetText, 'output logits').line}: [1000]`);
    // Lines with a written annotation (`: [256, 56, 56]`) get none.
    expect(labels.some((l) => l.startsWith(`${pos(resnetText, 'stage(bottleneck, 64').line}:`))).toBe(false);
    expect(labels).toHaveLength(2);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { archc: { inlayHints: false } } });
    expect(await client.request('textDocument/inlayHint', { textDocument: { uri: resnetUri }, range })).toEqual([]);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { archc: { inlayHints: true } } });
  });

  it('goes to a block in the std library, to a tensor binding, and lists references', async () => {
    const def = await client.request<Location>('textDocument/definition', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'stage(bottleneck', 6) });
    expect(def.uri).toMatch(/zoo\/std\/resnet\.arch$/);
    const stdText = readFileSync(join(zooRoot, 'std', 'resnet.arch'), 'utf8');
    expect(def.range.start).toEqual(pos(stdText, 'bottleneck(x'));
    const local = await client.request<Location>('textDocument/definition', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'x |> stage(bottleneck, 64') });
    expect(local.range.start).toEqual(pos(resnetText, 'x = image'));
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'stage(bottleneck, 64'), context: { includeDeclaration: true } });
    // Four calls here, the declaration and its own uses in std/resnet.arch.
    expect(refs.filter((r) => r.uri === resnetUri)).toHaveLength(4);
    expect(refs.some((r) => r.uri.endsWith('std/resnet.arch'))).toBe(true);
  });

  it('renames a tensor within its declaration, and refuses to rename a std block from a user file', async () => {
    const text = `model m {\n  input x: [3, 8, 8]\n  h = x |> conv(8, 3)\n  h = h |> relu\n  output y = h\n}\nblock other(h) {\n  return h\n}\n`;
    const { uri } = await openBuffer(text);
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: pos(text, 'h |> relu'), newName: 'feat' });
    const edits = edit.changes![uri]!;
    expect(edits).toHaveLength(4); // two bindings and two reads in model m; block other's h is untouched
    expect(edits.every((e) => e.range.start.line >= 2 && e.range.start.line <= 4)).toBe(true);
    await expect(client.request('textDocument/rename', { textDocument: { uri: resnetUri }, position: pos(resnetText, 'stage(bottleneck', 6), newName: 'bneck' })).rejects.toThrow(/std library/);
    await expect(client.request('textDocument/rename', { textDocument: { uri }, position: pos(text, 'h |> relu'), newName: 'for' })).rejects.toThrow(/not a name/);
  });

  it('lists models and blocks as document symbols', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: resnetUri } });
    expect(symbols.map((s) => s.name)).toEqual(['resnet50']);
    expect(symbols[0]!.children!.map((c) => c.name)).toEqual(['image', 'logits']);
  });
});

describe('archc lsp: completion, signatures, formatting, code actions', () => {
  const labels = (items: CompletionItem[]) => items.map((i) => i.label);

  it('completes std paths after use, tensor properties after a dot, named arguments and their allowed values, and names', async () => {
    const text = `use "std/\nmodel m {\n  input x: [3, 8, 8]\n  c = x.\n  y = x |> conv(8, 3, \n  z = x |> conv(8, 3, pad="\n  w = x |> \n}\n`;
    const { uri } = await openBuffer(text);
    const at = (needle: string, delta: number) => client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: pos(text, needle, delta) });
    expect(labels(await at('use "std/', 9))).toEqual(expect.arrayContaining(['std/resnet', 'std/segmentation']));
    expect(labels(await at('x.', 2))).toEqual(expect.arrayContaining(['channels', 'height', 'width', 'shape']));
    const named = await at('conv(8, 3, ', 11);
    const stride = named.find((i) => i.label === 'stride=')!;
    expect(stride.detail).toBe('default 1');
    expect(labels(named)).not.toContain('filters=x'); // tensors are piped, never named
    expect(labels(await at('pad="', 5))).toEqual(['"same"', '"valid"', '"full"']);
    const general = await at('w = x |> ', 9);
    expect(general.find((i) => i.label === 'conv')!.detail).toMatch(/^conv\(x, filters, kernel, stride=1/);
    expect(labels(general)).toEqual(expect.arrayContaining(['x', 'c', 'bn', 'relu', 'make_divisible']));
  });

  it('gives signature help with the active parameter (a piped tensor counts as the first)', async () => {
    const text = `model m {\n  input x: [3, 8, 8]\n  output y = x |> conv(8, 3, stride=2)\n}\n`;
    const { uri } = await openBuffer(text);
    const help = await client.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri }, position: pos(text, '3, stride', 1) });
    expect(help.signatures[0]!.label).toMatch(/^conv\(x, filters, kernel/);
    expect(help.activeParameter).toBe(2); // x (piped), filters, kernel
    const named = await client.request<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri }, position: pos(text, 'stride=2', 8) });
    expect(help.signatures[0]!.parameters![named.activeParameter!]!.label).toBe('stride=1');
  });

  it('formats like archc fmt, and leaves a file with syntax errors alone', async () => {
    const text = `model m {\ninput x: [3,8,8]\n    output y = x|>relu\n}\n`;
    const { uri } = await openBuffer(text);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(`model m {\n  input x: [3, 8, 8]\n  output y = x |> relu\n}\n`);
    const broken = await openBuffer(`model m {\n  input x: [3, 8\n}\n`);
    expect(await client.request('textDocument/formatting', { textDocument: { uri: broken.uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  it('offers the fixes that hints name: a misspelt op, an input size that works, bias=false before batch norm', async () => {
    const unet = readFileSync(join(zooRoot, 'segmentation', 'unet_same.arch'), 'utf8').replace('[channels, 256, 256]', '[channels, 358, 358]');
    const typo = `model m {\n  input x: [3, 8, 8]\n  output y = x |> conv(8, 3) |> bn |> rleu\n}\n`;
    const bias = typo.replace('rleu', 'relu');
    for (const [source, title, check] of [
      [typo, "change to 'relu'", (t: string) => expect(t).toContain('|> bn |> relu')],
      [bias, 'add bias=false', (t: string) => expect(t).toContain('conv(8, 3, bias=false)')],
      [unet, "use input size [3, 352, 352] for 'image'", (t: string) => expect(t).toContain('input image: [channels, H, W] = [3, 352, 352]')],
    ] as const) {
      const { uri, diagnostics } = await openBuffer(source);
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
      const action = actions.find((a) => a.title === title);
      expect(action, `${title} among ${actions.map((a) => a.title).join(', ')}`).toBeDefined();
      check(applyEdits(source, action!.edit!.changes![uri]!));
    }
  });
});

/** Applies non-overlapping edits (LSP ranges) to a text. */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
