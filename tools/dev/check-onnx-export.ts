// The ONNX export of every zoo model at its declared input size, with seeded weights: onnxruntime
// runs the file at batch 1 and 2 with the compiler's output shapes, every intermediate shape it
// computes equals the compiler's, and python3-onnx's checker (full_check) and strict shape inference
// accept the very file. The tests do the same at reduced sizes; this is the full-size run.
//
//   node dist/tools/dev/check-onnx-export.js [model...] [--python PATH]     (npm run check:onnx)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { initWeights } from '../../compiler/weights/init.js';
import { encodeOnnx, encodedLength } from '../../compiler/lower-onnx/encode.js';
import { lowerToOnnx } from '../../compiler/lower-onnx/lower.js';
import { concatChunks } from '../../compiler/weights/safetensors.js';
import { nodeHost, zooModels } from '../../compiler/node-host.js';
import { intermediateMismatches, light, OnnxChecker, outputMismatches } from './onnx-check.js';
import { version } from '../cli/version.js';
import { writeFileAtomic } from '../../runtime/persist/files.js';

async function main(argv: string[]): Promise<number> {
  const pythonAt = argv.indexOf('--python');
  const python = pythonAt >= 0 ? argv[pythonAt + 1] : undefined;
  const names = argv.filter((a, i) => !a.startsWith('--') && (pythonAt < 0 || i !== pythonAt + 1));
  const zoo = zooModels();
  const unknown = names.filter((n) => !zoo.some(([name]) => name === n));
  if (unknown.length > 0) {
    process.stderr.write(`check-onnx-export: no zoo model ${unknown.join(', ')}\n`);
    return 2;
  }
  const chosen = zoo.filter(([name]) => names.length === 0 || names.includes(name));
  const dir = mkdtempSync(join(tmpdir(), 'archc-check-onnx-'));
  const checker = new OnnxChecker(python);
  let failed = 0;
  try {
    for (const [name, path] of chosen) {
      const start = performance.now();
      const problems = await checkOne(path, join(dir, `${name}.onnx`), checker);
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      failed += problems.failures.length > 0 ? 1 : 0;
      const verdict = problems.failures.length > 0 ? 'FAIL' : 'ok  ';
      process.stdout.write(`${verdict} ${name.padEnd(24)} ${problems.summary}  (${seconds} s)\n`);
      for (const f of problems.failures) process.stdout.write(`       ${f}\n`);
    }
  } finally {
    checker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${chosen.length - failed} of ${chosen.length} zoo models export correctly at their declared sizes\n`);
  return failed > 0 ? 1 : 0;
}

async function checkOne(path: string, file: string, checker: OnnxChecker): Promise<{ summary: string; failures: string[] }> {
  const compiled = compile(path, nodeHost);
  const messages = (ds: readonly { code: string; message: string }[]) => ds.map((d) => `${d.code} ${d.message}`);
  if (!compiled.ok || !compiled.graph) return { summary: 'does not compile', failures: messages(compiled.diagnostics) };
  const graph = compiled.graph;
  const lowered = lowerToOnnx(graph, initWeights(graph, { seed: 0 }), { producerVersion: version });
  if (!lowered.model) return { summary: 'does not export', failures: messages(lowered.diagnostics) };
  const chunks = encodeOnnx(lowered.model);
  writeFileAtomic(file, chunks);
  const checked = checker.check(file);
  const bytes = concatChunks(chunks);
  const failures = [...(await outputMismatches(bytes, graph)), ...(await intermediateMismatches(light(lowered.model), graph))];
  const python = await checked;
  if (python !== 'ok') failures.push(`python3-onnx: ${python}`);
  rmSync(file);
  const g = lowered.model.graph!;
  const inputs = graph.inputs.map((i) => `${i.name} [${graph.nodes[i.node]!.shape.join('×')}]`).join(', ');
  const size = `${(encodedLength(chunks) / 2 ** 20).toFixed(1)} MiB`;
  return { summary: `${inputs}, ${g.node!.length} nodes, ${(g.valueInfo ?? []).length} intermediates, ${size}`, failures };
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`check-onnx-export failed: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
