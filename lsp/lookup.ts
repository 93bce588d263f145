// What the name under the cursor is: a local (tensor, parameter, loop variable) and its binding, a
// declaration (model or block) being declared or referred to, or an op or builtin being called.
import type { Module } from '../compiler/loader.js';
import { lookupOp } from '../compiler/ops/registry.js';
import type { Decl } from '../dsl/ast.js';
import { builtinSignature } from './catalog.js';
import { contains } from './spans.js';
import { bindingOf, bindsLocally, occurrenceAt, type Occurrence, type SyntaxIndex } from './syntax.js';

export type Target =
  | { readonly kind: 'local'; readonly occurrence: Occurrence; readonly binding: Occurrence }
  | { readonly kind: 'decl'; readonly decl: Decl; readonly module: Module; readonly occurrence?: Occurrence }
  | { readonly kind: 'op' | 'builtin'; readonly name: string; readonly occurrence: Occurrence };

export function targetAt(module: Module, syntax: SyntaxIndex, offset: number): Target | undefined {
  for (const decl of module.ast.decls) {
    if (contains(decl.nameSpan, offset)) return { kind: 'decl', decl, module };
  }
  const occurrence = occurrenceAt(syntax, offset);
  if (!occurrence) return undefined;
  return resolveOccurrence(module, syntax, occurrence);
}

export function resolveOccurrence(module: Module, syntax: SyntaxIndex, occurrence: Occurrence): Target | undefined {
  if (occurrence.binds || bindsLocally(syntax, occurrence.decl, occurrence.name)) {
    const binding = bindingOf(syntax, occurrence);
    return binding ? { kind: 'local', occurrence, binding } : undefined;
  }
  const entry = module.scope.get(occurrence.name);
  if (entry) return { kind: 'decl', decl: entry.decl, module: entry.module, occurrence };
  if (lookupOp(occurrence.name)) return { kind: 'op', name: occurrence.name, occurrence };
  if (builtinSignature(occurrence.name)) return { kind: 'builtin', name: occurrence.name, occurrence };
  return undefined;
}
