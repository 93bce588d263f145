// Stages: a network's repeated "first unit, then n equal units" (a ResNet layer: a bottleneck that
// changes the width or the stride, then plain bottlenecks) written once as a block with the
// unit's parameters and the count, and called once per stage:
//
//   block stage(x, width, stride, blocks) {
//     x = x |> layer(width, stride, name="0")
//     for i in 1..blocks {
//       x = x |> layer_b(width)
//     }
//     return x
//   }
//   ...
//   x = x |> stage(128, 2, 4, name="layer2")
//
// Found on the calls the block finder made (blocks.ts): two or more consecutive pairs of a call of
// block A followed by calls of block B. A parameter of B that always equals one of A's is A's; one
// equal in every stage is written as its value.
import type { ArgValue } from '../compiler/ops/op.js';
import { valueText } from './call-text.js';
import type { Unit } from './emit-body.js';
import { identifier } from './emit.js';

export interface MadeBlock {
  readonly name: string;
  readonly text: string;
  readonly call: readonly ((loop: boolean) => string)[];
  readonly params: readonly { readonly name: string; readonly values: readonly ArgValue[] }[];
  /** Whether its calls pass their module path as name=. */
  readonly named: boolean;
}

export interface BlockCall {
  readonly block: MadeBlock;
  readonly instance: number;
  readonly text: (loop: boolean) => string;
}

/** A unit of the model body, and the block call it is (with its repeat count and module path). */
export interface Entry {
  readonly unit: Unit;
  readonly call?: BlockCall & { readonly run: number; readonly prefix?: string };
}

type Call = NonNullable<Entry['call']>;

export function foldStages(entries: readonly Entry[], outputs: ReadonlySet<number>, taken: Set<string>): { units: Unit[]; blocks: string[] } {
  const units: Unit[] = [];
  const blocks: string[] = [];
  const made = new Map<string, { name: string; params: string[] }>();
  for (let k = 0; k < entries.length; ) {
    const stages = stageRun(entries, k, outputs);
    // Worth it when the stage block (7 lines and a blank) costs less than the loops it replaces
    // (3 lines each, 1 for a single call) beyond one line per stage.
    const before = stages.reduce((n, [, b]) => n + 1 + (b.run > 1 ? 3 : 1), 0);
    if (stages.length < 2 || stages.length + 8 >= before) {
      units.push(entries[k]!.unit);
      k++;
      continue;
    }
    const plan = stagePlan(stages);
    // The same stage text (a later run of the same pair, alike) reuses the block.
    const key = plan.text('stage');
    let block = made.get(key);
    if (!block) {
      const name = identifier('stage', taken);
      taken.add(name);
      block = { name, params: plan.params };
      made.set(key, block);
      blocks.push(plan.text(name));
    }
    stages.forEach((_, i) => {
      const first = entries[k + 2 * i]!.unit;
      const last = entries[k + 2 * i + 1]!.unit;
      const args = plan.values[i]!.map((v) => valueText(v));
      if (plan.names) args.push(`name=${JSON.stringify(plan.names[i])}`);
      units.push({ inputs: first.inputs, output: last.output, unary: true, starts: true, annotate: last.annotate, text: () => `${block!.name}(${args.join(', ')})` });
    });
    k += 2 * stages.length;
  }
  return { units, blocks };
}

/** The longest run of (A call once, B calls) pairs from entry k, with the same A and B throughout. */
function stageRun(entries: readonly Entry[], k: number, outputs: ReadonlySet<number>): [Call, Call][] {
  const run: [Call, Call][] = [];
  for (let i = k; i + 1 < entries.length; i += 2) {
    const [a, b] = [entries[i]!.call, entries[i + 1]!.call];
    if (!a || !b || a.run !== 1 || a.block === b.block) break;
    if (run.length > 0 && (a.block !== run[0]![0].block || b.block !== run[0]![1].block)) break;
    // A graph output inside a stage would disappear into the stage block.
    if (outputs.has(entries[i]!.unit.output)) break;
    run.push([a, b]);
    if (outputs.has(entries[i + 1]!.unit.output) && i + 2 < entries.length) break;
  }
  return run;
}

/** The stage block's parameters, each stage's values for them, its names, and its text. */
function stagePlan(stages: readonly [Call, Call][]) {
  const [a, b] = [stages[0]![0].block, stages[0]![1].block];
  const params: string[] = [];
  const values: ArgValue[][] = stages.map(() => []);
  const argument = (vector: readonly ArgValue[], base: string): string => {
    const json = vector.map((v) => JSON.stringify(v));
    if (json.every((j) => j === json[0])) return valueText(vector[0]!);
    const same = params.findIndex((_, p) => JSON.stringify(values.map((v) => v[p])) === JSON.stringify(vector));
    if (same >= 0) return params[same]!;
    let name = base;
    for (let n = 2; params.includes(name) || name === 'x' || name === 'blocks'; n++) name = `${base}${n}`;
    params.push(name);
    vector.forEach((v, i) => values[i]!.push(v));
    return name;
  };
  const aArgs = a.params.map((p, j) => argument(stages.map(([c]) => c.block.params[j]!.values[c.instance]!), p.name));
  const bArgs = b.params.map((p, j) => argument(stages.map(([, c]) => c.block.params[j]!.values[c.instance]!), p.name));
  params.push('blocks');
  stages.forEach(([, c], i) => values[i]!.push(c.run + 1));
  // name= when every stage's first unit is `<stage path>.<the same suffix>` (`layer2` + `0`).
  const split = stages.map(([c]) => (a.named && c.prefix ? /^(.*)\.([^.]+)$/.exec(c.prefix) : null));
  const suffix = split[0]?.[2];
  const named = split.every((m) => m && m[2] === suffix);
  const call = (block: MadeBlock, args: string[], name?: string) => {
    const all = name ? [...args, `name=${JSON.stringify(name)}`] : args;
    return all.length === 0 ? block.name : `${block.name}(${all.join(', ')})`;
  };
  const text = (name: string) =>
    [
      `block ${name}(${['x', ...params].join(', ')}) {`,
      `  x = x |> ${call(a, aArgs, named ? suffix : undefined)}`,
      `  for i in 1..blocks {`,
      `    x = x |> ${call(b, bArgs)}`,
      `  }`,
      `  return x`,
      `}`,
    ].join('\n');
  return { params, values, names: named ? split.map((m) => m![1]!) : undefined, text };
}
