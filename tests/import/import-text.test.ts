// The text `archc import` writes for models with repeated units: an optional branch (a projection
// shortcut, a residual add) is a conditional inside one block, repeated units are loops or stage
// blocks whose calls spell every weight's name from the loop index, and output shapes that depend on
// a size variable are written as formulas. Each model is archc's own export of a zoo model (whose
// weight names are torchvision's), so the weights must come back under exactly the same names.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { encodeOnnx } from '../../compiler/lower-onnx/encode.js';
import { lowerSizeGeneric } from '../../compiler/lower-onnx/dynamic.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { memoryHost } from '../../compiler/memory-host.js';
import { locate, nodeHost } from '../../compiler/node-host.js';
import { initWeights } from '../../compiler/weights/init.js';
import { importOnnx } from '../../import/index.js';

/** Compiles the model (a zoo name or inline text) at the size given, exports it and imports it. */
function roundTrip(model: string, image: number[]) {
  const inline = model.includes('{');
  const path = inline ? 'm.arch' : locate(model);
  const compiled = compile(path, inline ? memoryHost({ 'm.arch': model }) : nodeHost, { inputs: { image } });
  expect(compiled.ok, path).toBe(true);
  const weights = initWeights(compiled.graph!, { seed: 1 });
  const lowered = lowerToOnnx(compiled.graph!, weights, { producerVersion: 'test' });
  const result = importOnnx(Buffer.concat(encodeOnnx(lowered.model!)), { sourceName: 'm.onnx', inputShapes: { image } });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  const again = compile('i.arch', memoryHost({ 'i.arch': result.text }));
  expect(again.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect([...result.weights.keys()].sort()).toEqual([...weights.keys()].sort());
  return result.text;
}

describe('archc import: blocks, conditionals and names', () => {
  it('writes ResNet-50 as one bottleneck block with its projection shortcut as a conditional, called by a stage block', () => {
    const text = roundTrip('resnet50', [3, 64, 64]);
    expect(text.match(/^block /gm)).toHaveLength(2);
    expect(text).toContain('s = if x.shape != y.shape {');
    expect(text).toMatch(/for i in 0\.\.blocks \{\n\s+x = x \|> layer\(width, if i == 0 \{ stride \} else \{ 1 \}, name=str\(i\)\)/);
    expect(text).toContain('x = x |> stage(128, 2, 4, name="layer2")');
    expect(text.split('\n').length).toBeLessThan(40);
  });

  it('writes MobileNetV2\'s inverted residuals as one block whose skip is a conditional, loops named from their index', () => {
    const text = roundTrip('mobilenet_v2', [3, 64, 64]);
    expect(text).toContain('return if y.shape == x.shape { x + y } else { y }');
    expect(text).toContain('x = x |> unit(1, 16, 1, name="features.1.conv")');
    expect(text).toMatch(/for i in 5\.\.7 \{\n\s+x = x \|> unit\(6, 32, 1, name="features\." \+ str\(i\) \+ "\.conv"\)/);
  });

  it('writes EfficientNet-B0 as one MBConv block: the expansion conv a conditional, the later layers numbered from an offset as torchvision does', () => {
    const text = roundTrip('efficientnet_b0', [3, 64, 64]);
    expect(text.match(/^block /gm)).toHaveLength(2);
    expect(text).toContain('k = if expand != 1 { 1 } else { 0 }');
    expect(text).toContain('name=str(k + 1) + ".fc1"');
    // All seven stages are calls of one stage block, the first (no expansion) included.
    expect(text.match(/x = x \|> stage\(/g)).toHaveLength(7);
    expect(text).toContain('x = x |> stage(1, 3, 16, 1, 1, name="features.1")');
  });

  it('writes batch-norm momentum as the decimal it was (PyTorch 0.01 arrives as a float32 0.99)', () => {
    const source = `model m {\n  input image: [3, 8, 8]\n  output o = image |> conv(4, 3, bias=false) |> bn |> bn |> bn\n}`;
    const compiled = compile('m.arch', memoryHost({ 'm.arch': source }));
    const lowered = lowerToOnnx(compiled.graph!, initWeights(compiled.graph!, { seed: 1 }), { producerVersion: 'test' });
    // As PyTorch writes them: ONNX's momentum is the old statistics' weight, 1 - PyTorch's.
    const kept = [0.99, 0.997, 0.9];
    lowered.model!.graph!.node!.filter((n) => n.opType === 'BatchNormalization').forEach((n, i) => {
      n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== 'momentum'), { name: 'momentum', type: 1 /* FLOAT */, f: Math.fround(kept[i]!) }];
    });
    const result = importOnnx(Buffer.concat(encodeOnnx(lowered.model!)), { sourceName: 'm.onnx', inputShapes: { image: [3, 8, 8] } });
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    expect(result.text.match(/bn\([^)]*\)/g)).toEqual(['bn(momentum=0.01, name="bn1")', 'bn(momentum=0.003, name="bn2")', 'bn(name="bn3")']);
  });

  it('writes an output shape that depends on the size variables as a formula, checked at other sizes too', () => {
    const source = `model m {
      input image: [3, H, W] = [3, 64, 64]
      output o = image |> conv(8, 3, stride=2, pad=1) |> relu |> maxpool(3, stride=2)
    }`;
    // Exported as `archc export` does: the variables stay named dims of the ONNX input.
    const compiled = compile('m.arch', memoryHost({ 'm.arch': source }));
    const weights = initWeights(compiled.graph!, { seed: 1 });
    const lowered = lowerSizeGeneric(compiled.graph!, weights, { producerVersion: 'test' }, { analysis: compiled.sizes!, compileAt: compiled.compileAt! });
    const result = importOnnx(Buffer.concat(encodeOnnx(lowered.model!)), { sourceName: 'm.onnx', inputShapes: { image: [3, 64, 64] } });
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    expect(result.text).toContain('expect o.shape == [8, floor((H + 3) / 4) - 1, floor((W + 3) / 4) - 1]');
    for (const image of [[3, 64, 64], [3, 101, 77]]) {
      const again = compile('i.arch', memoryHost({ 'i.arch': result.text }), { inputs: { image } });
      expect(again.diagnostics, image.join('x')).toEqual([]);
    }
    // A wrong formula would fail there: the same file with the height's formula off by one does not compile.
    const wrong = result.text.replace('floor((H + 3) / 4) - 1', 'floor((H + 3) / 4)');
    expect(compile('w.arch', memoryHost({ 'w.arch': wrong })).diagnostics.map((d) => d.code)).toContain('E0501');
  });
});
