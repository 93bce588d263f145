// Cost per statement on generated models far larger than anyone writes: straight-line
// `y = y |> relu` statements should cost near what resnet50 costs per node (the compiler is linear),
// and 20,000 warnings should not make the lint or the report quadratic. In process (warm, the cost
// of the compiler itself) and through the CLI as a subprocess (start-up and V8's warm-up included).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../compiler/compile.js';
import { memoryHost } from '../../../compiler/memory-host.js';
import { locate, nodeHost, packageRoot } from '../../../compiler/node-host.js';
import { childCpu } from './check-zoo.js';
import { median, type BenchSection, type Figure } from './section.js';
import { manyResnets } from '../many-resnets.js';

const STATEMENTS = 50_000;
const WARNINGS = 20_000;

// 846 resnet50s summed in one 34 KB file: 148,896 nodes, near the 200,000-node limit.
const RESNETS = 846;
const resnetsFile = manyResnets(RESNETS);

const straight = `model m {\n  input x: [3, 8, 8]\n  y = x\n${'  y = y |> relu\n'.repeat(STATEMENTS)}  output z = y\n}\n`;
const unused = `model m {\n  input x: [3, 8, 8]\n${Array.from({ length: WARNINGS }, (_, i) => `  u${i} = x |> relu\n`).join('')}  output z = x\n}\n`;

/** CPU milliseconds of one compile, median of `runs` after one warm-up. */
function compileCpu(compileOnce: () => void, runs: number): number {
  compileOnce();
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    compileOnce();
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  return median(cpu);
}

/** CPU seconds of `archc check FILE` as a subprocess (undefined off Linux), and its exit status. */
function checkCpu(file: string): { cpu?: number; status: number | null } {
  const before = childCpu();
  const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), 'check', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const after = childCpu();
  return { ...(before !== undefined && after !== undefined && { cpu: after - before }), status: r.status };
}

export const scaleSection: BenchSection = {
  name: 'scale',
  summary: `${STATEMENTS.toLocaleString('en-US')} straight-line statements and ${WARNINGS.toLocaleString('en-US')} warnings, per statement against resnet50 per node`,
  async run() {
    const path = locate('resnet50');
    const text = readFileSync(path, 'utf8');
    const nodes = compile(path, nodeHost, { text }).graph!.nodes.length;
    for (let i = 0; i < 50; i++) compile(path, nodeHost, { text }); // warm, as the compile section does
    const resnet = (compileCpu(() => compile(path, nodeHost, { text }), 100) * 1000) / nodes;
    const host = (source: string) => memoryHost({ '/m.arch': source });
    const line = (compileCpu(() => compile('/m.arch', host(straight)), 3) * 1000) / STATEMENTS;
    const warnings = compileCpu(() => compile('/m.arch', host(unused)), 3);
    // The text given, its `use "std/resnet"` read from the zoo.
    const many = compile('/many.arch', nodeHost, { text: resnetsFile }).graph?.nodes.length ?? 0;
    const perNode = (compileCpu(() => compile('/many.arch', nodeHost, { text: resnetsFile }), 3) * 1000) / many;
    const dir = mkdtempSync(join(tmpdir(), 'archc-bench-scale-'));
    const figures: Figure[] = [
      { label: 'resnet50 compile, CPU per node', value: resnet, unit: 'µs', how: `median of 100 after 50, ${nodes} nodes, in-process` },
      { label: `${STATEMENTS.toLocaleString('en-US')} \`y = y |> relu\`, CPU per statement`, value: line, unit: 'µs', target: 10, lowerIsBetter: true, how: 'median of 3 after 1 warm-up, in-process' },
      { label: `${WARNINGS.toLocaleString('en-US')} unused names (warnings), CPU`, value: warnings, unit: 'ms', target: 500, lowerIsBetter: true, how: 'median of 3 after 1 warm-up, in-process' },
      { label: `${RESNETS} resnet50s in one file (${many.toLocaleString('en-US')} nodes), CPU per node`, value: perNode, unit: 'µs', target: 10, lowerIsBetter: true, how: 'median of 3 after 1 warm-up, in-process' },
    ];
    try {
      for (const [name, source, target] of [['straight', straight, 2], ['warnings', unused, 2], ['resnets', resnetsFile, 2.5]] as const) {
        const file = join(dir, `${name}.arch`);
        writeFileSync(file, source);
        const { cpu, status } = checkCpu(file);
        if (status !== 0) throw new Error(`archc check ${name}.arch exited ${status}`);
        if (cpu !== undefined) figures.push({ label: `  archc check of the ${name} file, CPU`, value: cpu, unit: 's', target, lowerIsBetter: true, how: 'one subprocess, start-up included' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};
