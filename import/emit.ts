// The .arch text of an imported model: a header comment (source file, producer, opset), the model
// with its inputs, body and outputs, the checks (`expect params == …`, output shapes), then the
// blocks the repeated-subgraph finder made. The text is passed through archc's formatter.
import type { Shape } from '../compiler/ir.js';
import { lookupOp } from '../compiler/ops/registry.js';
import { builtins } from '../compiler/builtins.js';
import { callText, isUnary } from './call-text.js';
import { emitBody, type Unit } from './emit-body.js';
import type { LiftedGraph, LiftedNode } from './graph.js';

const KEYWORDS = new Set('model block use input output return expect for in if else frozen and or not true false none'.split(' '));

/** A DSL identifier for an ONNX name: `input.1` → `input_1`, `1x` → `_1x`; keywords and op names get a `_`. */
export function identifier(name: string, taken: ReadonlySet<string> = new Set()): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_') || 'tensor';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  while (KEYWORDS.has(id) || lookupOp(id) || Object.hasOwn(builtins, id) || taken.has(id)) id = `${id}_`;
  return id;
}

/**
 * The module path the ONNX weights of a node share (`layer1.0.conv1` for `layer1.0.conv1.weight`
 * and `.bias`), when every weight is `<path>.<archc's weight name>`; it becomes name=.
 */
export function weightPath(node: LiftedNode): string | undefined {
  let path: string | undefined;
  for (const [short, t] of node.weights) {
    // A bare weight (a class token, a position embedding) is named after its node itself.
    // `layer.weight` is `layer`'s; `attn.in_proj_weight` is `attn.in_proj_`'s (archc joins a name
    // ending in `_` to its weights without a dot).
    if (short !== '' && !t.name.endsWith(`.${short}`) && !t.name.endsWith(`_${short}`)) return undefined;
    const p = short === '' ? t.name : t.name.endsWith(`.${short}`) ? t.name.slice(0, -short.length - 1) : t.name.slice(0, -short.length);
    if (path !== undefined && p !== path) return undefined;
    path = p;
  }
  return path && /^[A-Za-z0-9_.]+$/.test(path) ? path : undefined;
}

/** One unit per op call, for a body written without blocks. */
export function opUnit(node: LiftedNode, name: string | undefined): Unit {
  const unary = isUnary(node.op);
  return { inputs: node.inputs, output: node.id, unary, starts: startsGroup(node), text: (inputs) => callText(node.op, node.args, inputs, name) };
}

const NORMS = new Set(['bn', 'layer_norm', 'group_norm', 'instance_norm', 'normalize', 'prelu']);

/** An op with weights that is not a normalization: where a group of calls (conv |> bn |> relu) begins. */
export const startsGroup = (node: LiftedNode): boolean => node.weights.size > 0 && !NORMS.has(node.op);

export interface ModelText {
  readonly header: readonly string[];
  readonly name: string;
  readonly graph: LiftedGraph;
  /** Input and output identifiers, by node id. */
  readonly inputNames: ReadonlyMap<number, string>;
  /** Size variables of inputs with symbolic dims, per dim (undefined where the dim is fixed). */
  readonly inputVariables?: ReadonlyMap<number, readonly (string | undefined)[]>;
  readonly outputNames: ReadonlyMap<number, string>;
  readonly units: readonly Unit[];
  readonly blocks: readonly string[];
  readonly expects: readonly string[];
  /** Where a partial import stops (a comment after the body). */
  readonly stopNote?: readonly string[];
}

export function modelText(m: ModelText): string {
  const lines = [...m.header.map((l) => `// ${l}`), ''];
  lines.push(`model ${m.name} {`);
  for (const [id, name] of m.inputNames) {
    const shape = m.graph.nodes[id]!.shape;
    const variables = m.inputVariables?.get(id);
    const declared = variables ? ` = ${shapeText(shape)}` : '';
    lines.push(`  input ${name}: [${shape.map((d, i) => variables?.[i] ?? d).join(', ')}]${declared}`);
  }
  const body = emitBody(m.units, { named: m.inputNames, results: m.outputNames, isBlock: false });
  lines.push(...body.map((l) => `  ${l}`));
  if (m.stopNote) lines.push(...m.stopNote.map((l) => `  // ${l}`));
  lines.push(...m.expects.map((e) => `  expect ${e}`));
  lines.push('}');
  for (const b of m.blocks) lines.push('', b);
  return `${lines.join('\n')}\n`;
}

export const shapeText = (shape: Shape): string => `[${shape.join(', ')}]`;

/** 25557032 → 25_557_032, as the zoo writes counts. */
export const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '_');

/**
 * A size as the compiler prints it (`(H + 1)//2`, `H/8`, `2*W`) written in the language, whose
 * `//` starts a comment: `floor((H + 1) / 2)`.
 */
export function sizeText(size: number | string): string {
  let text = String(size);
  for (let at = text.indexOf('//'); at >= 0; at = text.indexOf('//')) {
    // The left operand: a parenthesized group or a name or number, right before the `//`.
    let start = at;
    if (text[at - 1] === ')') {
      for (let depth = 0; start > 0; ) {
        const c = text[--start];
        if (c === ')') depth++;
        else if (c === '(' && --depth === 0) break;
      }
    } else while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
    const den = /^\d+/.exec(text.slice(at + 2))?.[0] ?? '';
    text = `${text.slice(0, start)}floor(${text.slice(start, at)} / ${den})${text.slice(at + 2 + den.length)}`;
  }
  return text;
}

