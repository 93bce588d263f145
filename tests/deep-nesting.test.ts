// Deep nesting through the command line (Node formats files nested past 100 brackets, and reports
// their syntax errors, on a thread with a larger stack: dsl/large-stack.ts): 1,000 levels of every
// construct check and format; far beyond, each is one located E0104 and exit 1, never a stack
// overflow. Generated files (tools/dev/fuzz/nesting.ts), not checked-in giants.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';
import { NESTINGS, nestedModel, type Nesting } from '../tools/dev/fuzz/nesting.js';

const dir = mkdtempSync(join(tmpdir(), 'archc-nesting-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KINDS = Object.keys(NESTINGS) as Nesting[];
/** Chains without brackets go through the same code in Node as in the unit tests (tests/unit/nesting-limits). */
const BRACKETED: Nesting[] = ['parentheses', 'lists', 'ifs', 'loops', 'calls'];
const archc = (args: string[]) =>
  spawnSync(process.execPath, [join(packageRoot, 'bin', 'archc.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
const files = (n: number, kinds = KINDS) =>
  kinds.map((kind) => {
    const path = join(dir, `${kind}-${n}.arch`);
    writeFileSync(path, nestedModel(kind, n));
    return path;
  });

interface JsonDiagnostic {
  code: string;
  message: string;
  span: { file: string; line: number; col: number };
}

describe('deep nesting through the CLI', () => {
  it('checks and formats 1,000 levels of every construct', () => {
    const paths = files(1000);
    const check = archc(['check', ...paths]);
    expect(check.stderr + check.stdout).not.toMatch(/error|internal/);
    expect(check.status).toBe(0);
    const fmt = archc(['fmt', ...paths]);
    expect(fmt.stderr).toBe('');
    expect(fmt.status).toBe(0);
    expect(fmt.stdout.match(/if true \{$/gm)).toHaveLength(1000); // one `if` a line: laid out, not cut short
    expect(fmt.stdout.match(/^ *for i in 0\.\.1 \{$/gm)).toHaveLength(1000);
  }, 120_000);

  it('refuses 100,000 levels of every bracketed construct with one located E0104 and exit 1', () => {
    const paths = files(100_000, BRACKETED);
    const check = archc(['check', '--json', ...paths]);
    expect(check.status).toBe(1);
    const diagnostics = JSON.parse(check.stdout) as JsonDiagnostic[];
    expect(diagnostics.map((d) => `${d.span.file.split('/').pop()} ${d.code} line ${d.span.line}`)).toEqual(
      BRACKETED.map((kind) => `${kind}-100000.arch E0104 line 4`),
    );
    for (const d of diagnostics) expect(d.message).toMatch(/nested deeper than 2,000 levels/);
    const fmt = archc(['fmt', paths[0]!, paths[2]!]);
    expect(fmt.status).toBe(1);
    expect(fmt.stderr).toMatch(/parentheses-100000\.arch:4:\d+: error E0104/);
    expect(fmt.stderr).not.toMatch(/internal|RangeError/);
  }, 120_000);

  it('points at the most deeply nested code when the stack runs out while expanding', () => {
    // 500 nested parentheses inside a block that calls itself 60 times: within every limit, yet
    // deeper than the evaluator's stack.
    const path = join(dir, 'recursive.arch');
    const nested = `${'1 + ('.repeat(500)}if n > 0 { f(n - 1) } else { 0 }${')'.repeat(500)}`;
    writeFileSync(path, `block f(n) {\n  return ${nested}\n}\nmodel m {\n  input x: [3, 8, 8]\n  output y = x |> conv(f(60), 1)\n}\n`);
    const check = archc(['check', path]);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/recursive\.arch:2:\d+: error E0104: the code here is nested too deeply for archc to compile/);
  }, 60_000);
});
