// Compile speed: resnet50 from text to report in-process (parse, resolve, expand, count, lint,
// expects), the std library parse cached as in a long-running process. Target: 5 ms (torchvision
// takes 216 ms just to build and count the same model on these machines).
import { readFileSync } from 'node:fs';
import { compile } from '../../../compiler/compile.js';
import { locate, nodeHost } from '../../../compiler/node-host.js';
import { median, timeRuns, type BenchSection } from './section.js';

export const compileSection: BenchSection = {
  name: 'compile',
  summary: 'resnet50 from text to report, in-process',
  async run() {
    const path = locate('resnet50');
    const text = readFileSync(path, 'utf8');
    const first = performance.now();
    const result = compile(path, nodeHost, { text });
    const cold = performance.now() - first;
    if (!result.ok) throw new Error('resnet50 does not compile');
    const cpu: number[] = [];
    const times = timeRuns(() => {
      const before = process.cpuUsage();
      compile(path, nodeHost, { text });
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
    }, 300, 50);
    return [
      { label: 'resnet50 compile', value: median(times), unit: 'ms', target: 5, lowerIsBetter: true, how: 'median of 300 after 50 warm-up' },
      // CPU time does not grow when other processes share the machine; wall time does.
      { label: '  the same, CPU time (user + sys)', value: median(cpu.slice(50)), unit: 'ms', how: 'median of 300' },
      { label: 'resnet50 first compile', value: cold, unit: 'ms', how: 'once, cold (parser construction included)' },
    ];
  },
};
