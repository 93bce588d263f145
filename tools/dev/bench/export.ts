// Export speed and memory: resnet50 (about 102 MB of float32 weights) to an ONNX file. Target:
// 250 ms and a peak of at most 2× the weight bytes (torch.onnx.export takes 972 ms here). The time
// is the export proper — lowering, encoding, writing the file — from weights in memory, as
// torch.onnx.export starts from a built model; seeding the weights and the whole CLI are reported
// beside it. Memory is measured in a fresh process (tools/dev/bench/export-child.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../compiler/compile.js';
import { initWeights } from '../../../compiler/weights/init.js';
import { weightBytes } from '../../../compiler/weights/tensor.js';
import { buildExport } from '../../cli/commands/export.js';
import { locate, nodeHost, packageRoot } from '../../../compiler/node-host.js';
import { writeFileAtomic } from '../../../runtime/persist/files.js';
import { median, type BenchSection } from './section.js';

export interface ChildReport {
  readonly weightBytes: number;
  /** Resident set before the weights exist (Node, modules, the compiled graph). */
  readonly baseline: number;
  /** Peak resident set of the whole process. */
  readonly peak: number;
}

export const exportSection: BenchSection = {
  name: 'export',
  summary: 'resnet50 to an ONNX file',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'archc-bench-export-'));
    const file = join(dir, 'resnet50.onnx');
    try {
      const graph = compile(locate('resnet50'), nodeHost).graph!;
      const seedTimes: number[] = [];
      let weights = initWeights(graph, { seed: 0 });
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        weights = initWeights(graph, { seed: i });
        seedTimes.push(performance.now() - start);
      }
      const cpu: number[] = [];
      const once = (): number => {
        const start = performance.now();
        const cpuStart = process.cpuUsage();
        const built = buildExport(graph, { format: 'onnx', weights: { loaded: weights, origin: 'memory' } });
        writeFileAtomic(file, built.chunks!);
        const used = process.cpuUsage(cpuStart);
        cpu.push((used.user + used.system) / 1000);
        return performance.now() - start;
      };
      once();
      once();
      cpu.length = 0;
      const times = Array.from({ length: 7 }, once);
      const childScript = join(packageRoot, 'dist', 'tools', 'dev', 'bench', 'export-child.js');
      const child = spawnSync(process.execPath, [childScript, file], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`export-child failed: ${child.stderr}`);
      const mem = JSON.parse(child.stdout) as ChildReport;
      const cli = Array.from({ length: 3 }, () => {
        const start = performance.now();
        const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), 'export', 'resnet50', '-o', file]);
        if (r.status !== 0) throw new Error(`archc export failed: ${r.stderr}`);
        return (performance.now() - start) / 1000;
      });
      const mb = 2 ** 20;
      const megabytes = (weightBytes(weights) / 1e6).toFixed(1);
      return [
        {
          label: 'resnet50 export (lower, encode, write)',
          value: median(times),
          unit: 'ms',
          target: 250,
          lowerIsBetter: true,
          how: `median of 7, ${megabytes} MB of weights`,
        },
        // CPU time barely grows when other processes share the machine; wall time does.
        { label: '  the same, CPU time (user + sys)', value: median(cpu), unit: 'ms', how: 'median of 7' },
        {
          label: '  peak memory above the baseline',
          value: (mem.peak - mem.baseline) / mb,
          unit: 'MiB',
          target: Math.round((2 * mem.weightBytes) / mb),
          lowerIsBetter: true,
          how: 'weights + export, fresh process; target 2× the weights',
        },
        { label: '  peak memory of the whole process', value: mem.peak / mb, unit: 'MiB', how: `baseline ${(mem.baseline / mb).toFixed(0)} MiB` },
        { label: 'resnet50 seeded weights (He, Glorot)', value: median(seedTimes), unit: 'ms', how: 'median of 3; not in torch.onnx.export' },
        { label: 'archc export resnet50 (whole CLI)', value: median(cli), unit: 's', how: 'median of 3: start, compile, seed, export' },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
