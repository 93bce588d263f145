// Repeated subgraphs → blocks. Segments (import/segments.ts) with the same ops, the same wiring and
// the same argument names are instances of one block; units that are another unit less an optional
// branch join its block, the branch written as a conditional (import/merge.ts). The arguments that
// differ between instances become the block's parameters (an output width that always equals the
// input's is `x.channels`, one that is always k times another parameter is `p * k`). Names: when
// every instance names its ops alike under its own module path (`layer1.0` + `conv1`), the block
// names its ops and each call passes its path as name=. Loops and stages: import/stages.ts.
import type { ArgValue } from '../compiler/ops/op.js';
import { lookupOp } from '../compiler/ops/registry.js';
import { callText, isUnary, valueText, type ArgName, type ArgText } from './call-text.js';
import { emitBody, type Unit } from './emit-body.js';
import { identifier, opUnit, startsGroup, weightPath } from './emit.js';
import type { LiftedGraph, LiftedNode } from './graph.js';
import { families, steps, type Branch, type Family, type Member } from './merge.js';
import { OFFSET, relativeName, unitNames, type UnitNames } from './unit-names.js';
import { segments, type Segment } from './segments.js';
import { arrange, type Entry, type MadeBlock } from './stages.js';

/** The longest branch expression written on one line inside a conditional's braces. */
const BRANCH_LINE = 88;

/** A unit of this many ops or more is worth a block when it repeats. */
const MIN_OPS = 3;

export interface BlockPlan {
  readonly units: Unit[];
  readonly blocks: string[];
}

interface Param {
  readonly name: string;
  readonly values: ArgValue[];
}

/**
 * `annotate`: write each block call's output shape after it (`: [256, 56, 56]`); not where the
 * input's size is a variable, since the shape then holds at the size imported at only.
 */
export function planBlocks(graph: LiftedGraph, annotate = true): BlockPlan | undefined {
  const nodes = graph.nodes;
  const segs = segments(graph);
  const groups = new Map<string, Segment[]>();
  for (const s of segs) {
    if (s.nodes.length < MIN_OPS) continue;
    const key = JSON.stringify(steps(nodes, s));
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  // A merge may not cost the instances their names, nor need more parameters than the units
  // apart did (plus two: a width and a stride): units alike only in their op kinds are not one block.
  const accept = (f: Family, parts: readonly [Family, Family]) =>
    (namesFor(nodes, f) !== undefined || f.members.every((m) => m.segment.prefix === undefined)) &&
    deriveParams(nodes, f).params.length <= Math.max(...parts.map((p) => deriveParams(nodes, p).params.length)) + 2;
  const taken = new Set<string>();
  const calls = new Map<Segment, { block: MadeBlock; instance: number }>();
  const blocks: string[] = [];
  for (const family of families(nodes, [...groups.values()], accept)) {
    if (family.members.length < 2) continue;
    const made = makeBlock(nodes, family, taken);
    blocks.push(made.text);
    family.members.forEach((m, i) => calls.set(m.segment, { block: made, instance: i }));
  }
  if (blocks.length === 0) return undefined;
  const entries: Entry[] = [];
  for (const s of segs) {
    const call = calls.get(s);
    if (!call) for (const id of s.nodes) entries.push({ unit: opUnit(nodes[id]!, weightPath(nodes[id]!)) });
    else entries.push({ call: { ...call, input: s.input, output: s.nodes.at(-1)!, ...(annotate ? { annotate: nodes[s.nodes.at(-1)!]!.shape } : {}), ...(s.prefix ? { prefix: s.prefix } : {}) } });
  }
  const arranged = arrange(entries, new Set(graph.outputs.map((o) => o.node)), taken);
  return { units: arranged.units, blocks: [...blocks, ...arranged.blocks] };
}

/**
 * How the family's ops are named (import/unit-names.ts), or undefined when that cannot be written:
 * names shifted by a branch need a condition that reads no tensor (it sets the offset up front).
 */
function namesFor(nodes: readonly LiftedNode[], f: Family): UnitNames | undefined {
  const names = unitNames(nodes, f);
  if (names?.shiftedBy === undefined) return names;
  const params = [...deriveParams(nodes, f).params];
  return condition(nodes, f, f.branches[names.shiftedBy]!, params).reads.length === 0 ? names : undefined;
}

function makeBlock(nodes: readonly LiftedNode[], family: Family, taken: Set<string>): MadeBlock {
  const { template, members, branches } = family;
  const base = blockName(template.prefix);
  let name = identifier(base);
  for (let n = 0; taken.has(name); n++) name = identifier(`${base}_${String.fromCharCode(98 + n)}`);
  taken.add(name);
  const { params, slotText } = deriveParams(nodes, family);
  // A width used by several ops (an inverted residual's expanded width) is named once.
  const counts = new Map<string, number>();
  for (const t of slotText.values()) if (typeof t === 'object' && t !== null && 'expr' in t && /^x\.channels \* \w+$/.test(t.expr)) counts.set(t.expr, (counts.get(t.expr) ?? 0) + 1);
  const local = [...counts].find(([, n]) => n >= 3)?.[0];
  if (local) for (const [slot, t] of slotText) if (typeof t === 'object' && t !== null && 'expr' in t && t.expr === local) slotText.set(slot, { expr: 'expanded' });
  const names = namesFor(nodes, family);
  const named = names !== undefined;
  const localName = (i: number) => names?.name(i);
  const argsOf = (i: number): Record<string, ArgText> => {
    const args: Record<string, ArgText> = {};
    for (const [slot, text] of slotText) if (slot.startsWith(`${i}:`)) args[slot.slice(slot.indexOf(':') + 1)] = text;
    return args;
  };
  const tnodes = template.nodes.map((id) => nodes[id]!);
  const conditions = branches.map((b) => condition(nodes, family, b, params));
  const units: Unit[] = [];
  tnodes.forEach((n, i) => {
    const b = branches.findIndex((br) => br.ops.includes(i));
    if (b < 0) {
      units.push({ inputs: n.inputs, output: n.id, unary: isUnary(n.op), starts: startsGroup(n), text: (inputs: readonly string[]) => callText(n.op, argsOf(i), inputs, localName(i)) });
    } else if (branches[b]!.ops[0] === i) {
      units.push(branchUnit(tnodes, template, branches[b]!, conditions[b]!, argsOf, localName));
    }
  });
  const paramNames = params.map((p) => p.name);
  const body = emitBody(units, {
    named: new Map([[template.input, 'x']]),
    results: new Map([[template.nodes.at(-1)!, 'result']]),
    isBlock: true,
    // `x` stays the block's input: arguments such as `x.channels * 6` refer to it.
    reserved: new Set([...paramNames, 'x', 'expanded', OFFSET]),
  });
  // Where a branch's absence numbers the later layers one lower, the offset it sets.
  const shift = names?.shiftedBy;
  const offset = shift === undefined ? [] : [`${OFFSET} = if ${conditions[shift]!.text([])} { 1 } else { 0 }`];
  const lines = [...(local ? [`expanded = ${local}`] : []), ...offset, ...body];
  const text = [`block ${name}(${['x', ...paramNames].join(', ')}) {`, ...lines.map((l) => `  ${l}`), '}'].join('\n');
  return { name, text, params, named, prefixes: members.map((m) => m.segment.prefix) };
}

/** The block's parameters (with each member's values) and each op argument's text. */
function deriveParams(nodes: readonly LiftedNode[], family: Family): { params: Param[]; slotText: Map<string, ArgText> } {
  const { members } = family;
  // Every argument any member writes; a member that leaves it out has the op's default, one that
  // leaves the op out has no value for it.
  const slots = new Map<string, ArgValue>();
  for (const m of members) {
    m.map.forEach((id, i) => {
      if (id === undefined) return;
      const n = nodes[id]!;
      for (const k of Object.keys(n.args)) slots.set(`${i}:${k}`, lookupOp(n.op)!.params[k]!.default ?? null);
    });
  }
  const valueOf = (m: Member, slot: string): ArgValue | undefined => {
    const [i, k] = slot.split(':') as [string, string];
    const id = m.map[Number(i)];
    return id === undefined ? undefined : (nodes[id]!.args[k] ?? slots.get(slot)!);
  };
  const channels = members.map((m) => nodes[m.segment.input]!.shape[0]!);
  // Parameters: slots whose values differ; equal vectors share a parameter.
  const params: Param[] = [];
  const slotText = new Map<string, ArgText>();
  // Slots of ops every member has come first: a branch's arguments then reuse their parameters
  // (a projection's width is the unit's width) instead of making ones with holes.
  const inBranch = (slot: string) => family.branches.some((b) => b.ops.includes(Number(slot.split(':')[0])));
  const ordered = [...slots].sort(([a], [b]) => Number(inBranch(a)) - Number(inBranch(b)));
  for (const [slot, fallback] of ordered) {
    const vector = members.map((m) => valueOf(m, slot));
    const json = vector.filter((v) => v !== undefined).map((v) => JSON.stringify(v));
    // In a branch, a value that one of the unit's parameters has wherever the branch is taken is
    // that parameter (`stride=stride` in a projection shortcut).
    const key = slot.split(':')[1]!;
    const same = inBranch(slot) && json.length > 0 ? params.find((p) => p.name.replace(/\d+$/, '') === paramBase(key) && vector.every((v, j) => v === undefined || JSON.stringify(p.values[j]) === JSON.stringify(v))) : undefined;
    if (same) {
      slotText.set(slot, { expr: same.name });
      continue;
    }
    if (json.every((j) => j === json[0])) {
      const [i, k] = slot.split(':') as [string, string];
      const everyWrites = members.every((m) => m.map[Number(i)] === undefined || nodes[m.map[Number(i)]!]!.args[k] !== undefined);
      if (everyWrites || json[0] !== JSON.stringify(fallback)) slotText.set(slot, JSON.parse(json[0]!) as ArgValue);
      continue;
    }
    slotText.set(slot, { expr: derived(vector, channels, params) ?? newParam(slot.split(':')[1]!, filled(vector), params) });
  }
  // A constant `x.channels * 6` inside a branch is the expansion parameter where that is 6 too.
  for (const [slot, t] of slotText) {
    const k = typeof t === 'object' && t !== null && 'expr' in t ? /^x\.channels \* (\d+)$/.exec(t.expr)?.[1] : undefined;
    if (!k) continue;
    const i = Number(slot.split(':')[0]);
    const p = params.find((q) => q.name.startsWith('expand') && members.every((m, j) => m.map[i] === undefined || q.values[j] === Number(k)));
    if (p) slotText.set(slot, { expr: `x.channels * ${p.name}` });
  }
  return { params, slotText };
}

/** Holes (members without the op) take the first value given: the block ignores them there. */
const filled = (vector: readonly (ArgValue | undefined)[]): ArgValue[] => {
  const first = vector.find((v) => v !== undefined)!;
  return vector.map((v) => (v === undefined ? first : v));
};

/** How the block decides whether a branch is taken: tensor shapes, a parameter's value, or a flag. */
interface Condition {
  /** Tensors the test reads besides the branch's own inputs (template op index or 'in'). */
  readonly reads: readonly (number | 'in')[];
  readonly text: (names: readonly string[]) => string;
}

function condition(nodes: readonly LiftedNode[], family: Family, branch: Branch, params: Param[]): Condition {
  const { members, template } = family;
  const taken = members.map((m) => m.map[branch.ops[0]!] !== undefined);
  const same = (a: readonly boolean[]) => a.every((v, i) => v === taken[i]);
  const opposite = (a: readonly boolean[]) => a.every((v, i) => v !== taken[i]);
  const t = steps(nodes, template);
  // undefined where the member leaves that op out (it belongs to another branch).
  const shapeOf = (m: Member, w: number | 'in') => {
    const id = w === 'in' ? m.segment.input : m.map[w];
    return id === undefined ? undefined : nodes[id]!.shape.join();
  };
  // The branch exists to make two shapes agree (a projection shortcut), or only where they agree
  // (a residual add): the branch's passthrough against the other tensors it meets.
  const last = branch.ops.at(-1)!;
  const others = new Set<number | 'in'>();
  for (const o of branch.ops) t[o]!.wires.forEach((w) => !branch.ops.includes(w as number) && others.add(w));
  t.forEach((s, i) => {
    if (s.wires.includes(last)) s.wires.forEach((w) => w !== last && (w === 'in' || (w as number) < branch.ops[0]!) && others.add(w));
  });
  others.delete(branch.through);
  for (const o of others) {
    if (o !== 'in' && o < 0) continue;
    if (members.some((m) => shapeOf(m, o) === undefined || shapeOf(m, branch.through) === undefined)) continue;
    const equal = members.map((m) => shapeOf(m, branch.through) === shapeOf(m, o));
    if (same(equal)) return { reads: [o], text: ([a, b]) => `${a}.shape == ${b}.shape` };
    if (opposite(equal)) return { reads: [o], text: ([a, b]) => `${a}.shape != ${b}.shape` };
  }
  for (const p of params) {
    const on = new Set(p.values.filter((_, i) => taken[i]).map((v) => JSON.stringify(v)));
    const off = new Set(p.values.filter((_, i) => !taken[i]).map((v) => JSON.stringify(v)));
    if (off.size === 1 && ![...on].some((v) => off.has(v))) return { reads: [], text: () => `${p.name} != ${valueText(JSON.parse([...off][0]!) as ArgValue)}` };
    if (on.size === 1 && ![...off].some((v) => on.has(v))) return { reads: [], text: () => `${p.name} == ${valueText(JSON.parse([...on][0]!) as ArgValue)}` };
  }
  const flag = newParam(`with_${branchWord(nodes, family, branch)}`, taken, params);
  return { reads: [], text: () => flag };
}

function branchWord(nodes: readonly LiftedNode[], family: Family, branch: Branch): string {
  const m = family.members.find((mm) => mm.map[branch.ops[0]!] !== undefined)!;
  const rel = relativeName(nodes[m.map[branch.ops[0]!]!]!, m.segment.prefix);
  const word = rel?.split('.').find((w) => /^[A-Za-z]/.test(w));
  return identifier(word ?? nodes[family.template.nodes[branch.ops[0]!]!]!.op);
}

/** `s = if COND { x |> conv(...) |> bn(...) } else { x }`: one statement for the whole branch. */
function branchUnit(tnodes: readonly LiftedNode[], template: Segment, branch: Branch, cond: Condition, argsOf: (i: number) => Record<string, ArgText>, localName: (i: number) => ArgName): Unit {
  const id = (w: number | 'in') => (w === 'in' ? template.input : tnodes[w]!.id);
  // Per op of the chain, which of its inputs the chain itself supplies.
  const linked = (k: number) => (k === 0 ? branch.throughInput : 0);
  const outer: number[] = [];
  branch.ops.forEach((o, k) => outer.push(...tnodes[o]!.inputs.filter((_, wi) => wi !== linked(k))));
  const inputs = [id(branch.through), ...outer, ...cond.reads.map(id)];
  const text = (names: readonly string[]): string => {
    let expr = names[0]!;
    let k = 1;
    branch.ops.forEach((o, step) => {
      const n = tnodes[o]!;
      const own = n.inputs.map((_, wi) => (wi === linked(step) ? (expr.includes(' |> ') ? `(${expr})` : expr) : names[k++]!));
      expr = isUnary(n.op) ? `${expr} |> ${callText(n.op, argsOf(o), [], localName(o))}` : callText(n.op, argsOf(o), own, localName(o));
    });
    // A chain too long for one line inside the braces is cut before its last op.
    const test = cond.text([names[0]!, ...names.slice(k)]);
    const cut = expr.lastIndexOf(' |> ');
    if (expr.length <= BRANCH_LINE || cut < 0) return `if ${test} { ${expr} } else { ${names[0]} }`;
    const part = names[0] === 'b' ? 'c' : 'b';
    return `if ${test} {\n${part} = ${expr.slice(0, cut)}\n${part}${expr.slice(cut)}\n} else {\n${names[0]}\n}`;
  };
  return { inputs, output: tnodes[branch.ops.at(-1)!]!.id, unary: false, ends: true, text };
}

/** `x.channels` (times or divided by k), or an existing parameter (times k), when the vector is one. */
function derived(vector: readonly (ArgValue | undefined)[], channels: readonly number[], params: Param[]): string | undefined {
  const at = vector.map((v, i) => [v, i] as const).filter(([v]) => v !== undefined);
  const sameAs = (values: readonly ArgValue[]) => at.every(([v, i]) => JSON.stringify(v) === JSON.stringify(values[i]));
  if (!at.every(([v]) => typeof v === 'number')) return params.find((p) => sameAs(p.values))?.name;
  const ratio = (base: readonly ArgValue[]) => {
    if (!at.every(([, i]) => typeof base[i] === 'number')) return undefined;
    const [v0, i0] = at[0]! as [number, number];
    const k = v0 / (base[i0] as number);
    if (Number.isInteger(k) && k >= 1 && at.every(([v, i]) => v === (base[i] as number) * k)) return ` * ${k}`;
    const d = (base[i0] as number) / v0;
    if (Number.isInteger(d) && d > 1 && at.every(([v, i]) => (v as number) * d === base[i])) return ` / ${d}`;
    return undefined;
  };
  const exact = params.find((p) => ratio(p.values) === ' * 1');
  if (exact) return exact.name;
  const kc = ratio(channels);
  if (kc !== undefined) return kc === ' * 1' ? 'x.channels' : `x.channels${kc}`;
  // The input's width times a ratio that takes fewer values than the widths do (an inverted
  // residual's expansion, 1 or 6): a parameter of its own.
  const ratios = at.map(([v, i]) => (v as number) / channels[i]!);
  const distinct = (xs: readonly unknown[]) => new Set(xs).size;
  if (ratios.every((r) => Number.isInteger(r) && r >= 1) && distinct(ratios) * 2 < distinct(at.map(([v]) => v))) {
    const values = vector.map((v, i) => (v === undefined ? undefined : (v as number) / channels[i]!));
    const same = params.find((p) => values.every((v, i) => v === undefined || p.values[i] === v));
    return `x.channels * ${same?.name ?? newParam('expand', filled(values), params)}`;
  }
  for (const p of params) {
    const k = ratio(p.values);
    if (k !== undefined && !k.startsWith(' /')) return k === ' * 1' ? p.name : `${p.name}${k}`;
  }
  // The padding that keeps the size for an odd kernel.
  const half = params.find((p) => at.every(([v, i]) => typeof p.values[i] === 'number' && ((p.values[i] as number) - 1) / 2 === v));
  return half && `(${half.name} - 1) / 2`;
}

/** A parameter's name for an op argument: `filters` is a width. */
const paramBase = (key: string): string => (key === 'filters' ? 'width' : key);

function newParam(key: string, values: readonly ArgValue[], params: Param[]): string {
  const base = paramBase(key);
  let name = base;
  for (let n = 2; params.some((p) => p.name === name); n++) name = `${base}${n}`;
  params.push({ name, values: [...values] });
  return name;
}


/** `layer1.0` → `layer`; `features.denseblock1.denselayer1` → `denselayer`; `inception3a` → `inception`; none → `unit`. */
function blockName(prefix: string | undefined): string {
  const words = (prefix ?? '').split('.').filter((w) => w && !/^\d+$/.test(w));
  const word = (words.at(-1) ?? 'unit').replace(/\d+[a-z]?$/, '').replace(/[^A-Za-z0-9_]/g, '_').replace(/_+$/, '').toLowerCase();
  // torchvision's MobileNetV3 and EfficientNet keep each unit's layers in `.block`, a keyword here;
  // `stage` names the stage blocks (import/stages.ts).
  // A word that is an op's name (`features.2.conv`) would need a `_` to be a block's name.
  return !word || word === 'stage' || identifier(word) !== word ? 'unit' : word;
}
