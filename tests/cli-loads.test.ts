// What the commands load: `archc check` and `archc --help` must start without TensorFlow.js,
// onnxruntime or WebGPU (they are heavy, and optional in an installed package), and `archc predict
// --engine onnxruntime` without TensorFlow.js. A module-resolution hook (node --import) records every
// module the command resolves.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile.js';
import { nodeHost, packageRoot } from '../compiler/node-host.js';
import { initWeights } from '../compiler/weights/init.js';
import { writeSafetensors } from '../compiler/weights/safetensors.js';

const scratch = mkdtempSync(join(tmpdir(), 'archc-loads-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hooks = join(scratch, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.ARCHC_TRACE, resolved.url + '\\n');
  return resolved;
}
`,
);
const register = join(scratch, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

/** The modules `archc <args>` resolves, as file URLs. */
function loaded(args: string[]): { status: number | null; modules: string[] } {
  const trace = join(scratch, `trace-${args.join('-').replace(/\W/g, '_')}.txt`);
  writeFileSync(trace, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, join(packageRoot, 'bin', 'archc.js'), ...args], {
    cwd: packageRoot,
    encoding: 'utf8',
    env: { ...process.env, ARCHC_TRACE: trace, NO_COLOR: '1' },
  });
  return { status: r.status, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
}

const HEAVY = /\/node_modules\/(@tensorflow|onnxruntime-node|onnxruntime-common|webgpu)\//;

describe('modules loaded by a command', () => {
  it.each([[['check', 'resnet18']], [['--help']], [['summary', 'resnet18']]])('archc %j loads no engine', (args) => {
    const { status, modules } = loaded(args);
    expect(status).toBe(0);
    expect(modules.some((m) => m.includes('/dist/tools/cli/main.js'))).toBe(true);
    expect(modules.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it('archc predict --engine onnxruntime loads no TensorFlow.js', () => {
    // A run folder as `archc train` leaves it, with untrained weights: what predict reads.
    const run = join(scratch, 'run');
    mkdirSync(run);
    const arch = join(scratch, 'tiny.arch');
    writeFileSync(arch, 'model tiny {\n  input image: [3, 8, 8]\n  output logits = image |> conv(4, 3) |> global_avgpool |> flatten |> dense(2)\n}\n');
    const graph = compile(arch, nodeHost).graph!;
    writeFileSync(join(run, 'model.safetensors'), writeSafetensors(initWeights(graph, { seed: 1 })));
    const info = { format: 'archc-training-1', model: 'tiny', source: { file: arch, params: {}, inputs: {} }, input: { name: 'image', shape: [3, 8, 8] }, classes: ['a', 'b'], normalize: { mean: [0.5], std: [0.5] }, output: 'logits' };
    writeFileSync(join(run, 'training.json'), JSON.stringify(info));
    const png = new PNG({ width: 8, height: 8 });
    png.data.fill(128);
    writeFileSync(join(scratch, 'x.png'), PNG.sync.write(png));
    const { status, modules } = loaded(['predict', run, join(scratch, 'x.png'), '--engine', 'onnxruntime']);
    expect(status).toBe(0);
    expect(modules.some((m) => m.includes('/node_modules/onnxruntime-node/'))).toBe(true);
    expect(modules.filter((m) => m.includes('/node_modules/@tensorflow/'))).toEqual([]);
  });

  it('sees TensorFlow.js when a command does load it', () => {
    const { modules } = loaded(['train', '--help']);
    expect(modules.some((m) => HEAVY.test(m))).toBe(true);
  });
});
