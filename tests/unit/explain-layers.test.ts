// Which layer `archc explain` looks at: Grad-CAM's default on zoo models (the layers PyTorch
// Grad-CAM tools are pointed at: ResNet's last block, DenseNet's final ReLU, ...), names as
// `archc summary` prints them with a "did you mean", and the refusals (no spatial map, a
// transformer's token tensor, an output that is not class scores).
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { IrGraph } from '../../compiler/ir.js';
import { locate, nodeHost } from '../../compiler/node-host.js';
import { classOutput, defaultCamLayer, findLayer, notSpatial } from '../../runtime/explain/layers.js';

const zoo = (name: string): IrGraph => compile(locate(name), nodeHost).graph!;

function defaultLayer(graph: IrGraph): string {
  const output = classOutput(graph, 'Grad-CAM');
  if (!output.ok) throw new Error(output.message);
  const layer = defaultCamLayer(graph, output.value);
  return layer.ok ? layer.value.name : layer.message;
}

describe("Grad-CAM's default layer: the last spatial map before global pooling or flatten", () => {
  it.each([
    ['resnet18', 'layer4.1.relu2'],
    ['resnet50', 'layer4.2.relu3'],
    ['densenet121', 'relu1'],
    ['mobilenet_v2', 'features.18.2'],
    ['inception_v3', 'Mixed_7c.concat3'],
    ['lenet5', 's4'],
    // ViT: its only map over the image is the patch embedding; the [197, 12, 64] tensors of the
    // attention layers are tokens, not positions.
    ['vit_b_16', 'conv_proj'],
  ])('%s: %s', (model, layer) => {
    expect(defaultLayer(zoo(model))).toBe(layer);
  });
});

describe('layer names', () => {
  const graph = zoo('resnet18');

  it('takes a name as summary prints it, or a block name for its last layer', () => {
    const exact = findLayer(graph, 'layer3.0.conv2');
    expect(exact.ok && exact.value.op).toBe('conv');
    const block = findLayer(graph, 'layer3');
    expect(block.ok && block.value.name).toBe('layer3.1.relu2');
  });

  it('suggests the closest layer or block name for a wrong one, and refuses the input by name', () => {
    const wrong = findLayer(graph, 'layer3.0.cnv2');
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.message).toBe("resnet18 has no layer named 'layer3.0.cnv2'; did you mean 'layer3.0.conv2'?");
    const block = findLayer(graph, 'layr4');
    expect(!block.ok && block.message).toMatch(/did you mean 'layer4'\?$/);
    const input = findLayer(graph, 'image');
    expect(!input.ok && input.message).toBe("'image' is resnet18's input, not a layer");
  });

  it('says why a layer has no spatial map', () => {
    const fc = findLayer(graph, 'fc');
    expect(fc.ok && notSpatial(graph, fc.value, 'Grad-CAM')?.message).toBe("layer 'fc' (dense) outputs [1000] (rank 1); Grad-CAM needs a spatial map [C, H, W]");
    const pool = findLayer(graph, 'global_avgpool1');
    expect(pool.ok && notSpatial(graph, pool.value, 'Grad-CAM')?.message).toMatch(/outputs \[512, 1, 1\] \(a single position\)/);
    const vit = zoo('vit_b_16');
    const tokens = vit.nodes.find((n) => n.op === 'transpose' && n.shape.length === 3)!;
    expect(notSpatial(vit, tokens, 'Grad-CAM')?.message).toMatch(/not laid out over the image: it comes through a reshape, transpose or matmul/);
  });

  it('refuses an output that is not one score per class, saying its rank', () => {
    const out = classOutput(zoo('unet_same'), 'Grad-CAM');
    expect(!out.ok && out.message).toMatch(/^unet_same's output '\w+' is \[\d+, \d+, \d+\] \(rank 3\); Grad-CAM explains a class score/);
  });
});
