// Layers nested by their dotted names (summary --depth) and the graph folded to a depth (graph
// --depth): group totals add up to the model's, and torchvision's per-stage counts come out.
import { describe, expect, it } from 'vitest';
import { collapseGraph, nestLayers } from '../../compiler/nesting.js';
import { compile } from '../../compiler/compile.js';
import { locate, nodeHost } from '../../compiler/node-host.js';

const compiled = (name: string) => {
  const r = compile(locate(name), nodeHost);
  if (!r.report || !r.graph) throw new Error(`${name} does not compile`);
  return { report: r.report, graph: r.graph };
};

describe('nestLayers', () => {
  it('groups resnet50 by stage and block with torchvision counts, totals adding up at every depth', () => {
    const { report } = compiled('resnet50');
    const top = nestLayers(report.layers, 1);
    expect(top.map((r) => r.name)).toEqual(['image', 'conv1', 'bn1', 'relu1', 'maxpool1', 'layer1', 'layer2', 'layer3', 'layer4', 'global_avgpool1', 'flatten1', 'fc']);
    const layer1 = top.find((r) => r.name === 'layer1')!;
    // torchvision: sum(p.numel() for p in resnet50().layer1.parameters()) = 215,808.
    expect(layer1).toMatchObject({ op: 'block', depth: 1, params: 215_808, outputShape: ['N', 256, 56, 56], trainable: 'yes' });
    for (const depth of [1, 2, 3]) {
      const rows = nestLayers(report.layers, depth).filter((r) => r.depth === 1);
      expect(rows.reduce((a, r) => a + r.params, 0)).toBe(report.params.learnable);
      expect(rows.reduce((a, r) => a + r.macs, 0)).toBe(report.macs);
    }
    const two = nestLayers(report.layers, 2);
    expect(two.filter((r) => r.name.startsWith('layer3.')).map((r) => r.name)).toEqual(['layer3.0', 'layer3.1', 'layer3.2', 'layer3.3', 'layer3.4', 'layer3.5']);
  });

  it('marks frozen groups as not trainable, and a group with both as partial', () => {
    const { report } = compiled('fcn8s_vgg16');
    const rows = nestLayers(report.layers, 1);
    const frozen = report.layers.filter((l) => l.frozen && l.params > 0);
    expect(frozen.length).toBeGreaterThan(0);
    const states = new Set(rows.filter((r) => r.params > 0).map((r) => r.trainable));
    expect(states.has('no') || states.has('partial')).toBe(true);
    expect(rows.filter((r) => r.trainable === 'no').every((r) => report.layers.filter((l) => l.name === r.name || l.name.startsWith(`${r.name}.`)).every((l) => l.frozen || l.params === 0))).toBe(true);
  });
});

describe('collapseGraph', () => {
  it('folds resnet50 to its stages, with shapes on edges and the parameter total kept', () => {
    const { report, graph } = compiled('resnet50');
    const g = collapseGraph(graph, report.layers, 1);
    expect(g.nodes.map((n) => n.name)).toContain('layer2');
    expect(g.nodes.reduce((a, n) => a + n.params, 0)).toBe(report.params.learnable);
    const id = (name: string) => g.nodes.find((n) => n.name === name)!.id;
    expect(g.edges).toContainEqual({ from: id('layer1'), to: id('layer2'), shape: [256, 56, 56] });
    // A chain: every node but the input has exactly one incoming edge at this depth.
    expect(g.edges).toHaveLength(g.nodes.length - 1);
    expect(collapseGraph(graph, report.layers, 64).nodes).toHaveLength(graph.nodes.length);
  });

  it('keeps both paths of a skip connection (U-Net) as separate edges', () => {
    const { report, graph } = compiled('unet_same');
    const g = collapseGraph(graph, report.layers, 1);
    const id = (name: string) => g.nodes.find((n) => n.name === name)!.id;
    const intoDec4 = g.edges.filter((e) => e.to === g.nodes.find((n) => n.name.startsWith('concat') && g.edges.some((x) => x.from === n.id && x.to === id('dec4')))?.id);
    expect(intoDec4.map((e) => g.nodes.find((n) => n.id === e.from)!.name).sort()).toEqual(['enc4', 'up4']);
  });
});
