// Repeated units that differ by an optional branch are one block with a conditional. A family is a
// template unit (the fullest form) and its members: each member is the template with some of its
// branches left out. A branch is a run of consecutive ops that reads one tensor (through its first
// input) and whose result stands where that tensor would otherwise be read: ResNet's projection
// shortcut (`s = if ... { x |> conv |> bn } else { x }`), an inverted residual's skip
// (`if ... { y + x } else { y }`). Op order is kept (weights are matched to the compiled nodes by
// order), so a member's ops are the template's in the same order, less the branches it leaves out.
import type { LiftedGraph, LiftedNode } from './graph.js';
import type { Segment } from './segments.js';

/** An op of a unit and where its inputs come from: the unit's input or an earlier op's index. */
interface Step {
  readonly op: string;
  readonly wires: readonly (number | 'in')[];
}

/** What matching compares beyond the op: a 1×1 conv, a spatial one and a grouped one are not alike. */
const kindOf = (n: LiftedNode): string => {
  if (n.op !== 'conv') return n.op;
  const kernel = n.args['kernel'];
  const groups = n.args['groups'];
  return `conv/${kernel === 1 || (Array.isArray(kernel) && kernel.every((k) => k === 1)) ? '1x1' : 'k'}/${typeof groups === 'number' && groups > 1 ? 'g' : ''}`;
};

/** Units longer than this (a chain of thousands of ops) are not searched for optional branches. */
const MAX_TEMPLATE = 200;

export interface Branch {
  /** Template op indices, consecutive. */
  readonly ops: readonly number[];
  /** What stands for the branch's result when it is left out: an earlier op, or the unit's input. */
  readonly through: number | 'in';
  /** Which input of the branch's first op that is. */
  readonly throughInput: number;
}

export interface Member {
  readonly segment: Segment;
  /** Per template op, this member's node id; undefined where the member leaves the op out. */
  readonly map: readonly (number | undefined)[];
}

export interface Family {
  readonly template: Segment;
  readonly members: Member[];
  readonly branches: Branch[];
}

export function steps(nodes: LiftedGraph['nodes'], s: Segment): Step[] {
  const index = new Map(s.nodes.map((id, i) => [id, i]));
  return s.nodes.map((id) => {
    const n = nodes[id]!;
    return { op: n.op, wires: n.inputs.map((i) => (i === s.input ? 'in' : (index.get(i) ?? -1))) };
  });
}

/**
 * Families from groups of identical units (same ops, same wiring), largest units first: a group
 * joins a family when its units are the family's template with whole branches left out.
 */
export function families(nodes: readonly LiftedNode[], groups: readonly Segment[][], accept: (merged: Family, parts: readonly [Family, Family]) => boolean): Family[] {
  const sorted = [...groups].sort((a, b) => b[0]!.nodes.length - a[0]!.nodes.length);
  const found: Family[] = [];
  for (const group of sorted) {
    const sig = steps(nodes, group[0]!);
    let joined = false;
    for (const f of found) {
      const tsteps = steps(nodes, f.template);
      if (sig.length >= tsteps.length || tsteps.length > MAX_TEMPLATE) continue;
      const kinds = (seg: Segment) => seg.nodes.map((id) => kindOf(nodes[id]!));
      const m = match(tsteps.map((x, i) => ({ ...x, op: kinds(f.template)[i]! })), sig.map((x, i) => ({ ...x, op: kinds(group[0]!)[i]! })));
      const left = m && leftOut(tsteps, sig, m);
      if (!left || !compatible(f.branches, left)) continue;
      const branches = [...f.branches, ...left.filter((b) => !f.branches.some((e) => e.ops[0] === b.ops[0]))];
      const members = group.map((s) => ({ segment: s, map: tsteps.map((_, i) => { const j = m.indexOf(i); return j < 0 ? undefined : s.nodes[j]; }) }));
      const candidate: Family = { template: f.template, members: [...f.members, ...members], branches };
      const alone: Family = { template: group[0]!, members: group.map((seg) => ({ segment: seg, map: seg.nodes })), branches: [] };
      if (!accept(candidate, [f, alone])) continue;
      Object.assign(f, { branches });
      f.members.push(...members);
      joined = true;
      break;
    }
    if (!joined) found.push({ template: group[0]!, members: group.map((s) => ({ segment: s, map: s.nodes })), branches: [] });
  }
  return found;
}

/** Each of the small unit's ops → a template op of the same kind, in order, wired alike through left-out ops. */
function match(t: readonly Step[], small: readonly Step[]): number[] | undefined {
  const m: number[] = [];
  const used = new Set<number>();
  // A left-out op stands for one of its inputs.
  const reaches = (from: number | 'in', target: number | 'in' | undefined): boolean => {
    const stack = [from];
    const seen = new Set<number | 'in'>();
    while (stack.length > 0) {
      const w = stack.pop()!;
      if (w === target) return true;
      if (w === 'in' || w < 0 || used.has(w) || seen.has(w)) continue;
      seen.add(w);
      stack.push(...t[w]!.wires);
    }
    return false;
  };
  // The search is bounded: units alike only after many tries are not worth a merge (a long run
  // of one op kind could otherwise be tried in every combination).
  let budget = 20 * t.length * small.length;
  const rec = (j: number, from: number): boolean => {
    if (j === small.length) return true;
    for (let a = from; a < t.length && budget-- > 0; a++) {
      const [ta, sj] = [t[a]!, small[j]!];
      if (ta.op !== sj.op || ta.wires.length !== sj.wires.length) continue;
      const ok = sj.wires.every((w, k) => reaches(ta.wires[k]!, w === 'in' ? 'in' : m[w as number]));
      if (!ok) continue;
      m[j] = a;
      used.add(a);
      if (rec(j + 1, a + 1)) return true;
      used.delete(a);
    }
    return false;
  };
  if (!rec(0, 0)) return undefined;
  // The last op of the small unit is its result; the template's result must stand for it.
  return reaches(t.length - 1, m[small.length - 1]) ? m : undefined;
}

/** The left-out template ops as branches, or undefined when one is not a chain. */
function leftOut(t: readonly Step[], small: readonly Step[], m: readonly number[]): Branch[] | undefined {
  const kept = new Set(m);
  const runs: number[][] = [];
  t.forEach((_, i) => {
    if (kept.has(i)) return;
    const last = runs.at(-1);
    if (last && last.at(-1) === i - 1) last.push(i);
    else runs.push([i]);
  });
  const image = (w: number | 'in'): number | 'in' => (w === 'in' ? 'in' : m[w]!);
  const branches: Branch[] = [];
  for (const ops of runs) {
    const end = ops.at(-1)!;
    // What the small unit reads where the template reads the run's result.
    const reader = t.findIndex((s) => s.wires.includes(end));
    const through = reader < 0 ? m[small.length - 1]! : image(small[m.indexOf(reader)]!.wires[t[reader]!.wires.indexOf(end)]!);
    const throughInput = t[ops[0]!]!.wires.indexOf(through);
    if (throughInput < 0) return undefined;
    // A chain: each op reads the previous one first; only the last one is read after the run.
    for (let k = 1; k < ops.length; k++) if (t[ops[k]!]!.wires[0] !== ops[k - 1]) return undefined;
    const inner = new Set(ops.slice(0, -1));
    const readLater = t.some((s, i) => !ops.includes(i) && s.wires.some((w) => typeof w === 'number' && inner.has(w)));
    const readInside = ops.some((o, k) => t[o]!.wires.some((w, wi) => typeof w === 'number' && inner.has(w) && !(wi === 0 && w === ops[k - 1])));
    if (readLater || readInside) return undefined;
    branches.push({ ops, through, throughInput });
  }
  return branches;
}

/** New branches may not cut across the family's existing ones. */
function compatible(existing: readonly Branch[], added: readonly Branch[]): boolean {
  return added.every((b) => existing.every((e) => e.ops[0] === b.ops[0] ? e.ops.length === b.ops.length : !e.ops.some((o) => b.ops.includes(o))));
}
