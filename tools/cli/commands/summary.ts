// archc summary <file|zoo-name> [--json]: a Keras-like table of layers and the model's totals.
import { parseArgs, UsageError } from '../args.js';
import type { ModelReport } from '../../../compiler/report.js';
import { reportJson } from '../json.js';
import { compileFlags, compileFlagsUsage, compileOptions, compileTarget, isIoFailure, printDiagnostics, type Command } from './common.js';

export const summary: Command = {
  usage: `archc summary <file|zoo-name> [--json]
${compileFlagsUsage}
      --json              print the report as JSON (schema: tools/cli/schema/summary.schema.json)`,
  async run(argv) {
    const parsed = parseArgs(argv, { ...compileFlags, json: { type: 'boolean' } });
    if (parsed.positionals.length !== 1) throw new UsageError('summary takes one file or zoo name');
    const result = compileTarget(parsed.positionals[0]!, compileOptions(parsed));
    // A failed `expect` leaves the model whole: print the table first, then what the expect says,
    // so that a user iterating toward a count sees both (and the exit code still says it failed).
    const onlyExpectsFailed = result.report !== undefined && result.diagnostics.every((d) => d.severity !== 'error' || d.code === 'E0501');
    if (!onlyExpectsFailed) printDiagnostics(result);
    if (!result.report || !onlyExpectsFailed) return isIoFailure(result) ? 2 : 1;
    const report = reportJson(result.report);
    process.stdout.write(parsed.flags['json'] ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report));
    if (!result.ok) {
      printDiagnostics(result);
      return 1;
    }
    return 0;
  },
};

const n = (x: number) => x.toLocaleString('en-US');

export function formatSummary(r: ModelReport): string {
  const rows = r.layers.map((l) => [l.name, l.op, `[${l.outputShape.join(', ')}]`, n(l.params + l.buffers), l.macs ? n(l.macs) : '']);
  const head = ['Layer', 'Op', 'Output shape', 'Params', 'MACs'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
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
    `Learnable params:  ${n(p.learnable)}  (trainable ${n(p.trainable)}, frozen ${n(p.frozen)})  — torchvision's num_params`,
    `Buffers:           ${n(p.buffers)}  (non-learnable state: batch-norm running statistics, buffer, normalize)`,
    `Keras total:       ${n(p.learnable + p.buffers)}  (trainable ${n(p.trainable)}, non-trainable ${n(p.frozen + p.buffers)})`,
    `MACs:              ${n(r.macs)}  (conv, dense, matmul; FLOPs = 2 × MACs = ${n(r.flops)})`,
    `Memory (float32):  weights ${mb(r.memory.weights)}, activations ${mb(r.memory.activations)} per sample`,
    `Layout: NCHW per sample, batch N symbolic; "Params" column counts learnable + buffers.`,
    '',
  ].join('\n');
}
