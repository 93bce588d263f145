// The names a block gives its ops, relative to each call's module path. Usually every member of a
// family names its ops alike (`conv1`, `downsample.0`). PyTorch numbers an nn.Sequential's
// children by position, so a unit that leaves out an optional first child (an inverted residual
// without its expansion conv: torchvision's `block.0` is then the depthwise conv, `block.1` the
// squeeze-excitation, ...) numbers the rest one lower. Such names are written from an offset that
// the branch's condition sets: `k = if expand != 1 { 1 } else { 0 }`, `name=str(k + 1) + ".fc1"`.
import { weightPath } from './emit.js';
import type { LiftedNode } from './graph.js';
import type { Family } from './merge.js';

export interface UnitNames {
  /** Each template op's name: text, an expression of the offset, or none (archc names it). */
  readonly name: (op: number) => string | { readonly expr: string } | undefined;
  /** The branch whose absence numbers the later ops one lower, if any. */
  readonly shiftedBy?: number;
}

/** The offset variable's name inside the block. */
export const OFFSET = 'k';

export function relativeName(node: LiftedNode, prefix: string | undefined): string | undefined {
  const path = weightPath(node);
  if (!path || !prefix || !path.startsWith(`${prefix}.`)) return undefined;
  return path.slice(prefix.length + 1);
}

/** `1.0` → `0.0` (the first component one lower), or undefined when it is not a number ≥ 1. */
const lower = (name: string): string | undefined => {
  const m = /^(\d+)(\..*)?$/.exec(name);
  return m && Number(m[1]) >= 1 ? `${Number(m[1]) - 1}${m[2] ?? ''}` : undefined;
};

/** How the family's ops are named, or undefined when its members' names cannot be written so. */
export function unitNames(nodes: readonly LiftedNode[], family: Family): UnitNames | undefined {
  const { members, template, branches } = family;
  if (!members.every((m) => m.segment.prefix !== undefined)) return undefined;
  const nameOf = (m: Family['members'][number], i: number) => relativeName(nodes[m.map[i]!]!, m.segment.prefix) ?? '';
  // The template is a member with every branch: its names are the reference.
  const reference = template.nodes.map((id) => relativeName(nodes[id]!, template.prefix) ?? '');
  const agree = (shifted?: number) =>
    members.every((m) =>
      m.map.every((id, i) => {
        if (id === undefined) return true;
        const b = shifted === undefined ? undefined : branches[shifted]!;
        const lowered = b && m.map[b.ops[0]!] === undefined && i > b.ops.at(-1)! && reference[i] !== '' ? lower(reference[i]!) : reference[i];
        return nameOf(m, i) === lowered;
      }),
    );
  if (agree()) return { name: (i) => reference[i] || undefined };
  // One branch with named ops of its own may shift the numbering after it.
  const named = branches.map((b, k) => [b, k] as const).filter(([b]) => b.ops.some((o) => reference[o] !== ''));
  if (named.length !== 1 || !agree(named[0]![1])) return undefined;
  const [branch, index] = named[0]!;
  return {
    shiftedBy: index,
    name: (i) => {
      const r = reference[i];
      if (!r) return undefined;
      if (i <= branch.ops.at(-1)!) return r;
      const [, first, rest] = /^(\d+)(\..*)?$/.exec(r)!;
      const base = Number(first) - 1;
      const offset = base === 0 ? OFFSET : `${OFFSET} + ${base}`;
      return { expr: `str(${offset})${rest ? ` + ${JSON.stringify(rest)}` : ''}` };
    },
  };
}
