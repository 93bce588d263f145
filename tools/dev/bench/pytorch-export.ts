// PyTorch export of the whole zoo: every model from its compiled graph to Python text, the compiles
// at other parameter values (which find the constructor arguments, `classes=1000`) included, as
// `archc export --format pytorch` does after compiling the model. Target: 2 s for the zoo. The
// compiles of the models themselves are reported beside it.
import { compile } from '../../../compiler/compile.js';
import type { IrGraph } from '../../../compiler/ir.js';
import { lowerPytorch } from '../../../compiler/lower-pytorch/lower.js';
import { pytorchVariants } from '../../../compiler/lower-pytorch/variants.js';
import { nodeHost, zooModels } from '../../../compiler/node-host.js';
import { median, type BenchSection } from './section.js';

const cpuMs = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

export const pytorchExportSection: BenchSection = {
  name: 'pytorch-export',
  summary: 'the whole zoo to PyTorch modules',
  async run() {
    const models = zooModels();
    const compileStart = performance.now();
    const graphs: [string, IrGraph][] = models.map(([name, path]) => {
      const r = compile(path, nodeHost);
      if (!r.graph) throw new Error(`${name} does not compile`);
      return [path, r.graph];
    });
    const compileTime = performance.now() - compileStart;
    let bytes = 0;
    const exportAll = (): void => {
      bytes = 0;
      for (const [path, graph] of graphs) {
        const out = lowerPytorch(graph, { variants: pytorchVariants(path, nodeHost, {}, graph) });
        if (!out.code) throw new Error(`${graph.model}: ${out.diagnostics.map((d) => d.message).join('; ')}`);
        bytes += out.code.length;
      }
    };
    exportAll();
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [start, cpuStart] = [performance.now(), cpuMs()];
      exportAll();
      times.push((performance.now() - start) / 1000);
      cpu.push((cpuMs() - cpuStart) / 1000);
    }
    return [
      { label: `zoo to PyTorch (${models.length} models)`, value: median(times), unit: 's', target: 2, lowerIsBetter: true, how: 'median of 3 after a warm-up; variant compiles included' },
      // CPU time barely grows when other processes share the machine; wall time does.
      { label: '  the same, CPU time (user + sys)', value: median(cpu), unit: 's', how: 'median of 3' },
      { label: '  Python written', value: bytes / 2 ** 20, unit: 'MiB', how: `${models.length} modules` },
      { label: 'zoo compile (not in the export)', value: compileTime / 1000, unit: 's', how: 'once, cold' },
    ];
  },
};
