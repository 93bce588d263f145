// Freezing by block name: dotted-path prefixes, counts, the hint for a name that matches nothing,
// and agreement with `frozen { }` in the DSL.
import { describe, expect, it } from 'vitest';
import { freezeBlocks } from '../../runtime/train/freeze.js';
import { compileText } from '../helpers.js';

const source = (frozen: boolean) => `
model m {
  input x: [3, 8, 8]
  ${frozen ? 'frozen {' : ''}
  y = x |> stage(4, name="layer1")
  ${frozen ? '}' : ''}
  y = y |> stage(4, name="layer10") |> stage(4, name="layer2")
  output z = y |> global_avgpool |> flatten |> dense(2, name="fc")
}
block stage(x, width) {
  return x |> conv(width, 3, pad=1, name="conv1") |> relu |> conv(width, 3, pad=1, name="conv2")
}
`;

function graph(frozen = false) {
  const r = compileText(source(frozen));
  if (!r.graph || !r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.graph;
}

const frozenNames = (g: ReturnType<typeof graph>) => g.nodes.filter((n) => n.frozen).map((n) => n.name);

describe('freezeBlocks', () => {
  it('freezes a block and everything under it, and nothing that only shares a prefix', () => {
    const r = freezeBlocks(graph(), ['layer1']);
    if (!r.ok) throw new Error(r.message);
    expect(frozenNames(r.graph)).toEqual(['layer1.conv1', 'layer1.relu1', 'layer1.conv2']);
    expect(r.frozenNodes).toBe(3);
    expect(r.frozenParams).toBe(112 + 148); // conv 3→4 and conv 4→4, 3×3 with bias
  });

  it('takes single layers and several names', () => {
    const r = freezeBlocks(graph(), ['layer2.conv2', 'fc']);
    expect(r.ok && frozenNames(r.graph)).toEqual(['layer2.conv2', 'fc']);
  });

  it('marks the same nodes as frozen { } in the DSL', () => {
    const r = freezeBlocks(graph(), ['layer1']);
    expect(r.ok && frozenNames(r.graph)).toEqual(frozenNames(graph(true)));
  });

  it('lists the names at the level of a name that matches nothing', () => {
    const top = freezeBlocks(graph(), ['layer3']);
    expect(top).toEqual({ ok: false, message: '--freeze layer3: no layer or block of m is called that', hint: 'names: layer1, layer10, layer2, global_avgpool1, flatten1, fc' });
    const inner = freezeBlocks(graph(), ['layer1.conv3']);
    expect(!inner.ok && inner.hint).toBe('names under layer1: layer1.conv1, layer1.relu1, layer1.conv2');
  });

  it('refuses to freeze every learnable parameter: nothing would train', () => {
    const r = freezeBlocks(graph(), ['layer1', 'layer10', 'layer2', 'fc']);
    expect(r).toEqual({
      ok: false,
      message: '--freeze layer1,layer10,layer2,fc freezes every learnable parameter of m: nothing would train',
      hint: 'freeze the backbone only, and leave the head (e.g. fc) to train',
    });
  });

  it('leaves the graph it was given alone', () => {
    const g = graph();
    freezeBlocks(g, ['layer1']);
    expect(frozenNames(g)).toEqual([]);
  });
});
