// Go to definition, find references, rename and document symbols. A local name (tensor, parameter,
// loop variable) lives in its declaration; a block or model is found through each file's scope,
// so references cross `use` imports and reach into the std library.
import { DocumentSymbol, SymbolKind, type Location, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { Module } from '../compiler/loader.js';
import type { Decl } from '../dsl/ast.js';
import type { Span } from '../dsl/source.js';
import { KEYWORDS } from './catalog.js';
import type { Target } from './lookup.js';
import { pathToUri } from './positions.js';
import { toRange } from './spans.js';
import { bindsLocally, type SyntaxIndex } from './syntax.js';

const sameDecl = (a: Decl, b: Decl): boolean => a.nameSpan.file === b.nameSpan.file && a.nameSpan.start.offset === b.nameSpan.start.offset;

export function definition(target: Target, uris: ReadonlyMap<string, string>): Location | undefined {
  if (target.kind === 'local') return { uri: pathToUri(target.binding.span.file, uris), range: toRange(target.binding.span) };
  if (target.kind === 'decl') return { uri: pathToUri(target.module.path, uris), range: toRange(target.decl.nameSpan) };
  return undefined;
}

/** Every span naming the target; `modules` are the files to search (with their syntax). */
export function referenceSpans(target: Target, syntax: SyntaxIndex, modules: readonly { module: Module; syntax: SyntaxIndex }[], includeDeclaration: boolean): Span[] {
  if (target.kind === 'local') {
    const { decl, name } = target.binding;
    return syntax.occurrences.filter((o) => o.decl === decl && o.name === name && (includeDeclaration || !o.binds)).map((o) => o.span);
  }
  if (target.kind !== 'decl') return [];
  const out: Span[] = includeDeclaration ? [target.decl.nameSpan] : [];
  const seen = new Set<string>();
  for (const { module, syntax: s } of modules) {
    if (seen.has(module.path)) continue;
    seen.add(module.path);
    const entry = module.scope.get(target.decl.name);
    if (!entry || !sameDecl(entry.decl, target.decl)) continue;
    for (const o of s.occurrences) {
      if (o.name === target.decl.name && !o.binds && !bindsLocally(s, o.decl, o.name)) out.push(o.span);
    }
  }
  return out;
}

export function toLocations(spans: readonly Span[], uris: ReadonlyMap<string, string>): Location[] {
  return spans.map((s) => ({ uri: pathToUri(s.file, uris), range: toRange(s) }));
}

/** The edits of a rename, or a reason it is refused. */
export function renameEdits(target: Target, newName: string, spans: readonly Span[], documentPath: string, isLibrary: (path: string) => boolean, uris: ReadonlyMap<string, string>): WorkspaceEdit | string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) || KEYWORDS.includes(newName)) return `'${newName}' is not a name`;
  if (target.kind === 'op' || target.kind === 'builtin') return `'${target.name}' is a built-in ${target.kind}; it cannot be renamed`;
  if (target.kind === 'decl' && target.module.path !== documentPath && isLibrary(target.module.path)) {
    return `'${target.decl.name}' is defined in the std library (${target.module.path}); rename it there`;
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const span of spans) {
    const uri = pathToUri(span.file, uris);
    (changes[uri] ??= []).push({ range: toRange(span), newText: newName });
  }
  return { changes };
}

export function documentSymbols(module: Module): DocumentSymbol[] {
  return module.ast.decls.map((decl) => {
    const children: DocumentSymbol[] = [];
    for (const s of decl.body) {
      if (s.kind === 'input' || s.kind === 'output') {
        children.push(DocumentSymbol.create(s.name, s.kind, SymbolKind.Variable, toRange(s.span), toRange(s.nameSpan)));
      }
    }
    const params = decl.params.map((p) => p.name).join(', ');
    return DocumentSymbol.create(decl.name, `${decl.kind}(${params})`, decl.kind === 'model' ? SymbolKind.Class : SymbolKind.Function, toRange(decl.span), toRange(decl.nameSpan), children);
  });
}
