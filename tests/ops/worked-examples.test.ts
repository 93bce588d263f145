// The worked examples of the teaching texts behind zoo/tutorials/ (README.md there) about shapes
// (E), parameters (P), FLOPs/MACs (F) and receptive fields (R), numbered as the project collected
// them, with corrected values where a text got one wrong (each such case says so). The
// networks are written inline from primitive ops, so these check op arithmetic, not the zoo.
import { describe, expect, it } from 'vitest';
import type { CompileResult } from '../../compiler/compile.js';
import { net } from '../helpers.js';
import { attrsOf, compileOk, lastLayer, outcome } from './table.js';

const layer = (r: CompileResult, name: string) => {
  const found = r.report!.layers.find((l) => l.name === name);
  if (!found) throw new Error(`no layer '${name}' in ${r.report!.layers.map((l) => l.name).join(', ')}`);
  return found;
};
const shapeOf = (r: CompileResult, name: string) => layer(r, name).outputShape.slice(1);
const output = (r: CompileResult) => r.report!.outputs[0]!.shape.slice(1);
/** Keras's "Total params": learnable parameters plus batch-norm buffers. */
const kerasTotal = (r: CompileResult) => r.report!.params.learnable + r.report!.params.buffers;

// ---------- the networks

const LENET5 = `
model lenet5 {
  input x: [1, 32, 32]
  c1 = x |> conv(6, 5) |> tanh : [6, 28, 28]
  s2 = c1 |> avgpool(2) : [6, 14, 14]
  c3 = s2 |> conv(16, 5) |> tanh : [16, 10, 10]
  s4 = c3 |> avgpool(2) : [16, 5, 5]
  c5 = s4 |> conv(120, 5) |> tanh : [120, 1, 1]
  output y = c5 |> flatten |> dense(84) |> tanh |> dense(10) |> softmax : [10]
}`;

const vgg = (convs: number[]) => `
block vgg_stage(x, width, convs) {
  for i in 0..convs { x = x |> conv(width, 3, pad=1) |> relu }
  return x |> maxpool(2)
}
model vgg {
  input x: [3, 224, 224]
  widths = [64, 128, 256, 512, 512]
  convs = [${convs.join(', ')}]
  for i in 0..5 { x = x |> vgg_stage(widths[i], convs[i]) }
  output y = x |> flatten |> dense(4096) |> relu |> dropout |> dense(4096) |> relu |> dropout |> dense(1000)
}`;

// AlexNet as a single tower; groups=2 on conv2, 4, 5 gives the original two-GPU layout.
const alexnet = (size: number, pad: string, groups = 1) => `
model alexnet {
  input x: [3, ${size}, ${size}]
  x = x |> conv(96, 11, stride=4) |> relu |> maxpool(3, stride=2)
  x = x |> conv(256, 5, pad=${pad}, groups=${groups}) |> relu |> maxpool(3, stride=2)
  x = x |> conv(384, 3, pad=${pad}) |> relu |> conv(384, 3, pad=${pad}, groups=${groups}) |> relu
  x = x |> conv(256, 3, pad=${pad}, groups=${groups}) |> relu |> maxpool(3, stride=2)
  output y = x |> flatten |> dense(4096) |> relu |> dense(4096) |> relu |> dense(1000)
}`;

// The texts' Keras GoogLeNet: every conv with bias and "same" padding, no auxiliary heads.
const GOOGLENET = `
block inception(x, f1, f3r, f3, f5r, f5, pp) {
  b1 = x |> conv(f1, 1) |> relu
  b2 = x |> conv(f3r, 1) |> relu |> conv(f3, 3, pad="same") |> relu
  b3 = x |> conv(f5r, 1) |> relu |> conv(f5, 5, pad="same") |> relu
  b4 = x |> maxpool(3, stride=1, pad="same") |> conv(pp, 1) |> relu
  return concat([b1, b2, b3, b4])
}
model googlenet {
  input image: [3, 224, 224]
  x = image |> conv(64, 7, stride=2, pad="same") |> relu : [64, 112, 112]
  x = x |> maxpool(3, stride=2, pad="same") : [64, 56, 56]
  x = x |> conv(64, 1) |> relu : [64, 56, 56]
  x = x |> conv(192, 3, pad="same") |> relu : [192, 56, 56]
  x = x |> maxpool(3, stride=2, pad="same") : [192, 28, 28]
  x = x |> inception(64, 96, 128, 16, 32, 32) : [256, 28, 28]
  x = x |> inception(128, 128, 192, 32, 96, 64) : [480, 28, 28]
  x = x |> maxpool(3, stride=2, pad="same") : [480, 14, 14]
  x = x |> inception(192, 96, 208, 16, 48, 64) : [512, 14, 14]
  x = x |> inception(160, 112, 224, 24, 64, 64) : [512, 14, 14]
  x = x |> inception(128, 128, 256, 24, 64, 64) : [512, 14, 14]
  x = x |> inception(112, 144, 288, 32, 64, 64) : [528, 14, 14]
  x = x |> inception(256, 160, 320, 32, 128, 128) : [832, 14, 14]
  x = x |> maxpool(3, stride=2, pad="same") : [832, 7, 7]
  x = x |> inception(256, 160, 320, 32, 128, 128) : [832, 7, 7]
  x = x |> inception(384, 192, 384, 48, 128, 128) : [1024, 7, 7]
  x = x |> avgpool(7, stride=1) : [1024, 1, 1]
  output y = x |> flatten |> dense(1000) |> softmax
}`;

// torchvision ResNets from the standard library.
const resnet = (unit: string, blocks: number[], top = true) => `
use "std/resnet"
model resnet {
  input image: [3, 224, 224]
  x = image |> conv(64, 7, stride=2, pad=3, bias=false) |> bn |> relu : [64, 112, 112]
  x = x |> maxpool(3, stride=2, pad=1) : [64, 56, 56]
  x = x |> stage(${unit}, 64, ${blocks[0]}, name="layer1")
  x = x |> stage(${unit}, 128, ${blocks[1]}, stride=2, name="layer2")
  x = x |> stage(${unit}, 256, ${blocks[2]}, stride=2, name="layer3")
  x = x |> stage(${unit}, 512, ${blocks[3]}, stride=2, name="layer4")
  output y = x |> global_avgpool |> flatten ${top ? '|> dense(1000)' : ''}
}`;

// The texts' Keras ResNet-50: conv bias on, the stride on the first 1×1, BN statistics as buffers.
const kerasResnet50 = (head: string, frozenBase = false) => `
block kbottleneck(x, f, stride, project) {
  y = x |> conv(f, 1, stride=stride) |> bn |> relu |> conv(f, 3, pad="same") |> bn |> relu
        |> conv(4 * f, 1) |> bn
  s = if project { x |> conv(4 * f, 1, stride=stride) |> bn } else { x }
  return relu(y + s)
}
block kbase(x) {
  x = x |> conv(64, 7, stride=2, pad="same") |> bn |> relu |> maxpool(3, stride=2, pad="same")
  for cfg in [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]] {
    for i in 0..cfg[1] {
      x = x |> kbottleneck(cfg[0], if i == 0 { cfg[2] } else { 1 }, i == 0)
    }
  }
  return x
}
model keras_resnet50 {
  input image: [3, 224, 224]
  ${frozenBase ? 'frozen { x = image |> kbase }' : 'x = image |> kbase'}
  output y = x ${head}
}`;

// torchvision's MobileNetV2 (t, c, n, s table of the paper); Keras counts BN statistics too.
const mobilenetV2 = (size: number, head: string, frozenBase = false) => `
block inverted(x, t, c, s) {
  y = if t != 1 { x |> conv(x.channels * t, 1, bias=false) |> bn |> relu6 } else { x }
  y = y |> dwconv(3, stride=s, pad=1, bias=false) |> bn |> relu6 |> conv(c, 1, bias=false) |> bn
  return if s == 1 and x.channels == c { x + y } else { y }
}
block mnv2_base(x) {
  x = x |> conv(32, 3, stride=2, pad=1, bias=false) |> bn |> relu6
  for row in [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]] {
    for i in 0..row[2] { x = x |> inverted(row[0], row[1], if i == 0 { row[3] } else { 1 }) }
  }
  return x |> conv(1280, 1, bias=false) |> bn |> relu6
}
model mobilenet_v2 {
  input image: [3, ${size}, ${size}]
  ${frozenBase ? 'frozen { x = image |> mnv2_base }' : 'x = image |> mnv2_base'}
  output y = x |> global_avgpool |> flatten ${head}
}`;

// EfficientNet-B0: MBConv with SE on a quarter of the block's input width, SiLU (swish).
const EFFICIENTNET_B0 = (head: string) => `
block mbconv(x, t, k, s, c) {
  hidden = x.channels * t
  y = if t != 1 { x |> conv(hidden, 1, bias=false) |> bn |> silu } else { x }
  y = y |> dwconv(k, stride=s, pad=floor((k - 1) / 2), bias=false) |> bn |> silu
  gate = y |> global_avgpool |> conv(max(1, floor(x.channels / 4)), 1) |> silu |> conv(hidden, 1) |> sigmoid
  y = (y * gate) |> conv(c, 1, bias=false) |> bn
  return if s == 1 and x.channels == c { x + y } else { y }
}
model efficientnet_b0 {
  input image: [3, 224, 224]
  x = image |> conv(32, 3, stride=2, pad=1, bias=false) |> bn |> silu
  for row in [[1, 3, 1, 16, 1], [6, 3, 2, 24, 2], [6, 5, 2, 40, 2], [6, 3, 2, 80, 3], [6, 5, 1, 112, 3], [6, 5, 2, 192, 4], [6, 3, 1, 320, 1]] {
    for i in 0..row[4] { x = x |> mbconv(row[0], row[1], if i == 0 { row[2] } else { 1 }, row[3]) }
  }
  x = x |> conv(1280, 1, bias=false) |> bn |> silu : [1280, 7, 7]
  output y = x |> global_avgpool |> flatten ${head}
}`;

// ---------- E: output sizes and shapes

describe('E: output sizes and shapes', () => {
  it.each([
    ['E1', '[1, 32, 32]', 'conv(1, 5)', [1, 28, 28]],
    ['E2 one filter', '[3, 32, 32]', 'conv(1, 3, pad=1)', [1, 32, 32]],
    ['E2 64 filters', '[3, 32, 32]', 'conv(64, 3, pad=1)', [64, 32, 32]],
    ['E3', '[1, 32, 32]', 'conv(1, 3, stride=2)', [1, 15, 15]],
    ['E4', '[1, 32, 32]', 'conv(1, 5, pad=2)', [1, 32, 32]],
    ['E5 p0', '[1, 5, 5]', 'conv(1, 3)', [1, 3, 3]],
    ['E5 p1', '[1, 5, 5]', 'conv(1, 3, pad=1)', [1, 5, 5]],
    ['E6', '[1, 32, 32]', 'maxpool(2, stride=2)', [1, 16, 16]],
    ['E7', '[1, 4, 4]', 'conv(1, 3)', [1, 2, 2]],
    ['E8', '[1, 64, 64]', 'conv(1, 5, stride=2)', [1, 30, 30]],
    ['E9 conv', '[3, 224, 224]', 'conv(64, 7, stride=2, pad=3)', [64, 112, 112]],
    ['E9 conv + pool', '[3, 224, 224]', 'conv(64, 7, stride=2, pad=3) |> maxpool(3, stride=2, pad=1)', [64, 56, 56]],
    ['E10 on 227', '[3, 227, 227]', 'conv(96, 11, stride=4)', [96, 55, 55]],
    ['E10 on 224 (54, not the text\'s 55)', '[3, 224, 224]', 'conv(96, 11, stride=4)', [96, 54, 54]],
    ['E11 Keras same', '[3, 32, 32]', 'conv(32, 3, stride=2, pad="same")', [32, 16, 16]],
    ['E11 PyTorch padding=1', '[3, 32, 32]', 'conv(32, 3, stride=2, pad=1)', [32, 16, 16]],
    ['E24', '[64, 224, 224]', 'conv(64, 3)', [64, 222, 222]],
  ])('%s: %s |> %s → %j', (_id, shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it.each([
    // (I, F, S) → (P_start, P_end, O), TF-style "same" (SAME_UPPER)
    [224, 7, 2, 2, 3, 112],
    [112, 3, 2, 0, 1, 56],
    [32, 3, 2, 0, 1, 16],
    [5, 3, 1, 1, 1, 5],
  ])('E12: I=%d, F=%d, S=%d pads (%d, %d) to %d', (I, F, S, begin, end, O) => {
    const call = `conv(1, ${F}, stride=${S}, pad="same")`;
    expect(attrsOf(`[1, ${I}, ${I}]`, call)['pads']).toEqual({ begin: [begin, begin], end: [end, end], mode: 'same' });
    expect(outcome(`[1, ${I}, ${I}]`, call)).toEqual([1, O, O]);
  });

  it('E13: LeNet-5 28×28×6 → 14×14×6 → 10×10×16 → 5×5×16 → 1×1×120 → 84 → 10', () => {
    const r = compileOk(LENET5);
    expect(shapeOf(r, 'dense1')).toEqual([84]);
    expect(output(r)).toEqual([10]);
  });

  it('E14: VGG-16 stages 224×224×64 … 14×14×512 → 7×7×512', () => {
    const r = compileOk(vgg([2, 2, 3, 3, 3]));
    const stages = [1, 2, 3, 4, 5].map((i) => [shapeOf(r, `vgg_stage${i}.relu1`), shapeOf(r, `vgg_stage${i}.maxpool1`)]);
    expect(stages).toEqual([
      [[64, 224, 224], [64, 112, 112]],
      [[128, 112, 112], [128, 56, 56]],
      [[256, 56, 56], [256, 28, 28]],
      [[512, 28, 28], [512, 14, 14]],
      [[512, 14, 14], [512, 7, 7]],
    ]);
  });

  it('E15: GoogLeNet 112×112×64 … 3a 256, 3b 480, 4a–4c 512, 4d 528, 4e 832, 5a 832, 5b 1024, 1×1×1024', () => {
    // the stage shapes are the annotations in GOOGLENET: compiling checks every one
    const r = compileOk(GOOGLENET);
    expect(shapeOf(r, 'inception9.concat1')).toEqual([1024, 7, 7]);
    expect(output(r)).toEqual([1000]);
  });

  it('E16: ResNet-50 112×112×64, 56×56×64, 56×56×256, 28×28×512, 14×14×1024, 7×7×2048', () => {
    const r = compileOk(resnet('bottleneck', [3, 4, 6, 3]));
    expect(['layer1', 'layer2', 'layer3', 'layer4'].map((s) => shapeOf(r, `${s}.0.relu3`))).toEqual([
      [256, 56, 56],
      [512, 28, 28],
      [1024, 14, 14],
      [2048, 7, 7],
    ]);
  });

  it('E17: MNIST net 28×28×32 → 14×14×32 → 14×14×64 → 7×7×64 → 3136 → 1024 → 10', () => {
    const body = 'conv(32, 3, pad=1) |> relu |> maxpool(2) |> conv(64, 5, pad=2) |> relu |> maxpool(2) |> flatten |> dense(1024) |> relu |> dense(10)';
    const r = compileOk(net('[1, 28, 28]', `x |> ${body}`));
    expect(['conv1', 'maxpool1', 'conv2', 'maxpool2', 'flatten1', 'dense1', 'dense2'].map((n) => shapeOf(r, n))).toEqual([
      [32, 28, 28],
      [32, 14, 14],
      [64, 14, 14],
      [64, 7, 7],
      [3136],
      [1024],
      [10],
    ]);
  });

  it('E18: 224×224×32 → 112×112×32 → 112×112×64 → 56×56×64 → 56×56×128 → 28×28×128 → 100,352', () => {
    const body = 'conv(32, 3, pad=1) |> maxpool(2) |> conv(64, 3, pad=1) |> maxpool(2) |> conv(128, 3, pad=1) |> maxpool(2) |> flatten';
    const r = compileOk(net('[3, 224, 224]', `x |> ${body}`));
    expect(['conv1', 'maxpool1', 'conv2', 'maxpool2', 'conv3', 'maxpool3', 'flatten1'].map((n) => shapeOf(r, n))).toEqual([
      [32, 224, 224],
      [32, 112, 112],
      [64, 112, 112],
      [64, 56, 56],
      [128, 56, 56],
      [128, 28, 28],
      [100_352],
    ]);
  });

  it('E19: DepthwiseSeparableConv(32, 64, 3) on (1, 32, 224, 224) → (1, 64, 222, 222)', () => {
    expect(outcome('[32, 224, 224]', 'dwconv(3) |> conv(64, 1)')).toEqual([64, 222, 222]);
  });

  it('E20: ShuffleUnit(32, 64, groups=4) on (1, 32, 224, 224) → (1, 64, 224, 224)', () => {
    const unit = 'conv(64, 1, groups=4, bias=false) |> bn |> relu |> channel_shuffle(4) |> dwconv(3, pad=1, bias=false) |> bn |> conv(64, 1, groups=4, bias=false) |> bn';
    expect(outcome('[32, 224, 224]', unit)).toEqual([64, 224, 224]);
  });

  it('E21: Conv2D(3→8, 3, s1, p1) on (1,3,6,6) → (1,8,6,6); MaxPool 2 → (1,8,3,3); SimpleCNN → (2,10)', () => {
    expect(outcome('[3, 6, 6]', 'conv(8, 3, pad=1)')).toEqual([8, 6, 6]);
    expect(outcome('[3, 6, 6]', 'conv(8, 3, pad=1) |> maxpool(2)')).toEqual([8, 3, 3]);
    // the batch of 2 is the symbolic N: one sample is [1, 28, 28]
    expect(outcome('[1, 28, 28]', 'conv(16, 3, pad=1) |> relu |> maxpool(2) |> flatten |> dense(10) |> softmax')).toEqual([10]);
  });

  it('E22: CNN-SVM features of a ResNet-18 without its fc: (8, 512)', () => {
    // The CNN-RNN half (an LSTM over frames) is not expressible: archc has no recurrent op.
    const r = compileOk(resnet('basic', [2, 2, 2, 2], false));
    expect(output(r)).toEqual([512]);
    expect(r.report!.params.learnable).toBe(11_689_512 - 513_000);
  });

  it('E23: MobileNetV2 on 96×96 with average pooling and EfficientNet-B0 GAP both give 1,280 features', () => {
    expect(output(compileOk(mobilenetV2(96, '')))).toEqual([1280]);
    expect(output(compileOk(EFFICIENTNET_B0('')))).toEqual([1280]);
  });
});

// ---------- P: parameter counts

describe('P: parameter counts', () => {
  it.each([
    ['P1 VGG block 1, conv 3→64', '[3, 224, 224]', 'conv(64, 3, pad=1)', 1_792],
    ['P1 VGG block 1, conv 64→64', '[64, 224, 224]', 'conv(64, 3, pad=1)', 36_928],
    ['P2 VGG block 3, conv 128→256', '[128, 56, 56]', 'conv(256, 3, pad=1)', 295_168],
    ['P2 VGG block 3, conv 256→256', '[256, 56, 56]', 'conv(256, 3, pad=1)', 590_080],
    ['P3 3×3, 64 filters on 128 channels', '[128, 32, 32]', 'conv(64, 3)', 73_792],
    ['P4 128 filters 3×3 on 64 channels', '[64, 32, 32]', 'conv(128, 3)', 73_856],
    ['P5 1×1 512→64 with bias', '[512, 14, 14]', 'conv(64, 1)', 32_832],
    ['P5 1×1 512→64 without bias', '[512, 14, 14]', 'conv(64, 1, bias=false)', 32_768],
    ['P6 one 5×5 at C=256', '[256, 28, 28]', 'conv(256, 5, pad=2, bias=false)', 1_638_400],
    ['P7 VGG-16 FC6', '[25088]', 'dense(4096)', 102_764_544],
    ['P8 NumPy Conv2D(3, 8, 3)', '[3, 6, 6]', 'conv(8, 3, pad=1)', 224],
    ['P10 a 3×3 filter', '[1, 224, 224]', 'conv(1, 3, bias=false)', 9],
    ['P10 one neuron on a 224×224 patch', '[50176]', 'dense(1, bias=false)', 50_176],
    ['P11 FC 64×64×3 → 1000', '[12288]', 'dense(1000, bias=false)', 12_288_000],
    ['P11 FC 224×224×3 → 1000', '[150528]', 'dense(1000, bias=false)', 150_528_000],
    ['P11 per neuron on 224×224×3', '[150528]', 'dense(1, bias=false)', 150_528],
    ['P11 a 3×3 conv on 3 channels', '[3, 224, 224]', 'conv(1, 3, bias=false)', 27],
    ['P12 head 1280 → 5 (6,405, not the text\'s 6,500)', '[1280]', 'dense(5)', 6_405],
    ['P13 standard 3×3, 32 → 64', '[32, 224, 224]', 'conv(64, 3)', 18_496],
  ])('%s: %s |> %s has %d params', (_id, shape, call, params) => {
    expect(lastLayer(shape, call).params).toBe(params);
  });

  it('P1, P2: VGG-16 block 1 totals 38,720 and block 3 totals 1,475,328', () => {
    const r = compileOk(vgg([2, 2, 3, 3, 3]));
    const block = (i: number) => r.report!.layers.filter((l) => l.name.startsWith(`vgg_stage${i}.`)).reduce((s, l) => s + l.params, 0);
    expect([block(1), block(3)]).toEqual([38_720, 1_475_328]);
  });

  it('P6: two stacked 3×3 at C=256 have 1,179,648 params, 458,752 (28%) fewer than one 5×5', () => {
    const r = compileOk(net('[256, 28, 28]', 'x |> conv(256, 3, pad=1, bias=false) |> conv(256, 3, pad=1, bias=false)'));
    expect(r.report!.params.learnable).toBe(1_179_648);
    expect(1_638_400 - r.report!.params.learnable).toBe(458_752);
    expect(1 - r.report!.params.learnable / 1_638_400).toBeCloseTo(0.28, 10);
  });

  it('P7: FC6 is 74.3% of VGG-16 (not the text\'s 73%)', () => {
    const r = compileOk(vgg([2, 2, 3, 3, 3]));
    expect(layer(r, 'dense1').params / r.report!.params.learnable).toBeCloseTo(0.743, 3);
  });

  it('P9: the T1b net per layer 896; 18,496; 73,856; 2,097,408; 1,285; total 2,191,941', () => {
    const body = 'conv(32, 3, pad="same") |> relu |> maxpool(2) |> conv(64, 3, pad="same") |> relu |> maxpool(2) |> conv(128, 3, pad="same") |> relu |> maxpool(2) |> flatten |> dense(256) |> relu |> dense(5)';
    const r = compileOk(net('[3, 64, 64]', `x |> ${body}`));
    expect(r.report!.layers.filter((l) => l.params > 0).map((l) => l.params)).toEqual([896, 18_496, 73_856, 2_097_408, 1_285]);
    expect(r.report!.params.learnable).toBe(2_191_941);
  });

  it('P13: depthwise separable 3×3, 32 → 64: 2,432 with biases, 2,400 without the depthwise bias; ratio 1/64 + 1/9', () => {
    expect(compileOk(net('[32, 224, 224]', 'x |> dwconv(3) |> conv(64, 1)')).report!.params.learnable).toBe(2_432);
    expect(compileOk(net('[32, 224, 224]', 'x |> dwconv(3, bias=false) |> conv(64, 1)')).report!.params.learnable).toBe(2_400);
    const weights = compileOk(net('[32, 224, 224]', 'x |> dwconv(3, bias=false) |> conv(64, 1, bias=false)')).report!.params.learnable;
    const standard = lastLayer('[32, 224, 224]', 'conv(64, 3, bias=false)').params;
    expect(weights / standard).toBeCloseTo(1 / 64 + 1 / 9, 12); // 0.1267, ≈ 7.9× fewer
  });

  // P14: whole networks (§1.0, §1.16). torchvision counts learnable parameters; Keras adds the
  // batch-norm statistics ("Total params").
  it.each([
    ['LeNet-5 (Keras code, full C3)', LENET5, 61_706],
    ['VGG-11', vgg([1, 1, 2, 2, 2]), 132_863_336],
    ['VGG-16', vgg([2, 2, 3, 3, 3]), 138_357_544],
    ['VGG-19', vgg([2, 2, 4, 4, 4]), 143_667_240],
    ['GoogLeNet (seed Keras code)', GOOGLENET, 6_998_552],
    ['ResNet-18', resnet('basic', [2, 2, 2, 2]), 11_689_512],
    ['ResNet-34', resnet('basic', [3, 4, 6, 3]), 21_797_672],
    ['ResNet-50', resnet('bottleneck', [3, 4, 6, 3]), 25_557_032],
    ['ResNet-101', resnet('bottleneck', [3, 4, 23, 3]), 44_549_160],
    ['ResNet-152', resnet('bottleneck', [3, 8, 36, 3]), 60_192_808],
  ])('P14 %s: %d learnable params', (_name, text, params) => {
    expect(compileOk(text).report!.params.learnable).toBe(params);
  });

  it('P14 AlexNet: 62,378,344 @227; 60,965,224 with two groups; 50,844,008 for the 224 Keras listing', () => {
    const single = compileOk(alexnetPads(227, 1));
    expect(single.report!.params.learnable).toBe(62_378_344);
    expect(shapeOf(single, 'flatten1')).toEqual([9216]);
    expect(compileOk(alexnetPads(227, 2)).report!.params.learnable).toBe(60_965_224);
    const keras = compileOk(alexnetPads(224, 1, '"same"'));
    expect(shapeOf(keras, 'flatten1')).toEqual([6400]); // 54 → 26 → 12 → 5, not 9,216
    expect(keras.report!.params.learnable).toBe(50_844_008);
  });

  it('P14 ResNet-50, Keras code: 25,636,712 = 25,583,592 trainable + 53,120 BN statistics', () => {
    const r = compileOk(kerasResnet50('|> avgpool(7) |> flatten |> dense(1000) |> softmax'));
    expect([r.report!.params.learnable, r.report!.params.buffers, kerasTotal(r)]).toEqual([25_583_592, 53_120, 25_636_712]);
  });

  it('P14 MobileNetV2 (Keras): 2,257,984 without top, 3,538,984 with the 1000-class top', () => {
    const base = compileOk(mobilenetV2(224, ''));
    expect([base.report!.params.learnable, base.report!.params.buffers]).toEqual([2_223_872, 34_112]);
    expect(kerasTotal(base)).toBe(2_257_984);
    expect(kerasTotal(compileOk(mobilenetV2(224, '|> dropout(0.2) |> dense(1000)')))).toBe(3_538_984);
  });

  it('P14 EfficientNet-B0 (Keras, without its 7-number Normalization layer): 4,049,564 without top, 5,330,564 with', () => {
    const base = compileOk(EFFICIENTNET_B0(''));
    expect(kerasTotal(base)).toBe(4_049_564);
    expect(base.report!.params.learnable).toBe(5_288_548 - 1_281_000); // torchvision's features
    expect(kerasTotal(compileOk(EFFICIENTNET_B0('|> dropout(0.2) |> dense(1000)')))).toBe(5_330_564);
  });

  // The §1.16 tutorial networks, Keras-style totals (conv and dense biases on, BN 4 per channel).
  it.each([
    ['T1a', '[3, 224, 224]', 'conv(32, 3, pad=1) |> relu |> maxpool(2) |> conv(64, 3, pad=1) |> relu |> maxpool(2) |> conv(128, 3, pad=1) |> relu |> maxpool(2) |> flatten |> dense(256) |> relu |> dense(10)', 25_786_186],
    ['T2a', '[1, 28, 28]', 'conv(32, 3, pad=1) |> relu |> maxpool(2) |> conv(64, 5, pad=2) |> relu |> maxpool(2) |> flatten |> dense(1024) |> relu |> dropout(0.5) |> dense(10) |> softmax', 3_274_122],
    ['T2b (valid, flatten 1,024)', '[1, 28, 28]', 'conv(32, 3) |> relu |> maxpool(2) |> conv(64, 5) |> relu |> maxpool(2) |> flatten |> dense(1024) |> relu |> dropout(0.5) |> dense(10) |> softmax', 1_111_434],
    ['T3', '[1, 28, 28]', 'conv(32, 5, pad=2) |> maxpool(2) |> conv(64, 5, pad=2) |> maxpool(2) |> flatten |> dense(1024) |> dense(10) |> softmax', 3_274_634],
    ['T4', '[1, 28, 28]', 'conv(32, 3) |> relu |> maxpool(2) |> conv(64, 3) |> relu |> maxpool(2) |> flatten |> dense(128) |> relu |> dense(10)', 225_034],
    ['T5', '[1, 28, 28]', 'conv(32, 3, pad=1) |> relu |> maxpool(2) |> conv(64, 3, pad=1) |> relu |> maxpool(2) |> flatten |> dense(128) |> relu |> dense(10)', 421_642],
    ['T6', '[1, 28, 28]', 'conv(32, 3) |> relu |> maxpool(2) |> flatten |> dense(128) |> relu |> dropout(0.5) |> dense(10)', 693_962],
    ['T7', '[1, 28, 28]', 'conv(32, 3) |> relu |> flatten |> dense(128) |> relu |> dense(10)', 2_770_634],
    ['T8', '[3, 128, 128]', 'conv(32, 3) |> maxpool(2) |> conv(64, 3) |> maxpool(2) |> conv(128, 3) |> flatten |> dense(128) |> dense(10)', 12_939_722],
    ['T9', '[3, 128, 128]', 'conv(32, 3) |> maxpool(2) |> conv(64, 3) |> maxpool(2) |> conv(128, 3) |> maxpool(2) |> flatten |> dense(128) |> dense(1) |> sigmoid', 3_304_769],
    ['T10', '[3, 32, 32]', 'conv(6, 5) |> relu |> maxpool(2) |> conv(16, 5) |> relu |> maxpool(2) |> flatten |> dense(120) |> relu |> dense(84) |> relu |> dense(10)', 62_006],
    ['T11', '[3, 32, 32]', 'conv(32, 3, pad=1) |> relu |> maxpool(2) |> conv(64, 3, pad=1) |> relu |> maxpool(2) |> flatten |> dense(128) |> relu |> dense(10)', 545_098],
    ['T12 toy U-Net (no skips)', '[3, 256, 256]', 'conv(64, 3, pad=1) |> relu |> conv(64, 3, pad=1) |> relu |> maxpool(2) |> upsample(2, mode="bilinear", align_corners=true) |> conv(64, 3, pad=1) |> relu |> conv(3, 1)', 75_843],
    ['T14 = E19', '[32, 224, 224]', 'dwconv(3) |> conv(64, 1)', 2_432],
    ['T15 = E20', '[32, 224, 224]', 'conv(64, 1, groups=4, bias=false) |> bn |> relu |> channel_shuffle(4) |> dwconv(3, pad=1, bias=false) |> bn |> conv(64, 1, groups=4, bias=false) |> bn', 2_496 + 384],
    ['T16', '[3, 6, 6]', 'conv(8, 3, pad=1) |> maxpool(2)', 224],
    ['T17', '[1, 28, 28]', 'conv(16, 3, pad=1) |> relu |> maxpool(2) |> flatten |> dense(10) |> softmax', 31_530],
    ['T18', '[3, 32, 32]', cifar(), 325_418],
    ['T21', '[3, 48, 48]', 'conv(32, 3) |> relu |> bn |> conv(32, 3) |> relu |> bn |> maxpool(2) |> dropout(0.2) |> conv(64, 3) |> relu |> bn |> conv(64, 3) |> relu |> bn |> maxpool(2) |> dropout(0.3) |> conv(128, 3) |> relu |> bn |> dropout(0.4) |> global_avgpool |> flatten |> dense(512) |> relu |> bn |> dropout(0.5) |> dense(43) |> softmax', 230_859],
    ['T22', '[1, 32, 32]', 'conv(32, 3, pad=1) |> relu |> conv(32, 3) |> relu |> maxpool(2) |> dropout(0.25) |> conv(64, 3, pad=1) |> relu |> conv(64, 3) |> relu |> maxpool(2) |> dropout(0.25) |> flatten |> dense(512) |> relu |> dropout(0.5) |> dense(46) |> softmax', 1_268_750],
  ])('P14 %s: %s → %d total', (_id, shape, body, total) => {
    expect(kerasTotal(compileOk(net(shape, `x |> ${body}`)))).toBe(total);
  });

  it('P14 T15: the ShuffleUnit learns 2,496 (2,112 weights + 384 BN affine)', () => {
    const body = 'conv(64, 1, groups=4, bias=false) |> bn |> relu |> channel_shuffle(4) |> dwconv(3, pad=1, bias=false) |> bn |> conv(64, 1, groups=4, bias=false) |> bn';
    expect(compileOk(net('[32, 224, 224]', `x |> ${body}`)).report!.params.learnable).toBe(2_496);
  });

  it('P14 T13: attention samples 40,065 (spatial), 37,508 (channel), 40,645 (both)', () => {
    const attention = (body: string) => `model t {\n  input image: [64, 224, 224]\n  x = image |> conv(64, 3) |> relu : [64, 222, 222]\n${body}\n  output y = x |> global_avgpool\n}\n`;
    const spatial = '  x = x * (x |> conv(1, 7, pad="same") |> sigmoid)';
    const channel = '  x = x * (x |> global_avgpool |> flatten |> dense(4) |> relu |> dense(64) |> sigmoid |> reshape([64, 1, 1]))';
    expect(compileOk(attention(spatial)).report!.params.learnable).toBe(40_065);
    expect(compileOk(attention(channel)).report!.params.learnable).toBe(37_508);
    expect(compileOk(attention(`${spatial}\n${channel}`)).report!.params.learnable).toBe(40_645);
  });

  it('P14 T18: 325,418 = 324,010 trainable + 1,408 BN statistics', () => {
    const r = compileOk(net('[3, 32, 32]', `x |> ${cifar()}`));
    expect([r.report!.params.learnable, r.report!.params.buffers]).toEqual([324_010, 1_408]);
  });

  it('P14 T19: frozen Keras ResNet-50 base + head = 24,114,565 total', () => {
    const head = '|> global_avgpool |> flatten |> dense(256) |> relu |> bn |> dropout(0.5) |> dense(5) |> softmax';
    const r = compileOk(kerasResnet50(head, true));
    expect(kerasTotal(r)).toBe(24_114_565);
    expect(r.report!.params.trainable).toBe(256 * 2048 + 256 + 512 + 1_285);
  });

  it('P14 T20: frozen MobileNetV2 base + head = 2,596,710 total, 338,214 trainable', () => {
    const r = compileOk(mobilenetV2(224, '|> dense(256) |> relu |> bn |> dropout(0.5) |> dense(38) |> softmax', true));
    expect([kerasTotal(r), r.report!.params.trainable]).toEqual([2_596_710, 338_214]);
  });
});

// ---------- F: FLOPs (2 × MACs)

describe('F: FLOPs and MACs', () => {
  it.each([
    ['F1: 3×3, 64 → 128, output 56×56', '[64, 56, 56]', 'conv(128, 3, pad=1)', 231_211_008],
    ['F2: 3×3, 256 → 512, output 14×14', '[256, 14, 14]', 'conv(512, 3, pad=1)', 231_211_008],
    ['F3 standard conv, 224², C=32, F=64, K=3', '[32, 224, 224]', 'conv(64, 3, pad=1)', 924_844_032],
    ['F3 depthwise', '[32, 224, 224]', 'dwconv(3, pad=1)', 14_450_688],
    ['F3 pointwise', '[32, 224, 224]', 'conv(64, 1)', 102_760_448],
  ])('%s: %s |> %s = %d MACs', (_id, shape, call, macs) => {
    expect(lastLayer(shape, call).macs).toBe(macs);
  });

  it('F1: 462,422,016 FLOPs ("462 million")', () => {
    expect(compileOk(net('[64, 56, 56]', 'x |> conv(128, 3, pad=1)')).report!.flops).toBe(462_422_016);
  });

  it('F3: depthwise separable 117,211,136 MACs vs 924,844,032, ratio 1/64 + 1/9', () => {
    const r = compileOk(net('[32, 224, 224]', 'x |> dwconv(3, pad=1) |> conv(64, 1)'));
    expect(r.report!.macs).toBe(117_211_136);
    expect(r.report!.macs / 924_844_032).toBeCloseTo(1 / 64 + 1 / 9, 12);
  });
});

// ---------- R: receptive fields (along the height)

describe('R: receptive fields', () => {
  const fields = (body: string, shape = '[1, 64, 64]') =>
    compileOk(net(shape, `x |> ${body}`)).report!.layers.slice(1).map((l) => l.receptiveField);

  it('R1: two stacked 3×3, stride 1 → 5', () => {
    expect(fields('conv(1, 3) |> conv(1, 3)')).toEqual([3, 5]);
  });

  it('R2: three stacked 3×3 → 3, 5, 7', () => {
    expect(fields('conv(1, 3) |> conv(1, 3) |> conv(1, 3)')).toEqual([3, 5, 7]);
  });

  it('R3: conv3 → pool2 → conv3 → pool2 → conv3 → pool2 → 3, 4, 8, 10, 18, 22 (not the text\'s 6, 16, 36)', () => {
    expect(fields('conv(1, 3, pad=1) |> maxpool(2) |> conv(1, 3, pad=1) |> maxpool(2) |> conv(1, 3, pad=1) |> maxpool(2)')).toEqual([3, 4, 8, 10, 18, 22]);
  });

  it('R4: VGG-16 conv5_3 sees 196 pixels; a ResNet stem (7×7/2 conv, 3×3/2 pool) sees 11', () => {
    expect(layer(compileOk(vgg([2, 2, 3, 3, 3])), 'vgg_stage5.conv3').receptiveField).toBe(196);
    expect(fields('conv(64, 7, stride=2, pad=3) |> maxpool(3, stride=2, pad=1)', '[3, 224, 224]')).toEqual([7, 11]);
  });
});

function alexnetPads(size: number, groups: number, pad?: string): string {
  // conv2 pads 2 and conv3-5 pad 1 (torchvision), or Keras "same" everywhere after conv1
  const text = alexnet(size, pad ?? 'P', groups);
  return pad ? text : text.replace('conv(256, 5, pad=P', 'conv(256, 5, pad=2').replaceAll('pad=P', 'pad=1');
}

function cifar(): string {
  const block = (f: number) => `conv(${f}, 3, pad="same") |> bn |> relu |> conv(${f}, 3, pad="same") |> bn |> relu |> maxpool(2) |> dropout(0.25)`;
  return `${[32, 64, 128].map(block).join(' |> ')} |> global_avgpool |> flatten |> dense(256) |> relu |> bn |> dropout(0.5) |> dense(10) |> softmax`;
}
