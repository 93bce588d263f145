// channel_shuffle: ShuffleNet's channel permutation. Channels viewed as [groups, C/groups] are
// transposed to [C/groups, groups] and flattened back, so the next grouped conv mixes every group.
import { defineOp } from './op.js';
import type { OnnxLowering } from '../lower-onnx/lowering.js';
import type { TfjsLowering } from '../lower-tfjs/contract.js';

export interface ChannelShuffleAttrs {
  readonly groups: number;
  readonly channels: number;
}

export const channel_shuffle = defineOp({
  kind: 'channel_shuffle',
  summary: 'interleave channel groups (ShuffleNet)',
  arity: { min: 1, max: 1 },
  params: { groups: { type: 'int', doc: 'the groups of the grouped conv before it' } },
  infer([x], args, ctx) {
    const groups = args.groups;
    const channels = x![0]!;
    if (groups <= 0) return ctx.error('E0305', `channel_shuffle groups must be positive, got ${groups}`, { arg: 'groups' });
    if (channels % groups !== 0) {
      const divisors = Array.from({ length: channels }, (_, i) => i + 1).filter((d) => channels % d === 0 && d > 1);
      return ctx.error('E0304', `channel_shuffle groups (${groups}) must divide the channels (${channels})`, {
        arg: 'groups',
        notes: [`${channels} channels / ${groups} groups = ${(channels / groups).toFixed(2)}`],
        hint: divisors.length ? `use a groups value that divides ${channels}, such as ${divisors.slice(0, 4).join(', ')}` : undefined,
      });
    }
    return { attrs: { groups, channels }, shape: x! };
  },
  tfjs: (a, kit) => channelShuffleTfjs(a, kit),
  onnx: (g) => channelShuffleOnnx(g),
  // torchvision's channel_shuffle: view as [groups, C/groups], swap, flatten back.
  pytorch: { forward: (g) => `${g.inputs[0]}.unflatten(1, (${g.attrs.groups}, ${g.attrs.channels / g.attrs.groups})).transpose(1, 2).flatten(1, 2)` },
});

/** Reshape to [g, C/g, ...], swap the two channel axes, reshape back. */
const channelShuffleOnnx: OnnxLowering<ChannelShuffleAttrs> = (g) => {
  const { groups, channels } = g.attrs;
  const rest = g.shape.slice(1);
  const split = [groups, channels / groups, ...rest];
  const grouped = g.op('Reshape', [g.inputs[0]!, g.constant('groups', 'int64', [0, ...split])], {}, { shape: split });
  const perm = [0, 2, 1, ...rest.map((_, i) => i + 3)];
  const swapped = g.op('Transpose', [grouped], { perm }, { shape: [channels / groups, groups, ...rest] });
  return g.op('Reshape', [swapped, g.constant('shape', 'int64', [0, ...g.shape])]);
};

const channelShuffleTfjs: TfjsLowering<ChannelShuffleAttrs> = (a, kit) => ({ output: kit.apply(kit.custom.channelShuffle({ name: kit.name(), groups: a.groups }), kit.input(0, 'cl')), layout: 'cl' });
