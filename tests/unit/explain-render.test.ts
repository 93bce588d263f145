// The pictures of runtime/explain/render.ts: the jet colour scale, the bilinear resize of a heat
// map, the overlay (cold parts show the image unchanged), and the grid of tiles.
import { describe, expect, it } from 'vitest';
import { displaySize, gridPixels, heatPixels, jet, overlayPixels, resizeMap } from '../../runtime/explain/render.js';

describe('heat maps', () => {
  it('jet runs dark blue → green → dark red', () => {
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(0.5)).toEqual([128, 255, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
    expect(jet(2)).toEqual(jet(1));
  });

  it('resizes bilinearly with half-pixel centres: corners kept, midpoints interpolated', () => {
    const map = { width: 2, height: 1, values: Float32Array.from([0, 4]) };
    expect(Array.from(resizeMap(map, 4, 1).values)).toEqual([0, 1, 3, 4]);
    expect(Array.from(resizeMap({ width: 1, height: 1, values: Float32Array.from([7]) }, 3, 2).values)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('draws the largest value red and blends nothing over the image where the map is zero', () => {
    const map = { width: 2, height: 2, values: Float32Array.from([0, 0, 0, 5]) };
    const heat = heatPixels(map, 2, 2);
    expect(Array.from(heat.data.subarray(9, 12))).toEqual(jet(1));
    expect(Array.from(heat.data.subarray(0, 3))).toEqual(jet(0));
    const image = { width: 2, height: 2, channels: 3, data: Uint8Array.from({ length: 12 }, (_, i) => 10 * i) };
    const over = overlayPixels(image, map);
    expect(Array.from(over.data.subarray(0, 9))).toEqual(Array.from(image.data.subarray(0, 9)));
    expect(Array.from(over.data.subarray(9, 12))).toEqual([0, 1, 2].map((c) => Math.round(0.4 * image.data[9 + c]! + 0.6 * jet(1)[c]!)));
  });

  it('draws pictures with the longer side between 256 and 1024 pixels', () => {
    expect(displaySize(32, 16)).toEqual({ width: 256, height: 128 });
    expect(displaySize(640, 480)).toEqual({ width: 640, height: 480 });
    expect(displaySize(4000, 3000)).toEqual({ width: 1024, height: 768 });
  });
});

describe('grids', () => {
  it('tiles maps row by row, enlarged by a whole factor, 2 pixels apart on a dark background', () => {
    const tile = (v: number) => ({ width: 2, height: 2, channels: 1 as const, values: Float32Array.from([v, v, v, v]) });
    const grid = gridPixels([tile(0), tile(0.5), tile(1)]);
    // 3 tiles: 2 columns × 2 rows of 2×2 tiles enlarged 24× (to 48 pixels).
    expect([grid.width, grid.height]).toEqual([2 * 50 + 2, 2 * 50 + 2]);
    const pixel = (x: number, y: number) => grid.data[(y * grid.width + x) * 3];
    expect([pixel(2, 2), pixel(52, 2), pixel(2, 52), pixel(52, 52), pixel(0, 0)]).toEqual([0, 128, 255, 40, 40]);
  });
});
