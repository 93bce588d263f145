// Pictures of what a network looks at, as 8-bit RGB pixels (encoded to PNG by the caller): a heat
// map in a colour scale, the same blended over the image, feature maps and kernels tiled in a grid.
import { PNG } from 'pngjs';
import type { Pixels } from '../data/image.js';
import type { HeatMap } from './methods.js';

/**
 * The "jet" scale (blue → cyan → yellow → red) that the Grad-CAM paper and most tools draw heat
 * maps in: t ∈ [0, 1] to RGB.
 */
export function jet(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, t));
  const channel = (centre: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - centre))));
  return [channel(3), channel(2), channel(1)];
}

/** Values scaled to [0, 1] by the map's maximum (a map that is zero everywhere stays zero). */
export function scaled(map: HeatMap): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map.values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const floor = Math.min(0, lo);
  return map.values.map((v) => (hi > floor ? (v - floor) / (hi - floor) : 0));
}

/** Bilinear resize of a float map, half-pixel centres, edges clamped (like the image resize). */
export function resizeMap(map: HeatMap, width: number, height: number): HeatMap {
  if (map.width === width && map.height === height) return map;
  const values = new Float32Array(width * height);
  const sx = map.width / width;
  const sy = map.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(map.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(map.height - 1, y0 + 1);
    const dy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(map.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(map.width - 1, x0 + 1);
      const dx = fx - x0;
      const at = (yy: number, xx: number) => map.values[yy * map.width + xx]!;
      values[y * width + x] = (1 - dy) * ((1 - dx) * at(y0, x0) + dx * at(y0, x1)) + dy * ((1 - dx) * at(y1, x0) + dx * at(y1, x1));
    }
  }
  return { width, height, values };
}

/** The map in the jet scale, resized to width × height. */
export function heatPixels(map: HeatMap, width: number, height: number): Pixels {
  const t = scaled(resizeMap(map, width, height));
  const data = new Uint8Array(width * height * 3);
  t.forEach((v, i) => data.set(jet(v), i * 3));
  return { width, height, channels: 3, data };
}

/**
 * The heat map over an RGB image of the same size: each pixel mixes in the heat colour by its
 * strength (up to `alpha`), so the cold parts show the image itself.
 */
export function overlayPixels(image: Pixels, map: HeatMap, alpha = 0.6): Pixels {
  const t = scaled(resizeMap(map, image.width, image.height));
  const data = new Uint8Array(image.width * image.height * 3);
  t.forEach((v, i) => {
    const heat = jet(v);
    const a = alpha * Math.sqrt(v);
    for (let ch = 0; ch < 3; ch++) data[i * 3 + ch] = Math.round((1 - a) * image.data[i * 3 + ch]! + a * heat[ch]!);
  });
  return { width: image.width, height: image.height, channels: 3, data };
}

/** The size pictures are drawn at: the image's own, scaled so its longer side is in [256, 1024]. */
export function displaySize(width: number, height: number): { width: number; height: number } {
  const long = Math.max(width, height);
  const factor = long < 256 ? 256 / long : long > 1024 ? 1024 / long : 1;
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

/** One tile of a grid: grey values in [0, 1] (1 channel) or RGB (3), row-major. */
export interface Tile {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly values: Float32Array;
}

/**
 * Tiles in a near-square grid on a dark background, each enlarged by a whole factor (nearest
 * neighbour: a 7×7 map shows its 49 cells) to about 48 pixels, 2 pixels apart.
 */
export function gridPixels(tiles: readonly Tile[], columns = Math.ceil(Math.sqrt(tiles.length))): Pixels {
  const th = Math.max(...tiles.map((t) => t.height));
  const tw = Math.max(...tiles.map((t) => t.width));
  const rows = Math.ceil(tiles.length / columns);
  const budget = Math.floor(4096 / Math.max(columns * tw, rows * th));
  const scale = Math.max(1, Math.min(Math.ceil(48 / Math.max(th, tw)), budget));
  const gap = 2;
  const width = columns * (tw * scale + gap) + gap;
  const height = rows * (th * scale + gap) + gap;
  const data = new Uint8Array(width * height * 3).fill(40);
  tiles.forEach((tile, n) => {
    const left = gap + (n % columns) * (tw * scale + gap);
    const top = gap + Math.floor(n / columns) * (th * scale + gap);
    for (let y = 0; y < tile.height * scale; y++) {
      for (let x = 0; x < tile.width * scale; x++) {
        const src = (Math.floor(y / scale) * tile.width + Math.floor(x / scale)) * tile.channels;
        const dst = ((top + y) * width + left + x) * 3;
        for (let ch = 0; ch < 3; ch++) data[dst + ch] = Math.round(255 * Math.min(1, Math.max(0, tile.values[src + (tile.channels === 3 ? ch : 0)]!)));
      }
    }
  });
  return { width, height, channels: 3, data };
}

/** 8-bit pixels (1 or 3 channels) as PNG bytes. */
export function encodePng(p: Pixels): Uint8Array {
  const png = new PNG({ width: p.width, height: p.height });
  for (let i = 0; i < p.width * p.height; i++) {
    for (let ch = 0; ch < 3; ch++) png.data[i * 4 + ch] = p.data[i * p.channels + (p.channels === 3 ? ch : 0)]!;
    png.data[i * 4 + 3] = 255;
  }
  // Truecolour without alpha (a third smaller than RGBA), deflate at its strongest: the files are small.
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, deflateLevel: 9 }));
}
