// Completion and signature help. The context comes from the text before the cursor (it is often
// not valid syntax while typing): a `use "` path, a `.` after a name, the argument list of a call,
// or anywhere else (names in scope, ops, blocks, builtins, keywords).
import { CompletionItemKind, type CompletionItem, type SignatureHelp } from 'vscode-languageserver-types';
import type { Module } from '../compiler/loader.js';
import { blockSignature, blocksInScope, builtinNames, builtinSignature, KEYWORDS, opNames, opSignature, signatureOf, TENSOR_PROPERTIES, type Signature } from './catalog.js';
import { lookupOp } from '../compiler/ops/registry.js';
import { declAt, type SyntaxIndex } from './syntax.js';

/** The innermost unclosed `(` before `offset` and the name called there. */
export function enclosingCall(text: string, offset: number): { name: string; open: number; piped: boolean; argIndex: number; argText: string } | undefined {
  let depth = 0;
  let commas = 0;
  let lastComma = -1;
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === ')' || c === ']') depth++;
    else if (c === '[') {
      if (depth === 0) return undefined; // inside a list literal
      depth--;
    } else if (c === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const before = text.slice(Math.max(0, i - 200), i);
      const m = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(before);
      if (!m) return undefined;
      const piped = /\|>\s*$/.test(before.slice(0, before.length - m[0].length));
      return { name: m[1]!, open: i, piped, argIndex: commas, argText: text.slice(lastComma >= 0 ? lastComma + 1 : i + 1, offset).trim() };
    } else if (c === '{' || c === '}') return undefined;
    else if (c === ',' && depth === 0) {
      if (lastComma < 0) lastComma = i;
      commas++;
    }
  }
  return undefined;
}

function signatureItem(sig: Signature, kind: CompletionItemKind): CompletionItem {
  return { label: sig.name, kind, detail: sig.label, documentation: sig.doc ? { kind: 'markdown', value: sig.doc } : undefined };
}

/** `importPaths` lists what `use "` may name (the file system in the server, the bundled std in the playground). */
export function complete(text: string, offset: number, module: Module | undefined, syntax: SyntaxIndex | undefined, importPaths: () => CompletionItem[]): CompletionItem[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  const use = /^\s*use\s+"([^"]*)$/.exec(line);
  if (use) return importPaths();
  if (/[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_]*$/.test(line) && !/\d\.[A-Za-z_]*$/.test(line)) {
    return Object.entries(TENSOR_PROPERTIES).map(([label, doc]) => ({ label, kind: CompletionItemKind.Property, detail: doc }));
  }
  const call = enclosingCall(text, offset);
  if (call) {
    const sig = signatureOf(call.name, module);
    const value = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"?([A-Za-z_]*)$/.exec(call.argText);
    if (sig && value) {
      const param = sig.params.find((p) => p.name === value[1]);
      if (param?.oneOf) return param.oneOf.map((v) => ({ label: `"${v}"`, kind: CompletionItemKind.EnumMember, insertText: call.argText.includes('"') ? v : `"${v}"`, detail: `${param.name}=` }));
      return generalItems(text, offset, module, syntax);
    }
    if (sig && sig.kind !== 'builtin' && /^[A-Za-z_]*$/.test(call.argText)) {
      const written = new Set([...text.slice(call.open, offset).matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=/g)].map((m) => m[1]));
      const named: CompletionItem[] = sig.params
        .filter((p) => !p.tensor && !written.has(p.name))
        .map((p, i) => ({
          label: `${p.name}=`,
          kind: CompletionItemKind.Field,
          detail: p.default === undefined ? 'required' : `default ${p.default}`,
          documentation: [p.doc, p.oneOf ? `one of ${p.oneOf.map((v) => `"${v}"`).join(', ')}` : ''].filter(Boolean).join('; ') || undefined,
          sortText: `0${String(i).padStart(3, '0')}`,
        }));
      return [...named, ...generalItems(text, offset, module, syntax)];
    }
  }
  return generalItems(text, offset, module, syntax);
}

function generalItems(text: string, offset: number, module: Module | undefined, syntax: SyntaxIndex | undefined): CompletionItem[] {
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const add = (item: CompletionItem) => {
    if (!seen.has(item.label)) seen.add(item.label), items.push(item);
  };
  const decl = module && declAt(module.ast, offset);
  const local = (name: string) => add({ label: name, kind: CompletionItemKind.Variable, sortText: `1${name}` });
  if (decl) {
    for (const o of syntax?.occurrences ?? []) if (o.decl === decl && o.binds && o.span.start.offset < offset) local(o.name);
  } else {
    // The parser lost this declaration (text being typed): the names assigned above, read from the text.
    const start = Math.max(text.lastIndexOf('model ', offset), text.lastIndexOf('block ', offset), 0);
    const above = text.slice(start, offset);
    for (const m of above.matchAll(/(?:^|\n)\s*(?:input\s+|output\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|:)/g)) local(m[1]!);
  }
  for (const { decl: b, module: m } of blocksInScope(module)) add({ ...signatureItem(blockSignature(b, m), CompletionItemKind.Function), sortText: `2${b.name}` });
  for (const name of opNames()) add({ ...signatureItem(opSignature(name, lookupOp(name)!), CompletionItemKind.Function), sortText: `3${name}` });
  for (const name of builtinNames()) add({ ...signatureItem(builtinSignature(name)!, CompletionItemKind.Function), sortText: `4${name}` });
  for (const k of KEYWORDS) add({ label: k, kind: CompletionItemKind.Keyword, sortText: `5${k}` });
  return items;
}

export function signatureHelp(text: string, offset: number, module: Module | undefined): SignatureHelp | undefined {
  const call = enclosingCall(text, offset);
  if (!call) return undefined;
  const sig = signatureOf(call.name, module);
  if (!sig) return undefined;
  const named = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(call.argText);
  let active = call.argIndex + (call.piped ? 1 : 0);
  if (named) {
    const i = sig.params.findIndex((p) => p.name === named[1]);
    if (i >= 0) active = i;
  }
  return {
    signatures: [{ label: sig.label, documentation: sig.doc, parameters: sig.params.map((p) => ({ label: p.label, documentation: p.doc })) }],
    activeSignature: 0,
    activeParameter: Math.min(active, Math.max(0, sig.params.length - 1)),
  };
}
