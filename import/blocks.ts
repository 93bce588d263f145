// Repeated subgraphs → blocks. Segments (import/segments.ts) with the same ops, the same wiring and
// the same argument names are instances of one block; the arguments that differ between instances
// become the block's parameters (an output width that always equals the input's is `x.channels`,
// one that is always k times another parameter is `p * k`). Consecutive calls with equal arguments
// become a `for` loop. Names: when every instance names its ops alike under its own module path
// (`layer1.0` + `conv1`), the block names its ops and each call passes its path as name=; a loop
// cannot (its calls would need distinct names), so its calls take archc's automatic names.
import type { ArgValue } from '../compiler/ops/op.js';
import { lookupOp } from '../compiler/ops/registry.js';
import { callText, isUnary, valueText, type ArgText } from './call-text.js';
import { emitBody, type Unit } from './emit-body.js';
import { identifier, opUnit, startsGroup, weightPath } from './emit.js';
import type { LiftedGraph, LiftedNode } from './graph.js';
import { segments, type Segment } from './segments.js';
import { foldStages, type BlockCall, type Entry, type MadeBlock } from './stages.js';

/** A unit of this many ops or more is worth a block when it repeats. */
const MIN_OPS = 3;

export interface BlockPlan {
  readonly units: Unit[];
  readonly blocks: string[];
}

interface Instance {
  readonly segment: Segment;
  /** Argument values per slot (`<op index>:<arg>`), as JSON. */
  readonly values: Map<string, string>;
}

export function planBlocks(graph: LiftedGraph): BlockPlan | undefined {
  const nodes = graph.nodes;
  const segs = segments(graph);
  const groups = new Map<string, Segment[]>();
  for (const s of segs) {
    if (s.nodes.length < MIN_OPS) continue;
    const key = signature(nodes, s);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const taken = new Set<string>();
  const calls = new Map<Segment, BlockCall>();
  const blocks: string[] = [];
  for (const [, instances] of groups) {
    if (instances.length < 2) continue;
    const made = makeBlock(nodes, instances, taken);
    blocks.push(made.text);
    instances.forEach((s, i) => calls.set(s, { block: made, instance: i, text: made.call[i]! }));
  }
  if (blocks.length === 0) return undefined;
  const entries: Entry[] = [];
  const outputs = new Set(graph.outputs.map((o) => o.node));
  for (let k = 0; k < segs.length; k++) {
    const s = segs[k]!;
    const call = calls.get(s);
    if (!call) {
      for (const id of s.nodes) entries.push({ unit: opUnit(nodes[id]!, weightPath(nodes[id]!)) });
      continue;
    }
    // A run of calls with equal arguments (and no graph output in between) is a loop.
    let run = 1;
    while (k + run < segs.length && calls.get(segs[k + run]!) && call.text(true) === calls.get(segs[k + run]!)!.text(true) && !outputs.has(segs[k + run - 1]!.nodes.at(-1)!)) run++;
    const last = segs[k + run - 1]!;
    const output = last.nodes.at(-1)!;
    const annotate = nodes[output]!.shape;
    const unit: Unit = { inputs: [s.input], output, unary: true, starts: true, text: () => call.text(run > 1), annotate, ...(run > 1 ? { repeat: run } : {}) };
    entries.push({ unit, call: { ...call, run, prefix: s.prefix } });
    k += run - 1;
  }
  const staged = foldStages(entries, outputs, taken);
  return { units: staged.units, blocks: [...blocks, ...staged.blocks] };
}

/** Ops and wiring (inside the segment or from its input); argument values may differ. */
function signature(nodes: readonly LiftedNode[], s: Segment): string {
  const index = new Map(s.nodes.map((id, i) => [id, i]));
  return s.nodes
    .map((id) => {
      const n = nodes[id]!;
      const wires = n.inputs.map((i) => (i === s.input ? 'in' : (index.get(i) ?? '?'))).join(',');
      return `${n.op}(${wires})`;
    })
    .join(';');
}

function makeBlock(nodes: readonly LiftedNode[], instances: readonly Segment[], taken: Set<string>): MadeBlock {
  const first = instances[0]!;
  const base = blockName(first.prefix);
  let name = identifier(base);
  for (let n = 0; taken.has(name); n++) name = identifier(`${base}_${String.fromCharCode(98 + n)}`);
  taken.add(name);
  // Every argument any instance writes; an instance that leaves it out has the op's default.
  const slots = new Map<string, ArgValue>();
  for (const s of instances) {
    s.nodes.forEach((id, i) => {
      const n = nodes[id]!;
      for (const k of Object.keys(n.args)) slots.set(`${i}:${k}`, lookupOp(n.op)!.params[k]!.default ?? null);
    });
  }
  const infos: Instance[] = instances.map((s) => ({
    segment: s,
    values: new Map([...slots].map(([slot, fallback]) => {
      const [i, k] = slot.split(':') as [string, string];
      return [slot, JSON.stringify(nodes[s.nodes[Number(i)]!]!.args[k] ?? fallback)];
    })),
  }));
  const inputChannels = instances.map((s) => nodes[s.input]!.shape[0]!);
  // Parameters: slots whose values differ; equal vectors share a parameter.
  const params: { name: string; values: ArgValue[] }[] = [];
  const slotText = new Map<string, ArgText>();
  for (const [slot, fallback] of slots) {
    const vector = infos.map((i) => JSON.parse(i.values.get(slot)!) as ArgValue);
    const json = vector.map((v) => JSON.stringify(v));
    if (json.every((j) => j === json[0])) {
      const everyWrites = instances.every((inst) => nodes[inst.nodes[Number(slot.split(':')[0])]!]!.args[slot.split(':')[1]!] !== undefined);
      if (everyWrites || json[0] !== JSON.stringify(fallback)) slotText.set(slot, vector[0]!);
      continue;
    }
    slotText.set(slot, { expr: derived(vector, inputChannels, params) ?? newParam(slot.split(':')[1]!, vector, params) });
  }
  // Names: the same relative names in every instance, each under its own prefix.
  const relative = (s: Segment) => s.nodes.map((id) => relativeName(nodes[id]!, s.prefix));
  const rel0 = relative(first);
  const named = instances.every((s) => s.prefix !== undefined && relative(s).join('|') === rel0.join('|'));
  const units: Unit[] = first.nodes.map((id, i) => {
    const n = nodes[id]!;
    const args: Record<string, ArgText> = {};
    for (const [slot, text] of slotText) if (slot.startsWith(`${i}:`)) args[slot.slice(slot.indexOf(':') + 1)] = text;
    const local = named ? rel0[i] : undefined;
    return { inputs: n.inputs, output: id, unary: isUnary(n.op), starts: startsGroup(n), text: (inputs: readonly string[]) => callText(n.op, args, inputs, local) };
  });
  const paramNames = params.map((p) => p.name);
  const body = emitBody(units, {
    named: new Map([[first.input, 'x']]),
    results: new Map([[first.nodes.at(-1)!, 'result']]),
    isBlock: true,
    // `x` stays the block's input: arguments such as `x.channels * 6` refer to it.
    reserved: new Set([...paramNames, 'x']),
  });
  const text = [`block ${name}(${['x', ...paramNames].join(', ')}) {`, ...body.map((l) => `  ${l}`), '}'].join('\n');
  const call = instances.map((s, k) => (loop: boolean) => {
    const args = params.map((p) => valueText(p.values[k]!));
    if (named && !loop) args.push(`name=${JSON.stringify(s.prefix)}`);
    return args.length === 0 ? name : `${name}(${args.join(', ')})`;
  });
  return { name, text, call, params, named };
}

/** `x.channels`, `x.channels * k`, or an existing parameter (times k), when the vector is one. */
function derived(vector: readonly ArgValue[], channels: readonly number[], params: { name: string; values: ArgValue[] }[]): string | undefined {
  if (!vector.every((v) => typeof v === 'number')) {
    const same = params.find((p) => JSON.stringify(p.values) === JSON.stringify(vector));
    return same?.name;
  }
  const nums = vector as number[];
  const ratio = (base: readonly number[]) => {
    const k = nums[0]! / base[0]!;
    return Number.isInteger(k) && k >= 1 && nums.every((v, i) => v === base[i]! * k) ? k : undefined;
  };
  const kc = ratio(channels);
  if (kc !== undefined) return kc === 1 ? 'x.channels' : `x.channels * ${kc}`;
  for (const p of params) {
    if (!p.values.every((v) => typeof v === 'number')) continue;
    const k = ratio(p.values as number[]);
    if (k !== undefined) return k === 1 ? p.name : `${p.name} * ${k}`;
  }
  return undefined;
}

function newParam(key: string, values: readonly ArgValue[], params: { name: string; values: ArgValue[] }[]): string {
  const base = key === 'filters' ? 'width' : key === 'units' ? 'units' : key;
  let name = base;
  for (let n = 2; params.some((p) => p.name === name); n++) name = `${base}${n}`;
  params.push({ name, values: [...values] });
  return name;
}

function relativeName(node: LiftedNode, prefix: string | undefined): string | undefined {
  const path = weightPath(node);
  if (!path || !prefix || !path.startsWith(`${prefix}.`)) return undefined;
  return path.slice(prefix.length + 1);
}

/** `layer1.0` → `layer`; `features.denseblock1.denselayer1` → `denselayer`; none → `unit`. */
function blockName(prefix: string | undefined): string {
  const words = (prefix ?? '').split('.').filter((w) => w && !/^\d+$/.test(w));
  const word = (words.at(-1) ?? 'unit').replace(/\d+$/, '').replace(/[^A-Za-z0-9_]/g, '_').replace(/_+$/, '').toLowerCase();
  // torchvision's MobileNetV3 and EfficientNet keep each unit's layers in `.block`, a keyword here.
  return word === 'block' || !word ? 'unit' : word;
}
