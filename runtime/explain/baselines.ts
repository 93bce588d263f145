// Integrated gradients' starting points, made from the image in pixel space ([0, 1], HWC) and then
// normalized like the image: `zero` a black image (the original paper's choice), `mean` the image's
// own average colour, `blurred` the image under a Gaussian blur (Sturmfels et al. 2020,
// "Visualizing the Impact of Feature Attribution Baselines", Distill): no edges, the same colours.
import type { Normalize } from '../data/batch.js';

export const BASELINES = ['zero', 'mean', 'blurred'] as const;
export type BaselineKind = (typeof BASELINES)[number];

/** The baseline of an image given as 8-bit HWC pixels, normalized like the model's input. */
export function makeBaseline(kind: BaselineKind, pixels: Uint8Array, height: number, width: number, channels: number, normalize: Normalize, sigma?: number): Float32Array {
  const image = Float32Array.from(pixels, (p) => p / 255);
  let base: Float32Array;
  if (kind === 'zero') base = new Float32Array(image.length);
  else if (kind === 'mean') {
    base = new Float32Array(image.length);
    for (let ch = 0; ch < channels; ch++) {
      let sum = 0;
      for (let i = ch; i < image.length; i += channels) sum += image[i]!;
      const mean = sum / (height * width);
      for (let i = ch; i < image.length; i += channels) base[i] = mean;
    }
  } else base = gaussianBlur(image, height, width, channels, sigma ?? defaultSigma(height, width));
  return normalized(base, channels, normalize);
}

/** A blur that leaves only the coarse colour layout: a tenth of the image's longer side. */
export const defaultSigma = (height: number, width: number): number => Math.max(1, Math.max(height, width) / 10);

/** (x − mean) / std per channel, exactly as runtime/data/batch.ts feeds images to the model. */
export function normalized(image: Float32Array, channels: number, normalize: Normalize): Float32Array {
  const { mean, std } = normalize;
  return image.map((v, i) => (v - (mean[i % channels] ?? mean[0]!)) / (std[i % channels] ?? std[0]!));
}

/** Separable Gaussian blur, edges clamped (the image's border colour continues outward). */
export function gaussianBlur(image: Float32Array, height: number, width: number, channels: number, sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const taps = kernel.map((k) => k / total);
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let ch = 0; ch < channels; ch++) {
          let acc = 0;
          for (let t = -radius; t <= radius; t++) {
            const xx = horizontal ? Math.min(width - 1, Math.max(0, x + t)) : x;
            const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + t));
            acc += taps[t + radius]! * src[(yy * width + xx) * channels + ch]!;
          }
          out[(y * width + x) * channels + ch] = acc;
        }
      }
    }
    return out;
  };
  return pass(pass(image, true), false);
}
