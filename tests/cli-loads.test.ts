// What the compiling commands load: `archc check` and `archc --help` must start without TensorFlow.js,
// onnxruntime or WebGPU (they are heavy, and optional in an installed package). A module-resolution
// hook (node --import) records every module the command resolves.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';

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

  it('sees TensorFlow.js when a command does load it', () => {
    const { modules } = loaded(['train', '--help']);
    expect(modules.some((m) => HEAVY.test(m))).toBe(true);
  });
});
