// Runs a model declaration: its parameters (defaults or --set overrides), then its body, collecting
// inputs and outputs into the graph.
import type * as A from '../../dsl/ast.js';
import type { IrGraph } from '../ir.js';
import type { Module } from '../loader.js';
import { bool, num, type Value } from '../values.js';
import { hintFor } from './explain.js';
import { evaluate } from './expressions.js';
import { modelFrame, type ModelIo } from './frame.js';
import { execBody } from './statements.js';
import { Stop, type Expansion } from './state.js';

export function runModel(x: Expansion, decl: A.ModelDecl, module: Module): IrGraph {
  const frame = modelFrame(module);
  const io: ModelIo = { inputs: [], outputs: [] };
  for (const p of decl.params) {
    const override = x.options.params?.[p.name];
    if (override !== undefined) frame.env.set(p.name, fromJs(override));
    else if (p.default) frame.env.set(p.name, evaluate(x, p.default, frame));
    else x.report('E0206', `model parameter '${p.name}' has no default and no value was given`, p.span, frame, { hint: `give it a default: ${p.name} = ...` });
  }
  for (const name of Object.keys(x.options.params ?? {})) {
    if (!decl.params.some((p) => p.name === name)) {
      x.report('E0204', `model '${decl.name}' has no parameter '${name}'`, decl.nameSpan, frame, {
        hint: hintFor(name, decl.params.map((p) => p.name)),
      });
    }
  }
  const declaredInputs = decl.body.filter((s): s is A.InputStmt => s.kind === 'input').map((s) => s.name);
  for (const name of Object.keys(x.options.inputs ?? {})) {
    if (!declaredInputs.includes(name)) {
      x.report('E0204', `model '${decl.name}' has no input '${name}'`, decl.nameSpan, frame, {
        hint: hintFor(name, declaredInputs) ?? (declaredInputs.length ? `its inputs: ${declaredInputs.join(', ')}` : undefined),
      });
    }
  }
  try {
    execBody(x, decl.body, frame, io);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  if (!decl.body.some((s) => s.kind === 'output') && !x.aborted) {
    x.report('E0207', `model '${decl.name}' has no output`, decl.nameSpan, frame, { hint: 'add a line such as: output logits = x |> dense(10)' });
  }
  const params: Record<string, number> = {};
  for (const p of decl.params) {
    const v = frame.env.get(p.name);
    if (v?.kind === 'int' || v?.kind === 'float') params[p.name] = v.value;
  }
  return { model: decl.name, file: module.path, nodes: x.nodes, inputs: io.inputs, outputs: io.outputs, params, ...(x.sizes.length ? { sizes: x.sizes } : {}) };
}

function fromJs(v: number | string | boolean): Value {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return bool(v);
  return { kind: 'string', value: v };
}
