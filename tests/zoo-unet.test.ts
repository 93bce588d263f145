// unet_same declares its input as [channels, H, W] = [channels, 256, 256]: archc derives that H and W
// must be multiples of 16, refuses another side at the first concat that disagrees (on that concat's
// line of zoo/segmentation/unet_same.arch) and names the sizes that would work.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile.js';
import { nodeHost, zooRoot } from '../compiler/node-host.js';

const file = join(zooRoot, 'segmentation', 'unet_same.arch');
const lines = readFileSync(file, 'utf8').split('\n');
/** 1-based line of the first source line containing `text`. */
const lineOf = (text: string): number => lines.findIndex((l) => l.includes(text)) + 1;

describe('unet_same input sizes', () => {
  it('derives the sizes it takes, with the op behind each condition', () => {
    const r = compile(file, nodeHost);
    expect(r.ok).toBe(true);
    expect(r.sizes!.validity).toBe('valid for H, W ≡ 0 (mod 16), H, W ≥ 16');
    expect(r.sizes!.conditions.map((c) => c.text)).toEqual(['H % 16 == 0', 'H >= 16', 'W % 16 == 0', 'W >= 16']);
    expect(r.sizes!.conditions[0]!.because!.start.line).toBe(lineOf('concat([e4, u4])'));
    const out = r.graph!.outputs[0]!.node;
    expect(r.sizes!.shapes[out]).toEqual([2, 'H', 'W']);
    expect(r.sizes!.shapes[r.graph!.nodes.find((n) => n.name === 'up3')!.id]).toEqual([256, 'H/4', 'W/4']);
    // MACs grow with the area: a formula, equal to the count at the default 256×256.
    expect(r.sizes!.macs).toBe('735040*H*W');
    expect(735040 * 256 * 256).toBe(r.report!.macs);
  });

  it('refuses 358×358 at the dec3 concat, naming the condition and the nearest sizes', () => {
    const r = compile(file, nodeHost, { inputs: { image: [3, 358, 358] } });
    expect(r.ok).toBe(false);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['E0308', 'E0308']);
    const [d] = errors;
    // 358 → 179 → 89 on the skip side; 89 → 44 → 88 after the up-convolution.
    expect(d!.span.file).toBe(file);
    expect(d!.span.start.line).toBe(lineOf('concat([e3, u3])'));
    expect(d!.message).toBe("input 'image' at 3×358×358: H = 358 is not a size this model takes; it needs H % 16 == 0 and H >= 16");
    expect(d!.notes[0]).toContain('89 vs 88 at H = 358');
    expect(d!.hint).toBe('the nearest sizes that work: H = 352 or 368');
  });

  it('names the one side that breaks a condition', () => {
    const r = compile(file, nodeHost, { inputs: { image: [3, 256, 100] } });
    expect(r.diagnostics.map((d) => d.message)).toEqual(["input 'image' at 3×256×100: W = 100 is not a size this model takes; it needs W % 16 == 0 and W >= 16"]);
    expect(r.diagnostics[0]!.hint).toBe('the nearest sizes that work: W = 96 or 112');
  });

  it.each([352, 368, 256, 16])('accepts %i×%i and keeps the size', (size) => {
    const r = compile(file, nodeHost, { inputs: { image: [3, size, size] } });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 2, size, size]);
    expect(r.report!.params.learnable).toBe(31_031_810);
  });
});
