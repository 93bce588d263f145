// Values of the compile-time evaluator: everything in a .arch file is known before run time except
// the batch size, so blocks, loops and conditionals are expanded away into a flat graph.
import type { BlockDecl } from '../dsl/ast.js';
import type { IrNode } from './ir.js';
import type { OpDef } from './ops/op.js';
import type { Module } from './loader.js';

/**
 * Where an integer read from a tensor came from (`x.height`, a size variable): a node's axis. An
 * argument such as `upsample(size=[x.height, x.width])` then follows that axis in the size
 * analysis instead of being a fixed number; arithmetic on the integer drops it.
 */
export interface DimRef {
  readonly node: number;
  /** The axis in the node's per-sample shape. */
  readonly axis: number;
}

export type Value =
  | { readonly kind: 'int'; readonly value: number; readonly dim?: DimRef }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'list'; readonly items: readonly Value[] }
  | { readonly kind: 'tensor'; readonly node: IrNode }
  | { readonly kind: 'block'; readonly decl: BlockDecl; readonly module: Module }
  | { readonly kind: 'op'; readonly name: string; readonly op: OpDef }
  | { readonly kind: 'builtin'; readonly name: string }
  /** The result of something that already failed: using it reports nothing more. */
  | { readonly kind: 'poison' };

export const POISON: Value = { kind: 'poison' };
export const NONE: Value = { kind: 'none' };

export const int = (value: number): Value => ({ kind: 'int', value });
export const num = (value: number): Value => (Number.isInteger(value) ? { kind: 'int', value } : { kind: 'float', value });
export const bool = (value: boolean): Value => ({ kind: 'bool', value });

export function typeName(v: Value): string {
  switch (v.kind) {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'bool':
      return 'a boolean';
    case 'string':
      return 'a string';
    case 'none':
      return 'none';
    case 'list':
      return 'a list';
    case 'tensor':
      return `a tensor [${v.node.shape.join(', ')}]`;
    case 'block':
      return `block '${v.decl.name}'`;
    case 'op':
      return `op '${v.name}'`;
    case 'builtin':
      return `function '${v.name}'`;
    case 'poison':
      return 'an unknown value';
  }
}

export function show(v: Value): string {
  switch (v.kind) {
    case 'int':
    case 'float':
      return String(v.value);
    case 'bool':
      return String(v.value);
    case 'string':
      return JSON.stringify(v.value);
    case 'none':
      return 'none';
    case 'list':
      return `[${v.items.map(show).join(', ')}]`;
    case 'tensor':
      return `[${v.node.shape.join(', ')}]`;
    default:
      return typeName(v);
  }
}

export function equal(a: Value, b: Value): boolean {
  if ((a.kind === 'int' || a.kind === 'float') && (b.kind === 'int' || b.kind === 'float')) return a.value === b.value;
  if (a.kind === 'list' && b.kind === 'list') return a.items.length === b.items.length && a.items.every((x, i) => equal(x, b.items[i]!));
  if (a.kind === 'tensor' && b.kind === 'list') return equal(shapeValue(a.node.shape), b);
  if (a.kind !== b.kind) return false;
  if (a.kind === 'none') return true;
  if (a.kind === 'tensor' && b.kind === 'tensor') return a.node === b.node;
  return 'value' in a && 'value' in b && a.value === b.value;
}

export const shapeValue = (shape: readonly number[]): Value => ({ kind: 'list', items: shape.map(int) });

export const isCallable = (v: Value): boolean => v.kind === 'block' || v.kind === 'op' || v.kind === 'builtin';
