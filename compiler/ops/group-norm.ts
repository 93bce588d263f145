// group_norm, instance_norm: normalize each sample's channels in groups, over the group's channels
// and every spatial position, then scale by γ and shift by β per channel (PyTorch GroupNorm(G, C),
// eps 1e-5). instance_norm is one group per channel: PyTorch InstanceNorm without running
// statistics, and like PyTorch without γ and β unless affine=true.
import { defineOp, type OpDef } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';
import { args, kwargs, pyBool, pyFloat } from '../lower-pytorch/lowering.js';
import { formatShape } from '../ir.js';

export interface GroupNormAttrs {
  readonly channels: number;
  readonly groups: number;
  readonly epsilon: number;
  readonly affine: boolean;
}

function normOp(kind: 'group_norm' | 'instance_norm'): OpDef<GroupNormAttrs> {
  const perChannel = kind === 'instance_norm';
  return defineOp({
    kind,
    summary: perChannel
      ? 'normalization of each channel over its positions (optional γ, β)'
      : 'normalization over groups of channels and all positions, with per-channel γ and β',
    arity: { min: 1, max: 1 },
    params: {
      ...(perChannel ? {} : { groups: { type: 'int' as const, doc: 'number of channel groups; must divide the channels' } }),
      epsilon: { type: 'float', default: 1e-5 },
      affine: { type: 'bool', default: !perChannel, doc: 'learnable per-channel γ and β' },
    },
    infer([x], args, ctx) {
      const channels = x![0]!;
      const groups = args.groups ?? channels; // instance_norm takes no groups: one per channel
      const epsilon = args.epsilon;
      if (!(epsilon > 0)) return ctx.error('E0305', `${kind} epsilon must be positive, got ${epsilon}`, { arg: 'epsilon' });
      if (!perChannel && (groups < 1 || channels % groups !== 0)) {
        return ctx.error('E0305', `group_norm needs groups dividing the ${channels} channels of ${formatShape(x!)}, got ${groups}`, {
          arg: 'groups',
          hint: `divisors of ${channels}: ${divisors(channels).join(', ')}`,
        });
      }
      return { attrs: { channels, groups, epsilon, affine: args.affine }, shape: x! };
    },
    weights: (a) =>
      a.affine
        ? [
            { name: 'weight', shape: [a.channels], role: 'learnable', init: 'ones' },
            { name: 'bias', shape: [a.channels], role: 'learnable', init: 'zeros' },
          ]
        : [],
    tfjs: (a, kit) => groupNormTfjs(a, kit),
    onnx: (g) => groupNormOnnx(g),
    // nn.GroupNorm for both: instance norm is a group per channel (and, unlike nn.InstanceNormNd,
    // GroupNorm takes any rank).
    pytorch: {
      module: (a) => `nn.GroupNorm(${args(String(a.groups), String(a.channels), groupNormOptions(a))})`,
      forward: (g) => {
        if (g.module) return `${g.module}(${g.inputs[0]})`;
        const [w, b] = g.attrs.affine ? [g.weight('weight'), g.weight('bias')] : ['None', 'None'];
        return `F.group_norm(${g.inputs[0]}, ${g.attrs.groups}, ${w}, ${b}, ${pyFloat(g.attrs.epsilon)})`;
      },
    },
  });
}

const groupNormOptions = (a: GroupNormAttrs): string =>
  kwargs([['eps', pyFloat(a.epsilon), pyFloat(1e-5)], ['affine', pyBool(a.affine), 'True']]);

const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

export const group_norm = normOp('group_norm');
export const instance_norm = normOp('instance_norm');

/**
 * [N, C, ...] viewed as [N, G, C/G·positions] (batch copied by the 0 in the Reshape target),
 * normalized over the last axis, viewed back, then γ and β as [C, 1, ...].
 */
const groupNormOnnx: OnnxLowering<GroupNormAttrs> = (g) => {
  const { groups, epsilon, affine, channels } = g.attrs;
  const rest = g.shape.reduce((a, b) => a * b, 1) / groups;
  const grouped = [groups, rest];
  const view = g.op('Reshape', [g.inputs[0]!, g.constant('groups', 'int64', [0, groups, -1])], {}, { shape: grouped, as: 'grouped' });
  const reduced = [groups, 1];
  const mean = (t: string, as: string) => g.op('ReduceMean', [t], { axes: [2], keepdims: 1 }, { shape: reduced, as });
  const centred = g.op('Sub', [view, mean(view, 'mean')], {}, { shape: grouped, as: 'centred' });
  const variance = mean(g.op('Mul', [centred, centred], {}, { shape: grouped, as: 'square' }), 'variance');
  const std = g.op('Sqrt', [g.op('Add', [variance, g.constant('epsilon', 'float', [epsilon], [])], {}, { shape: reduced })], {}, { shape: reduced, as: 'std' });
  const normalized = g.op('Div', [centred, std], {}, { shape: grouped, as: 'normalized' });
  const back = g.op('Reshape', [normalized, g.constant('shape', 'int64', [0, ...g.shape])], {}, { as: 'ungrouped' });
  if (!affine) return back;
  const perChannel = [channels, ...g.shape.slice(1).map(() => 1)];
  const shaped = (w: string) => g.op('Reshape', [g.weight(w), g.constant(`${w}_shape`, 'int64', perChannel)], {}, { fixedShape: perChannel, as: w });
  return g.op('Add', [g.op('Mul', [back, shaped('weight')]), shaped('bias')]);
};

/** ArchcGroupNorm on the channels-last tensor (a vector is that already). */
const groupNormTfjs: TfjsLowering<GroupNormAttrs> = (a, kit) => {
  const layout = kit.inputShapes[0]!.length >= 2 ? 'cl' : 'plain';
  const layer = kit.custom.groupNorm({ name: kit.name(), groups: a.groups, epsilon: a.epsilon, affine: a.affine });
  return { output: kit.apply(layer, kit.input(0, layout), a.affine ? [{ ir: 'weight' }, { ir: 'bias' }] : []), layout };
};
