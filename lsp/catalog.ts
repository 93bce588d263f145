// Signatures of what can be called in a .arch file — primitive ops (from the registry), blocks
// (from their declarations) and builtins — for hover, completion and signature help.
import { builtins } from '../compiler/builtins.js';
import type { Module } from '../compiler/loader.js';
import { lookupOp, ops } from '../compiler/ops/registry.js';
import type { OpDef, ParamSpec } from '../compiler/ops/op.js';
import type { BlockDecl, Decl } from '../dsl/ast.js';
import { docComment } from './syntax.js';

export interface ParamInfo {
  readonly name: string;
  /** `stride=1`, `x`, `kernel`. */
  readonly label: string;
  readonly doc?: string;
  /** The default as written, absent when the argument is required. */
  readonly default?: string;
  /** Accepted strings, for arguments such as `pad` or `mode`. */
  readonly oneOf?: readonly string[];
  /** A tensor input: piped in with `|>`, never named. */
  readonly tensor?: boolean;
}

export interface Signature {
  readonly kind: 'op' | 'block' | 'builtin';
  readonly name: string;
  readonly label: string;
  readonly params: readonly ParamInfo[];
  readonly doc?: string;
  /** For a block: where it is declared. */
  readonly decl?: { decl: BlockDecl; module: Module };
}

const showDefault = (v: unknown): string => (v === null ? 'none' : typeof v === 'string' ? `"${v}"` : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

function opParam(name: string, p: ParamSpec): ParamInfo {
  const def = p.default === undefined ? undefined : showDefault(p.default);
  const oneOf = p.oneOf ?? (p.type === 'pad' ? ['same', 'valid', 'full'] : undefined);
  return { name, label: def === undefined ? name : `${name}=${def}`, doc: p.doc, default: def, oneOf };
}

export function opSignature(name: string, op: OpDef): Signature {
  const inputs: ParamInfo[] =
    op.arity.max === Infinity
      ? [{ name: 'x...', label: 'x...', tensor: true, doc: 'input tensors' }]
      : ['x', 'y', 'z'].slice(0, Math.max(op.arity.max, 1)).map((n) => ({ name: n, label: n, tensor: true, doc: 'input tensor' }));
  const params = [...inputs, ...Object.entries(op.params).map(([k, p]) => opParam(k, p)), { name: 'name', label: 'name="..."', doc: 'the layer name (weights are <name>.weight, ...)' }];
  return { kind: 'op', name, label: `${name}(${params.map((p) => p.label).join(', ')})`, params, doc: op.summary };
}

export function blockSignature(decl: BlockDecl, module: Module): Signature {
  const text = module.source.text;
  const params: ParamInfo[] = decl.params.map((p) => {
    const def = p.default ? text.slice(p.default.span.start.offset, p.default.span.end.offset) : undefined;
    return { name: p.name, label: def === undefined ? p.name : `${p.name}=${def}`, default: def };
  });
  return { kind: 'block', name: decl.name, label: `${decl.name}(${params.map((p) => p.label).join(', ')})`, params, doc: docComment(module.ast, decl), decl: { decl, module } };
}

export function builtinSignature(name: string): Signature | undefined {
  const b = Object.hasOwn(builtins, name) ? builtins[name] : undefined;
  if (!b) return undefined;
  const names = b.arity.max === Infinity ? ['a', '...'] : ['a', 'b', 'c'].slice(0, b.arity.max);
  const params = names.map((n) => ({ name: n, label: n }));
  return { kind: 'builtin', name, label: `${name}(${names.join(', ')})`, params, doc: b.doc };
}

/** What a name means where it is called from `module`: a block in scope, an op or a builtin. */
export function signatureOf(name: string, module: Module | undefined): Signature | undefined {
  const entry = module?.scope.get(name);
  if (entry?.decl.kind === 'block') return blockSignature(entry.decl, entry.module);
  const op = lookupOp(name);
  if (op) return opSignature(name, op);
  return builtinSignature(name);
}

export const opNames = (): string[] => Object.keys(ops);
export const builtinNames = (): string[] => Object.keys(builtins);

/** Blocks visible from a module (its own and those of the files it uses). */
export function blocksInScope(module: Module | undefined): { decl: BlockDecl; module: Module }[] {
  const out: { decl: BlockDecl; module: Module }[] = [];
  for (const { decl, module: m } of module?.scope.values() ?? []) if (decl.kind === 'block') out.push({ decl, module: m });
  return out;
}

export const isBlock = (d: Decl): d is BlockDecl => d.kind === 'block';

/** Tensor properties after `.` (README, Expressions). */
export const TENSOR_PROPERTIES: Record<string, string> = {
  channels: 'the channel count (axis 0 of the per-sample shape)',
  height: 'the height of an image-like tensor',
  width: 'the width of an image-like tensor',
  depth: 'the depth of a volume [C, D, H, W]',
  length: 'the length of a sequence [C, L]',
  features: 'the size of a flat feature vector [F]',
  shape: 'the per-sample shape as a list',
  rank: 'the number of per-sample axes',
};

export const KEYWORDS = ['model', 'block', 'use', 'allow', 'input', 'output', 'return', 'expect', 'for', 'in', 'if', 'else', 'frozen', 'and', 'or', 'not', 'true', 'false', 'none'];
