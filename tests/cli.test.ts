// The command line as a user meets it: bin/archc.js run as a subprocess (dist/ is built by the global
// setup). Exit codes 0 (fine), 1 (the model has errors), 2 (usage or I/O); clear messages, no stack traces.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';

const cases = join(packageRoot, 'tests', 'diagnostics', 'cases');
const scratch = mkdtempSync(join(tmpdir(), 'archc-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function archc(args: string[], cwd = packageRoot) {
  const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  // A stack trace is never the answer to bad input.
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const schema = (name: string) => JSON.parse(readFileSync(join(packageRoot, 'tools', 'cli', 'schema', name), 'utf8'));
const ajv = new Ajv2020({ strict: true, strictTuples: false });

describe('usage', () => {
  it('prints the version', () => {
    const r = archc(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^archc \d+\.\d+\.\d+/);
  });

  it('shows the commands and exits 2 without a command, 0 with --help', () => {
    expect(archc([]).status).toBe(2);
    const help = archc(['--help']);
    expect(help.status).toBe(0);
    for (const c of ['check', 'summary', 'list', 'fmt']) expect(help.stdout).toContain(`  ${c}`);
  });

  it.each([
    [['frob'], "unknown command 'frob'"],
    [['check'], 'check needs at least one file or zoo name'],
    [['check', '--bogus', 'resnet50'], "unknown option '--bogus'"],
    [['check', '--set', 'classes', 'resnet50'], '--set needs NAME=VALUE'],
    [['check', '--jobs', 'many', 'resnet50'], '--jobs needs a whole number'],
    [['summary', 'resnet50', 'lenet5'], 'summary takes one file or zoo name'],
    [['fmt', '--write', '--check', 'resnet50'], 'cannot be used together'],
  ])('archc %j is a usage error (exit 2)', (args, message) => {
    const r = archc(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('prints a command usage for --help', () => {
    const r = archc(['check', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: archc check/);
  });
});

describe('check', () => {
  it('exits 0 with nothing to say on a zoo model', () => {
    const r = archc(['check', 'resnet50']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('prints errors compiler-style and exits 1 on a broken file', () => {
    const r = archc(['check', 'tests/diagnostics/cases/groups.arch']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('tests/diagnostics/cases/groups.arch:5:38: error E0304: conv groups (5)');
    expect(r.stderr).toMatch(/\n {3}5 \| {3}output y = x \|> conv\(96, 3, pad=1, groups=5\)\n +\| +\^{8}\n/);
    expect(r.stderr).toContain('   = help: ');
    expect(r.stderr).toMatch(/1 error, 0 warnings\n$/);
  });

  it('says plainly that a file is missing, without pretending to point into it (exit 2)', () => {
    const r = archc(['check', 'missing.arch'], scratch);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('archc: cannot read missing.arch: no such file\n');
  });

  it('suggests a zoo model for a near miss', () => {
    const r = archc(['check', 'resnet5']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("archc: no file or zoo model named 'resnet5'; did you mean 'resnet50'?\n");
  });

  it('refuses a directory and a binary file (exit 2)', () => {
    mkdirSync(join(scratch, 'models.arch'), { recursive: true });
    const dir = archc(['check', 'models.arch'], scratch);
    expect(dir.status).toBe(2);
    expect(dir.stderr).toBe('archc: cannot read models.arch: it is a directory\n');
    copyFileSync(join(cases, 'binary.arch'), join(scratch, 'binary.arch'));
    const bin = archc(['check', 'binary.arch'], scratch);
    expect(bin.status).toBe(2);
    expect(bin.stderr).toBe('archc: binary.arch is not a text file (it has NUL or control bytes)\n');
  });

  it('reports every file and exits with the worst status', () => {
    const r = archc(['check', 'resnet50', 'tests/diagnostics/cases/groups.arch', 'tests/no-such.arch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error E0304');
    expect(r.stderr).toContain('archc: cannot read tests/no-such.arch: no such file');
  });

  it('prints the same thing, in the order given, when the files are checked on several threads', () => {
    const files = ['groups.arch', 'unused.arch', 'recursion.arch', 'binary.arch', 'arg_type.arch', 'no_model.arch', 'same_stride.arch', 'unknown_name.arch'];
    const args = ['check', ...files.map((f) => `tests/diagnostics/cases/${f}`), 'resnet50'];
    const one = archc([...args, '--jobs', '1']);
    const three = archc([...args, '--jobs', '3']);
    expect(three).toEqual(one);
    expect(one.status).toBe(2);
    expect(one.stderr.indexOf('groups.arch:')).toBeLessThan(one.stderr.indexOf('unused.arch:'));
    const json = archc([...args, '-j', '3', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(archc([...args, '-j', '1', '--json']).stdout));
  });

  it('prints the diagnostics as JSON that matches its schema', () => {
    const r = archc(['check', '--json', 'tests/diagnostics/cases/add_mismatch.arch']);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(ajv.validate(schema('check.schema.json'), json), ajv.errorsText()).toBe(true);
    expect(json[0]).toMatchObject({ code: 'E0302', severity: 'error', span: { file: 'tests/diagnostics/cases/lib/blocks.arch', line: 7, col: 15 } });
    expect(json[0].related.map((x: { message: string }) => x.message)).toContain("in block 'repeat', called here");
  });
});

describe('summary and list', () => {
  it('prints resnet50 with the torchvision counts', () => {
    const r = archc(['summary', 'resnet50']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Model: resnet50');
    expect(r.stdout).toMatch(/Learnable params: +25,557,032/);
    expect(r.stdout).toMatch(/Buffers: +53,120/);
    expect(r.stdout).toContain('4,089,184,256');
  });

  it('prints resnet50 as JSON that matches its schema', () => {
    const r = archc(['summary', 'resnet50', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(ajv.validate(schema('summary.schema.json'), json), ajv.errorsText()).toBe(true);
    expect(json).toMatchObject({ model: 'resnet50', file: 'zoo/resnet/resnet50.arch', params: { learnable: 25_557_032, buffers: 53_120 }, macs: 4_089_184_256 });
    expect(json.inputs).toEqual([{ name: 'image', shape: ['N', 3, 224, 224] }]);
  });

  it('exits 1 with the diagnostics and no table for a broken file', () => {
    const r = archc(['summary', 'tests/diagnostics/cases/groups.arch']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error E0304');
  });

  it('reports the sizes a size-generic model takes: check, summary and --json', () => {
    const check = archc(['check', 'unet_same']);
    expect(check.status).toBe(0);
    expect(check.stderr).toBe('zoo/segmentation/unet_same.arch: valid for H, W ≡ 0 (mod 16), H, W ≥ 16\n');
    const text = archc(['summary', 'unet_same']);
    expect(text.stdout).toContain('Sizes:             valid for H, W ≡ 0 (mod 16), H, W ≥ 16; the table is at H = 256, W = 256');
    expect(text.stdout).toContain('MACs formula:      735040*H*W');
    const r = archc(['summary', 'unet_same', '--json']);
    const json = JSON.parse(r.stdout);
    const validate = ajv.getSchema('archc:summary.schema.json') ?? ajv.compile(schema('summary.schema.json'));
    expect(validate(json), ajv.errorsText(validate.errors)).toBe(true);
    expect(json.constraints[0]).toEqual({ text: 'H % 16 == 0', because: { file: 'zoo/segmentation/unet_same.arch', line: 20, col: 7 }, why: 'the inputs of concat1 must meet' });
    expect(json.sizes.inputs).toEqual([{ name: 'image', shape: ['N', 3, 'H', 'W'] }]);
    expect(json.layers.find((l: { name: string }) => l.name === 'up4').symbolicShape).toEqual(['N', 512, 'H/8', 'W/8']);
    const bad = archc(['check', 'unet_same', '--input', 'image=3x100x100']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('error E0308: input \'image\' at 3×100×100: H = 100 is not a size this model takes');
    expect(bad.stderr).toContain('help: the nearest sizes that work: H = 96 or 112');
  });

  it('checks a block that nothing calls on its own and prints the sizes it takes', () => {
    const r = archc(['check', 'tests/diagnostics/cases/block_uncalled.arch']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("note: nothing calls block 'up': it is checked on its own");
    expect(r.stderr).toContain('tests/diagnostics/cases/block_uncalled.arch: block halves: valid for H, W ≡ 0 (mod 2), H, W ≥ 2\n');
  });

  it('prints the table and then the failed expects, exiting 1', () => {
    const r = archc(['summary', 'tests/diagnostics/cases/expect_failed.arch']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Model: m');
    expect(r.stdout).toMatch(/Learnable params: +314 /);
    expect(r.stderr).toContain('error E0501: expect failed: params == 300');
    expect(r.stderr).toContain('2 errors');
  });

  it('lists the zoo one model a line, exiting 1 only when some model does not compile', () => {
    const r = archc(['list']);
    expect(r.stdout).toMatch(/^resnet50 +25,557,032$/m);
    expect(r.stdout).toMatch(/^lenet5 +61,706$/m);
    expect(r.status).toBe(r.stdout.includes('does not compile') ? 1 : 0);
  });
});

describe('fmt', () => {
  it('prints canonical text, --check lists files that would change, --write rewrites them', () => {
    const file = join(scratch, 'messy.arch');
    writeFileSync(file, 'model m{input x:[3,8,8]\noutput y=x|>relu}\n');
    const printed = archc(['fmt', 'messy.arch'], scratch);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toBe('model m {\n  input x: [3, 8, 8]\n  output y = x |> relu\n}\n');
    const check = archc(['fmt', '--check', 'messy.arch'], scratch);
    expect(check.status).toBe(1);
    expect(check.stdout).toBe('messy.arch\n');
    const write = archc(['fmt', '--write', 'messy.arch'], scratch);
    expect(write.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
    expect(archc(['fmt', '--check', 'messy.arch'], scratch).status).toBe(0);
    expect(archc(['fmt', '--write', 'messy.arch'], scratch).stdout).toBe(''); // unchanged: not rewritten
  });

  it('refuses a file with syntax errors and leaves it as it was', () => {
    const file = join(scratch, 'broken.arch');
    const text = 'model m {\n  input x: [3, 8\n}\n';
    writeFileSync(file, text);
    const r = archc(['fmt', '--write', 'broken.arch'], scratch);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('broken.arch:2:17: error E0102');
    expect(r.stderr).toContain('it was not formatted');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('--write formats a symlink\'s target and keeps the link, and keeps a file\'s mode and owner', () => {
    const messy = 'model m{input x:[3,8,8]\noutput y=x|>relu}\n';
    const target = join(scratch, 'target.arch');
    writeFileSync(target, messy);
    symlinkSync('target.arch', join(scratch, 'link.arch'));
    expect(archc(['fmt', '--write', 'link.arch'], scratch).status).toBe(0);
    expect(lstatSync(join(scratch, 'link.arch')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toContain('  input x: [3, 8, 8]');
    const theirs = join(scratch, 'theirs.arch');
    writeFileSync(theirs, messy);
    chmodSync(theirs, 0o444);
    const root = process.getuid?.() === 0;
    if (root) chownSync(theirs, 65534, 65534); // another user's read-only file: root rewrites it as its owner left it
    const r = archc(['fmt', '--write', 'theirs.arch'], scratch);
    if (!root) {
      expect(r.status).toBe(2); // not this user's to write in place, as the shell's > would say
      expect(readFileSync(theirs, 'utf8')).toBe(messy);
      return;
    }
    expect(r.status).toBe(0);
    const after = statSync(theirs);
    expect([after.uid, after.gid, after.mode & 0o777]).toEqual([65534, 65534, 0o444]);
  });

  it('says when a file is missing or binary (exit 2)', () => {
    const r = archc(['fmt', 'missing.arch'], scratch);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('archc fmt: cannot read missing.arch: no such file\n');
    const bin = archc(['fmt', 'tests/diagnostics/cases/binary.arch']);
    expect(bin.status).toBe(2);
    expect(bin.stderr).toBe('archc fmt: tests/diagnostics/cases/binary.arch is not a text file (it has NUL or control bytes)\n');
  });
});
