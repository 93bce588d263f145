// The in-memory CompileHost of the browser bundle: imports resolve as the Node host resolves them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile.js';
import { memoryHost } from '../compiler/memory-host.js';
import { locate, nodeHost, zooRoot } from '../compiler/node-host.js';

describe('memoryHost', () => {
  const host = memoryHost({ 'a/b/m.arch': 'x', 'a/blocks.arch': 'y' });

  it('resolves relative imports from the importing file, adding .arch', () => {
    expect(host.resolve('a/b/m.arch', '../blocks')).toBe('a/blocks.arch');
    expect(host.resolve('a/b/m.arch', './c.arch')).toBe('a/b/c.arch');
    expect(host.resolve('m.arch', 'lib/n')).toBe('lib/n.arch');
  });

  it('resolves std/ to the library under std/, and says when a file is missing', () => {
    expect(host.resolve('a/b/m.arch', 'std/resnet')).toBe('std/resnet.arch');
    expect(host.read('a/blocks.arch')).toEqual({ text: 'y' });
    expect(host.read('a/none.arch')).toEqual({ error: 'no such file' });
  });

  it('compiles a zoo model with its std imports as the Node host does', () => {
    const files: Record<string, string> = { 'resnet50.arch': readFileSync(locate('resnet50'), 'utf8') };
    for (const name of readdirSync(join(zooRoot, 'std'))) files[`std/${name}`] = readFileSync(join(zooRoot, 'std', name), 'utf8');
    const inMemory = compile('resnet50.arch', memoryHost(files));
    const onDisk = compile(locate('resnet50'), nodeHost);
    expect(inMemory.ok).toBe(true);
    expect(inMemory.report!.params).toEqual(onDisk.report!.params);
    expect(inMemory.report!.macs).toBe(onDisk.report!.macs);
    expect(inMemory.report!.params.learnable).toBe(25_557_032);
  });
});
