import { describe, expect, it } from 'vitest';
import { compileText } from '../helpers.js';
import { attrsOf, diagnosticOf, lastLayer, outcome } from './table.js';

describe('slice', () => {
  it.each([
    ['[64, 8, 8]', 'slice(0, 32)', [32, 8, 8]],
    ['[64, 8, 8]', 'slice(32, 64)', [32, 8, 8]],
    ['[64, 8, 8]', 'slice(-16, 64)', [16, 8, 8]],
    ['[64, 8, 8]', 'slice(0, -1)', [63, 8, 8]],
    ['[64, 8, 8]', 'slice(0, 8, axis=1, step=2)', [64, 4, 8]],
    ['[64, 8, 8]', 'slice(1, 8, axis=-1, step=3)', [64, 8, 3]],
    ['[197, 768]', 'slice(0, 1)', [1, 768]], // ViT's class token
    ['[64, 8, 8]', 'slice(-1, -9, axis=1, step=-1)', [64, 8, 8]], // reversed
    ['[64, 8, 8]', 'slice(7, 0, axis=2, step=-2)', [64, 8, 4]],
    ['[64, 8, 8]', 'slice(63, -65, step=-3)', [22, 8, 8]],
    ['[64, 8, 8]', 'slice(64, 0, step=-1)', 'E0305'],
    ['[64, 8, 8]', 'slice(0, 4, step=-1)', 'E0305'],
    // errors
    ['[64, 8, 8]', 'slice(10, 10)', 'E0305'],
    ['[64, 8, 8]', 'slice(70, 80)', 'E0305'],
    ['[64, 8, 8]', 'slice(0, 1000)', 'E0305'], // out of range: an error, not clamped as in Python
    ['[64, 8, 8]', 'slice(-65, 2)', 'E0305'],
    ['[64, 8, 8]', 'slice(0, 4, axis=3)', 'E0305'],
    ['[64, 8, 8]', 'slice(0, 4, step=0)', 'E0305'],
    ['[64, 8, 8]', 'slice(0)', 'E0206'],
  ])('%s |> %s → %j', (shape, call, expected) => {
    expect(outcome(shape, call)).toEqual(expected);
  });

  it('names the valid range of an out-of-range bound', () => {
    const d = diagnosticOf('[64, 8, 8]', 'slice(0, 9, axis=1)', 'E0305')!;
    expect(d.message).toBe('slice end 9 is out of range for axis 1 of size 8');
    expect(d.notes[0]).toBe('axis 1 of [64, 8, 8]: valid bounds are -8..8 (negative counts from the end)');
  });

  it('resolves a backward walk to start > end ≥ −1', () => {
    expect(attrsOf('[64, 8, 8]', 'slice(-1, -65, step=-1)')).toEqual({ axis: 0, start: 63, end: -1, step: -1 });
    expect(attrsOf('[64, 8, 8]', 'slice(7, 0, axis=1, step=-2)')).toEqual({ axis: 1, start: 7, end: 0, step: -2 });
    expect(diagnosticOf('[64, 8, 8]', 'slice(-1, -10, axis=1, step=-1)', 'E0305')!.notes[0]).toBe(
      'axis 1 of [64, 8, 8]: valid end bounds are -9..7 (negative counts from the end)',
    );
  });

  it('resolves negative bounds', () => {
    expect(attrsOf('[64, 8, 8]', 'slice(-16, 64)')).toEqual({ axis: 0, start: 48, end: 64, step: 1 });
    expect(attrsOf('[64, 8, 8]', 'slice(1, -1, axis=-2)')).toEqual({ axis: 1, start: 1, end: 7, step: 1 });
  });

  it('explains an empty slice with the resolved bounds', () => {
    const d = diagnosticOf('[64, 8, 8]', 'slice(-4, 2, axis=1)', 'E0305')!;
    expect(d.message).toBe('slice -4:2 of an axis of size 8 is empty');
    expect(d.notes[0]).toContain('start -4 → 4, end 2 → 2');
  });

  it('subsamples the receptive-field axis when stepping along the height', () => {
    const layer = lastLayer('[3, 16, 16]', 'slice(0, 16, axis=1, step=2) |> conv(4, 3)');
    expect([layer.receptiveField, layer.jump]).toEqual([5, 2]);
  });
});

describe('split (zoo/std/tensor.arch)', () => {
  const model = (body: string, shape = '[64, 8, 8]') =>
    compileText(`use "std/tensor"\nmodel t {\n  input x: ${shape}\n${body}\n}\n`);

  it('returns equal chunks as a list that unpacks', () => {
    const r = model('  a, b = split(x, 2)\n  output y = a + b');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 32, 8, 8]);
    const slices = r.graph!.nodes.filter((n) => n.op === 'slice').map((n) => [n.name, n.attrs]);
    expect(slices).toEqual([
      ['split1.slice1', { axis: 0, start: 0, end: 32, step: 1 }],
      ['split1.slice2', { axis: 0, start: 32, end: 64, step: 1 }],
    ]);
  });

  it('feeds a list of chunks to concat, along any axis', () => {
    const r = model('  output y = concat(split(x, 4, axis=-1), axis=-1)');
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 64, 8, 8]);
    expect(r.graph!.nodes.filter((n) => n.op === 'slice').map((n) => n.shape)).toEqual([
      [64, 8, 2],
      [64, 8, 2],
      [64, 8, 2],
      [64, 8, 2],
    ]);
  });

  it('fails its expect on an uneven split', () => {
    const r = model('  output y = concat(split(x, 3))');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['E0501']);
  });
});
