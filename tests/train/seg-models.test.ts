// Which task a model trains for, read from its outputs: the zoo's segmentation networks at a
// reduced size are score maps [K, H, W] (the main output first, auxiliary heads after), a
// classifier is [K], and the paper's unpadded U-Net, whose map is smaller than its input, is refused.
import { describe, expect, it } from 'vitest';
import { compileTarget } from '../../tools/cli/commands/common.js';
import { modelIo } from '../../runtime/train/session.js';

function io(target: string, inputs: Record<string, number[]> = {}) {
  const compiled = compileTarget(target, { params: { classes: 4 }, inputs });
  if (!compiled.graph || !compiled.ok) throw new Error(compiled.diagnostics.map((d) => d.message).join('; '));
  return modelIo(compiled.graph);
}

describe('the task a model trains for', () => {
  it.each([
    ['unet_same', 'logits'],
    ['segnet', 'softmax'],
    ['fcn_resnet50', 'logits'],
    ['deeplabv3_resnet50', 'logits'],
  ])('%s at 32×32 is segmentation with 4 classes (%s)', (name, output) => {
    const r = io(name, { image: [3, 32, 32] });
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.io).toMatchObject({ task: 'segmentation', units: 4, output, sample: { channels: 3, height: 32, width: 32 } });
  });

  it('a classifier is classification; the unpadded unet is refused with the sizes', () => {
    const lenet = io('lenet5');
    expect(lenet.ok && lenet.io.task).toBe('classification');
    const unet = io('unet');
    expect(!unet.ok && unet.problem.message).toMatch(/unet's output scores is \[4, 388, 388\] but its input is 572×572/);
  });
});
