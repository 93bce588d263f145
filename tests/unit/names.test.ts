// Layer and weight names: the tools the zoo uses to spell torchvision's state_dict keys
// (docs/language.md, "Names of layers").
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { nodeHost, zooModels } from '../../compiler/node-host.js';
import { declaredWeights } from '../../compiler/weights/tensor.js';
import { codes, compileText } from '../helpers.js';

function weightNames(text: string): string[] {
  const r = compileText(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return declaredWeights(r.graph!).map((w) => w.name);
}

const model = (body: string, blocks = '') => `model t {\n  input x: [3, 8, 8]\n${body}\n}\n${blocks}`;

describe('layer names', () => {
  it('str() names the i-th call of a loop, and dotted names nest', () => {
    const blocks = 'block unit(x) {\n  return x |> conv(4, 1, name="downsample.0") |> bn(name="downsample.1")\n}\n';
    const body = '  for i in 0..2 {\n    x = x |> unit(name=str(i))\n  }\n  output y = x';
    expect(weightNames(model(body, blocks))).toEqual([
      '0.downsample.0.weight', '0.downsample.0.bias',
      '0.downsample.1.weight', '0.downsample.1.bias', '0.downsample.1.running_mean', '0.downsample.1.running_var',
      '1.downsample.0.weight', '1.downsample.0.bias',
      '1.downsample.1.weight', '1.downsample.1.bias', '1.downsample.1.running_mean', '1.downsample.1.running_var',
    ]);
  });

  it('numbered=true names unnamed layers 0, 1, 2, ... in call order, parameterless ones included', () => {
    const blocks = 'block features(x) {\n  return x |> conv(4, 3, pad=1) |> relu |> maxpool(2) |> conv(4, 1, name="last")\n}\n';
    const names = weightNames(model('  output y = x |> features(name="features", numbered=true)', blocks));
    // conv 0, relu 1, maxpool 2; a name= keeps its name and takes no number
    expect(names).toEqual(['features.0.weight', 'features.0.bias', 'features.last.weight', 'features.last.bias']);
  });

  it('name="" inlines a block: its layers take the caller\'s names and numbers', () => {
    const blocks = [
      'block pair(x) {\n  return x |> conv(4, 1, bias=false) |> bn\n}\n',
      'block seq(x) {\n  x = x |> relu |> pair(name="")\n  return x |> pair(name="") |> pair\n}\n',
    ].join('');
    const names = weightNames(model('  output y = x |> seq(name="s", numbered=true)', blocks));
    // relu 0, inline conv 1 and bn 2, inline conv 3 and bn 4; a scoped call is 5, with its own names inside
    expect(names.filter((n) => n.endsWith('weight'))).toEqual(['s.1.weight', 's.2.weight', 's.3.weight', 's.4.weight', 's.5.conv1.weight', 's.5.bn1.weight']);
  });

  it('a name ending in _ joins its weights without a dot; class_token is a bare parameter', () => {
    const text = 'model t {\n  input x: [4, 8]\n  output y = x |> class_token(name="class_token") |> dense(8, name="in_proj_")\n}\n';
    expect(weightNames(text)).toEqual(['class_token', 'in_proj_weight', 'in_proj_bias']);
  });

  it('numbered= needs a boolean', () => {
    const blocks = 'block b(x) {\n  return x |> relu\n}\n';
    expect(codes(compileText(model('  output y = x |> b(numbered=1)', blocks)))).toContain('E0203');
  });
});

describe("the Keras-layout zoo models use Keras Applications' layer names", () => {
  const weights = (name: string) => {
    const r = compile(zooModels().find(([n]) => n === name)![1], nodeHost);
    return new Map(declaredWeights(r.graph!).map((w) => [w.name, w.spec.shape]));
  };

  it.each<[string, [string, number[]][]]>([
    ['keras_resnet50', [['conv1_conv.bias', [64]], ['conv2_block1_0_conv.weight', [256, 64, 1, 1]], ['conv5_block3_3_bn.running_var', [2048]], ['predictions.weight', [1000, 2048]]]],
    ['keras_mobilenet_v2', [['bn_Conv1.weight', [32]], ['expanded_conv_depthwise.weight', [32, 1, 3, 3]], ['block_16_project_BN.running_var', [320]], ['Conv_1_bn.bias', [1280]]]],
    ['keras_efficientnet_b0', [['stem_bn.weight', [32]], ['block1a_se_reduce.weight', [8, 32, 1, 1]], ['block6d_project_bn.bias', [192]], ['top_conv.weight', [1280, 320, 1, 1]]]],
  ])('%s', (model, expected) => {
    const w = weights(model);
    for (const [name, shape] of expected) expect(w.get(name), name).toEqual(shape);
    expect([...w.keys()].filter((k) => k.split('.').length !== 2)).toEqual([]); // flat: <layer>.<weight>
  });
});
