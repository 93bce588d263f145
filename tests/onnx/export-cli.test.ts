// `archc export` as a user meets it (bin/archc.js as a subprocess): the formats, weights from a file
// reproducing an export byte for byte, and bad input refused with a message and no file written.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { packageRoot } from '../../compiler/node-host.js';

const scratch = mkdtempSync(join(tmpdir(), 'archc-export-'));

function archc(args: string[], cwd = scratch) {
  const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), 'export', ...args], { cwd, encoding: 'buffer', env: { ...process.env, NO_COLOR: '1' } });
  const stderr = r.stderr.toString('utf8');
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  return { status: r.status, stdout: r.stdout, stderr };
}

const tiny = `model tiny(classes = 3) {
  input image: [1, 8, 8]
  x = image |> conv(2, 3, stride=2, pad="same", bias=false) |> bn |> relu
  output logits = x |> global_avgpool |> flatten |> dropout(0.2) |> dense(classes)
}
`;
const broken = 'model broken {\n  input x: [3, 8, 8]\n  output y = x |> conv(4, 9)\n}\n';
writeFileSync(join(scratch, 'tiny.arch'), tiny);
writeFileSync(join(scratch, 'broken.arch'), broken);

/** Files left in a folder, temp files included. */
const listing = (dir: string) => readdirSync(dir).sort();

describe('archc export', () => {
  it('writes ONNX with the model name by default, and says what it wrote', () => {
    const dir = mkdtempSync(join(scratch, 'default-'));
    const r = archc([join(scratch, 'tiny.arch')], dir);
    expect(r.status).toBe(0);
    // A small file's size in bytes or KiB, never "0.0 MiB".
    expect(r.stderr).toMatch(/warning W0102[^]*\nwrote tiny\.onnx \((\d+ bytes|\d+\.\d KiB), onnx, opset 17\)\n$/);
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(join(dir, 'tiny.onnx')));
    expect(model.producerName).toBe('archc');
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(model.graph!.input![0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('N');
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization', 'Relu', 'GlobalAveragePool', 'Flatten', 'Gemm']);
    expect(model.metadataProps.map((p) => p.key)).toEqual(['source_model', 'source_file', 'layout']);
    expect(listing(dir)).toEqual(['tiny.onnx']);
  });

  it('prints the text form: the signature, initializers, one line per node with shape and source', () => {
    const r = archc([join(scratch, 'tiny.arch'), '--format', 'onnx-text', '--opset', '13']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(`<
  ir_version: 8,
  opset_import: ["" : 13],
  producer_name: "archc",
  producer_version: "${JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version}"
>
tiny (float[N,1,8,8] image) => (float[N,3] logits)
  <
    float[2,1,3,3] conv1.weight,
    float[2] bn1.weight,
    float[2] bn1.bias,
    float[2] bn1.running_mean,
    float[2] bn1.running_var,
    float[3,2] dense1.weight,
    float[3] dense1.bias
  >
{
  conv1 = Conv <kernel_shape = [3, 3], strides = [2, 2], dilations = [1, 1], pads = [0, 0, 1, 1], group = 1> (image, conv1.weight)    # [N,2,4,4] tiny.arch:3:16
  bn1 = BatchNormalization <epsilon = 0.00001> (conv1, bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var)    # [N,2,4,4] tiny.arch:3:64
  relu1 = Relu (bn1)    # [N,2,4,4] tiny.arch:3:70
  global_avgpool1 = GlobalAveragePool (relu1)    # [N,2,1,1] tiny.arch:4:24
  flatten1 = Flatten <axis = 1> (global_avgpool1)    # [N,2] tiny.arch:4:42
  logits = Gemm <transB = 1> (flatten1, dense1.weight, dense1.bias)    # dense1: [N,3] tiny.arch:4:69
}
`);
  });

  it('re-exports byte for byte from the safetensors it wrote, and from its own ONNX file', () => {
    const dir = mkdtempSync(join(scratch, 'roundtrip-'));
    const model = join(scratch, 'tiny.arch');
    expect(archc([model, '--seed', '42', '-o', 'a.onnx'], dir).status).toBe(0);
    expect(archc([model, '--seed', '42', '--format', 'safetensors', '-o', 'w.safetensors'], dir).status).toBe(0);
    expect(archc([model, '--weights', 'w.safetensors', '-o', 'b.onnx'], dir).status).toBe(0);
    expect(archc([model, '--weights', 'a.onnx', '-o', 'c.onnx'], dir).status).toBe(0);
    const a = readFileSync(join(dir, 'a.onnx'));
    expect(Buffer.compare(a, readFileSync(join(dir, 'b.onnx')))).toBe(0);
    expect(Buffer.compare(a, readFileSync(join(dir, 'c.onnx')))).toBe(0);
    expect(archc([model, '--seed', '43', '-o', 'd.onnx'], dir).status).toBe(0);
    expect(Buffer.compare(a, readFileSync(join(dir, 'd.onnx')))).not.toBe(0);
  });

  it('refuses a model with compile errors: its diagnostics, exit 1, no file', () => {
    const dir = mkdtempSync(join(scratch, 'broken-'));
    const r = archc([join(scratch, 'broken.arch'), '-o', 'y.onnx'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error E0301');
    expect(r.stderr).toContain('nothing was written');
    expect(listing(dir)).toEqual([]);
  });

  it.each<[string, (dir: string) => string, RegExp]>([
    ['truncated', (dir) => {
      writeFileSync(join(dir, 'w.safetensors'), readFileSync(join(dir, 'good.safetensors')).subarray(0, 100));
      return 'w.safetensors';
    }, /E0701.*not a usable safetensors weights file/],
    ['from another model', (dir) => {
      writeFileSync(join(dir, 'other.arch'), tiny.replace('conv(2, 3', 'conv(4, 3'));
      expect(archc(['other.arch', '--format', 'safetensors', '-o', 'w.safetensors'], dir).status).toBe(0);
      return 'w.safetensors';
    }, /w\.safetensors does not fit tiny: \d+ tensors have another shape.*other shape: conv1\.weight: \[4, 1, 3, 3\] in w\.safetensors, \[2, 1, 3, 3\] in tiny/],
  ])('refuses weights that are %s, and leaves an existing file alone', (_what, make, message) => {
    const dir = mkdtempSync(join(scratch, 'weights-'));
    expect(archc([join(scratch, 'tiny.arch'), '--format', 'safetensors', '-o', 'good.safetensors'], dir).status).toBe(0);
    writeFileSync(join(dir, 'out.onnx'), 'previous');
    const weights = make(dir);
    const before = listing(dir);
    const r = archc([join(scratch, 'tiny.arch'), '--weights', weights, '-o', 'out.onnx'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr.replace(/\n/g, ' ')).toMatch(message);
    expect(listing(dir)).toEqual(before);
    expect(readFileSync(join(dir, 'out.onnx'), 'utf8')).toBe('previous');
  });

  it('says when a weights file cannot be read (exit 2)', () => {
    const r = archc([join(scratch, 'tiny.arch'), '--weights', 'missing.safetensors']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\narchc export: cannot read missing\.safetensors: no such file\n$/);
  });

  it.each<[string, string[], string]>([
    ['a missing folder', ['-o', 'no/such/dir/x.onnx'], 'cannot write no/such/dir/x.onnx: no such directory; nothing was written'],
    ['a folder', ['-o', '.'], 'cannot write .: it is a directory; nothing was written'],
  ])('refuses to write to %s (exit 2)', (_what, args, message) => {
    const r = archc([join(scratch, 'tiny.arch'), ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`archc export: ${message}`);
  });

  it('refuses a folder it may not write to, leaving nothing behind', () => {
    const dir = mkdtempSync(join(scratch, 'readonly-'));
    mkdirSync(join(dir, 'locked'));
    chmodSync(join(dir, 'locked'), 0o555);
    const r = archc([join(scratch, 'tiny.arch'), '-o', 'locked/x.onnx'], dir);
    // root may write anywhere; then the export simply succeeds.
    if (r.status !== 0) {
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('permission denied');
      expect(listing(join(dir, 'locked'))).toEqual([]);
    }
    chmodSync(join(dir, 'locked'), 0o755);
  });

  it.each<[string[], string]>([
    [['--format', 'pb'], "--format must be onnx, onnx-text, safetensors, pytorch, tfjs; got 'pb'"],
    [['--opset', '12'], "--opset must be an integer from 13 to 17; got '12'"],
    [['--seed', '-1'], "--seed must be an integer from 0 to 4294967295; got '-1'"],
  ])('refuses %j as a usage error (exit 2)', (args, message) => {
    const r = archc([join(scratch, 'tiny.arch'), ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('exports a zoo model by name at another input size', () => {
    const dir = mkdtempSync(join(scratch, 'zoo-'));
    const r = archc(['lenet5', '--input', 'image=1x32x32', '-o', 'lenet.onnx'], dir);
    expect(r.status).toBe(0);
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(join(dir, 'lenet.onnx')));
    expect(model.metadataProps.find((p) => p.key === 'source_file')!.value).toBe('zoo/lenet/lenet5.arch');
  });

  it('keeps size variables as named dynamic dims, or fixed sizes with --fixed-size', () => {
    const generic = `model generic(classes = 3) {
  input image: [1, H, W] = [1, 16, 16]
  x = image |> conv(4, 3, stride=2, pad=1) |> relu |> upsample(2)
  output mask = x |> conv(classes, 1)
}
`;
    writeFileSync(join(scratch, 'generic.arch'), generic);
    const dims = (args: string[]) => {
      const r = archc([join(scratch, 'generic.arch'), '--format', 'onnx-text', ...args]);
      expect(r.status).toBe(0);
      return r.stdout.toString().split('\n').find((l) => l.startsWith('generic ('));
    };
    expect(dims([])).toBe('generic (float[N,1,H,W] image) => (float[N,3,2*((H+1)//2),2*((W+1)//2)] mask)');
    expect(dims(['--fixed-size'])).toBe('generic (float[N,1,16,16] image) => (float[N,3,16,16] mask)');
    expect(dims(['--fixed-size', '--input', 'image=1x10x12'])).toBe('generic (float[N,1,10,12] image) => (float[N,3,10,12] mask)');
  });
});
