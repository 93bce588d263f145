// Weights an exporter left anonymous (onnx::Conv_650: PyTorch folds batch norm into the convs by
// default) are named after the module path in their node's TorchScript scope name.
import { describe, expect, it } from 'vitest';
import type { LiftedGraph, LiftedNode } from '../../import/graph.js';
import { nameAnonymousWeights, scopePath } from '../../import/node-paths.js';

const conv = (id: number, origin: string, weight: string): LiftedNode => ({
  id,
  op: 'conv',
  inputs: [id - 1],
  args: { filters: 4, kernel: 1 },
  weights: new Map([['weight', { shape: [4, 4, 1, 1], type: 'float', data: new Float32Array(16), name: weight }]]),
  shape: [4, 8, 8],
  origin,
});

describe('module paths from node names', () => {
  it('reads the scopes, a Sequential child extending its container', () => {
    expect(scopePath('/features/features.1/features.1.0/block/block.0/block.0.0/Conv')).toBe('features.1.0.block.0.0');
    expect(scopePath('/features/features.1/features.1.0/block/block.1/fc1/Conv')).toBe('features.1.0.block.1.fc1');
    expect(scopePath('/layer1/layer1.0/downsample/downsample.0/Conv')).toBe('layer1.0.downsample.0');
    expect(scopePath('/conv1/Conv')).toBe('conv1');
    // No scope: a top-level op, or a name that is not a TorchScript scope.
    expect(scopePath('/Conv')).toBeUndefined();
    expect(scopePath('node_Conv_3')).toBeUndefined();
  });

  it('names anonymous weights only, and only with a path no other node has', () => {
    const input: LiftedNode = { id: 0, op: 'input', inputs: [], args: {}, weights: new Map(), shape: [4, 8, 8], origin: 'image', inputName: 'image' };
    const graph: LiftedGraph = {
      nodes: [
        input,
        conv(1, '/stem/stem.0/Conv', 'onnx::Conv_10'),
        conv(2, '/head/Conv', 'head.weight'), // named already: kept
        conv(3, '/shared/Conv', 'onnx::Conv_11'), // one module called twice: both stay anonymous
        conv(4, '/shared/Conv_1', 'onnx::Conv_12'),
        conv(5, '/Conv', 'onnx::Conv_13'), // no scope
      ],
      outputs: [{ name: 'out', node: 5 }],
    };
    const names = nameAnonymousWeights(graph).nodes.slice(1).map((n) => n.weights.get('weight')!.name);
    expect(names).toEqual(['stem.0.weight', 'head.weight', 'onnx::Conv_11', 'onnx::Conv_12', 'onnx::Conv_13']);
  });
});
