// What a benchmark section is: a named function that measures and returns figures, each with an
// optional target. Sections live one per file in tools/dev/bench/ and register in tools/dev/bench/index.ts.

export interface Figure {
  readonly label: string;
  readonly value: number;
  /** 'ms', 's', 'samples/s', ... */
  readonly unit: string;
  /** The figure to meet, in the same unit. */
  readonly target?: number;
  /** Whether a smaller value is better (times) or a larger one (throughput). */
  readonly lowerIsBetter?: boolean;
  /** How it was measured, in a few words: "median of 200", "one run". */
  readonly how?: string;
}

export interface BenchSection {
  readonly name: string;
  readonly summary: string;
  run(): Promise<Figure[]>;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `f` `warmup` times unmeasured, then `runs` times; returns the times in milliseconds. */
export function timeRuns(f: () => void, runs: number, warmup = Math.ceil(runs / 10)): number[] {
  for (let i = 0; i < warmup; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  return times;
}
