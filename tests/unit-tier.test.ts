// The unit tier stays fast and self-contained: no file in it (nor any source file it imports, followed
// through relative imports) loads TensorFlow.js, onnxruntime, WebGPU, a child process or the dist/
// build. vitest.config.ts lists which files are unit. And the layers stay layered: the language and
// the compiler import nothing from the runtime, the engines or the tools, not even types.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../compiler/node-host.js';
import { UNIT } from '../vitest.config.js';

const FORBIDDEN = [/^@tensorflow\//, /^onnxruntime-node$/, /^webgpu$/, /^(node:)?child_process$/, /^puppeteer/, /^\.\.?\/(.*\/)?dist\//];

/** A glob as vitest reads it (`**`, `*`, `{a,b}`) → a regular expression over '/'-separated paths. */
function globRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\{([^}]*)\}/g, (_, alts: string) => `(${alts.split(',').join('|')})`)
    .replace(/\*\*\//g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '(.*/)?');
  return new RegExp(`^${body}$`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * The modules a TypeScript file loads when it runs: static imports and re-exports, bare imports and
 * import(). Type-only imports (`import type`, `export type`, `typeof import()`) are erased by the
 * compiler (verbatimModuleSyntax keeps every other import as written) and load nothing.
 */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const statements = /(?:^|[;\n])\s*(?:import|export)(\s+type\b)?[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]|(typeof\s+)?\bimport\s*\(\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(statements)) {
    if (m[2] !== undefined && !m[1]) found.push(m[2]);
    if (m[3] !== undefined) found.push(m[3]);
    if (m[5] !== undefined && !m[4]) found.push(m[5]);
  }
  return found;
}

/** The forbidden imports reachable from `file`, each with the chain that reaches it. */
export function forbiddenImports(file: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  const visit = (path: string, chain: string[]) => {
    if (seen.has(path)) return;
    seen.add(path);
    const here = [...chain, relative(packageRoot, path)];
    for (const spec of specifiers(readFileSync(path, 'utf8'))) {
      if (FORBIDDEN.some((re) => re.test(spec))) problems.push(`${here.join(' → ')} imports '${spec}'`);
      else if (spec.startsWith('.')) visit(resolve(dirname(path), spec.replace(/\.js$/, '.ts')), here);
    }
  };
  visit(file, []);
  return problems;
}

describe('the unit tier', () => {
  const patterns = UNIT.map(globRegex);
  const unitFiles = filesUnder(join(packageRoot, 'tests'))
    .map((f) => relative(packageRoot, f).split('\\').join('/'))
    .filter((f) => patterns.some((re) => re.test(f)));

  it('finds its files', () => {
    expect(unitFiles).toContain('tests/ops/conv.test.ts');
    expect(unitFiles).toContain('tests/zoo.test.ts');
    expect(unitFiles).not.toContain('tests/cli.test.ts');
  });

  it.each(unitFiles)('%s loads no engine, process or build', (file) => {
    expect(forbiddenImports(join(packageRoot, file))).toEqual([]);
  });

  it('notices a file that does', () => {
    expect(forbiddenImports(join(packageRoot, 'tests', 'runtime', 'weights.test.ts')).length).toBeGreaterThan(0);
  });
});

describe('the layering', () => {
  const sources = ['dsl', 'compiler'].flatMap((d) => filesUnder(join(packageRoot, d))).filter((f) => f.endsWith('.ts'));
  const above = ['runtime', 'engines', 'tools'].map((d) => join(packageRoot, d));

  it('dsl/ and compiler/ import nothing from runtime/, engines/ or tools/', () => {
    expect(sources.length).toBeGreaterThan(20);
    const offending = sources.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bfrom\s*['"](\.[^'"]+)['"]|\bimport\s*\(\s*['"](\.[^'"]+)['"]/g)]
        .map((m) => resolve(dirname(file), m[1] ?? m[2]!))
        .filter((target) => above.some((dir) => target.startsWith(dir + '/')))
        .map((target) => `${relative(packageRoot, file)} imports ${relative(packageRoot, target)}`),
    );
    expect(offending).toEqual([]);
  });
});
