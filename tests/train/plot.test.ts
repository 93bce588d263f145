// The SVG training curves: well-formed, one path per series, finite coordinates only.
import { describe, expect, it } from 'vitest';
import { curvesSvg, plotSvg, ticks } from '../../runtime/display/plot.js';

describe('plotSvg', () => {
  const svg = plotSvg(
    [
      { title: 'loss', series: [{ label: 'train', color: '#1f77b4', points: [[1, 2.3], [2, 1.1], [3, NaN], [4, 0.4]] }, { label: 'val <x>', color: '#ff7f0e', dashed: true, points: [[1, 2.5], [2, 1.4]] }] },
      { title: 'accuracy', yRange: [0, 1], series: [{ label: 'train', color: '#1f77b4', points: [[1, 0.3], [2, 0.9]] }] },
    ],
    'tiny & demo',
  );

  it('is one svg element with a path per series and escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(3);
    expect(svg).toContain('tiny &amp; demo');
    expect(svg).toContain('val &lt;x&gt;');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg).toContain('stroke-dasharray');
  });

  it('leaves non-finite points out of the line', () => {
    const train = svg.match(/<path d="([^"]+)"/)![1]!;
    expect(train.split(/[ML]/).filter(Boolean)).toHaveLength(3);
  });

  it('draws an empty history without failing', () => {
    expect(plotSvg([{ title: 'loss', series: [{ label: 'train', color: 'red', points: [] }] }], 'x')).not.toMatch(/NaN/);
  });
});

describe('curvesSvg', () => {
  const epoch = (n: number, valMiou?: number) => ({ epoch: n, loss: 1 / n, accuracy: 0.5, lr: 0.01, seconds: 1, imagesPerSecond: 100, valLoss: 1.2 / n, valAccuracy: 0.6, ...(valMiou !== undefined && { valMiou }) });

  it('plots validation mIoU beside pixel accuracy for a segmentation run, and only then', () => {
    const seg = curvesSvg('unet', [epoch(1, 0.2), epoch(2, 0.4)]);
    expect(seg).toContain('pixel accuracy, mIoU');
    expect(seg).toContain('validation mIoU');
    expect(seg.match(/<path /g)).toHaveLength(6); // loss ×2, accuracy ×2, mIoU, lr
    const classifier = curvesSvg('net', [epoch(1), epoch(2)]);
    expect(classifier).not.toContain('mIoU');
    expect(classifier.match(/<path /g)).toHaveLength(5);
  });
});

describe('ticks', () => {
  it('picks round steps', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0.3, 2.4)).toEqual([0.5, 1, 1.5, 2]);
    expect(ticks(1, 10)).toEqual([2, 4, 6, 8, 10]);
  });
});
