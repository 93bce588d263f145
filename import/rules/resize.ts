// Resize → upsample. archc's upsample is PyTorch's: nearest takes source = floor(dst / scale)
// (ONNX "asymmetric" with "floor"), bilinear maps pixel centres ("pytorch_half_pixel", or
// "half_pixel") or corners ("align_corners"); compiler/ops/upsample.ts writes exactly these.
import type { ArgValue } from '../../compiler/ops/op.js';
import { isBatch } from '../layout.js';
import type { Rule } from '../lift.js';
import { perAxis } from './args.js';

export const resize: Rule = (ctx) => {
  const x = ctx.tensor(0);
  const spatial = ctx.lifted(x).shape.slice(1);
  const mode = ctx.attr<string>('mode', 'nearest');
  const transform = ctx.attr<string>('coordinate_transformation_mode', 'half_pixel');
  const args: Record<string, ArgValue> = {};
  if (mode === 'nearest') {
    if (transform !== 'asymmetric' || ctx.attr<string>('nearest_mode', 'round_prefer_floor') !== 'floor') {
      ctx.fail(`nearest Resize with ${transform}/${ctx.attr<string>('nearest_mode', 'round_prefer_floor')} is not PyTorch's nearest (asymmetric, floor)`);
    }
  } else if (mode === 'linear' && spatial.length === 2) {
    args['mode'] = 'bilinear';
    if (transform === 'align_corners') args['align_corners'] = true;
    else if (transform !== 'pytorch_half_pixel' && transform !== 'half_pixel') ctx.fail(`linear Resize with ${transform} coordinates`);
  } else ctx.fail(`Resize mode '${mode}' on ${spatial.length} spatial axes is not an archc upsample`);
  // From opset 18 `axes` may name the axes the scales or sizes are for (the others stay as they are).
  const rank = spatial.length + 2;
  const axes = ctx.attr<readonly number[]>('axes')?.map((a) => (a < 0 ? a + rank : a));
  const full = <T>(given: readonly T[], keep: (axis: number) => T): T[] => (axes ? [...Array(rank).keys()].map((a) => (axes.includes(a) ? given[axes.indexOf(a)]! : keep(a))) : [...given]);
  const scalesInput = ctx.opset >= 11 ? 2 : 1;
  const scales = ctx.value(scalesInput) ? full([...ctx.constant(scalesInput).data], () => 1) : [];
  if (scales.length > 0) {
    if (scales[0] !== 1 || scales[1] !== 1) ctx.fail('Resize that scales the batch or the channels');
    const s = scales.slice(2).map((v) => Math.fround(v));
    // Antialiasing (opset 18) only changes a downscale, which archc's upsample does without.
    if (s.some((v) => v < 1) && ctx.attr<number>('antialias', 0) === 1) ctx.fail('an antialiased downscale is not an archc upsample');
    const value = perAxis(s);
    if (value !== 2) args['scale'] = value;
  } else {
    if (ctx.attr<string>('keep_aspect_ratio_policy', 'stretch') !== 'stretch') ctx.fail('Resize sizes with a kept aspect ratio');
    const sizes = full(ctx.ints(3), (a) => (a === 0 ? { batch: 1 } : ctx.lifted(x).shape[a - 1]!));
    const hw = sizes.slice(2).map((d) => (isBatch(d) ? ctx.fail('Resize sizes depend on the batch') : d));
    if (hw.some((d, i) => d < spatial[i]!) && ctx.attr<number>('antialias', 0) === 1) ctx.fail('an antialiased downscale is not an archc upsample');
    args['size'] = perAxis(hw);
  }
  return ctx.call('upsample', [x], args);
};
