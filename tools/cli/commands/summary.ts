// archc summary <file|zoo-name> [--json] [--depth N]: a Keras-like table of layers and the model's
// totals; with --depth, rows nest by block like torchinfo (groups of the layers' dotted names).
import { parseArgs, UsageError } from '../args.js';
import type { ModelReport } from '../../../compiler/report.js';
import { reportJson, sizesJson } from '../json.js';
import type { SizeAnalysis } from '../../../compiler/symbolic/index.js';
import { nestLayers } from '../../../compiler/nesting.js';
import { depthFlag } from './graph.js';
import { compileFlags, compileFlagsUsage, compileOptions, compileTarget, isIoFailure, printDiagnostics, type Command } from './common.js';

export const summary: Command = {
  usage: `archc summary <file|zoo-name> [--json] [--depth N]
${compileFlagsUsage}
      --json              print the report as JSON (schema: tools/cli/schema/summary.schema.json)
      --depth N           nest the rows by block down to depth N (layer1 → layer1.0 → layer1.0.conv1),
                          each group with its totals and a trainable column, like torchinfo`,
  async run(argv) {
    const parsed = parseArgs(argv, { ...compileFlags, json: { type: 'boolean' }, depth: { type: 'string' } });
    if (parsed.positionals.length !== 1) throw new UsageError('summary takes one file or zoo name');
    const depth = depthFlag(parsed.flags['depth']);
    if (depth !== undefined && parsed.flags['json']) throw new UsageError('--depth shapes the table; --json always prints every layer');
    const result = compileTarget(parsed.positionals[0]!, compileOptions(parsed));
    // A failed `expect` leaves the model whole: print the table first, then what the expect says,
    // so that a user iterating toward a count sees both (and the exit code still says it failed).
    const onlyExpectsFailed = result.report !== undefined && result.diagnostics.every((d) => d.severity !== 'error' || d.code === 'E0501');
    if (!onlyExpectsFailed) printDiagnostics(result);
    if (!result.report || !onlyExpectsFailed) return isIoFailure(result) ? 2 : 1;
    const report = reportJson(result.report);
    const sized = result.sizes && result.graph ? { ...report, ...sizesJson(report, result.graph, result.sizes) } : report;
    process.stdout.write(parsed.flags['json'] ? `${JSON.stringify(sized, null, 2)}\n` : formatSummary(report, depth, result.sizes));
    if (!result.ok) {
      printDiagnostics(result);
      return 1;
    }
    return 0;
  },
};

const n = (x: number) => x.toLocaleString('en-US');

/** Rows of the table: one per layer, or (with a depth) one per group and layer down to it. */
function tableRows(r: ModelReport, depth: number | undefined): { head: string[]; rows: string[][]; right: number } {
  if (depth === undefined) {
    const rows = r.layers.map((l) => [l.name, l.op, `[${l.outputShape.join(', ')}]`, n(l.params + l.buffers), l.macs ? n(l.macs) : '']);
    return { head: ['Layer', 'Op', 'Output shape', 'Params', 'MACs'], rows, right: 3 };
  }
  const rows = nestLayers(r.layers, depth).map((g) => [
    `${'  '.repeat(g.depth - 1)}${g.depth > 1 ? g.name.slice(g.name.lastIndexOf('.') + 1) : g.name}`,
    g.op === 'block' ? `block (${g.layers})` : g.op,
    `[${g.outputShape.join(', ')}]`,
    g.trainable,
    n(g.params + g.buffers),
    g.macs ? n(g.macs) : '',
  ]);
  return { head: ['Layer', 'Op', 'Output shape', 'Trainable', 'Params', 'MACs'], rows, right: 4 };
}

export function formatSummary(r: ModelReport, depth?: number, sizes?: SizeAnalysis): string {
  const { head, rows, right } = tableRows(r, depth);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= right ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const p = r.params;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  return [
    `Model: ${r.model}  (${r.file})`,
    rule,
    line(head),
    rule,
    ...rows.map(line),
    rule,
    `Inputs:  ${r.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join(', ')}`,
    `Outputs: ${r.outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join(', ')}`,
    `Input size (float32): ${mb(r.inputs.reduce((a, i) => a + 4 * i.shape.reduce<number>((x, d) => x * (d === 'N' ? 1 : d), 1), 0))} per sample`,
    `Learnable params:  ${n(p.learnable)}  (trainable ${n(p.trainable)}, frozen ${n(p.frozen)})  — torchvision's num_params`,
    `Buffers:           ${n(p.buffers)}  (non-learnable state: batch-norm running statistics, buffer, normalize)`,
    `Keras total:       ${n(p.learnable + p.buffers)}  (trainable ${n(p.trainable)}, non-trainable ${n(p.frozen + p.buffers)})`,
    `MACs:              ${n(r.macs)}  (conv, dense, matmul; FLOPs = 2 × MACs = ${n(r.flops)})`,
    `Memory (float32):  weights ${mb(r.memory.weights)}, activations ${mb(r.memory.activations)} per sample`,
    `Layout: NCHW per sample, batch N symbolic; "Params" column counts learnable + buffers${depth === undefined ? '' : '; a block row totals its layers (their count in parentheses)'}.`,
    ...(sizes ? sizesLines(sizes) : []),
    '',
  ].join('\n');
}

/** With size variables: the defaults the table is at, the conditions, and MACs as a formula. */
function sizesLines(s: SizeAnalysis): string[] {
  const defaults = s.variables.map((v) => `${v.name} = ${v.value}`).join(', ');
  return [
    `Sizes:             ${s.validity}; the table is at ${defaults}`,
    ...(s.macs !== undefined ? [`MACs formula:      ${s.macs}`] : []),
    ...s.opaque.map((o) => `Not size-generic:  ${o.node}: ${o.reason}`),
  ];
}
