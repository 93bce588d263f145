// Golden diagnostic baselines: every tests/diagnostics/cases/*.arch is a broken file whose exact
// rendered diagnostics (no color, paths relative to the cases folder) are kept beside it in
// *.errors.txt. UPDATE_BASELINES=1 rewrites the baselines; review the diff like code. A case without
// a baseline fails: outside CI the test writes the baseline for review first (rerun to pass), under
// CI (the CI variable set) it writes nothing.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile.js';
import { catalogue, type DiagnosticCode } from '../compiler/diagnostics.js';
import { renderDiagnostic, summarizeCounts } from '../compiler/render.js';
import { nodeHost, packageRoot } from '../compiler/node-host.js';

const casesDir = join(packageRoot, 'tests', 'diagnostics', 'cases');
const update = process.env['UPDATE_BASELINES'] === '1';
const cases = readdirSync(casesDir).filter((f) => f.endsWith('.arch')).sort();

/** Codes the compile pipeline cannot emit: weights, export and runtime codes have their own tests. */
const NOT_FROM_CHECK: DiagnosticCode[] = ['E0701', 'E0702', 'E0703', 'E0704', 'E0801', 'E0802', 'E0804', 'E0850', 'E0900', 'W0106'];
/** Codes that need compile options (W0107: --set/--input overrides, tested in tests/train/cli.test.ts;
 * E0308: an --input size that breaks a derived condition, tested in tests/zoo-unet.test.ts). */
NOT_FROM_CHECK.push('W0107', 'E0308');
// W0108 comes from weights files (tests/weights-nonfinite.test.ts); E0606 from the language
// server's time limit (tests/lsp), never from archc check.
NOT_FROM_CHECK.push('W0108', 'E0606', 'E0803'); // E0803: tests/unit/footprint.test.ts
// W0110: the ONNX export of a size-generic model that falls back to fixed sizes (tests/onnx/dynamic-sizes.test.ts).
// W0111: the same for the tfjs model (tests/runtime/dynamic-sizes.test.ts).
NOT_FROM_CHECK.push('W0110', 'W0111');
/** Catalogue entries no pass emits at all (dense derives its weights from its input, so it cannot mismatch). */
const UNREACHABLE: DiagnosticCode[] = ['E0306'];

function run(file: string) {
  const result = compile(join(casesDir, file), nodeHost);
  const show = (f: string) => relative(casesDir, f).split('\\').join('/');
  const rendered = result.diagnostics.map((d) => renderDiagnostic(d, result.sources, { relativeTo: show, color: false }));
  return { result, text: `${[...rendered, summarizeCounts(result.diagnostics)].join('\n\n')}\n` };
}

describe('diagnostic baselines', () => {
  it('has at least 15 cases', () => expect(cases.length).toBeGreaterThanOrEqual(15));

  it.each(cases)('%s', (file) => {
    const { result, text } = run(file);
    expect(result.diagnostics.length, 'a case is a broken file').toBeGreaterThan(0);
    expect(result.diagnostics.map((d) => d.code)).not.toContain('E0900');
    const baseline = join(casesDir, file.replace(/\.arch$/, '.errors.txt'));
    if (update) writeFileSync(baseline, text);
    else if (!existsSync(baseline)) {
      if (!process.env['CI']) writeFileSync(baseline, text);
      expect.fail(`${relative(packageRoot, baseline)} is missing${process.env['CI'] ? '' : ': written now; review it, commit it and rerun'}`);
    }
    expect(text).toBe(readFileSync(baseline, 'utf8'));
  });

  it('covers every code the compiler can emit', () => {
    const seen = new Set(cases.flatMap((f) => run(f).result.diagnostics.map((d) => d.code)));
    const skipped = new Set([...NOT_FROM_CHECK, ...UNREACHABLE]);
    const missing = (Object.keys(catalogue) as DiagnosticCode[]).filter((c) => !skipped.has(c) && !seen.has(c));
    expect(missing).toEqual([]);
  });
});
