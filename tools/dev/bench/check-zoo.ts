// Start-up plus whole-zoo speed: one `archc check` over every zoo model, as a subprocess, so Node's
// start and module loading count. Target: 1 s of wall time.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, zooModels } from '../../../compiler/node-host.js';
import { median, type BenchSection } from './section.js';

export const checkZooSection: BenchSection = {
  name: 'check-zoo',
  summary: 'archc check over the whole zoo as a subprocess',
  async run() {
    const names = zooModels().map(([name]) => name);
    const cpu: number[] = [];
    const once = (): number => {
      const start = performance.now();
      const before = childCpu();
      const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), 'check', ...names], { encoding: 'utf8' });
      if (r.status === null || r.status > 1) throw new Error(`archc check failed to run: ${r.stderr}`);
      const after = childCpu();
      if (before !== undefined && after !== undefined) cpu.push(after - before);
      return (performance.now() - start) / 1000;
    };
    once(); // warm the file-system cache
    const times = Array.from({ length: 5 }, once);
    cpu.shift();
    return [
      { label: `archc check, ${names.length} zoo models`, value: median(times), unit: 's', target: 1, lowerIsBetter: true, how: 'median of 5 runs, wall time' },
      // CPU time does not grow when other processes share the machine; wall time does.
      ...(cpu.length ? [{ label: '  the same, CPU time (user + sys)', value: median(cpu), unit: 's', how: 'all threads of the child' }] : []),
      { label: 'archc --version (Node start + CLI)', value: median(Array.from({ length: 5 }, () => version())), unit: 's', how: 'median of 5 runs' },
    ];
  },
};

function version(): number {
  const start = performance.now();
  spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), '--version']);
  return (performance.now() - start) / 1000;
}

/** CPU seconds used by finished child processes, from /proc (Linux); undefined elsewhere. */
export function childCpu(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime (fields 16 and 17 of proc(5)) are in clock ticks, 100 a second on Linux.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
