import { describe, expect, it } from 'vitest';
import { initWeights } from '../../compiler/weights/init.js';
import { attrsOf, lastLayer, outcome, run } from './table.js';

describe('normalize and rescale', () => {
  it.each([
    ['[3, 224, 224]', 'normalize', [3, 224, 224]],
    ['[3, 8, 8]', 'normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])', [3, 8, 8]],
    ['[3, 8, 8]', 'rescale(0.00392156862745098)', [3, 8, 8]],
    ['[3, 8, 8]', 'rescale([1, 2, 3], offset=-1)', [3, 8, 8]],
    ['[3, 8, 8]', 'normalize(mean=[0.1, 0.2])', 'E0305'],
    ['[3, 8, 8]', 'normalize(std=[1, 0, 1])', 'E0305'],
    ['[3, 8, 8]', 'rescale([1, 2])', 'E0305'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it("counts Keras Normalization's mean, variance and count as 2C + 1 buffers", () => {
    expect(lastLayer('[3, 8, 8]', 'normalize')).toMatchObject({ params: 0, buffers: 7, macs: 0 });
    expect(lastLayer('[3, 8, 8]', 'rescale(0.5)')).toMatchObject({ params: 0, buffers: 0 });
    expect(run('[3, 8, 8]', 'normalize').report!.params).toMatchObject({ learnable: 0, buffers: 7 });
  });

  it('stores the given statistics (variance = std²), else mean 0 and variance 1', () => {
    expect(attrsOf('[2, 4, 4]', 'normalize(mean=0.5, std=[2, 4])')).toEqual({ channels: 2, mean: [0.5, 0.5], variance: [4, 16] });
    const graph = run('[2, 4, 4]', 'normalize(mean=0.5, std=[2, 4])').graph!;
    const w = initWeights(graph);
    expect([...w.get('normalize1.mean')!.data, ...w.get('normalize1.variance')!.data, ...w.get('normalize1.count')!.data]).toEqual([0.5, 0.5, 4, 16, 0]);
    const plain = initWeights(run('[2, 4, 4]', 'normalize').graph!);
    expect([...plain.get('normalize1.mean')!.data, ...plain.get('normalize1.variance')!.data]).toEqual([0, 0, 1, 1]);
  });
});
