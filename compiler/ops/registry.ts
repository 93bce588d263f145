// The op registry: every primitive op archc knows, by its DSL name. Adding an op = one file + one line.
import type { OpDef } from './op.js';
import { conv } from './conv.js';
import { bn } from './batchnorm.js';
import * as act from './activation.js';
import { maxpool, avgpool } from './pool.js';
import { global_avgpool, global_maxpool } from './global-pool.js';
import { dense } from './dense.js';
import { flatten } from './flatten.js';
import { dropout } from './dropout.js';
import { add, sub, mul, div } from './elementwise.js';
import { concat } from './concat.js';
import { conv_transpose } from './conv-transpose.js';
import { dwconv } from './dwconv.js';
import { adaptive_avgpool, adaptive_maxpool } from './adaptive-pool.js';
import { layer_norm } from './layer-norm.js';
import { lrn } from './lrn.js';
import { prelu } from './prelu.js';
import { softmax } from './softmax.js';
import { l2norm } from './l2norm.js';
import { upsample } from './upsample.js';
import { pad } from './pad.js';
import { channel_shuffle } from './channel-shuffle.js';
import { slice } from './slice.js';
import { matmul } from './matmul.js';
import { reshape } from './reshape.js';
import { transpose } from './transpose.js';
import { class_token } from './class-token.js';
import { pos_embed } from './pos-embed.js';
import { reduce_mean, reduce_max, reduce_sum } from './reduce.js';
import { param, buffer } from './param.js';
import { zeros, ones, full, arange, constant } from './constant.js';
import { scalar } from './scalar.js';
import { normalize, rescale } from './preprocess.js';
import { group_norm, instance_norm } from './group-norm.js';
import { gather } from './gather.js';
import { roll } from './roll.js';
import { max_unpool } from './max-unpool.js';
import { compare } from './compare.js';
import { where } from './where.js';

export const ops = {
  conv,
  bn,
  maxpool,
  avgpool,
  max_unpool,
  global_avgpool,
  global_maxpool,
  dense,
  flatten,
  dropout,
  add,
  sub,
  mul,
  div,
  compare,
  where,
  concat,
  conv_transpose,
  dwconv,
  adaptive_avgpool,
  adaptive_maxpool,
  layer_norm,
  group_norm,
  instance_norm,
  lrn,
  prelu,
  softmax,
  l2norm,
  upsample,
  pad,
  channel_shuffle,
  slice,
  gather,
  roll,
  matmul,
  reshape,
  transpose,
  class_token,
  pos_embed,
  reduce_mean,
  reduce_max,
  reduce_sum,
  param,
  buffer,
  zeros,
  ones,
  full,
  arange,
  constant,
  scalar,
  normalize,
  rescale,
  relu: act.relu,
  relu6: act.relu6,
  leaky_relu: act.leaky_relu,
  elu: act.elu,
  selu: act.selu,
  gelu: act.gelu,
  silu: act.silu,
  swish: act.swish,
  hardswish: act.hardswish,
  hardsigmoid: act.hardsigmoid,
  sigmoid: act.sigmoid,
  tanh: act.tanh,
  identity: act.identity,
} satisfies Record<string, OpDef>;

export type OpKind = keyof typeof ops;

/** The registry by any name: every op is an OpDef (the `satisfies` above checks it). */
const byName: Readonly<Record<string, OpDef>> = ops;

export function lookupOp(name: string): OpDef | undefined {
  return Object.hasOwn(byName, name) ? byName[name] : undefined;
}
