// archc's custom tfjs layers, as the factories op lowerings receive through `kit.custom`: one for
// each entry of the compiler's CustomLayers contract (compiler/lower-tfjs/custom-layers.ts).
// Importing this file registers every class for model.json round trips.
import type { CustomLayers, LayerArgs } from '../../compiler/lower-tfjs/custom-layers.js';
import { ArchcPad, type PadArgs } from './pad.js';
import { ArchcPool, type PoolArgs } from './pool.js';
import { ArchcConv, type ConvArgs } from './conv.js';
import { ArchcConvTranspose, type ConvTransposeArgs } from './conv-transpose.js';
import { ArchcGlobalPool, type GlobalPoolArgs } from './global-pool.js';
import { ArchcAdaptivePool, type AdaptivePoolArgs } from './adaptive-pool.js';
import { ArchcBinary, ArchcActivation, type BinaryKind, type ActivationKind } from './elementwise.js';
import { ArchcReduce, type ReduceArgs } from './reduce.js';
import { ArchcLrn, ArchcL2Norm, type LrnArgs } from './normalize.js';
import { ArchcResize, type ResizeArgs } from './resize.js';
import { ArchcChannelShuffle, ArchcSlice, ArchcMatmul, type SliceArgs, type MatmulArgs } from './tensor-ops.js';
import { ArchcClassToken, ArchcPosEmbed } from './tokens.js';
import { ArchcParam, type ParamArgs } from './param.js';
import { ArchcConstant, type ConstantArgs } from './constant.js';
import { ArchcScalar, type ScalarArgs } from './scalar.js';
import { ArchcPreprocess, type PreprocessArgs } from './preprocess.js';
import { ArchcGroupNorm, type GroupNormArgs } from './group-norm.js';
import { ArchcGather, ArchcRoll, type GatherArgs, type RollArgs } from './indexing.js';
import { ArchcMaxUnpool, type MaxUnpoolArgs } from './unpool.js';
import { ArchcCompare, ArchcWhere, type CompareArgs } from './logic.js';
import './frozen-batchnorm.js';

export const customLayers = {
  pad: (args: PadArgs) => new ArchcPad(args),
  pool: (args: PoolArgs) => new ArchcPool(args),
  conv: (args: ConvArgs) => new ArchcConv(args),
  convTranspose: (args: ConvTransposeArgs) => new ArchcConvTranspose(args),
  globalPool: (args: GlobalPoolArgs) => new ArchcGlobalPool(args),
  adaptivePool: (args: AdaptivePoolArgs) => new ArchcAdaptivePool(args),
  binary: (args: LayerArgs & { kind: BinaryKind }) => new ArchcBinary(args),
  activation: (args: LayerArgs & { kind: ActivationKind; alpha?: number }) => new ArchcActivation(args),
  reduce: (args: ReduceArgs) => new ArchcReduce(args),
  lrn: (args: LrnArgs) => new ArchcLrn(args),
  l2norm: (args: LayerArgs & { axis: number; epsilon: number }) => new ArchcL2Norm(args),
  resize: (args: ResizeArgs) => new ArchcResize(args),
  channelShuffle: (args: LayerArgs & { groups: number }) => new ArchcChannelShuffle(args),
  slice: (args: SliceArgs) => new ArchcSlice(args),
  matmul: (args: MatmulArgs) => new ArchcMatmul(args),
  classToken: (args: LayerArgs) => new ArchcClassToken(args),
  posEmbed: (args: LayerArgs) => new ArchcPosEmbed(args),
  param: (args: ParamArgs) => new ArchcParam(args),
  constant: (args: ConstantArgs) => new ArchcConstant(args),
  scalar: (args: ScalarArgs) => new ArchcScalar(args),
  preprocess: (args: PreprocessArgs) => new ArchcPreprocess(args),
  groupNorm: (args: GroupNormArgs) => new ArchcGroupNorm(args),
  gather: (args: GatherArgs) => new ArchcGather(args),
  roll: (args: RollArgs) => new ArchcRoll(args),
  maxUnpool: (args: MaxUnpoolArgs) => new ArchcMaxUnpool(args),
  compare: (args: CompareArgs) => new ArchcCompare(args),
  where: (args: LayerArgs) => new ArchcWhere(args),
} satisfies CustomLayers;
