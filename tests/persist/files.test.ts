// writeFileAtomic replaces only what it should: a regular file (keeping its mode and owner) or the
// target of a symlink; never a device, FIFO, directory or one of several hard links; and it leaves
// no temporary file behind, also when the process is stopped by a signal in the middle of a write.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../compiler/node-host.js';
import { afterAll, describe, expect, it } from 'vitest';
import { folderProblem, ioReason, makeFolders, writeFileAtomic } from '../../runtime/persist/files.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (path: string): string => {
  try {
    writeFileAtomic(path, 'new');
  } catch (e) {
    return ioReason(e);
  }
  return 'written';
};
const temps = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('writeFileAtomic destinations', () => {
  it('refuses a FIFO and a directory without touching them', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(fifo)).toMatch(/not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(refusal(dir)).toBe('it is a directory');
    expect(refusal('/dev/null')).toMatch(/not a regular file/);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('refuses /proc and /sys (where Node\'s recursive mkdir never returns) and a file as a folder, at once', () => {
    const created = (path: string): string => {
      try {
        writeFileAtomic(path, 'new', { createFolders: true });
      } catch (e) {
        return ioReason(e);
      }
      return 'written';
    };
    expect(created('/proc/self/archc-x/out.onnx')).toMatch(/^\/proc\/self is part of a kernel file system/);
    expect(refusal('/proc/archc-x.onnx')).toMatch(/^\/proc is part of a kernel file system/);
    expect(created('/sys/archc-x/y.onnx')).toMatch(/^\/sys is part of a kernel file system/);
    expect(() => makeFolders('/proc/self/fd/archc-x')).toThrow(/kernel file system/);
    expect(folderProblem('/proc/self/archc-x')).toMatch(/kernel file system/);
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'old');
    expect(created(join(file, 'x', 'y.onnx'))).toBe(`${file} is a file, not a folder`);
    expect(folderProblem(file)).toBe(`${file} is a file, not a folder`);
    expect(folderProblem(join(dir, 'new', 'folder'))).toBeUndefined();
    makeFolders(join(dir, 'new', 'folder'));
    expect(statSync(join(dir, 'new', 'folder')).isDirectory()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('old');
  });

  it('writes through a symlink to its target and keeps the link', () => {
    const target = join(dir, 'target.txt');
    const link = join(dir, 'link.txt');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(refusal(join(dir, 'nowhere.txt')) === 'written').toBe(true);
    symlinkSync(join(dir, 'missing', 'x'), join(dir, 'dangling'));
    expect(refusal(join(dir, 'dangling'))).toBe('it is a symbolic link to nothing');
  });

  it('refuses a file with several hard links instead of splitting them', () => {
    const a = join(dir, 'a.txt');
    writeFileSync(a, 'old');
    linkSync(a, join(dir, 'b.txt'));
    expect(refusal(a)).toMatch(/2 hard links/);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('old');
  });

  it('keeps the mode, and the owner where it may (root), of the file it replaces', () => {
    const file = join(dir, 'mode.txt');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    if (process.getuid?.() === 0) chownSync(file, 1234, 1234);
    writeFileAtomic(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) expect(statSync(file).uid).toBe(1234);
    else {
      chmodSync(file, 0o400);
      expect(refusal(file)).toBe('permission denied');
    }
  });

  it('writes a destination whose name is as long as the file system allows', () => {
    const long = join(dir, `${'x'.repeat(240)}.onnx`);
    writeFileAtomic(long, 'ok');
    expect(readFileSync(long, 'utf8')).toBe('ok');
    expect(temps()).toEqual([]);
  });

  it('removes the temporary files that killed writers left for the same destination', async () => {
    const file = join(dir, 'stale.txt');
    const child = spawn(process.execPath, ['-e', '0']);
    const dead = await new Promise<number>((exit) => child.on('exit', () => exit(child.pid!)));
    const prefix = `.archc-${createHash('sha256').update('stale.txt').digest('hex').slice(0, 12)}.`;
    writeFileSync(join(dir, `${prefix}${dead}-0.tmp`), 'half written by a writer that was killed');
    writeFileSync(join(dir, `${prefix}${process.pid}-99.tmp`), 'this process: not stale');
    writeFileAtomic(file, 'new');
    expect(temps()).toEqual([`${prefix}${process.pid}-99.tmp`]);
    rmSync(join(dir, `${prefix}${process.pid}-99.tmp`));
  });

  it('leaves no temporary file when SIGTERM arrives during a write', async () => {
    // The signal is sent from inside the write, while the temporary file exists (the chunk list's
    // filter() runs after the temp is opened): without a handler the process would die right there.
    const file = join(dir, 'signalled.bin');
    const script = `
      const { writeFileAtomic } = await import(${JSON.stringify(pathToFileURL(join(packageRoot, 'dist', 'runtime', 'persist', 'files.js')).href)});
      class Trap extends Array {
        filter(...args) { process.kill(process.pid, 'SIGTERM'); return Array.from(this).filter(...args); }
      }
      writeFileAtomic(${JSON.stringify(file)}, Trap.from([new Uint8Array(1 << 20)]));
      setTimeout(() => {}, 5000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    expect(await new Promise((exit) => child.on('exit', (_code, s) => exit(s)))).toBe('SIGTERM');
    expect(temps()).toEqual([]);
    expect(statSync(file).size).toBe(1 << 20); // the write finished before the signal took effect
  });
});
