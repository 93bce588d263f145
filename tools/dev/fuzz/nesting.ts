// Deeply nested models, generated (no giant checked-in files) for the nesting tests of the CLI, the
// formatter, the language server and the fuzzer: each construct that the parser or a later pass
// handles recursively, `n` levels deep, in an otherwise valid model. At 1,000 levels every one
// compiles and formats; far beyond, each is error E0104 at the first level too deep.

export const NESTINGS = {
  parentheses: (n: number) => `  k = ${'('.repeat(n)}8${')'.repeat(n)}`,
  lists: (n: number) => `  k = 7 + len(${'['.repeat(n)}1${']'.repeat(n)})`,
  ifs: (n: number) => `  k = ${'if true { '.repeat(n)}8${' }'.repeat(n)}`,
  loops: (n: number) => `  ${'for i in 0..1 { '.repeat(n)}_q = i${' }'.repeat(n)}`,
  calls: (n: number) => `  _z = ${'relu('.repeat(n)}x${')'.repeat(n)}`,
  sums: (n: number) => `  k = 8${' + 0'.repeat(n)}`,
  stages: (n: number) => `  _z = x${' |> relu'.repeat(n)}`,
  negations: (n: number) => `  k = ${n % 2 ? '-' : ''}${'-'.repeat(n)}8`,
  nots: (n: number) => `  _t = ${'not '.repeat(n)}true`,
} as const;

export type Nesting = keyof typeof NESTINGS;

/** A model whose fourth line nests `kind` `n` levels deep; it outputs a convolution with `k` (8) channels. */
export function nestedModel(kind: Nesting, n: number): string {
  return `model m {\n  input x: [3, 8, 8]\n  k = 8\n${NESTINGS[kind](n)}\n  output y = x |> conv(k, 1)\n}\n`;
}
