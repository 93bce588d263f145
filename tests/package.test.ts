// The package as a user gets it: `npm pack`, then `npm install ./archc-<version>.tgz` in an empty
// project with npm's defaults (none of this repository's .npmrc or npm_config_* settings), from the
// local npm cache or the registry. The compiler commands run from that install without any engine;
// a command that needs one says how to install it; the API imports as an ES module, and require()
// says how to import it instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';

const MAX_TARBALL = 3 * 2 ** 20;
const scratch = mkdtempSync(join(tmpdir(), 'archc-package-'));
const app = join(scratch, 'app');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment without npm's per-run settings (vitest may run under `npm test`, which exports the repository's config). */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as NodeJS.ProcessEnv;

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let packed: { filename: string; size: number; files: { path: string }[] };

function archc(args: string[]) {
  const r = spawnSync(join(app, 'node_modules', '.bin', 'archc'), args, { cwd: app, encoding: 'utf8', env: { ...cleanEnv(), NO_COLOR: '1' } });
  expect(r.stderr, 'no stack trace').not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  return r;
}

const node = (file: string) => spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', env: cleanEnv() });

// Measured: pack 2 s, install 13 s from a warm cache on a loaded 2-core machine; a cold cache
// fetches about 40 MB from the registry.
beforeAll(() => {
  // dist/ is built by the global setup; --ignore-scripts keeps prepack from rebuilding it under the
  // other tests' feet.
  packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], packageRoot))[0];
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', join(scratch, packed.filename), '--no-audit', '--no-fund'], app);
}, 300_000);

describe('the npm package', () => {
  it(`is a tarball under ${MAX_TARBALL / 2 ** 20} MB of what users need`, () => {
    expect(statSync(join(scratch, packed.filename)).size).toBeLessThanOrEqual(MAX_TARBALL);
    const paths = packed.files.map((f) => f.path);
    for (const p of ['LICENSE', 'README.md', 'package.json', 'bin/archc.js', 'dist/index.js', 'dist/index.d.ts', 'dist/runtime/index.js', 'zoo/resnet/resnet50.arch', 'zoo/std/resnet.arch']) {
      expect(paths).toContain(p);
    }
    const unwanted = paths.filter((p) => /^(tests|\.ci|scripts|node_modules)\//.test(p) || p.endsWith('.map') || (p.endsWith('.ts') && !p.endsWith('.d.ts')) || p.startsWith('dist/tools/dev/'));
    expect(unwanted).toEqual([]);
  });

  it('installs without the engines', () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'archc', 'package.json'), 'utf8'));
    expect(installed.name).toBe('archc');
    for (const engine of ['onnxruntime-node', '@tensorflow/tfjs-core', 'webgpu']) {
      expect(spawnSync(process.execPath, ['-e', `import('${engine}').then(() => process.exit(0), () => process.exit(3))`], { cwd: app }).status, engine).toBe(3);
    }
  });

  it('runs the compiler commands', () => {
    writeFileSync(join(app, 'tiny.arch'), 'model tiny {\n  input x: [3, 8, 8]\n  output y = x |> conv(4, 3, pad=1) |> relu\n}\n');
    expect(archc(['check', 'resnet18', 'tiny.arch']).status).toBe(0);
    const summary = archc(['summary', 'resnet18']);
    expect(summary.status).toBe(0);
    expect(summary.stdout).toContain('11,689,512');
    expect(archc(['fmt', '--check', 'tiny.arch']).status).toBe(0);
    expect(archc(['list']).stdout).toMatch(/resnet50\s+25,557,032/);
    expect(archc(['ops']).stdout).toContain('conv(');
    expect(archc(['graph', 'tiny.arch', '--format', 'dot']).stdout).toMatch(/^digraph "tiny" \{/);
    expect(archc(['graph', 'resnet18', '--format', 'svg', '-o', 'resnet18.svg']).status).toBe(0);
    expect(readFileSync(join(app, 'resnet18.svg'), 'utf8')).toMatch(/^<svg /);
    expect(archc(['export', 'tiny.arch', '--format', 'onnx', '-o', 'tiny.onnx']).status).toBe(0);
    expect(statSync(join(app, 'tiny.onnx')).size).toBeGreaterThan(100);
    expect(archc(['export', 'tiny.arch', '--format', 'safetensors', '-o', 'tiny.safetensors']).status).toBe(0);
    const st = readFileSync(join(app, 'tiny.safetensors'));
    const header = JSON.parse(st.subarray(8, 8 + Number(st.readBigUInt64LE(0))).toString()) as Record<string, { shape: number[] }>;
    expect(Object.values(header).filter((t) => t.shape).map((t) => t.shape).sort()).toEqual([[4], [4, 3, 3, 3]]);
    expect(archc(['export', 'tiny.arch', '--format', 'pytorch', '-o', 'tiny.py']).status).toBe(0);
    expect(readFileSync(join(app, 'tiny.py'), 'utf8')).toContain('nn.Conv2d(3, 4, 3, stride=1, padding=1)');
    expect(archc(['import', 'tiny.onnx', '-o', 'imported.arch']).status).toBe(0);
    expect(archc(['check', 'imported.arch']).status).toBe(0);
    expect(archc(['--help']).stdout).toContain('usage: archc <command>');
  });

  it('says how to install TensorFlow.js when a command needs it', () => {
    const r = archc(['train', 'tiny.arch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TensorFlow.js is not installed');
    expect(r.stderr).toMatch(/npm install @tensorflow\/tfjs-core@~4\.\d+\.\d+ /);
  });

  it('imports as an ES module and compiles from text', () => {
    writeFileSync(
      join(app, 'use.mjs'),
      `import { compileText, memoryHost, compile } from 'archc';
const text = 'use "std/resnet"\\nmodel m {\\n  input x: [3, 32, 32]\\n  output y = x |> conv(8, 3, pad=1) |> relu\\n}\\n';
const a = compileText(text);
const b = compile('/m.arch', memoryHost({ '/m.arch': text.replace('use "std/resnet"\\n', '') }));
console.log(JSON.stringify([a.ok, a.report.params.learnable, b.ok]));
`,
    );
    const r = node('use.mjs');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([true, 8 * 3 * 9 + 8, true]);
  });

  it('refuses require() with a message saying how to import it', () => {
    writeFileSync(join(app, 'use.cjs'), "require('archc');\n");
    const r = node('use.cjs');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("archc is an ES module and cannot be loaded with require(). Use `import { compile } from 'archc'`");
  });
});
