// channel_shuffle: ShuffleNet's channel permutation. Channels viewed as [groups, C/groups] are
// transposed to [C/groups, groups] and flattened back, so the next grouped conv mixes every group.
import { defineOp } from './op.js';

export interface ChannelShuffleAttrs {
  readonly groups: number;
  readonly channels: number;
}

export const channel_shuffle = defineOp<ChannelShuffleAttrs>({
  kind: 'channel_shuffle',
  summary: 'interleave channel groups (ShuffleNet)',
  arity: { min: 1, max: 1 },
  params: { groups: { type: 'int', doc: 'the groups of the grouped conv before it' } },
  infer([x], args, ctx) {
    const groups = args['groups'] as number;
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
});
