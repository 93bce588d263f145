// `--weights FILE` is strict, through the CLI as a user meets it (docs/pretrained.md): names that do
// not match are an error listing them with their closest counterparts, other shapes name both
// shapes, --init-missing starts chosen tensors afresh and says so, float16/bfloat16 are converted,
// other dtypes and truncated files are refused; nothing is written on an error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';
import { readSafetensors } from '../compiler/weights/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-weights-'));

function archc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // never a stack trace
  return { status: r.status, out: r.stdout, err: r.stderr.replace(/\n/g, ' ') };
}

// A small torchvision-style network: a stem, one residual unit named like torchvision's, a head.
writeFileSync(
  join(dir, 'net.arch'),
  `model net(classes = 4) {
  input image: [3, 8, 8]
  x = image |> conv(4, 3, pad=1, bias=false, name="conv1") |> bn(name="bn1") |> relu
  y = x |> conv(4, 3, pad=1, bias=false, name="layer1.0.conv1") |> bn(name="layer1.0.bn1")
  output logits = relu(x + y) |> global_avgpool |> flatten |> dense(classes, name="fc")
}
`,
);

type Tensor = { dtype: string; shape: number[]; bytes: Uint8Array };

/** A safetensors file from raw tensors (any dtype), as PyTorch's safetensors writes it. */
function safetensors(tensors: Record<string, Tensor>): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    out.set(t.bytes, at);
    at += t.bytes.length;
  }
  return out;
}

/** The model's own weights (seeded), as float32 tensors by name. */
function exported(file: string, ...flags: string[]): Map<string, { shape: readonly number[]; data: Float32Array }> {
  expect(archc('export', 'net.arch', '--format', 'safetensors', '-o', file, ...flags).status).toBe(0);
  const read = readSafetensors(readFileSync(join(dir, file)));
  if (!read.ok) throw new Error(read.error);
  return read.weights;
}

const f32 = (t: { shape: readonly number[]; data: Float32Array }): Tensor => ({ dtype: 'F32', shape: [...t.shape], bytes: new Uint8Array(t.data.slice().buffer) });

function write(file: string, tensors: Record<string, Tensor>): string {
  writeFileSync(join(dir, file), safetensors(tensors));
  return file;
}

/** `export --weights FILE`: refused with exit 1 and nothing written, or accepted. */
function load(file: string, ...flags: string[]) {
  const before = readdirSync(dir).sort();
  const r = archc('export', 'net.arch', '--weights', file, '-o', 'out.onnx', ...flags);
  if (r.status !== 0) expect(readdirSync(dir).sort()).toEqual(before);
  return r;
}

const own = exported('own.safetensors');
const renamed = (rename: (name: string) => string) => Object.fromEntries([...own].map(([k, t]) => [rename(k), f32(t)]));

describe('--weights FILE', () => {
  it('loads a file whose names and shapes match, ignoring num_batches_tracked', () => {
    const file = write('tv.safetensors', { ...renamed((k) => k), 'bn1.num_batches_tracked': { dtype: 'I64', shape: [], bytes: new Uint8Array(8) } });
    expect(load(file).status).toBe(0);
  });

  it('refuses other names, listing the first few missing and unexpected with the closest match', () => {
    const file = write('old.safetensors', renamed((k) => k.replace('layer1.0.', 'layer1.basic1.')));
    const r = load(file);
    expect(r.status).toBe(1);
    expect(r.err).toContain('old.safetensors does not fit net: 5 of 12 weights of net are not in it; it has 5 tensors that net does not declare');
    expect(r.err).toContain('missing: layer1.0.conv1.weight [4, 4, 3, 3] (the file has layer1.basic1.conv1.weight)');
    expect(r.err).toContain('unexpected: layer1.basic1.bn1.running_var [4] (the model has layer1.0.bn1.running_var)');
    expect(r.err).toContain('nothing was written');
  });

  it('names both shapes of a mismatch (a head for other classes)', () => {
    const r = archc('export', 'net.arch', '--set', 'classes=2', '--weights', 'own.safetensors', '-o', 'out2.onnx');
    expect(r.status).toBe(1);
    expect(r.err).toContain('other shape: fc.weight: [4, 4] in own.safetensors, [2, 4] in net');
    expect(r.err).toContain('hint: a new head for other classes?');
  });

  it('--init-missing starts the named tensors afresh and says which (globs, comma-separated or repeated)', () => {
    const fresh = 'initialized afresh (--init-missing): fc.weight, fc.bias';
    for (const flags of [['--init-missing', 'fc.*'], ['--init-missing', 'fc'], ['--init-missing', 'fc.w*,fc.bias'], ['--init-missing', 'fc.weight', '--init-missing', 'fc.b?as']]) {
      const r = archc('export', 'net.arch', '--set', 'classes=2', '--weights', 'own.safetensors', '--format', 'safetensors', '-o', 'tuned.safetensors', ...flags);
      expect(r.status).toBe(0);
      expect(r.err).toContain(fresh);
    }
    const tuned = readSafetensors(readFileSync(join(dir, 'tuned.safetensors')));
    if (!tuned.ok) throw new Error(tuned.error);
    expect(tuned.weights.get('fc.weight')!.shape).toEqual([2, 4]);
    expect(tuned.weights.get('conv1.weight')!.data).toEqual(own.get('conv1.weight')!.data);
    // the file's tensors that a glob names may be absent too: a new head the file never had
    const headless = write('headless.safetensors', Object.fromEntries(Object.entries(renamed((k) => k)).filter(([k]) => !k.startsWith('fc.'))));
    expect(load(headless, '--init-missing', 'fc.*').status).toBe(0);
  });

  it('refuses an --init-missing glob that names no weight, suggesting one that does', () => {
    const r = load('own.safetensors', '--init-missing', 'fcc.*');
    expect(r.status).toBe(1);
    expect(r.err).toContain("--init-missing 'fcc.*' matches no weight of net");
    expect(r.err).toContain("did you mean 'fc.*'?");
  });

  it('converts float16 and bfloat16 tensors to float32', () => {
    // 1.5 is exact in both: float16 0x3e00, bfloat16 0x3fc0
    const half = (shape: readonly number[], bits: number): Uint8Array => {
      const n = shape.reduce((a, b) => a * b, 1);
      return new Uint8Array(Uint16Array.from({ length: n }, () => bits).buffer);
    };
    const tensors = Object.fromEntries([...own].map(([k, t], i) => [k, { dtype: i % 2 ? 'F16' : 'BF16', shape: [...t.shape], bytes: half(t.shape, i % 2 ? 0x3e00 : 0x3fc0) }]));
    write('half.safetensors', tensors);
    const back = exported('back.safetensors', '--weights', 'half.safetensors');
    for (const t of back.values()) expect(t.data.every((v) => v === 1.5)).toBe(true);
  });

  it('reads integer tensors whose values float32 holds exactly, and refuses the others naming the value', () => {
    const ints = (dtype: 'I64' | 'I32', values: readonly (number | bigint)[]): Uint8Array => {
      const out = new DataView(new ArrayBuffer(values.length * (dtype === 'I64' ? 8 : 4)));
      values.forEach((v, i) => (dtype === 'I64' ? out.setBigInt64(i * 8, BigInt(v), true) : out.setInt32(i * 4, Number(v), true)));
      return new Uint8Array(out.buffer);
    };
    // An index buffer as torchvision saves them (int64): loads as the same numbers.
    const tensors = renamed((k) => k);
    tensors['fc.bias'] = { dtype: 'I64', shape: [4], bytes: ints('I64', [0, 3, -7, 2 ** 24]) };
    write('int.safetensors', tensors);
    expect([...exported('int-back.safetensors', '--weights', 'int.safetensors').get('fc.bias')!.data]).toEqual([0, 3, -7, 2 ** 24]);

    tensors['fc.bias'] = { dtype: 'I64', shape: [4], bytes: ints('I64', [0, 1, 2n ** 40n, 3]) };
    const big = load(write('big.safetensors', tensors));
    expect(big.status).toBe(1);
    expect(big.err).toContain("tensor 'fc.bias' is I64 and holds 1099511627776 at index 2, which float32 cannot hold exactly");

    tensors['fc.bias'] = { dtype: 'F8_E4M3', shape: [4], bytes: new Uint8Array(4) };
    const f8 = load(write('f8.safetensors', tensors));
    expect(f8.status).toBe(1);
    expect(f8.err).toContain("tensor 'fc.bias' is F8_E4M3; archc reads float tensors (F32, F16 and BF16, converted to float32, and F64) and integer tensors whose values float32 holds exactly: convert it before saving (tensor.float() in PyTorch)");
  });

  it('refuses a truncated file with a clear message', () => {
    const bytes = readFileSync(join(dir, 'own.safetensors'));
    writeFileSync(join(dir, 'cut.safetensors'), bytes.subarray(0, bytes.length - 10));
    const r = load('cut.safetensors');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/cut\.safetensors is not a usable safetensors weights file: tensor '[^']+' ends at byte \d+ of the data, but the file holds only \d+ data bytes \(truncated\?\)/);
  });

  it('is strict in train too, before any training starts', () => {
    const file = write('old2.safetensors', renamed((k) => k.replace('fc.', 'head.')));
    const r = archc('train', 'net.arch', '--data', 'synthetic', '--samples', '8', '-o', 'run', '--backend', 'cpu', '--weights', file);
    expect(r.status).toBe(1);
    expect(r.err).toContain('old2.safetensors does not fit net: 2 of 12 weights of net are not in it; it has 2 tensors that net does not declare');
    expect(r.err).toContain('missing: fc.bias [4] (the file has head.bias)');
    expect(readdirSync(dir)).not.toContain('run');
    const alone = archc('train', 'net.arch', '--data', 'synthetic', '-o', 'run', '--backend', 'cpu', '--init-missing', 'fc.*');
    expect(alone.status).toBe(1);
    expect(alone.err).toContain('--init-missing chooses tensors of --weights to start afresh; give --weights too');
  });
});
