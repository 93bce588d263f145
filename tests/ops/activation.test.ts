import { describe, expect, it } from 'vitest';
import { attrsOf, lastLayer, outcome } from './table.js';

const ACTIVATIONS = ['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'swish', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'identity'];

describe('activations', () => {
  it.each(ACTIVATIONS)('%s keeps the shape and has no parameters', (op) => {
    expect(outcome('[8, 4, 4]', op)).toEqual([8, 4, 4]);
    expect(lastLayer('[8, 4, 4]', op).params).toBe(0);
  });

  it.each([
    ['leaky_relu', 0.01], // PyTorch's negative_slope
    ['leaky_relu(0.2)', 0.2],
    ['elu', 1.0],
  ])('%s has alpha %d', (call, alpha) => {
    expect(attrsOf('[8]', call)).toEqual({ alpha });
  });

  it('rejects an argument an activation does not take', () => {
    expect(outcome('[8]', 'relu(0.1)')).toBe('E0202');
  });
});
