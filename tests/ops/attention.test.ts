// The ViT ops compose: multi-head attention written from dense, reshape, transpose, slice, matmul and
// softmax, in an encoder with layer_norm, class_token and pos_embed, reproduces torchvision's vit_b_16
// (86,567,656 params; 17.56 GMACs, the "GFLOPS" torchvision publishes).
import { describe, expect, it } from 'vitest';
import { compileOk } from './table.js';

const VIT = `
block mha(x, heads) {
  t = x.shape[0]
  d = x.shape[1]
  hd = d / heads
  qkv = x |> dense(3 * d, name="in_proj") |> reshape([t, 3, heads, hd]) |> transpose([1, 2, 0, 3])
  q = qkv |> slice(0, 1) |> reshape([heads, t, hd])
  k = qkv |> slice(1, 2) |> reshape([heads, t, hd])
  v = qkv |> slice(2, 3) |> reshape([heads, t, hd])
  scores = matmul(q, k |> transpose([0, 2, 1]), scale=0.125) |> softmax // scale = 1/√64
  y = matmul(scores, v) |> transpose([1, 0, 2]) |> reshape([t, d])
  return y |> dense(d, name="out_proj")
}

block encoder(x, heads, mlp) {
  x = x + (x |> layer_norm(epsilon=1e-6) |> mha(heads))
  return x + (x |> layer_norm(epsilon=1e-6) |> dense(mlp) |> gelu |> dense(x.features))
}

model vit_b_16(layers = 12) {
  input image: [3, 224, 224]
  x = image |> conv(768, 16, stride=16) |> reshape([768, 196]) |> transpose([1, 0]) : [196, 768]
  x = x |> class_token |> pos_embed : [197, 768]
  for i in 0..layers { x = x |> encoder(12, 3072) }
  output logits = x |> layer_norm(epsilon=1e-6) |> slice(0, 1) |> flatten |> dense(1000)
}
`;

describe('attention from primitive ops', () => {
  it('reproduces vit_b_16: 86,567,656 params and 17,563,828,224 MACs', () => {
    const r = compileOk(VIT);
    expect(r.report!.outputs[0]!.shape).toEqual(['N', 1000]);
    expect(r.report!.params.learnable).toBe(86_567_656);
    expect(r.report!.macs).toBe(17_563_828_224);
  });

  it('has the attention shapes of one layer', () => {
    const r = compileOk(VIT);
    const shapes = Object.fromEntries(r.graph!.nodes.filter((n) => n.name.startsWith('encoder1.mha1.')).map((n) => [n.name.slice('encoder1.mha1.'.length), n.shape]));
    expect(shapes).toMatchObject({
      in_proj: [197, 2304],
      reshape1: [197, 3, 12, 64],
      transpose1: [3, 12, 197, 64],
      matmul1: [12, 197, 197],
      softmax1: [12, 197, 197],
      matmul2: [12, 197, 64],
      out_proj: [197, 768],
    });
  });
});
