// Import speed and memory: resnet50 as an ONNX file (about 102 MB: archc's own export of the zoo
// model, so that the benchmark needs no PyTorch) → .arch text and weights. Target: 1 s including
// reading the file and decoding every weight, and a peak of at most 2× the file. Memory is measured
// in a fresh process (tools/dev/bench/import-child.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../compiler/compile.js';
import { initWeights } from '../../../compiler/weights/init.js';
import { buildExport } from '../../cli/commands/export.js';
import { locate, nodeHost, packageRoot, stdLibrary } from '../../../compiler/node-host.js';
import { writeFileAtomic } from '../../../runtime/persist/files.js';
import { importOnnx } from '../../../import/index.js';
import { median, type BenchSection } from './section.js';

export interface ImportChildReport {
  readonly fileBytes: number;
  /** Resident set after the modules load, before the file is read. */
  readonly baseline: number;
  /** Peak resident set of the whole process. */
  readonly peak: number;
}

export const importSection: BenchSection = {
  name: 'import',
  summary: 'resnet50 ONNX file to .arch text and weights',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'archc-bench-import-'));
    const file = join(dir, 'resnet50.onnx');
    try {
      const graph = compile(locate('resnet50'), nodeHost).graph!;
      const built = buildExport(graph, { format: 'onnx', weights: { loaded: initWeights(graph, { seed: 0 }), origin: 'seeded' } });
      writeFileAtomic(file, built.chunks!);
      const cpu: number[] = [];
      let lines = 0;
      const once = (): number => {
        const start = performance.now();
        const cpuStart = process.cpuUsage();
        const result = importOnnx(readFileSync(file), { sourceName: 'resnet50.onnx', reuseBuffer: true, library: stdLibrary() });
        if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
        lines = result.text.split('\n').length - 1;
        const used = process.cpuUsage(cpuStart);
        cpu.push((used.user + used.system) / 1000);
        return performance.now() - start;
      };
      once();
      cpu.length = 0;
      const times = Array.from({ length: 5 }, once);
      const childScript = join(packageRoot, 'dist', 'tools', 'dev', 'bench', 'import-child.js');
      const child = spawnSync(process.execPath, [childScript, file], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`import-child failed: ${child.stderr}`);
      const mem = JSON.parse(child.stdout) as ImportChildReport;
      const mb = 2 ** 20;
      const size = statSync(file).size;
      return [
        { label: 'resnet50 import (read, lift, blocks, std calls, text, weights)', value: median(times), unit: 'ms', target: 1000, lowerIsBetter: true, how: `median of 5, ${(size / 1e6).toFixed(1)} MB file → ${lines} lines` },
        { label: '  the same, CPU time (user + sys)', value: median(cpu), unit: 'ms', how: 'median of 5' },
        {
          label: '  peak memory above the baseline',
          value: (mem.peak - mem.baseline) / mb,
          unit: 'MiB',
          target: Math.round((2 * mem.fileBytes) / mb),
          lowerIsBetter: true,
          how: 'fresh process; target 2× the file',
        },
        { label: '  peak memory of the whole process', value: mem.peak / mb, unit: 'MiB', how: `baseline ${(mem.baseline / mb).toFixed(0)} MiB` },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
