// The PyTorch code generator's decisions, read off the generated text (tests/external/pytorch-*.test.ts
// run the code in PyTorch): module nesting from names, one class per block kind with arguments,
// model parameters as constructor arguments, containers, conventions that need explicit code.
import { describe, expect, it } from 'vitest';
import type { CompileHost } from '../../compiler/loader.js';
import { contextName, template } from '../../compiler/lower-pytorch/classes.js';
import { lowerPytorch } from '../../compiler/lower-pytorch/lower.js';
import { pytorchVariants } from '../../compiler/lower-pytorch/variants.js';
import { locate, nodeHost } from '../../compiler/node-host.js';
import { compile } from '../../compiler/compile.js';
import { compileText } from '../helpers.js';

const NAME = '/virtual/test.arch';
const host = (text: string): CompileHost => ({ read: (p) => (p === NAME ? { text } : nodeHost.read(p)), resolve: nodeHost.resolve });

/** Lowers a model written inline, with its parameters as constructor arguments where they can be. */
function lowered(text: string) {
  const r = compileText(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return lowerPytorch(r.graph!, { variants: pytorchVariants(NAME, host(text), { text }, r.graph!) });
}

describe('lowerPytorch', () => {
  it('writes resnet18 as torchvision does: blocks as classes, stages as nn.Sequential, classes as an argument', () => {
    const path = locate('resnet18');
    const graph = compile(path, nodeHost).graph!;
    const out = lowerPytorch(graph, { variants: pytorchVariants(path, nodeHost, {}, graph) });
    expect(out.className).toBe('Resnet18');
    expect(out.params).toEqual([{ name: 'classes', default: 1000 }]);
    expect(out.fixed).toEqual([]);
    const code = out.code!;
    expect(code.match(/^class \w+/gm)).toEqual(['class Basic', 'class BasicDownsample', 'class Resnet18']);
    expect(code).toContain('def __init__(self, classes=1000):');
    expect(code).toContain('self.fc = nn.Linear(512, classes)');
    expect(code).toContain('self.layer2 = nn.Sequential(\n            BasicDownsample(in_channels=64, width=128),\n            Basic(width=128),\n        )');
    expect(code).toContain('self.downsample = nn.Sequential(');
    expect(code).not.toMatch(/\bn_\d+\b/);
  });

  it('without variants, every number is as compiled and the parameters are listed as fixed', () => {
    const graph = compile(locate('lenet5'), nodeHost).graph!;
    const out = lowerPytorch(graph);
    expect(out.params).toEqual([]);
    expect(out.fixed).toEqual(['classes']);
    expect(out.code).toContain('# Fixed at export: classes = 10');
    expect(out.code).toContain('def __init__(self):');
  });

  it('names block arguments after the block parameters they follow, multiples included', () => {
    const text = `model t(classes = 4) {
  input x: [8, 16, 16]
  x = x |> unit(8) |> unit(16) |> unit(32)
  output y = x |> global_avgpool |> flatten |> dense(classes)
}
block unit(x, width) {
  return x |> conv(width * 2, 3, pad=1, name="expand") |> bn |> relu |> conv(width, 1, name="project")
}`;
    const code = lowered(text).code!;
    expect(code).toContain('class Unit(nn.Module):');
    expect(code).toContain('def __init__(self, in_channels, width):');
    expect(code).toContain('self.expand = nn.Conv2d(in_channels, width * 2, 3, stride=1, padding=1)');
    expect(code).toContain('self.unit2 = Unit(in_channels=8, width=16)');
    expect(code).toContain('self.dense1 = nn.Linear(32, classes)');
  });

  it('keeps a parameter that changes the structure fixed, and says so', () => {
    const text = `model t(blocks = 2, classes = 3) {
  input x: [4, 8, 8]
  for i in 0..blocks {
    x = x |> conv(4, 3, pad=1) |> relu
  }
  output y = x |> global_avgpool |> flatten |> dense(classes)
}`;
    const out = lowered(text);
    expect(out.params).toEqual([{ name: 'classes', default: 3 }]);
    expect(out.fixed).toEqual(['blocks']);
    expect(out.code).toContain('# Fixed at export: blocks = 2');
  });

  it('a group the data leaves and re-enters only holds its modules; the parent calls them', () => {
    const text = `model t {
  input x: [3, 8, 8]
  a = x |> conv(4, 3, pad=1, name="g.a")
  m = a |> relu(name="mid") |> conv(4, 1, name="other")
  output y = m |> conv(4, 1, name="g.b")
}`;
    const code = lowered(text).code!;
    expect(code).toContain("(its parent's forward calls its modules one by one)");
    expect(code).toMatch(/= self\.g\.a\(x\)/);
    expect(code).toMatch(/= self\.g\.b\(\w+\)/);
  });

  it('pads TF-style "same" with a stride explicitly, extra row at the end', () => {
    const code = lowered('model t {\n  input x: [3, 8, 8]\n  output y = x |> conv(4, 3, stride=2, pad="same")\n}').code!;
    expect(code).toContain('self.conv1 = nn.Conv2d(3, 4, 3, stride=2, padding=0)');
    expect(code).toContain('self.conv1(F.pad(x, [0, 1, 0, 1]))');
  });

  it('refuses names that would put a layer inside another layer (E0804)', () => {
    const r = compileText('model t {\n  input x: [3, 8, 8]\n  output y = x |> conv(4, 1, name="a") |> conv(4, 1, name="a.b")\n}');
    const out = lowerPytorch(r.graph!);
    expect(out.code).toBeUndefined();
    expect(out.diagnostics.map((d) => d.code)).toEqual(['E0804']);
    expect(out.diagnostics[0]!.message).toContain("'a' names both an op and a group of ops");
  });
});

describe('templates', () => {
  it('takes numbers out of code but not names, subscripts, strings or comments', () => {
    const t = template("self.conv1 = nn.Conv2d(64, 128, 3, eps=1e-05)  # 7\nx = x.shape[0] + getattr(self, '0')");
    expect(t.values).toEqual(['64', '128', '3', '1e-05']);
    expect(t.skeleton).toContain('self.conv1');
    expect(t.skeleton).toContain('x.shape[0]');
  });

  it('names a hole after its keyword or its place in a torch call', () => {
    expect(contextName('nn.Conv2d(')).toBe('in_channels');
    expect(contextName('nn.Conv2d(\u0000, ')).toBe('out_channels');
    expect(contextName('nn.Conv2d(\u0000, \u0000, 3, stride=')).toBe('stride');
    expect(contextName('nn.Linear(')).toBe('in_features');
    expect(contextName('F.pad(x, [')).toBe('size');
  });
});
