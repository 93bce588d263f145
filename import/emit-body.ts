// Statements for a sequence of calls (a model body or a block body), in the order given: each call
// continues the previous pipeline with `|>` when it reads only the previous result and nothing else
// does; otherwise the pipeline is closed and its result named. Names come from a small pool
// (x, y, s, z, a, b, …) and are reused as soon as the tensor they hold is dead, so a chain of
// residual units reads `x = x |> unit(...)` line after line. The order of calls is never changed:
// the compiler creates nodes in evaluation order, and the importer maps weights by that order.
import type { Shape } from '../compiler/ir.js';

export interface Unit {
  /** Tensor values read, in order; the first is the pipeline input of a unary call. */
  readonly inputs: readonly number[];
  readonly output: number;
  /** The call text given the input expressions (a unary call ignores its first). */
  readonly text: (inputs: readonly string[]) => string;
  /** Reads one tensor: written as `x |> text`. */
  readonly unary: boolean;
  /** Repeat count: emitted as a `for` loop over `v = v |> text` (unary calls only). */
  readonly repeat?: number;
  /** The loop index's first value (`for i in 3..5`), when the call's name is written from it. */
  readonly repeatFrom?: number;
  /** Nothing continues the statement with `|>` after this call (a conditional reads badly so). */
  readonly ends?: boolean;
  /** Written after the statement as a shape annotation (`: [256, 56, 56]`). */
  readonly annotate?: Shape;
  /** Starts a group (a conv, a dense layer, a block call): a long pipeline is cut before it. */
  readonly starts?: boolean;
}

export interface BodyOptions {
  /** Values that already have names (inputs, block parameters). */
  readonly named: ReadonlyMap<number, string>;
  /** Values that leave the body: `output NAME = …` in a model, `return …` in a block. */
  readonly results: ReadonlyMap<number, string>;
  readonly isBlock: boolean;
  /** Names that must not be used for tensors (block parameters). */
  readonly reserved?: ReadonlySet<string>;
}

/** Characters of a statement's expression that fit one line (100 columns, less indent and `name = `). */
const LINE = 92;

const POOL = ['x', 'y', 's', 'z', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'u', 'v', 'w'];

export function emitBody(units: readonly Unit[], options: BodyOptions): string[] {
  const lines: string[] = [];
  const remaining = new Map<number, number>();
  for (const u of units) for (const i of u.inputs) remaining.set(i, (remaining.get(i) ?? 0) + 1);
  const names = new Map(options.named);
  const holder = new Map<string, number>([...names].map(([v, n]) => [n, v]));
  const reserved = options.reserved ?? new Set<string>();
  // The statement being written; `breaks` are where it may be cut (before a conv, a dense layer,
  // a block call: the start of a group such as conv |> bn |> relu), with the value there.
  let open: { expr: string; value: number; annotate?: Shape; ends?: boolean; breaks: { at: number; value: number; annotate?: Shape }[] } | undefined;

  const freeName = (value: number): string => {
    const isFree = (n: string) => !reserved.has(n) && (!holder.has(n) || (remaining.get(holder.get(n)!) ?? 0) === 0 && !options.results.has(holder.get(n)!));
    const name = POOL.find(isFree) ?? `t${value}`;
    holder.set(name, value);
    return name;
  };
  const close = (): void => {
    if (!open) return;
    const { expr, value, annotate } = open;
    open = undefined;
    const suffix = annotate ? ` : [${annotate.join(', ')}]` : '';
    const result = options.results.get(value);
    if (result !== undefined && (remaining.get(value) ?? 0) === 0) {
      lines.push(options.isBlock ? `return ${expr}` : `output ${result} = ${expr}${suffix}`);
      return;
    }
    const name = freeName(value);
    names.set(value, name);
    lines.push(`${name} = ${expr}${suffix}`);
    if (result !== undefined && !options.isBlock) lines.push(`output ${result}`);
  };
  const nameOf = (value: number): string => {
    if (open?.value === value) close();
    return names.get(value)!;
  };

  /** Whether appending u keeps the statement on one line. */
  const fits = (u: Unit): boolean => {
    // What the statement starts with: `x = `, or `output logits = ` / `return ` for a result.
    const result = options.results.get(u.output);
    const head = result === undefined ? 4 : options.isBlock ? 7 : `output ${result} = `.length;
    return head - 4 + open!.expr.length + u.text([]).length + 4 + (u.annotate ? u.annotate.join(', ').length + 4 : 0) <= LINE;
  };
  /** Cuts the open statement at its last break: the part before it becomes a statement of its own. */
  const cut = (): void => {
    const at = open!.breaks.at(-1)!;
    const name = freeName(at.value);
    names.set(at.value, name);
    lines.push(`${name} = ${open!.expr.slice(0, at.at)}${at.annotate ? ` : [${at.annotate.join(', ')}]` : ''}`);
    open!.expr = `${name}${open!.expr.slice(at.at)}`;
    open!.breaks = [];
  };

  units.forEach((u) => {
    const first = u.inputs[0];
    // A pipeline goes on while the statement fits on a line (the formatter would otherwise put
    // each `|>` on a line of its own); then it is cut before its last group, or its value named
    // and the next statement goes on.
    const continues = u.unary && !u.repeat && open !== undefined && !open.ends && open.value === first && remaining.get(first) === 1 && !options.results.has(first);
    if (continues && !fits(u) && open!.breaks.length > 0) cut();
    const chains = continues && fits(u);
    if (chains) {
      if (u.starts) open!.breaks.push({ at: open!.expr.length, value: open!.value, ...(open!.annotate ? { annotate: open!.annotate } : {}) });
      open!.expr = `${open!.expr} |> ${u.text([])}`;
    } else if (u.repeat) {
      const input = nameOf(first!);
      remaining.set(first!, remaining.get(first!)! - 1);
      close();
      lines.push(`for i in ${u.repeatFrom ?? 0}..${(u.repeatFrom ?? 0) + u.repeat} {`, `  ${input} = ${input} |> ${u.text([])}`, `}`);
      names.set(u.output, input);
      holder.set(input, u.output);
      for (const i of u.inputs) remaining.set(i, remaining.get(i)! - (i === first ? 0 : 1));
      return;
    } else {
      const inputs = u.inputs.map(nameOf);
      close();
      open = { expr: u.unary ? `${inputs[0]} |> ${u.text(inputs)}` : u.text(inputs), value: u.output, breaks: [] };
    }
    for (const i of u.inputs) remaining.set(i, remaining.get(i)! - 1);
    open!.value = u.output;
    open!.annotate = u.annotate;
    open!.ends = u.ends;
  });
  close();
  // Results that are inputs or were named earlier (an identity model, a block returning its input).
  for (const [value, result] of options.results) {
    if (!lines.some((l) => l.startsWith(options.isBlock ? 'return' : `output ${result}`))) {
      lines.push(options.isBlock ? `return ${names.get(value)}` : `output ${result} = ${names.get(value)}`);
    }
  }
  return lines;
}
