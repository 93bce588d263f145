// Every zoo model that reproduces a torchvision model has exactly torchvision's state_dict keys
// (without num_batches_tracked) as its weight names, each with torchvision's shape, so a torchvision
// checkpoint converted to safetensors loads by name (docs/pretrained.md). One Python process builds
// all the torchvision models on the meta device (no weights in memory, no download, no forward pass).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { nodeHost, packageRoot, zooModels } from '../../compiler/node-host.js';
import { declaredWeights } from '../../compiler/weights/tensor.js';
import { findPython } from '../../engines/torch/python.js';
import { TORCHVISION_MODELS } from './torchvision-models.js';

let torchvision: Record<string, Record<string, number[]>>;

beforeAll(() => {
  const python = findPython();
  if (typeof python === 'string') throw new Error(python);
  const spec = join(mkdtempSync(join(tmpdir(), 'archc-tv-names-')), 'spec.json');
  writeFileSync(spec, JSON.stringify(TORCHVISION_MODELS));
  const r = spawnSync(python.python, ['torchvision_keys.py', spec], { cwd: join(packageRoot, 'tests', 'python'), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`torchvision_keys.py failed: ${r.stderr}`);
  torchvision = JSON.parse(r.stdout);
}, 180_000);

describe("weight names equal torchvision's state_dict keys", () => {
  it('covers every zoo model whose golden cites a torchvision num_params', () => {
    const zoo = new Set(zooModels().map(([name]) => name));
    for (const name of Object.keys(TORCHVISION_MODELS)) expect(zoo.has(name), name).toBe(true);
  });

  it.each(Object.keys(TORCHVISION_MODELS))('%s', (name) => {
    const path = zooModels().find(([n]) => n === name)![1];
    const result = compile(path, nodeHost);
    expect(result.ok).toBe(true);
    const ours = Object.fromEntries(declaredWeights(result.graph!).map((w) => [w.name, [...w.spec.shape]]));
    const theirs = torchvision[name]!;
    // key sets first, so that a failure lists the names rather than one long object diff
    expect(Object.keys(ours).filter((k) => !(k in theirs)), 'archc names torchvision lacks').toEqual([]);
    expect(Object.keys(theirs).filter((k) => !(k in ours)), 'torchvision names archc lacks').toEqual([]);
    expect(ours).toEqual(theirs);
  });
});
