// global_avgpool, global_maxpool: reduce every spatial axis to 1, keeping [C, 1, 1] (as ONNX
// GlobalAveragePool does; flatten afterwards for a dense head).
import { defineOp, type OpDef } from './op.js';
import { spatialRank } from './spatial.js';
import { heightAxis } from './axes.js';

export type GlobalPoolAttrs = Record<string, never>;

function globalPool(kind: 'global_avgpool' | 'global_maxpool'): OpDef<GlobalPoolAttrs> {
  return defineOp({
    kind,
    summary: `${kind === 'global_avgpool' ? 'mean' : 'maximum'} over all spatial positions, per channel`,
    arity: { min: 1, max: 1 },
    params: {},
    infer([x], _args, ctx) {
      if (spatialRank(kind, x!, ctx) === undefined) return undefined;
      return { attrs: {}, shape: [x![0]!, ...x!.slice(1).map(() => 1)] };
    },
    // The whole height in one window ([C, L]: the length, not the channels).
    field: (_a, [x]) => ({ kernel: x![heightAxis(x!)]!, stride: 1, dilation: 1 }),
    // Fixed whatever the input's size, even where it happens to equal it at the defaults.
    symbolic: (_a, _ins, { node }) => [...node.shape],
    // Images: tfjs-layers' own global pooling, then a reshape back to [1, 1, C] (tfjs drops the
    // pooled axes); other ranks: ArchcGlobalPool, which keeps them.
    tfjs: (_a, kit) => {
      const x = kit.input(0, 'cl');
      const shape = kit.inputShapes[0]!;
      if (shape.length !== 3) return { output: kit.apply(kit.custom.globalPool({ name: kit.name(), kind: kind === 'global_avgpool' ? 'avg' : 'max' }), x), layout: 'cl' };
      const pool = (kind === 'global_avgpool' ? kit.layers.globalAveragePooling2d : kit.layers.globalMaxPooling2d)({ name: kit.name() });
      const pooled = kit.apply(pool, x);
      return { output: kit.apply(kit.layers.reshape({ name: kit.name('keep'), targetShape: [1, 1, shape[0]!] }), pooled), layout: 'cl' };
    },
    onnx: (g) => g.op(kind === 'global_avgpool' ? 'GlobalAveragePool' : 'GlobalMaxPool', [g.inputs[0]!]),
    pytorch: {
      module: (_a, [x]) => `nn.Adaptive${kind === 'global_avgpool' ? 'Avg' : 'Max'}Pool${x!.length - 1}d(1)`,
      forward: (g) => `F.adaptive_${kind === 'global_avgpool' ? 'avg' : 'max'}_pool${g.inputShapes[0]!.length - 1}d(${g.inputs[0]}, 1)`,
    },
  });
}

export const global_avgpool = globalPool('global_avgpool');
export const global_maxpool = globalPool('global_maxpool');
