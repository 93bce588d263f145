// The per-epoch progress bar: loss, accuracy and images per second, redrawn in place on a
// terminal (at most ten times a second) and printed once per epoch when output is a log file.

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface StepStats {
  readonly loss: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
}

export function formatBar(done: number, total: number, width: number): string {
  const filled = total ? Math.min(width, Math.floor((done / total) * width)) : width;
  if (filled >= width) return `[${'='.repeat(width)}]`;
  return `[${'='.repeat(filled)}>${'.'.repeat(width - filled - 1)}]`;
}

export function formatStats(s: StepStats): string {
  return `loss ${formatLoss(s.loss)}  acc ${s.accuracy.toFixed(3)}  ${Math.round(s.imagesPerSecond)} img/s`;
}

export const formatLoss = (loss: number): string => (Number.isFinite(loss) ? loss.toFixed(4) : String(loss));

export class ProgressBar {
  private lastDraw = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly steps: number,
  ) {}

  update(step: number, stats: StepStats): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && step < this.steps) return;
    this.lastDraw = now;
    this.stream.write(`\r\x1b[K${this.line(step, stats)}`);
  }

  /** Ends the epoch's line, with extra text such as the validation figures. */
  finish(stats: StepStats, extra: string): void {
    const line = `${this.line(this.steps, stats)}${extra ? `  ${extra}` : ''}`;
    this.stream.write(this.stream.isTTY ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  private line(step: number, stats: StepStats): string {
    const counter = `${String(step).padStart(String(this.steps).length)}/${this.steps}`;
    return `${this.label} ${formatBar(step, this.steps, 24)} ${counter}  ${formatStats(stats)}`;
  }
}
