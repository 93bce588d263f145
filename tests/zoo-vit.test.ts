// std/vit's attention: scores scaled by 1/√(head width) through matmul's scale, which needs the
// sqrt builtin; vit_b_16 therefore carries 0.125 on every score product.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile.js';
import type { MatmulAttrs } from '../compiler/ops/matmul.js';
import { nodeHost, zooRoot } from '../compiler/node-host.js';
import { compileText, errors } from './helpers.js';

describe('std/vit attention scale', () => {
  it('scales vit_b_16 scores by 1/√64 and leaves the value product unscaled', () => {
    const r = compile(join(zooRoot, 'vit', 'vit_b_16.arch'), nodeHost);
    expect(errors(r)).toEqual([]);
    const products = r.graph!.nodes.filter((n) => n.op === 'matmul');
    expect(products).toHaveLength(24);
    const scales = products.map((n) => (n.attrs as MatmulAttrs).scale);
    expect(scales.filter((s) => s === 0.125)).toHaveLength(12);
    expect(scales.filter((s) => s === 1)).toHaveLength(12);
  });

  it('sqrt gives a float root and refuses a negative number with a located error', () => {
    const ok = compileText('model t {\n  input x: [4, 8]\n  output y = x |> dense(int(sqrt(16)) * 2)\n}\n');
    expect(errors(ok)).toEqual([]);
    expect(ok.report!.outputs[0]!.shape).toEqual(['N', 4, 8]);
    const bad = compileText('model t {\n  input x: [4, 8]\n  output y = x |> dense(int(sqrt(-4)))\n}\n');
    expect(errors(bad).map((d) => [d.code, d.span.start.line])).toEqual([['E0203', 3]]);
  });
});
