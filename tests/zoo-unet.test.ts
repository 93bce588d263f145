// unet_same refuses an input side that is not divisible by 16 at the first concat that disagrees,
// on that concat's line of zoo/segmentation/unet_same.arch, and names the sizes that would work.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, type CompileOptions } from '../compiler/compile.js';
import { nodeHost, zooRoot } from '../compiler/node-host.js';

const file = join(zooRoot, 'segmentation', 'unet_same.arch');
const lines = readFileSync(file, 'utf8').split('\n');
/** 1-based line of the first source line containing `text`. */
const lineOf = (text: string): number => lines.findIndex((l) => l.includes(text)) + 1;

const refusals: [string, CompileOptions][] = [
  ['an input shape override', { inputs: { image: [3, 358, 358] } }],
  ['the size model parameter', { params: { size: 358 } }],
];

describe('unet_same input sizes', () => {
  it.each(refusals)('refuses 358×358 given by %s at the dec3 concat', (_how, options) => {
    const r = compile(file, nodeHost, options);
    expect(r.ok).toBe(false);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['E0401']);
    const [d] = errors;
    // 358 → 179 → 89 on the skip side; 89 → 44 → 88 after the up-convolution.
    expect(d!.span.file).toBe(file);
    expect(d!.span.start.line).toBe(lineOf('concat([e3, u3])'));
    expect(d!.message).toContain('89 vs 88');
    const text = [d!.message, ...(d!.notes ?? []), d!.hint ?? ''].join('\n');
    expect(text).toMatch(/358 is not divisible by 16/);
    expect(text).toMatch(/352 or 368/);
  });

  it.each([352, 368, 256, 16])('accepts %i×%i and keeps the size', (size) => {
    const r = compile(file, nodeHost, { params: { size } });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 2, size, size]);
    expect(r.report!.params.learnable).toBe(31_031_810);
  });
});
