// A safetensors header is JSON, whose parsers keep the last of two equal keys silently: archc
// refuses a header that names a tensor twice instead of loading whichever came last.
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../compiler/weights/safetensors.js';

function file(header: string, dataBytes: number): Uint8Array {
  const text = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

const entry = (begin: number) => `{"dtype":"F32","shape":[2],"data_offsets":[${begin},${begin + 8}]}`;

describe('safetensors header keys', () => {
  it('refuses a tensor named twice', () => {
    const r = readSafetensors(file(`{"w":${entry(0)},"b":${entry(8)},"w":${entry(0)}}`, 16));
    expect(r).toEqual({ ok: false, error: "tensor 'w' appears twice in the header" });
  });

  it('reads keys with escapes and nested metadata without mistaking them for duplicates', () => {
    const r = readSafetensors(file(`{"__metadata__":{"w":"x","a\\"b":"{,}"},"a\\"b":${entry(0)},"w":${entry(8)}}`, 16));
    expect(r.ok && [...r.weights.keys()]).toEqual(['a"b', 'w']);
  });
});
