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
  const scalesInput = ctx.opset >= 11 ? 2 : 1;
  const scales = ctx.value(scalesInput) ? [...ctx.constant(scalesInput).data] : [];
  if (scales.length > 0) {
    if (scales[0] !== 1 || scales[1] !== 1) ctx.fail('Resize that scales the batch or the channels');
    const s = scales.slice(2).map((v) => Math.fround(v));
    const value = perAxis(s);
    if (value !== 2) args['scale'] = value;
  } else {
    const sizes = ctx.ints(3);
    const hw = sizes.slice(2).map((d) => (isBatch(d) ? ctx.fail('Resize sizes depend on the batch') : d));
    args['size'] = perAxis(hw);
  }
  return ctx.call('upsample', [x], args);
};
