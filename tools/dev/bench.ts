// npm run bench: runs the benchmark sections (tools/dev/bench/index.ts) and prints each figure with its
// ratio to target. `node dist/tools/dev/bench.js [section...] [--json]`.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { sections } from './bench/index.js';
import type { Figure } from './bench/section.js';

function format(f: Figure): string {
  const value = `${f.value < 10 ? f.value.toFixed(2) : f.value.toFixed(1)} ${f.unit}`;
  let verdict = '';
  if (f.target !== undefined) {
    const ratio = f.value / f.target;
    const met = f.lowerIsBetter === false ? ratio >= 1 : ratio <= 1;
    verdict = `target ${f.lowerIsBetter === false ? '≥' : '≤'} ${f.target} ${f.unit}  ${ratio.toFixed(2)}× target  ${met ? 'met' : 'MISSED'}`;
  }
  return `  ${f.label.padEnd(40)} ${value.padStart(11)}   ${verdict}${f.how ? `${verdict ? '  ' : ''}(${f.how})` : ''}`;
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const wanted = argv.filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((w) => !sections.some((s) => s.name === w));
  if (unknown.length) {
    process.stderr.write(`bench: no section ${unknown.join(', ')} (have ${sections.map((s) => s.name).join(', ')})\n`);
    return 2;
  }
  const chosen = sections.filter((s) => wanted.length === 0 || wanted.includes(s.name));
  const machine = `node ${process.version}, ${process.platform} ${process.arch}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), load ${loadavg()[0]!.toFixed(1)}`;
  if (!json) process.stdout.write(`archc bench — ${machine}\n`);
  const results: Record<string, Figure[]> = {};
  let missed = false;
  for (const s of chosen) {
    const figures = await s.run();
    results[s.name] = figures;
    missed ||= figures.some((f) => f.target !== undefined && (f.lowerIsBetter === false ? f.value < f.target : f.value > f.target));
    if (!json) process.stdout.write(`${s.name}: ${s.summary}\n${figures.map(format).join('\n')}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ machine, sections: results }, null, 2)}\n`);
  // Figures, not a test: a missed target is reported, and the exit status stays 0.
  if (missed && !json) process.stdout.write('some targets were missed (see above)\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
