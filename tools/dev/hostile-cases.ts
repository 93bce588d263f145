// The cases of the hostile-input audit (./hostile-audit.ts), one per bad input the robustness
// issue names, nesting aside (the parser's own tests cover it): generated sources and files,
// the command that meets them, the exit statuses that count as a clear refusal, and the paths the
// command may write. Runs in a folder holding shapes/ (a tiny image folder), tiny.arch, and two
// trained run folders of it, run/ and other/ (different seeds).
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { manyResnets } from './many-resnets.js';

export interface Workspace {
  readonly dir: string;
  /** Runs archc to completion (setup steps), throwing when it fails. */
  archc(...args: string[]): void;
  write(name: string, text: string | Uint8Array): string;
  /** A sparse file of `bytes` (nothing is stored). */
  sparse(name: string, bytes: number): string;
  fifo(name: string): string;
  /** Replaces a run-folder file and records it in training.json, as if saved so. */
  replaceRecorded(run: string, file: string, bytes: Uint8Array): void;
}

export interface Case {
  readonly name: string;
  readonly args: readonly string[] | ((ws: Workspace) => readonly string[]);
  readonly setup?: (ws: Workspace) => void;
  /** Exit statuses that meet the bar (1 the model is wrong, 2 usage or I/O; 0 where the input is legal). */
  readonly exits: readonly number[];
  /** Paths (relative to the folder) the command may create or replace. */
  readonly dest?: readonly string[];
  /** A further check after the run: what is wrong, or undefined. */
  readonly check?: (ws: Workspace) => string | undefined;
  /** Stop the command with this signal after `after` ms (an interrupted write). */
  readonly signal?: { readonly name: 'TERM' | 'INT' | 'KILL'; readonly after: number };
}

const model = (body: string, header = '') => `${header}model m {\n  input x: [3, 8, 8]\n${body}\n}\n`;
const tinyImage = 'shapes/test/circle/circle-000.png';
const train = (data: string, out: string, ...extra: string[]) => ['train', 'tiny.arch', '--data', data, '-o', out, '--backend', 'wasm', '-b', '8', ...(extra.includes('--epochs') ? [] : ['--epochs', '1']), ...extra];
const noTemps = (ws: Workspace) => {
  const temps = readdirSync(ws.dir).filter((n) => n.endsWith('.tmp'));
  return temps.length ? `temporary files left: ${temps.join(', ')}` : undefined;
};
/** The temporary name a writer with pid 999999 (not running) uses for `name` (runtime/persist/files.ts). */
const staleTemp = (name: string) => `.archc-${createHash('sha256').update(name).digest('hex').slice(0, 12)}.999999-0.tmp`;

/** A PNG of `width`×`height` whose pixel data is one empty zlib stream: 69 bytes that declare 1.6 GB. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(0))), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A safetensors file from its header JSON text and data. */
function safetensors(header: string, data: Buffer): Buffer {
  const h = Buffer.from(header, 'utf8');
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([n, h, data]);
}

export const cases: readonly Case[] = [
  // Internal errors and crashes
  { name: 'dense(1000000) after a 10^6 input: check', setup: (ws) => void ws.write('huge.arch', model('  output y = x |> flatten |> dense(1000000) |> dense(1000000)').replace('[3, 8, 8]', '[1000000]')), args: ['check', 'huge.arch'], exits: [0, 1] },
  { name: 'dense(1000000) after a 10^6 input: export', args: ['export', 'huge.arch', '-o', 'huge.onnx'], exits: [1] },
  { name: 'train: a class folder named in invalid UTF-8', setup: (ws) => { mkdirSync(join(ws.dir, 'utf8')); mkdirSync(Buffer.from(`${ws.dir}/utf8/bad\xff`, 'latin1')); mkdirSync(join(ws.dir, 'utf8', 'good')); }, args: train('utf8', 'out-utf8'), exits: [1, 2], dest: ['out-utf8'] },
  { name: 'train: a class folder of 130,000 files', setup: (ws) => { const d = join(ws.dir, 'many', 'a'); mkdirSync(d, { recursive: true }); for (let i = 0; i < 130_000; i++) writeFileSync(join(d, `${i}.png`), ''); mkdirSync(join(ws.dir, 'many', 'b')); }, args: train('many', 'out-many'), exits: [1, 2], dest: ['out-many'] },
  { name: 'train --freeze every layer', args: train('shapes/train', 'out-frozen', '--freeze', 'conv1,dense1'), exits: [1, 2], dest: ['out-frozen'] },
  { name: 'train --backend webgpu in Node', args: ['train', 'tiny.arch', '--data', 'shapes/train', '-o', 'out-webgpu', '--backend', 'webgpu', '--epochs', '1'], exits: [0, 2], dest: ['out-webgpu'] },
  { name: 'predict: model.json modelTopology a string', setup: (ws) => { mkdirSync(join(ws.dir, 'topo')); for (const f of ['model.json', 'weights.bin', 'model.safetensors', 'optimizer.safetensors', 'training.json']) writeFileSync(join(ws.dir, 'topo', f), readFileSync(join(ws.dir, 'run', f))); const j = JSON.parse(readFileSync(join(ws.dir, 'topo', 'model.json'), 'utf8')); ws.replaceRecorded('topo', 'model.json', Buffer.from(JSON.stringify({ ...j, modelTopology: 'x' }))); }, args: ['predict', 'topo', tinyImage, '--backend', 'wasm'], exits: [2] },
  { name: 'block f(x, n = f(x))', setup: (ws) => void ws.write('selfdefault.arch', `block f(x, n = f(x)) {\n  return x\n}\n${model('  output y = x |> f')}`), args: ['check', 'selfdefault.arch'], exits: [1] },
  { name: '130,000 blocks in one file', setup: (ws) => void ws.write('blocks.arch', `${Array.from({ length: 130_000 }, (_, i) => `block b${i}(x) {\n  return x\n}\n`).join('')}${model('  output y = x |> b0')}`), args: ['check', 'blocks.arch'], exits: [0, 1] },
  // Unbounded work and memory
  { name: 'f(n-1) + f(n-1), f(40)', setup: (ws) => void ws.write('twice.arch', `block f(x, n) {\n  return if n == 0 { x } else { f(x, n - 1) + f(x, n - 1) }\n}\n${model('  output y = f(x, 40)')}`), args: ['check', 'twice.arch'], exits: [1] },
  { name: 'two nested 10,000-iteration loops', setup: (ws) => void ws.write('loops.arch', model('  y = x\n  for i in 0..10000 {\n    for j in 0..10000 {\n      y = y |> relu\n    }\n  }\n  output z = y')), args: ['check', 'loops.arch'], exits: [1] },
  { name: 'a list doubled 30 times', setup: (ws) => void ws.write('doubled.arch', model(`  l0 = [1]\n${Array.from({ length: 30 }, (_, i) => `  l${i + 1} = l${i} + l${i}`).join('\n')}\n  output y = x`)), args: ['check', 'doubled.arch'], exits: [1] },
  { name: '2,000 unknown names', setup: (ws) => void ws.write('unknown2k.arch', model(`${Array.from({ length: 2000 }, (_, i) => `  a${i} = x |> nosuch${i}`).join('\n')}\n  output y = x`)), args: ['check', 'unknown2k.arch'], exits: [1] },
  { name: '5,000 unknown names', setup: (ws) => void ws.write('unknown5k.arch', model(`${Array.from({ length: 5000 }, (_, i) => `  a${i} = x |> nosuch${i}`).join('\n')}\n  output y = x`)), args: ['check', 'unknown5k.arch'], exits: [1] },
  { name: '20,000 warnings', setup: (ws) => void ws.write('warnings.arch', model(`${Array.from({ length: 20_000 }, (_, i) => `  u${i} = x |> relu`).join('\n')}\n  output y = x`)), args: ['check', 'warnings.arch'], exits: [0] },
  { name: '50,000 `y = y |> relu` statements', setup: (ws) => void ws.write('straight.arch', model(`  y = x\n${'  y = y |> relu\n'.repeat(50_000)}  output z = y`)), args: ['check', 'straight.arch'], exits: [0] },
  { name: '846 resnet50s in one file (148,896 nodes)', setup: (ws) => void ws.write('resnets.arch', manyResnets(846)), args: ['check', 'resnets.arch'], exits: [0] },
  { name: 'check /dev/zero', args: ['check', '/dev/zero'], exits: [2] },
  { name: 'export --weights /dev/zero', args: ['export', 'tiny.arch', '--weights', '/dev/zero', '-o', 'zero.onnx'], exits: [2] },
  { name: 'check a FIFO', setup: (ws) => void ws.fifo('fifo.arch'), args: ['check', 'fifo.arch'], exits: [2] },
  { name: 'use "a FIFO"', setup: (ws) => void ws.write('usefifo.arch', `use "fifo.arch"\n${model('  output y = x')}`), args: ['check', 'usefifo.arch'], exits: [1, 2] },
  { name: 'fmt a FIFO', args: ['fmt', 'fifo.arch'], exits: [2] },
  { name: '--weights a FIFO', setup: (ws) => void ws.fifo('fifo.safetensors'), args: ['export', 'tiny.arch', '--weights', 'fifo.safetensors', '-o', 'fifo.onnx'], exits: [2] },
  { name: 'predict a FIFO image', setup: (ws) => void ws.fifo('fifo.png'), args: ['predict', 'run', 'fifo.png', '--backend', 'wasm'], exits: [1, 2] },
  { name: 'import a 2 GB sparse file', setup: (ws) => void ws.sparse('sparse.onnx', 2 * 2 ** 30), args: ['import', 'sparse.onnx', '-o', 'sparse.arch'], exits: [2] },
  { name: 'train: a 1.5 GB non-image in the data', setup: (ws) => { execCopy(ws, 'shapes/train', 'bigdata'); ws.sparse('bigdata/circle/huge.png', 1.5 * 2 ** 30); }, args: train('bigdata', 'out-bigdata'), exits: [0], dest: ['out-bigdata'] },
  { name: 'predict: a 69-byte PNG declaring 20000×20000', setup: (ws) => void ws.write('bomb.png', pngBomb(20_000, 20_000)), args: ['predict', 'run', 'bomb.png', '--backend', 'wasm'], exits: [1, 2] },
  { name: 'train: the 69-byte PNG in the data', setup: (ws) => { execCopy(ws, 'shapes/train', 'bombdata'); ws.write('bombdata/circle/bomb.png', pngBomb(20_000, 20_000)); }, args: train('bombdata', 'out-bombdata'), exits: [0], dest: ['out-bombdata'] },
  // Writes that go where they should not
  { name: 'export -o /dev/null', args: ['export', 'tiny.arch', '-o', '/dev/null'], exits: [2], check: () => (lstatSync('/dev/null').isCharacterDevice() ? undefined : '/dev/null is no longer a device') },
  { name: 'export -o /dev/stdout', args: ['export', 'tiny.arch', '-o', '/dev/stdout'], exits: [0, 2], check: () => (lstatSync('/dev/stdout').isSymbolicLink() ? undefined : '/dev/stdout is no longer a link') },
  { name: 'export -o a symlink: writes its target', setup: (ws) => { ws.write('target.onnx', 'old'); symlinkSync('target.onnx', join(ws.dir, 'link.onnx')); }, args: ['export', 'tiny.arch', '-o', 'link.onnx'], exits: [0], dest: ['target.onnx'], check: (ws) => (lstatSync(join(ws.dir, 'link.onnx')).isSymbolicLink() ? undefined : 'the link was replaced') },
  { name: 'export -o a FIFO', setup: (ws) => void ws.fifo('out.fifo'), args: ['export', 'tiny.arch', '-o', 'out.fifo'], exits: [2] },
  { name: 'fmt --write a symlink: formats its target', setup: (ws) => { ws.write('messy.arch', 'model m {\ninput x: [3, 8, 8]\n   output y = x|>relu\n}\n'); symlinkSync('messy.arch', join(ws.dir, 'messy-link.arch')); }, args: ['fmt', '--write', 'messy-link.arch'], exits: [0], dest: ['messy.arch'], check: (ws) => (lstatSync(join(ws.dir, 'messy-link.arch')).isSymbolicLink() && readFileSync(join(ws.dir, 'messy.arch'), 'utf8').includes('  input x') ? undefined : 'the link was replaced or its target left unformatted') },
  { name: 'export -o one of two hard links', setup: (ws) => { ws.write('hard.onnx', 'old'); linkSync(join(ws.dir, 'hard.onnx'), join(ws.dir, 'hard2.onnx')); }, args: ['export', 'tiny.arch', '-o', 'hard.onnx'], exits: [2] },
  { name: "fmt --write another user's read-only file", setup: (ws) => { const p = ws.write('theirs.arch', 'model m {\ninput x: [3, 8, 8]\n   output y = x|>relu\n}\n'); chmodSync(p, 0o444); chownSync(p, 65534, 65534); }, args: ['fmt', '--write', 'theirs.arch'], exits: [0, 2], dest: ['theirs.arch'], check: (ws) => { const s = statSync(join(ws.dir, 'theirs.arch')); return s.uid === 65534 && (s.mode & 0o777) === 0o444 ? undefined : `owner ${s.uid}, mode ${(s.mode & 0o777).toString(8)}: not kept`; } },
  // vgg16: 528 MB of ONNX. A signal during the write is held until the file is whole; one that
  // comes during the last write of a command may then find the command done (exit 0, file whole).
  // Either way no temporary file may remain, and the destination is whole or absent.
  { name: 'export vgg16 stopped by SIGTERM', args: ['export', 'vgg16', '-o', 'vgg16.onnx'], signal: { name: 'TERM', after: 1200 }, exits: [143, 0], dest: ['vgg16.onnx'], check: noTemps },
  { name: 'export vgg16 stopped by SIGINT', args: ['export', 'vgg16', '-o', 'vgg16.onnx'], signal: { name: 'INT', after: 1200 }, exits: [130, 0], dest: ['vgg16.onnx'], check: noTemps },
  { name: 'a stale temp of kill -9 removed by the next export', setup: (ws) => void ws.write(staleTemp('again.onnx'), 'x'), args: ['export', 'tiny.arch', '-o', 'again.onnx'], exits: [0], dest: ['again.onnx', staleTemp('again.onnx')], check: noStaleTemp },
  { name: 'export -o a 240-character name', args: ['export', 'tiny.arch', '-o', `${'a'.repeat(235)}.onnx`], exits: [0], dest: [`${'a'.repeat(235)}.onnx`] },
  { name: 'export -o /proc/self/x/out.onnx', args: ['export', 'tiny.arch', '-o', '/proc/self/x/out.onnx'], exits: [2] },
  { name: 'train -o under /proc', args: train('shapes/train', '/proc/self/x/out'), exits: [2] },
  { name: 'import -o under /proc', setup: (ws) => ws.archc('export', 'tiny.arch', '-o', 'tiny.onnx'), args: ['import', 'tiny.onnx', '-o', '/proc/self/x/tiny.arch'], exits: [2] },
  { name: 'fmt --write a file in /proc', args: ['fmt', '--write', '/proc/self/status'], exits: [1, 2] },
  { name: 'explain -o under /sys', args: ['explain', 'run', tinyImage, '-o', '/sys/x/out', '--backend', 'wasm'], exits: [2] },
  // Checkpoints
  { name: '--resume with optimizer.safetensors truncated', setup: (ws) => { execCopy(ws, 'run', 'resume-trunc'); truncateSync(join(ws.dir, 'resume-trunc', 'optimizer.safetensors'), 20); }, args: [...train('shapes/train', 'resume-trunc', '--resume', 'resume-trunc'), '--epochs', '2'], exits: [2] },
  { name: '--resume with optimizer.safetensors missing', setup: (ws) => { execCopy(ws, 'run', 'resume-gone'); rmSync(join(ws.dir, 'resume-gone', 'optimizer.safetensors')); }, args: [...train('shapes/train', 'resume-gone', '--resume', 'resume-gone'), '--epochs', '2'], exits: [2] },
  { name: 'predict: training.json with std 0', setup: (ws) => { execCopy(ws, 'run', 'std0'); const p = join(ws.dir, 'std0', 'training.json'); const j = JSON.parse(readFileSync(p, 'utf8')); writeFileSync(p, JSON.stringify({ ...j, normalize: { mean: [0.5], std: [0] } })); }, args: ['predict', 'std0', tinyImage, '--backend', 'wasm'], exits: [2] },
  { name: 'predict: weights.bin of another run (same size)', setup: (ws) => { execCopy(ws, 'run', 'mixed'); writeFileSync(join(ws.dir, 'mixed', 'weights.bin'), readFileSync(join(ws.dir, 'other', 'weights.bin'))); }, args: ['predict', 'mixed', tinyImage, '--backend', 'wasm'], exits: [2] },
  { name: 'export: model.safetensors truncated', setup: (ws) => { execCopy(ws, 'run', 'cut'); truncateSync(join(ws.dir, 'cut', 'model.safetensors'), 20); }, args: ['export', 'cut', '-o', 'cut.onnx'], exits: [2] },
  // Accepted when it should not be
  { name: 'duplicate input', setup: (ws) => void ws.write('dupin.arch', model('  input x: [3, 8, 8]\n  output y = x')), args: ['check', 'dupin.arch'], exits: [1] },
  { name: 'duplicate output', setup: (ws) => void ws.write('dupout.arch', model('  output y = x\n  output y = x |> relu')), args: ['check', 'dupout.arch'], exits: [1] },
  { name: 'block b(x, x)', setup: (ws) => void ws.write('dupparam.arch', `block b(x, x) {\n  return x\n}\n${model('  output y = x |> b(x)')}`), args: ['check', 'dupparam.arch'], exits: [1] },
  { name: 'a UTF-8 BOM', setup: (ws) => void ws.write('bom.arch', `\ufeff${model('  output y = x |> relu')}`), args: ['check', 'bom.arch'], exits: [0] },
  { name: 'CR-only line endings after a comment', setup: (ws) => void ws.write('cr.arch', `// a comment\r${model('  output y = x |> relu').replace(/\n/g, '\r')}`), args: ['check', 'cr.arch'], exits: [0] },
  { name: '--input nosuch=1x32x32', args: ['check', 'tiny.arch', '--input', 'nosuch=1x32x32'], exits: [1, 2] },
  { name: 'use "/bin/ls"', setup: (ws) => void ws.write('usels.arch', `use "/bin/ls"\n${model('  output y = x')}`), args: ['check', 'usels.arch'], exits: [1, 2] },
  { name: 'train: a missing --data folder', args: train('no/such/folder', 'out-nodata'), exits: [2] },
  { name: 'safetensors: offsets past the data', setup: (ws) => void ws.write('past.safetensors', safetensors('{"conv1.weight":{"dtype":"F32","shape":[2,3,3,3],"data_offsets":[0,216]}}', Buffer.alloc(8))), args: ['export', 'tiny.arch', '--weights', 'past.safetensors', '-o', 'past.onnx'], exits: [1, 2] },
  { name: 'safetensors: a duplicate key', setup: (ws) => void ws.write('dupkey.safetensors', safetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', Buffer.alloc(4))), args: ['export', 'tiny.arch', '--weights', 'dupkey.safetensors', '-o', 'dupkey.onnx'], exits: [1, 2] },
  { name: 'predict: NaN weights', setup: (ws) => { execCopy(ws, 'run', 'nan'); const bin = readFileSync(join(ws.dir, 'nan', 'weights.bin')); bin.writeFloatLE(NaN, 0); ws.replaceRecorded('nan', 'weights.bin', bin); }, args: ['predict', 'nan', tinyImage, '--backend', 'wasm'], exits: [1] },
];

function execCopy(ws: Workspace, from: string, to: string): void {
  const copy = (a: string, b: string) => {
    mkdirSync(b, { recursive: true });
    for (const name of readdirSync(a)) {
      const s = statSync(join(a, name));
      if (s.isDirectory()) copy(join(a, name), join(b, name));
      else writeFileSync(join(b, name), readFileSync(join(a, name)));
    }
  };
  copy(join(ws.dir, from), join(ws.dir, to));
}

function noStaleTemp(ws: Workspace): string | undefined {
  return readdirSync(ws.dir).includes(staleTemp('again.onnx')) ? 'the stale temporary file is still there' : undefined;
}
