// archc graph and archc summary --depth as a user runs them (bin/archc.js in a subprocess).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';

const scratch = mkdtempSync(join(tmpdir(), 'archc-graph-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function archc(args: string[]) {
  const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('archc graph', () => {
  it('writes resnet50 as an SVG laid out by elkjs: one box per stage, shapes on the edges', () => {
    const out = join(scratch, 'resnet50.svg');
    const r = archc(['graph', 'resnet50', '--format', 'svg', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('(12 nodes, 11 edges, svg)');
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(svg.match(/<g class="node"/g)).toHaveLength(12);
    expect(svg.match(/<polyline /g)).toHaveLength(11);
    expect(svg).toContain('data-name="layer1"');
    expect(svg).toContain('32 layers · 215,808 params');
    expect(svg).toContain('>256×56×56</text>');
    // Laid out top to bottom: the input box sits above the classifier's.
    const y = (name: string) => Number(new RegExp(`data-name="${name}">\\n<rect x="[\\d.]+" y="([\\d.]+)"`).exec(svg)![1]);
    expect(y('image')).toBeLessThan(y('layer1'));
    expect(y('layer1')).toBeLessThan(y('fc'));
  });

  it('prints DOT and Mermaid, and unfolds one more level with --depth 2', () => {
    const dot = archc(['graph', 'resnet50', '--format', 'dot', '--depth', '2']);
    expect(dot.status).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "resnet50" \{/);
    // 1024·256 + 256·256·9 + 256·1024 weights and 2·(256 + 256 + 1024) batch-norm γ, β.
    expect(dot.stdout).toContain('label="layer3.5\\n10 layers · 1,117,184 params"');
    expect(dot.stdout).toMatch(/n\d+ -> n\d+ \[label="1024×14×14"\];/);
    const mermaid = archc(['graph', 'unet_same', '--format', 'mermaid']);
    expect(mermaid.status).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart TD\n/);
    expect(mermaid.stdout).toMatch(/n\d+\[\["enc4<br\/>/);
    expect(mermaid.stdout).toMatch(/n\d+ -->\|"512×32×32"\| n\d+/);
  });

  it('refuses a broken model with its diagnostics (exit 1) and bad flags (exit 2), writing nothing', () => {
    const out = join(scratch, 'broken.svg');
    const broken = archc(['graph', 'tests/diagnostics/cases/groups.arch', '-o', out]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('error E0304');
    expect(existsSync(out)).toBe(false);
    expect(archc(['graph', 'resnet50', '--format', 'png']).stderr).toContain("--format must be svg, dot, mermaid; got 'png'");
    expect(archc(['graph', 'resnet50', '--depth', '0']).status).toBe(2);
    const missing = archc(['graph', 'resnet50', '-o', join(scratch, 'no', 'such', 'dir.svg')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot write .*nothing was written/);
  });
});

describe('archc summary --depth', () => {
  it('nests rows by block with a trainable column, the totals unchanged', () => {
    const r = archc(['summary', 'resnet50', '--depth', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Layer +Op +Output shape +Trainable +Params +MACs/);
    expect(r.stdout).toMatch(/\nlayer1 +block \(32\) +\[N, 256, 56, 56\] +yes +218,624 +667,942,912\n {2}0 +block \(12\)/);
    expect(r.stdout).toMatch(/Input size \(float32\): 0\.57 MiB per sample/);
    expect(r.stdout).toMatch(/Learnable params: +25,557,032/);
    expect(r.stdout).toMatch(/Keras total: +25,610,152/);
    const frozen = archc(['summary', 'fcn8s_vgg16', '--depth', '1']);
    expect(frozen.stdout).toMatch(/ no +\d/);
    expect(archc(['summary', 'resnet50', '--depth', '2', '--json']).status).toBe(2);
  });
});
