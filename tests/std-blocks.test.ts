// The standard block library (zoo/std/*.arch) on small inputs: the rounding rules of SE, CBAM's
// order and sharing, conv_bn_act's orders, classifier heads and pre-activation residual units.
import { describe, expect, it } from 'vitest';
import type { CompileResult } from '../compiler/compile.js';
import { compileText } from './helpers.js';

/** Compiles `x |> <call>` on an input of `shape` with the std blocks in scope. */
function block(shape: string, call: string): CompileResult {
  const uses = ['common', 'attention', 'resnet'].map((f) => `use "std/${f}"`).join('\n');
  return compileText(`${uses}\nmodel t {\n  input x: ${shape}\n  output y = x |> ${call}\n}\n`);
}

function ok(shape: string, call: string) {
  const r = block(shape, call);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('\n'));
  return { report: r.report!, ops: r.graph!.nodes.slice(1).map((n) => n.op), nodes: r.graph!.nodes };
}

const widthOf = (shape: string, call: string, layer: string): number =>
  ok(shape, call).report.layers.find((l) => l.name.endsWith(layer))!.outputShape[1] as number;

const firstError = (shape: string, call: string) =>
  block(shape, call).diagnostics.find((d) => d.severity === 'error')?.code;

describe('se', () => {
  it.each([
    ['se(ratio=16)', 256, 16], // SENet: c // r
    ['se(ratio=4)', 72, 18], // floor: 72 // 4
    ['se(ratio=4, rounding="divisible")', 72, 24], // MobileNetV3: make_divisible(18, 8) = 24, not 16 (< 90%)
    ['se(ratio=4, rounding="divisible")', 960, 240],
    ['se(ratio=4, channels=16)', 96, 4], // EfficientNet: the block's input width, not the expanded one
    ['se(ratio=64, channels=16)', 96, 1], // never below min_width
  ])('%s on %i channels squeezes to %i', (call, channels, width) => {
    expect(widthOf(`[${channels}, 7, 7]`, call, 'fc1')).toBe(width);
  });

  it('has SENet\'s parameter count: 2c²/r + c/r + c', () => {
    const { report } = ok('[256, 14, 14]', 'se(ratio=16)');
    expect(report.params.learnable).toBe(256 * 16 + 16 + 16 * 256 + 256);
    expect(report.outputs[0]!.shape).toEqual(['N', 256, 14, 14]);
  });

  it('takes the hidden activation and the gate as values', () => {
    expect(ok('[64, 7, 7]', 'se(act=silu, gate=hardsigmoid)').ops).toContain('hardsigmoid');
    expect(ok('[64, 7, 7]', 'se(act=silu, gate=hardsigmoid)').ops).toContain('silu');
  });

  it('refuses an unknown rounding rule', () => {
    expect(firstError('[64, 7, 7]', 'se(rounding="round")')).toBe('E0501');
  });
});

describe('cbam', () => {
  it('counts the shared MLP once, plus the 7×7 conv and its batch norm', () => {
    const { report } = ok('[256, 14, 14]', 'cbam(ratio=16)');
    expect(report.params.learnable).toBe(256 * 16 + 16 + 16 * 256 + 256 + 2 * 7 * 7 + 2);
    expect(report.params.buffers).toBe(2);
    expect(report.outputs[0]!.shape).toEqual(['N', 256, 14, 14]);
  });

  it('applies channel attention first, then spatial attention', () => {
    const { nodes } = ok('[32, 8, 8]', 'cbam(ratio=8)');
    const last = (prefix: string) => nodes.findLastIndex((n) => n.name.startsWith(prefix));
    const first = (prefix: string) => nodes.findIndex((n) => n.name.startsWith(prefix));
    expect(last('cbam1.channel.')).toBeLessThan(first('cbam1.spatial.'));
    // the spatial gate sees the channel-attended tensor
    const spatialInput = nodes[first('cbam1.spatial.')]!.inputs[0]!;
    expect(nodes[spatialInput]!.name).toBe('cbam1.channel.mul1');
  });

  it('pools channel-wise average and max into a 2-channel map for the spatial conv', () => {
    const { report } = ok('[32, 8, 8]', 'cbam(ratio=8, kernel=3, spatial_bn=false)');
    const conv = report.layers.find((l) => l.name === 'cbam1.spatial.conv')!;
    expect(conv.params).toBe(2 * 3 * 3 + 1); // bias instead of batch norm
    expect(report.layers.find((l) => l.name === 'cbam1.spatial.concat1')!.outputShape).toEqual(['N', 2, 8, 8]);
  });
});

describe('conv_bn_act', () => {
  it.each([
    ['conv_bn_act(16, 3)', ['conv', 'bn', 'relu']],
    ['conv_bn_act(16, 3, order="conv-act-bn")', ['conv', 'relu', 'bn']],
    ['conv_bn_act(16, 3, order="bn-act-conv")', ['bn', 'relu', 'conv']],
    ['conv_bn_act(16, 3, act=none)', ['conv', 'bn']],
    ['conv_bn_act(16, 3, act=hardswish)', ['conv', 'bn', 'hardswish']],
  ])('%s → %j', (call, ops) => {
    expect(ok('[8, 16, 16]', call).ops).toEqual(ops);
  });

  it('pads to keep the size at stride 1, dilation included, and halves it at stride 2', () => {
    const shape = (call: string) => ok('[8, 16, 16]', call).report.outputs[0]!.shape;
    expect(shape('conv_bn_act(4, 5, dilation=2)')).toEqual(['N', 4, 16, 16]);
    expect(shape('conv_bn_act(4, 3, stride=2)')).toEqual(['N', 4, 8, 8]);
  });

  it('has no conv bias by default and raises no warning', () => {
    const r = block('[8, 16, 16]', 'conv_bn_act(4, 3)');
    expect(r.report!.params.learnable).toBe(4 * 8 * 9 + 2 * 4);
    expect(r.diagnostics).toEqual([]);
  });

  it('refuses an unknown order', () => {
    expect(firstError('[8, 16, 16]', 'conv_bn_act(4, 3, order="act-conv-bn")')).toBe('E0501');
  });
});

describe('classifier', () => {
  it.each([
    ['classifier(10)', ['global_avgpool', 'flatten', 'dense']],
    ['classifier(10, pool="max", drop=0.2)', ['global_maxpool', 'flatten', 'dropout', 'dense']],
    // VGG / MobileNetV3: dense, act, dropout
    ['classifier(10, pool="flatten", hidden=[32], hidden_drop=0.5)', ['flatten', 'dense', 'relu', 'dropout', 'dense']],
    // AlexNet: dropout, dense, act
    [
      'classifier(10, pool="flatten", hidden=[32], hidden_drop=0.5, drop_first=true)',
      ['flatten', 'dropout', 'dense', 'relu', 'dense'],
    ],
  ])('%s → %j', (call, ops) => {
    expect(ok('[8, 4, 4]', call).ops).toEqual(ops);
  });

  it('counts its dense layers', () => {
    const { report } = ok('[8, 4, 4]', 'classifier(10, pool="flatten", hidden=[32, 16])');
    expect(report.params.learnable).toBe(128 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
    expect(report.outputs[0]!.shape).toEqual(['N', 10]);
  });
});

describe('pre-activation residual units', () => {
  it('projects the pre-activated input when the shape changes', () => {
    const { report, nodes } = ok('[64, 56, 56]', 'preact_basic(128, stride=2)');
    // bn1 128 + conv1 73,728 + bn2 256 + conv2 147,456 + 1×1 shortcut 8,192
    expect(report.params.learnable).toBe(229_760);
    expect(report.params.buffers).toBe(2 * 64 + 2 * 128);
    expect(report.outputs[0]!.shape).toEqual(['N', 128, 28, 28]);
    const shortcut = nodes.find((n) => n.name.endsWith('downsample'))!;
    expect(nodes[shortcut.inputs[0]!]!.op).toBe('relu');
    expect(nodes.at(-1)!.op).toBe('add'); // nothing after the add
  });

  it('keeps an identity shortcut when the shape stays', () => {
    const { report, ops } = ok('[64, 56, 56]', 'preact_basic(64)');
    expect(report.params.learnable).toBe(2 * (128 + 36_864));
    expect(ops).toEqual(['bn', 'relu', 'conv', 'bn', 'relu', 'conv', 'add']);
  });

  it('has the bottleneck\'s three convs, each after BN and ReLU', () => {
    const { report, ops } = ok('[256, 56, 56]', 'preact_bottleneck(64)');
    expect(report.params.learnable).toBe(512 + 16_384 + 128 + 36_864 + 128 + 16_384);
    expect(ops).toEqual(['bn', 'relu', 'conv', 'bn', 'relu', 'conv', 'bn', 'relu', 'conv', 'add']);
  });
});
