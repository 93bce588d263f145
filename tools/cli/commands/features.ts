// archc features <model> <image> --layer NAME -o grid.png: what one layer computes for an image,
// each channel's map as a tile in a grid (scaled per map, black low, white high); --filters draws
// the first convolution's kernels instead (signed: grey zero, white positive, black negative).
import type { IrNode } from '../../../compiler/ir.js';
import { weightName, type Weights } from '../../../compiler/weights/tensor.js';
import { initWeights } from '../../../compiler/weights/init.js';
import { findLayer, firstConv, imageInput, notSpatial } from '../../../runtime/explain/layers.js';
import { encodePng, gridPixels, type Tile } from '../../../runtime/explain/render.js';
import { writeFileAtomic } from '../../../runtime/persist/files.js';
import { parseArgs, UsageError } from '../args.js';
import type { Command } from './common.js';
import { modelInput, openTarget, readImages, report, targetFlags, targetUsage } from './explain-target.js';
import { backendFlagUsage, startBackend } from './training-flags.js';

export const features: Command = {
  usage: `archc features <run-folder|model> <image> --layer NAME -o grid.png
archc features <run-folder|model> --filters -o filters.png
${targetUsage}
      --layer NAME        the layer, as 'archc summary' names it (a block's name means its last layer)
      --filters           draw the first convolution's kernels (RGB for a 3-channel input)
  -o, --out FILE          the PNG to write
${backendFlagUsage}`,
  async run(argv) {
    const parsed = parseArgs(argv, { ...targetFlags, layer: { type: 'string' }, filters: { type: 'boolean' }, out: { type: 'string', short: 'o' } });
    const [target, ...files] = parsed.positionals;
    const filters = parsed.flags['filters'] === true;
    const out = parsed.flags['out'] as string | undefined;
    if (!target) throw new UsageError('features takes a run folder or model');
    if (!out) throw new UsageError('-o FILE is required: the PNG to write');
    if (filters && (files.length || parsed.flags['layer'] !== undefined)) throw new UsageError('--filters draws the first convolution\'s kernels; it takes no image and no --layer');
    if (!filters && (files.length !== 1 || parsed.flags['layer'] === undefined)) throw new UsageError('features takes one image and --layer NAME (or --filters)');

    const opened = openTarget(target, parsed);
    if (!opened.ok) return report('features', opened);
    const t = opened.value;
    if (filters) {
      const conv = firstConv(t.graph);
      if (!conv.ok) return report('features', { ...conv, status: 1 });
    if (!t.weights) process.stderr.write('archc features: no --weights: showing the model\'s seeded initial weights\n');
      const tiles = kernelTiles(conv.value, t.weights ?? initWeights(t.graph, { seed: 0 }));
      if (!tiles.length) return report('features', { message: `${conv.value.name}'s kernels are not 2-D images (its weight is not [O, I, kH, kW])`, status: 1 });
      const written = write(out, gridPixels(tiles));
      if (written) return written;
      process.stdout.write(`${conv.value.name}: ${tiles.length} kernels → ${out}\n`);
      return 0;
    }
    const input = imageInput(t.graph);
    if (!input.ok) return report('features', { ...input, status: 1 });
    const layer = findLayer(t.graph, parsed.flags['layer'] as string);
    if (!layer.ok) return report('features', { ...layer, status: 2 });
    const flat = notSpatial(t.graph, layer.value, 'a grid of feature maps');
    if (flat) return report('features', { ...flat, status: 2 });
    const images = readImages(files, input.value);
    if (!images.ok) return report('features', images);
    if (!t.weights) process.stderr.write('archc features: no --weights: showing the model\'s seeded initial weights\n');

    await startBackend(parsed, (line) => process.stderr.write(`${line}\n`));
    const { buildExplainer, forward } = await import('../../../runtime/explain/gradients.js');
    const { channelsLast } = await import('../../../runtime/explain/methods.js');
    const built = buildExplainer(t.graph, t.weights, [layer.value], t.output, t.origin);
    if (!built.ok) return report('features', { ...built, status: 1 });
    const x = modelInput(images.value[0]!, t.normalize);
    const maps = channelsLast(built.value.taps[0]!, forward(built.value, x, 1).taps[0]!);
    const written = write(out, gridPixels(mapTiles(maps)));
    if (written) return written;
    process.stdout.write(`${layer.value.name} (${layer.value.op}): ${maps.channels} maps of ${maps.height}×${maps.width} → ${out}\n`);
    return 0;
  },
};

function write(path: string, pixels: Parameters<typeof encodePng>[0]): number | undefined {
  try {
    writeFileAtomic(path, encodePng(pixels));
    return undefined;
  } catch (err) {
    return report('features', { message: `cannot write ${path}: ${(err as Error).message}`, status: 2 });
  }
}

/** One tile per channel, each scaled from its own minimum (black) to maximum (white). */
export function mapTiles(maps: { height: number; width: number; channels: number; data: Float32Array }): Tile[] {
  const { height, width, channels, data } = maps;
  return Array.from({ length: channels }, (_, ch) => {
    const values = new Float32Array(height * width);
    for (let i = 0; i < values.length; i++) values[i] = data[i * channels + ch]!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return { width, height, channels: 1 as const, values: values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0)) };
  });
}

/**
 * The first convolution's kernels [O, I, kh, kw]: one RGB tile per output channel when I is 3,
 * else one grey tile per (output, input) pair, row by output. One scale for all: 0.5 + w / (2·max|w|).
 */
export function kernelTiles(conv: IrNode, weights: Weights): Tile[] {
  const w = weights.get(weightName(conv, 'weight'));
  if (!w || w.shape.length !== 4) return [];
  const [o, i, kh, kw] = w.shape as [number, number, number, number];
  const max = w.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const at = (a: number, b: number, y: number, x: number) => 0.5 + w.data[((a * i + b) * kh + y) * kw + x]! / (2 * max);
  if (i === 3) {
    return Array.from({ length: o }, (_, a) => {
      const values = new Float32Array(kh * kw * 3);
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < 3; c++) values[(y * kw + x) * 3 + c] = at(a, c, y, x);
      return { width: kw, height: kh, channels: 3 as const, values };
    });
  }
  return Array.from({ length: o * i }, (_, n) => {
    const values = new Float32Array(kh * kw);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) values[y * kw + x] = at(Math.floor(n / i), n % i, y, x);
    return { width: kw, height: kh, channels: 1 as const, values };
  });
}
