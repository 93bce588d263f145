// std/segmentation's blocks on their own: shapes and counts that no zoo model pins down alone.
import { describe, expect, it } from 'vitest';
import { compileText, errors } from './helpers.js';

const model = (input: string, body: string) => `use "std/segmentation"\nmodel t {\n  input x: ${input}\n  output y = ${body}\n}\n`;

describe('std/segmentation', () => {
  it('pyramid_pool concatenates the input with one 1×1-conv level per bin (PSPNet, 2048 → 4096)', () => {
    const r = compileText(model('[2048, 60, 60]', 'x |> pyramid_pool([1, 2, 3, 6])'));
    expect(errors(r)).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 4096, 60, 60]);
    // four 1×1 convs 2048 → 512 without bias, and their batch norms
    expect(r.report!.params.learnable).toBe(4 * 2048 * 512 + 4 * 2 * 512);
  });

  it('aspp keeps the size and projects five branches to 256 channels', () => {
    const r = compileText(model('[2048, 65, 65]', 'x |> aspp([12, 24, 36])'));
    expect(errors(r)).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 256, 65, 65]);
    const convs = 2048 * 256 + 3 * 9 * 2048 * 256 + 2048 * 256 + 5 * 256 * 256;
    expect(r.report!.params.learnable).toBe(convs + 5 * 2 * 256 + 2 * 256);
  });

  it('center_crop takes the middle window (U-Net copy and crop: 64 → 56)', () => {
    const r = compileText(model('[512, 64, 64]', 'x |> center_crop(56, 56)'));
    expect(errors(r)).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 512, 56, 56]);
    const slices = r.report!.layers.filter((l) => l.op === 'slice');
    expect(slices).toHaveLength(2);
  });

  it('unet_up without cropping refuses skip maps of another size at its concat', () => {
    const r = compileText(model('[1024, 28, 28]', 'x |> unet_up(x |> maxpool(2), 512, pad=1, crop=false)'));
    expect(errors(r).map((d) => d.code)).toEqual(['E0401']);
  });

  it('fcn_fuse scores the finer map, crops it at the offset and adds', () => {
    const text = `use "std/segmentation"\nmodel t {\n  input coarse: [21, 34, 34]\n  input fine: [512, 44, 44]\n  output y = fcn_fuse(coarse, fine, 5)\n}\n`;
    const r = compileText(text);
    expect(errors(r)).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 21, 34, 34]);
    expect(r.report!.params.learnable).toBe(512 * 21 + 21);
  });
});
