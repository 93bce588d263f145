// The training-curve plot: a self-contained SVG with panels of loss, accuracy and learning rate per
// epoch, for the training and validation sets. Written by hand: no plotting dependency.
import type { EpochRecord } from '../train/trainer.js';

export interface Series {
  readonly label: string;
  readonly color: string;
  /** [epoch, value]; non-finite values are left out. */
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
  /** Fixed y range, e.g. [0, 1] for accuracy; otherwise from the data. */
  readonly yRange?: readonly [number, number];
}

const panelWidth = 420;
const panelHeight = 280;
const margin = { left: 56, right: 16, top: 32, bottom: 40 };

export function plotSvg(panels: readonly Panel[], title: string): string {
  const width = panelWidth * panels.length;
  const height = panelHeight + 24;
  const body = panels.map((p, i) => `<g transform="translate(${i * panelWidth}, 24)">\n${drawPanel(p)}\n</g>`).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function drawPanel(panel: Panel): string {
  const points = panel.series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)] : [0, 1];
  const [y0, y1] = panel.yRange ?? padRange(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1);
  const w = panelWidth - margin.left - margin.right;
  const h = panelHeight - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y: number) => margin.top + h - ((y - y0) / (y1 - y0)) * h;
  const out: string[] = [`<text x="${margin.left}" y="18" font-size="12">${escapeXml(panel.title)}</text>`];
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${margin.left}" x2="${margin.left + w}" y1="${r(sy(t))}" y2="${r(sy(t))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${margin.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  for (const t of ticks(x0, x1).filter(Number.isInteger)) {
    out.push(`<text x="${r(sx(t))}" y="${margin.top + h + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${margin.left + w / 2}" y="${panelHeight - 6}" text-anchor="middle">epoch</text>`);
  panel.series.forEach((s, i) => {
    const finite = s.points.filter(([, y]) => Number.isFinite(y));
    if (finite.length === 0) return;
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    const path = finite.map(([x, y], j) => `${j ? 'L' : 'M'}${r(sx(x))},${r(sy(y))}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of finite) out.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="2.5" fill="${s.color}"/>`);
    // Legend in the top margin, right-aligned, one entry after another: never over the curves.
    const lx = margin.left + w - 90 * (panel.series.length - i);
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="14" y2="14" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 22}" y="18">${escapeXml(s.label)}</text>`);
  });
  return out.join('\n');
}

/** About five round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function padRange(lo: number, hi: number): [number, number] {
  if (hi - lo <= Math.abs(hi) * 1e-9) {
    // A flat line (a constant learning rate): centre it with room relative to its value.
    const pad = Math.abs(lo) * 0.5 || 0.5;
    return [lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.05;
  // Losses are non-negative: never draw the axis below zero for them.
  return [lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad];
}

const formatTick = (t: number): string => String(Number(t.toPrecision(4)));

const r = (v: number): string => v.toFixed(1);

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const train = '#1f77b4';
const validation = '#ff7f0e';

/** The standard figure of a run: loss, accuracy (with validation mIoU for segmentation) and learning rate by epoch. */
export function curvesSvg(model: string, history: readonly EpochRecord[]): string {
  const series = (label: string, color: string, pick: (r: EpochRecord) => number | undefined, dashed = false): Series => ({
    label,
    color,
    dashed,
    points: history.filter((r) => pick(r) !== undefined).map((r) => [r.epoch, pick(r)!] as const),
  });
  const hasVal = history.some((r) => r.valLoss !== undefined);
  const hasMiou = history.some((r) => r.valMiou !== undefined);
  const pair = (pick: (r: EpochRecord) => number, pickVal: (r: EpochRecord) => number | undefined) => [
    series('train', train, pick),
    ...(hasVal ? [series('validation', validation, pickVal, true)] : []),
  ];
  return plotSvg(
    [
      { title: 'loss', series: pair((r) => r.loss, (r) => r.valLoss) },
      // Segmentation validates mIoU too, on the same 0–1 scale as pixel accuracy.
      hasMiou
        ? { title: 'pixel accuracy, mIoU', yRange: [0, 1], series: [...pair((r) => r.accuracy, (r) => r.valAccuracy), series('validation mIoU', '#9467bd', (r) => r.valMiou, true)] }
        : { title: 'accuracy', yRange: [0, 1], series: pair((r) => r.accuracy, (r) => r.valAccuracy) },
      { title: 'learning rate', series: [series('lr', '#2ca02c', (r) => r.lr)] },
    ],
    `${model}: training curves`,
  );
}
