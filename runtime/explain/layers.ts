// Which layer to look at: a name as `archc summary` prints it (a block's name, such as `layer4`,
// means its last layer), the default layer of Grad-CAM, and the checks that a model's output holds
// class scores and that a layer holds a spatial map. Pure: no TensorFlow.js here.
import { closestMatch } from '../../compiler/diagnostics.js';
import { formatShape, type IrGraph, type IrNode } from '../../compiler/ir.js';

export type Found<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string; readonly hint?: string };

/** The layer called `name`: a node's own name, or the last node inside the block of that name. */
export function findLayer(graph: IrGraph, name: string): Found<IrNode> {
  if (graph.inputs.some((i) => i.name === name)) {
    return { ok: false, message: `'${name}' is ${graph.model}'s input, not a layer`, hint: 'saliency and integrated gradients attribute to the input pixels (--method saliency)' };
  }
  const layers = graph.nodes.filter((n) => n.op !== 'input');
  const exact = layers.find((n) => n.name === name);
  if (exact) return { ok: true, value: exact };
  const inside = layers.filter((n) => n.name.startsWith(`${name}.`));
  if (inside.length) return { ok: true, value: inside[inside.length - 1]! };
  const blocks = new Set(layers.flatMap((n) => n.name.split('.').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
  const match = closestMatch(name, [...layers.map((n) => n.name), ...blocks]);
  return {
    ok: false,
    message: `${graph.model} has no layer named '${name}'${match ? `; did you mean '${match}'?` : ''}`,
    hint: '`archc summary` lists the layers by name (`--depth N` shows the blocks)',
  };
}

/** Ops after which a rank-3 value is no longer laid out over the image's positions (ViT's tokens). */
const REARRANGING = new Set(['reshape', 'transpose', 'matmul', 'class_token', 'pos_embed']);

/**
 * The nodes whose outputs are spatial maps [C, H, W] over the image (more than one position): the
 * image input, and every rank-3 result of one that was not reshaped, transposed or multiplied as a
 * matrix on the way (a transformer's [tokens, heads, dim] is rank 3 but not a map).
 */
export function spatialMaps(graph: IrGraph): Set<number> {
  const maps = new Set<number>();
  for (const node of graph.nodes) {
    const rank3 = node.shape.length === 3 && node.shape[1]! * node.shape[2]! > 1;
    if (!rank3) continue;
    if (node.op === 'input' || (!REARRANGING.has(node.op) && node.inputs.some((id) => maps.has(id)))) maps.add(node.id);
  }
  return maps;
}

/** Why `node` cannot be shown as maps, or undefined when it can. */
export function notSpatial(graph: IrGraph, node: IrNode, what: string): { readonly ok: false; readonly message: string; readonly hint?: string } | undefined {
  if (spatialMaps(graph).has(node.id)) return undefined;
  const why = node.shape.length !== 3 ? `rank ${node.shape.length}` : node.shape[1]! * node.shape[2]! <= 1 ? 'a single position' : 'not laid out over the image: it comes through a reshape, transpose or matmul';
  return {
    ok: false,
    message: `layer '${node.name}' (${node.op}) outputs ${formatShape(node.shape)} (${why}); ${what} needs a spatial map [C, H, W]`,
    hint: 'pick a layer before global pooling or flatten (`archc summary` shows the output shapes)',
  };
}

/** The class-score output: the first output, one score per class [K]. */
export function classOutput(graph: IrGraph, method: string): Found<IrNode> {
  const first = graph.outputs[0];
  if (!first) return { ok: false, message: `${graph.model} has no output` };
  const node = graph.nodes[first.node]!;
  if (node.shape.length !== 1) {
    return {
      ok: false,
      message: `${graph.model}'s output '${first.name}' is ${formatShape(node.shape)} (rank ${node.shape.length}); ${method} explains a class score, and needs an output of one score per class, [K]`,
      hint: node.shape.length === 3 ? 'this output is a map (segmentation?): it has a score per pixel, not per image' : 'end the model with global_avgpool |> flatten |> dense(classes)',
    };
  }
  return { ok: true, value: node };
}

/** The image input: one input [1 or 3, H, W]. */
export function imageInput(graph: IrGraph): Found<{ name: string; channels: 1 | 3; height: number; width: number }> {
  const first = graph.inputs[0];
  const shape = first ? graph.nodes[first.node]!.shape : [];
  if (graph.inputs.length !== 1 || shape.length !== 3 || (shape[0] !== 1 && shape[0] !== 3)) {
    const shapes = graph.inputs.map((i) => `${i.name} ${formatShape(graph.nodes[i.node]!.shape)}`).join(', ');
    return { ok: false, message: `${graph.model} takes ${shapes || 'no input'}; looking inside it needs one image input, [1, H, W] or [3, H, W]` };
  }
  return { ok: true, value: { name: first!.name, channels: shape[0] as 1 | 3, height: shape[1]!, width: shape[2]! } };
}

/**
 * Grad-CAM's default layer: the last spatial map the class scores depend on, i.e. the output of the
 * last convolutional stage, just before global pooling or flatten (ResNet: the last block of layer4).
 * Selvaraju et al. (2017) use the last convolutional layer: its maps keep the most class-specific
 * information that still has a spatial layout.
 */
export function defaultCamLayer(graph: IrGraph, output: IrNode): Found<IrNode> {
  const ancestors = feeding(graph, output);
  const maps = spatialMaps(graph);
  const candidates = graph.nodes.filter((n) => n.op !== 'input' && ancestors.has(n.id) && maps.has(n.id));
  const last = candidates[candidates.length - 1];
  if (!last) return { ok: false, message: `${graph.model} has no spatial feature map before its output; Grad-CAM needs one`, hint: 'use --method saliency or integrated-gradients' };
  return { ok: true, value: last };
}

/** The ids of the nodes `output` is computed from, itself included. */
export function feeding(graph: IrGraph, output: IrNode): Set<number> {
  const ancestors = new Set<number>([output.id]);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (ancestors.has(node.id)) for (const id of node.inputs) ancestors.add(id);
  }
  return ancestors;
}

/** The first convolution of the graph (its kernels are images over the input channels). */
export function firstConv(graph: IrGraph): Found<IrNode> {
  const conv = graph.nodes.find((n) => n.op === 'conv');
  return conv ? { ok: true, value: conv } : { ok: false, message: `${graph.model} has no convolution; --filters shows the first convolution's kernels` };
}
